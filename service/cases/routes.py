"""HTTP routes for cases and the documentation plan: thin, the work is in plan.py/closing.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from service.cases import closing
from service.cases import plan as plans
from service.cases.models import DocumentationPlan
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
from service.contract import XLSX, file_answer, json_body
from service.db import session_scope
from service.deps import CurrentUser, RuntimeDep, SessionDep, ensure_role
from service.documents.validation import parse_payload
from service.output import content_disposition
from service.params import AreaIndexPath, CaseIndexPath, YearBeforeLastPath, YearPath, YearQuery
from service.timeutil import today_vilnius
from service.users.models import Role

router = APIRouter(tags=["cases"])

CLOSERS = frozenset({Role.archivist, Role.director})


@router.get("/api/cases", response_model=list[CaseOut])
def list_cases(
    runtime: RuntimeDep, session: SessionDep, user: CurrentUser, year: YearQuery = None
) -> list[CaseOut]:
    ensure_role(user, plans.PLAN_READERS, "peržiūrėti bylas")
    year = plans.validate_year(year or today_vilnius().year)
    plans.ensure_year(session, year)
    return cases_out(session, plans.cases_of(session, year), runtime.rules)


@router.post(
    "/api/cases/close", response_model=list[CaseOut], openapi_extra=json_body(CloseRequest)
)
def close_cases(
    runtime: RuntimeDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> list[CaseOut]:
    ensure_role(user, CLOSERS, "uždaryti bylas")
    request = parse_payload(CloseRequest, body)
    done = closing.close_cases(runtime, user, request.year, request.indexes, request.closed_on)
    with session_scope(runtime.engine) as session:
        out = cases_out(session, done.cases, runtime.rules)
    # Each case names the inventory of its retention group (none for a temporary case).
    listed = []
    for case in out:
        doc = done.inventory_of(case.index)
        inventory = {"document_id": doc.id, "number": doc.number} if doc else None
        listed.append(case.model_copy(update={"inventory": inventory}))
    return listed


@router.get("/api/plans/{year}.xlsx", response_class=Response, responses=file_answer(XLSX))
def export_plan_xlsx(
    year: YearPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> Response:
    ensure_role(user, plans.PLAN_READERS, "atsisiųsti dokumentacijos planą")
    plans.validate_year(year)
    plans.ensure_year(session, year)
    data = export_plan(
        year, plans.areas_of(session, year), plans.cases_of(session, year), runtime.rules
    )
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"dokumentacijos-planas-{year}.xlsx")},
    )


@router.get("/api/plans/{year}", response_model=PlanOut)
def get_plan(
    year: YearPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> PlanOut:
    ensure_role(user, plans.PLAN_READERS, "peržiūrėti dokumentacijos planą")
    plan = plans.ensure_year(session, plans.validate_year(year))
    return plan_out(session, plan, runtime.rules)


@router.post("/api/plans/{year}/import", response_model=PlanOut)
def import_plan(
    year: YearPath,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    data: Annotated[bytes, Body(media_type=XLSX)] = b"",
) -> PlanOut:
    plans.validate_year(year)
    # Roles first: a person who may not edit learns that before anything about the file.
    existing = session.get(DocumentationPlan, year)
    if existing is not None:
        plans.ensure_may_edit(existing, user)
    else:
        ensure_role(user, plans.PLAN_EDITORS, "importuoti dokumentacijos planą")
    content = parse_plan(data, runtime.rules, plans.known_register_codes(session))
    plan = plans.replace_plan(session, year, content, user, runtime.rules, how="import")
    return plan_out(session, plan, runtime.rules)


@router.post("/api/plans/{year}/copy-to-next", status_code=201, response_model=PlanOut)
def copy_to_next(
    year: YearBeforeLastPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> PlanOut:
    ensure_role(user, plans.PLAN_EDITORS, "parengti kitų metų dokumentacijos planą")
    plan = plans.copy_to_next(session, year, user, runtime.rules)
    return plan_out(session, plan, runtime.rules)


@router.post("/api/plans/{year}/approve", response_model=PlanOut)
def approve_plan(
    year: YearPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> PlanOut:
    plan = plans.approve(session, year, user)
    return plan_out(session, plan, runtime.rules)


@router.post(
    "/api/plans/{year}/cases",
    status_code=201,
    response_model=CaseOut,
    openapi_extra=json_body(CaseIn),
)
def add_case(
    year: YearPath,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> CaseOut:
    ensure_role(user, plans.PLAN_EDITORS, "keisti dokumentacijos planą")
    request = parse_payload(CaseIn, body)
    planned = plans.PlannedCase(
        index=request.index,
        title=request.title,
        retention_rule=request.retention_rule,
        registers=tuple(request.registers),
    )
    case = plans.put_case(session, year, planned, user, runtime.rules, create=True)
    return case_out(case, 0, runtime.rules)


@router.patch(
    "/api/plans/{year}/cases/{index}", response_model=CaseOut, openapi_extra=json_body(CaseChange)
)
def change_case(
    year: YearPath,
    index: CaseIndexPath,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> CaseOut:
    ensure_role(user, plans.PLAN_EDITORS, "keisti dokumentacijos planą")
    request = parse_payload(CaseChange, body)
    plans.validate_year(year)
    current = plans.find_case(session, year, index)
    planned = plans.PlannedCase(
        index=index,
        title=request.title if request.title is not None else current.title,
        retention_rule=request.retention_rule or current.retention_rule,
        registers=tuple(request.registers)
        if request.registers is not None
        else tuple(current.register_codes),
    )
    case = plans.put_case(session, year, planned, user, runtime.rules, create=False)
    counts = plans.document_counts(session, [case.id or 0])
    return case_out(case, counts.get(case.id or 0, 0), runtime.rules)


@router.delete("/api/plans/{year}/cases/{index}", status_code=204)
def remove_case(
    year: YearPath, index: CaseIndexPath, session: SessionDep, user: CurrentUser
) -> Response:
    ensure_role(user, plans.PLAN_EDITORS, "keisti dokumentacijos planą")
    plans.remove_case(session, year, index, user)
    return Response(status_code=204)


@router.put(
    "/api/plans/{year}/areas/{index}", response_model=PlanOut, openapi_extra=json_body(AreaIn)
)
def put_area(
    year: YearPath,
    index: AreaIndexPath,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> PlanOut:
    ensure_role(user, plans.PLAN_EDITORS, "keisti dokumentacijos planą")
    request = parse_payload(AreaIn, body)
    plans.put_area(session, year, plans.PlannedArea(index=index, title=request.title), user)
    plan = plans.ensure_year(session, year)
    return plan_out(session, plan, runtime.rules)
