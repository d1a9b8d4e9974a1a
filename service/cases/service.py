"""The documentation plan's and cases' use-cases, shared by the API (routes.py) and the plan
pages. Each takes the unit of work it runs in (the API's request, a page's action), typed
inputs and the acting person.

Who may call each is decided before, by the policy table (service/access/policy.py); what is
left here depends on the data (an approved plan is changed by the director only: plan.py).
"""

from __future__ import annotations

from sqlmodel import Session

from service.cases import closing
from service.cases import plan as plans
from service.cases.models import Case, DocumentationPlan
from service.cases.plan_xlsx import export_plan, parse_plan
from service.cases.schemas import (
    AreaIn,
    CaseChange,
    CaseIn,
    CaseOut,
    CloseRequest,
    PlanOut,
    case_out,
    cases_out,
    plan_out,
)
from service.db import session_scope
from service.runtime import Runtime
from service.users.models import User


def list_cases(session: Session, runtime: Runtime, year: int) -> list[CaseOut]:
    year = plans.validate_year(year)
    plans.ensure_year(session, year)
    return cases_out(session, plans.cases_of(session, year), runtime.rules)


def close_cases(runtime: Runtime, user: User, wanted: CloseRequest) -> list[CaseOut]:
    """Close the cases (each in its own work: closing.py); each answered with the inventory of
    its retention group (none for a temporary case)."""
    done = closing.close_cases(runtime, user, wanted.year, wanted.indexes, wanted.closed_on)
    with session_scope(runtime.engine) as session:
        out = cases_out(session, done.cases, runtime.rules)
    listed = []
    for case in out:
        doc = done.inventory_of(case.index)
        inventory = {"document_id": doc.id, "number": doc.number} if doc else None
        listed.append(case.model_copy(update={"inventory": inventory}))
    return listed


def plan_workbook(session: Session, runtime: Runtime, year: int) -> bytes:
    plans.validate_year(year)
    plans.ensure_year(session, year)
    return export_plan(
        year, plans.areas_of(session, year), plans.cases_of(session, year), runtime.rules
    )


def plan(session: Session, runtime: Runtime, year: int) -> PlanOut:
    found = plans.ensure_year(session, plans.validate_year(year))
    return plan_out(session, found, runtime.rules)


def import_plan(session: Session, runtime: Runtime, user: User, year: int, data: bytes) -> PlanOut:
    plans.validate_year(year)
    # Who may edit first: a person who may not learns that before anything about the file.
    existing = session.get(DocumentationPlan, year)
    if existing is not None:
        plans.ensure_may_edit(existing, user)
    content = parse_plan(data, runtime.rules, plans.known_register_codes(session))
    replaced = plans.replace_plan(session, year, content, user, runtime.rules, how="import")
    return plan_out(session, replaced, runtime.rules)


def copy_to_next(session: Session, runtime: Runtime, user: User, year: int) -> PlanOut:
    return plan_out(session, plans.copy_to_next(session, year, user, runtime.rules), runtime.rules)


def approve_plan(session: Session, runtime: Runtime, user: User, year: int) -> PlanOut:
    return plan_out(session, plans.approve(session, year, user), runtime.rules)


def add_case(session: Session, runtime: Runtime, user: User, year: int, new: CaseIn) -> CaseOut:
    planned = plans.PlannedCase(
        index=new.index,
        title=new.title,
        retention_rule=new.retention_rule,
        registers=tuple(new.registers),
    )
    case = plans.put_case(session, year, planned, user, runtime.rules, create=True)
    return case_out(case, 0, runtime.rules)


def find_case(session: Session, year: int, index: str) -> Case:
    plans.validate_year(year)
    return plans.find_case(session, year, index)


def change_case(
    session: Session, runtime: Runtime, user: User, year: int, index: str, change: CaseChange
) -> CaseOut:
    current = find_case(session, year, index)
    planned = plans.PlannedCase(
        index=index,
        title=change.title if change.title is not None else current.title,
        retention_rule=change.retention_rule or current.retention_rule,
        registers=tuple(change.registers)
        if change.registers is not None
        else tuple(current.register_codes),
    )
    case = plans.put_case(session, year, planned, user, runtime.rules, create=False)
    counts = plans.document_counts(session, [case.id or 0])
    return case_out(case, counts.get(case.id or 0, 0), runtime.rules)


def remove_case(session: Session, user: User, year: int, index: str) -> None:
    plans.remove_case(session, year, index, user)


def put_area(
    session: Session, runtime: Runtime, user: User, year: int, index: str, area: AreaIn
) -> PlanOut:
    plans.put_area(session, year, plans.PlannedArea(index=index, title=area.title), user)
    return plan_out(session, plans.ensure_year(session, year), runtime.rules)
