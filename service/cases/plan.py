"""The yearly documentation plan: its areas and cases, filing into them, and recorded edits.

A year that has no plan yet gets the default draft the first time it is used. The archivist edits
a draft; the director approves it, and from then on only the director may change it, each change
kept in ``plan_changes`` and the audit log, so an approved plan is never edited silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources

from sqlalchemy import func
from sqlmodel import Session, col, select

from retention.rules import RuleSet
from service.audit import log as audit
from service.case_index import CASE_INDEX, index_key, validate_index
from service.cases.models import (
    Case,
    CaseStatus,
    DocumentationPlan,
    PlanArea,
    PlanChange,
    PlanStatus,
)
from service.db import insert_ignoring_conflicts
from service.documents.models import Document
from service.errors import Conflict, InvalidPayload, NotFound, NotPermitted
from service.params import MAX_YEAR, MIN_YEAR
from service.registry.models import Register
from service.timeutil import utcnow
from service.users.models import Role, User

AREA_INDEX = re.compile(r"^\d+$")
# Years a plan can exist for: the bounds every year parameter has.
FIRST_YEAR, LAST_YEAR = MIN_YEAR, MAX_YEAR

PLAN_READERS = frozenset(
    {Role.office_manager, Role.deputy, Role.archivist, Role.director, Role.admin}
)
PLAN_EDITORS = frozenset({Role.archivist, Role.director})


@dataclass(frozen=True, slots=True)
class PlannedArea:
    index: str
    title: str


@dataclass(frozen=True, slots=True)
class PlannedCase:
    index: str
    title: str
    retention_rule: str
    registers: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        return area_of(self.index)


@dataclass(frozen=True, slots=True)
class PlanContent:
    areas: list[PlannedArea]
    cases: list[PlannedCase] = field(default_factory=list)


def area_of(index: str) -> str:
    return index.split(".", 1)[0]


def validate_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidPayload(f"Netinkami metai {year}: turi būti nuo {FIRST_YEAR} iki {LAST_YEAR}.")
    return year


def default_plan() -> PlanContent:
    """The plan a year starts from when the school has not set one up yet."""
    raw = json.loads(resources.files("service.cases").joinpath("default_plan.json").read_text())
    return PlanContent(
        areas=[PlannedArea(index=a["index"], title=a["title"]) for a in raw["areas"]],
        cases=[
            PlannedCase(index=c["index"], title=c["title"], retention_rule=c["retention_rule"])
            for a in raw["areas"]
            for c in a["cases"]
        ],
    )


def _registers_by_case(session: Session) -> dict[str, list[str]]:
    by_case: dict[str, list[str]] = {}
    for register in session.exec(select(Register).order_by(col(Register.code))):
        by_case.setdefault(register.case_index, []).append(register.code)
    return by_case


def ensure_year(session: Session, year: int) -> DocumentationPlan:
    """The year's plan; a year with no plan yet gets the default draft (idempotent, race-safe)."""
    plan = session.get(DocumentationPlan, year)
    if plan is not None:
        return plan
    insert_ignoring_conflicts(
        session,
        DocumentationPlan,
        [{"year": year, "status": PlanStatus.draft, "created_at": utcnow()}],
    )
    # Years laid out before plans existed already have their cases; only the rest is added.
    if session.exec(select(Case.id).where(Case.year == year)).first() is None:
        content = default_plan()
        by_case = _registers_by_case(session)
        insert_ignoring_conflicts(
            session,
            PlanArea,
            [{"year": year, "index": a.index, "title": a.title} for a in content.areas],
        )
        insert_ignoring_conflicts(
            session,
            Case,
            [
                {
                    "year": year,
                    "index": p.index,
                    "title": p.title,
                    "retention_rule": p.retention_rule,
                    "status": CaseStatus.open,
                    "registers": " ".join(by_case.get(p.index, [])),
                }
                for p in content.cases
            ],
        )
    plan = session.get(DocumentationPlan, year)
    assert plan is not None
    return plan


def open_case_for_filing(session: Session, year: int, index: str) -> Case:
    """The case a new document goes into; a closed case takes no more documents."""
    validate_index(index)
    ensure_year(session, year)
    case = session.exec(select(Case).where(Case.year == year, Case.index == index)).first()
    if case is None:
        raise NotFound(f"{year} m. dokumentacijos plane nėra bylos „{index}“.")
    return _open(case)


def open_case(session: Session, case_id: int) -> Case:
    """A case a document is already filed in, to file another with it (a change act with the
    summary it corrects); closed, it takes no more documents."""
    case = session.get(Case, case_id)
    assert case is not None
    return _open(case)


def _open(case: Case) -> Case:
    if case.status == CaseStatus.closed:
        raise Conflict(
            f"Byla „{case.index} {case.title}“ ({case.year} m.) uždaryta: "
            "į ją dokumentų dėti negalima."
        )
    return case


# -- reading -------------------------------------------------------------------------------------


def cases_of(session: Session, year: int) -> list[Case]:
    cases = session.exec(select(Case).where(Case.year == year)).all()
    return sorted(cases, key=lambda c: index_key(c.index))


def areas_of(session: Session, year: int) -> list[PlanArea]:
    areas = session.exec(select(PlanArea).where(PlanArea.year == year)).all()
    return sorted(areas, key=lambda a: int(a.index))


def document_counts(session: Session, case_ids: Iterable[int]) -> dict[int, int]:
    ids = list(case_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Document.case_id, func.count())
        .where(col(Document.case_id).in_(ids))
        .group_by(col(Document.case_id))
    ).all()
    return {int(case_id): int(count) for case_id, count in rows}


def changes_of(session: Session, year: int) -> list[PlanChange]:
    return list(
        session.exec(select(PlanChange).where(PlanChange.year == year).order_by(col(PlanChange.id)))
    )


def find_case(session: Session, year: int, index: str) -> Case:
    validate_index(index)
    case = session.exec(select(Case).where(Case.year == year, Case.index == index)).first()
    if case is None:
        raise NotFound(f"{year} m. dokumentacijos plane nėra bylos „{index}“.")
    return case


# -- editing -------------------------------------------------------------------------------------


def may_edit(status: str, user: User) -> bool:
    """Draft: the archivist or the director. Approved: the director only (and it is recorded)."""
    if status == PlanStatus.approved:
        return Role.director in user.role_set
    return bool(user.role_set & PLAN_EDITORS)


def ensure_may_edit(plan: DocumentationPlan, user: User) -> None:
    if may_edit(plan.status, user):
        return
    if plan.status == PlanStatus.approved:
        raise NotPermitted(
            f"{plan.year} m. dokumentacijos planas patvirtintas: keisti jį gali tik "
            "direktorius (pakeitimai registruojami)."
        )
    raise NotPermitted("Dokumentacijos planą rengti gali archyvaras arba direktorius.")


def check_case(
    case: PlannedCase, rules: RuleSet, known_registers: set[str], areas: set[str]
) -> list[tuple[str, str]]:
    """Problems with one planned case as (column, Lithuanian message) pairs."""
    problems: list[tuple[str, str]] = []
    if not CASE_INDEX.match(case.index):
        problems.append(
            ("index", f"netinkamas bylos indeksas „{case.index}“ (pvz., „1.1“ arba „4.6 E“)")
        )
    elif area_of(case.index) not in areas:
        problems.append(
            ("index", f"bylai „{case.index}“ nėra veiklos srities „{area_of(case.index)}“")
        )
    if not case.title.strip():
        problems.append(("title", "bylos antraštė tuščia"))
    if case.retention_rule not in rules:
        problems.append(("retention_rule", f"saugojimo taisyklė „{case.retention_rule}“ nerasta"))
    unknown = [code for code in case.registers if code not in known_registers]
    if unknown:
        problems.append(("registers", f"nežinomi registrai: {', '.join(unknown)}"))
    return problems


def check_area(area: PlannedArea) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not AREA_INDEX.match(area.index):
        problems.append(("index", f"netinkamas veiklos srities numeris „{area.index}“"))
    if not area.title.strip():
        problems.append(("title", "veiklos srities pavadinimas tuščias"))
    return problems


def known_register_codes(session: Session) -> set[str]:
    return set(session.exec(select(Register.code)).all())


def _case_state(case: Case) -> dict[str, object]:
    return {
        "index": case.index,
        "title": case.title,
        "retention_rule": case.retention_rule,
        "registers": case.register_codes,
    }


def _planned_state(case: PlannedCase) -> dict[str, object]:
    return asdict(case) | {"registers": list(case.registers)}


def _record(
    session: Session,
    plan: DocumentationPlan,
    user: User,
    changes: Sequence[tuple[str, str, dict[str, object] | None, dict[str, object] | None]],
    *,
    how: str,
) -> None:
    after_approval = plan.status == PlanStatus.approved
    for action, subject, before, after in changes:
        session.add(
            PlanChange(
                year=plan.year,
                user_id=user.id,
                user_name=user.name,
                action=action,
                subject=subject,
                before=before,
                after=after,
                after_approval=after_approval,
            )
        )
    if changes:
        audit.record(
            session,
            user.actor,
            "plan.changed",
            subject_type="documentation_plan",
            subject_id=str(plan.year),
            detail={
                "how": how,
                "after_approval": after_approval,
                "changes": [{"action": a, "subject": s} for a, s, _, _ in changes],
            },
        )


_Change = tuple[str, str, dict[str, object] | None, dict[str, object] | None]


def replace_plan(
    session: Session,
    year: int,
    content: PlanContent,
    user: User,
    rules: RuleSet,
    *,
    how: str,
) -> DocumentationPlan:
    """Make the year's plan equal ``content`` (import, copy): every difference is one recorded
    change. Cases holding documents or already closed can't be removed or altered; on any such
    conflict nothing changes."""
    validate_year(year)
    existed = session.get(DocumentationPlan, year) is not None
    plan = ensure_year(session, year)
    ensure_may_edit(plan, user)
    _check_content(session, content, rules)

    current = {c.index: c for c in cases_of(session, year)}
    wanted = {c.index: c for c in content.cases}
    _refuse_conflicts(session, year, current, wanted)

    changes, unwanted_areas = _upsert_areas(session, year, content.areas)
    changes += _replace_cases(session, year, current, wanted)
    session.flush()
    changes += _remove_areas(session, unwanted_areas)
    _record_replacement(session, plan, user, changes, existed=existed, content=content, how=how)
    session.flush()
    return plan


def _refuse_conflicts(
    session: Session, year: int, current: dict[str, Case], wanted: dict[str, PlannedCase]
) -> None:
    """Refuse, before anything changes, to drop a case with documents or to alter a closed one."""
    counts = document_counts(session, [c.id for c in current.values() if c.id is not None])
    conflicts: list[str] = []
    for index, case in current.items():
        new = wanted.get(index)
        if new is None:
            if counts.get(case.id or 0, 0):
                conflicts.append(f"byloje „{index}“ jau yra dokumentų, jos pašalinti negalima")
            elif case.status == CaseStatus.closed:
                conflicts.append(f"byla „{index}“ uždaryta, jos pašalinti negalima")
        elif case.status == CaseStatus.closed and _case_state(case) != _planned_state(new):
            conflicts.append(f"byla „{index}“ uždaryta, jos keisti negalima")
    if conflicts:
        raise Conflict(f"{year} m. plano pakeisti negalima: " + "; ".join(conflicts) + ".")


def _upsert_areas(
    session: Session, year: int, areas: Sequence[PlannedArea]
) -> tuple[list[_Change], dict[str, PlanArea]]:
    """Add and retitle the wanted areas; return the changes and the areas no longer wanted."""
    changes: list[_Change] = []
    existing = {a.index: a for a in areas_of(session, year)}
    for area in areas:
        old = existing.pop(area.index, None)
        if old is None:
            session.add(PlanArea(year=year, index=area.index, title=area.title))
            changes.append(("area.added", area.index, None, asdict(area)))
        elif old.title != area.title:
            old_state: dict[str, object] = {"index": old.index, "title": old.title}
            old.title = area.title
            session.add(old)
            changes.append(("area.changed", area.index, old_state, asdict(area)))
    return changes, existing


def _replace_cases(
    session: Session, year: int, current: dict[str, Case], wanted: dict[str, PlannedCase]
) -> list[_Change]:
    """Add, alter and delete cases so the year holds exactly the wanted ones."""
    changes: list[_Change] = []
    for index, new in wanted.items():
        if index not in current:
            session.add(
                Case(
                    year=year,
                    index=new.index,
                    title=new.title,
                    retention_rule=new.retention_rule,
                    registers=" ".join(new.registers),
                )
            )
            changes.append(("case.added", index, None, _planned_state(new)))
            continue
        case = current.pop(index)
        if _case_state(case) != _planned_state(new):
            before = _case_state(case)
            case.title, case.retention_rule = new.title, new.retention_rule
            case.registers = " ".join(new.registers)
            session.add(case)
            changes.append(("case.changed", index, before, _planned_state(new)))
    for index, case in current.items():
        changes.append(("case.removed", index, _case_state(case), None))
        session.delete(case)
    return changes


def _remove_areas(session: Session, unwanted: dict[str, PlanArea]) -> list[_Change]:
    """Delete the areas the new content no longer has."""
    changes: list[_Change] = []
    for area_index, old_area in unwanted.items():
        changes.append(
            ("area.removed", area_index, {"index": area_index, "title": old_area.title}, None)
        )
        session.delete(old_area)
    return changes


def _record_replacement(
    session: Session,
    plan: DocumentationPlan,
    user: User,
    changes: Sequence[_Change],
    *,
    existed: bool,
    content: PlanContent,
    how: str,
) -> None:
    """Record each change of an existing plan, or one creation event for a new year's plan."""
    if existed:
        _record(session, plan, user, changes, how=how)
    else:
        # A new year's plan is created, not changed: one event says where it came from.
        audit.record(
            session,
            user.actor,
            "plan.created",
            subject_type="documentation_plan",
            subject_id=str(plan.year),
            detail={"how": how, "cases": len(content.cases), "areas": len(content.areas)},
        )


def _check_content(session: Session, content: PlanContent, rules: RuleSet) -> None:
    problems: list[str] = []
    area_indexes = [a.index for a in content.areas]
    for area in content.areas:
        problems += [f"sritis „{area.index}“: {m}" for _, m in check_area(area)]
    known = known_register_codes(session)
    for case in content.cases:
        problems += [
            f"byla „{case.index}“: {m}"
            for _, m in check_case(case, rules, known, set(area_indexes))
        ]
    indexes = [c.index for c in content.cases]
    duplicates = sorted(
        {i for i in indexes if indexes.count(i) > 1}
        | {i for i in area_indexes if area_indexes.count(i) > 1}
    )
    if duplicates:
        problems.append(f"pasikartojantys indeksai: {', '.join(duplicates)}")
    if not content.cases:
        problems.append("plane nėra nė vienos bylos")
    if problems:
        raise InvalidPayload("Netinkamas dokumentacijos planas: " + "; ".join(problems) + ".")


def put_case(
    session: Session,
    year: int,
    case: PlannedCase,
    user: User,
    rules: RuleSet,
    *,
    create: bool,
) -> Case:
    """Add a case (``create``) or change one; an approved plan's change is recorded."""
    validate_year(year)
    validate_index(case.index)
    plan = ensure_year(session, year)
    ensure_may_edit(plan, user)
    areas = {a.index for a in areas_of(session, year)}
    problems = check_case(case, rules, known_register_codes(session), areas)
    if problems:
        raise InvalidPayload(
            "Netinkami duomenys. " + "; ".join(f"„{c}“: {m}" for c, m in problems) + "."
        )
    existing = session.exec(select(Case).where(Case.year == year, Case.index == case.index)).first()
    if create:
        if existing is not None:
            raise Conflict(f"{year} m. plane byla „{case.index}“ jau yra.")
        row = Case(
            year=year,
            index=case.index,
            title=case.title,
            retention_rule=case.retention_rule,
            registers=" ".join(case.registers),
        )
        session.add(row)
        _record(
            session,
            plan,
            user,
            [("case.added", case.index, None, _planned_state(case))],
            how="edit",
        )
        session.flush()
        return row
    if existing is None:
        raise NotFound(f"{year} m. dokumentacijos plane nėra bylos „{case.index}“.")
    if existing.status == CaseStatus.closed:
        raise Conflict(f"Byla „{case.index}“ ({year} m.) uždaryta: jos keisti negalima.")
    before = _case_state(existing)
    if before == _planned_state(case):
        return existing
    existing.title, existing.retention_rule = case.title, case.retention_rule
    existing.registers = " ".join(case.registers)
    session.add(existing)
    _record(
        session,
        plan,
        user,
        [("case.changed", case.index, before, _planned_state(case))],
        how="edit",
    )
    session.flush()
    return existing


def remove_case(session: Session, year: int, index: str, user: User) -> None:
    validate_year(year)
    validate_index(index)
    plan = ensure_year(session, year)
    ensure_may_edit(plan, user)
    case = find_case(session, year, index)
    if document_counts(session, [case.id or 0]):
        raise Conflict(f"Byloje „{index}“ ({year} m.) yra dokumentų: jos pašalinti negalima.")
    if case.status == CaseStatus.closed:
        raise Conflict(f"Byla „{index}“ ({year} m.) uždaryta: jos pašalinti negalima.")
    _record(session, plan, user, [("case.removed", index, _case_state(case), None)], how="edit")
    session.delete(case)
    session.flush()


def put_area(session: Session, year: int, area: PlannedArea, user: User) -> PlanArea:
    """Add an activity area or rename one."""
    validate_year(year)
    problems = check_area(area)
    if problems:
        raise InvalidPayload(
            "Netinkami duomenys. " + "; ".join(f"„{c}“: {m}" for c, m in problems) + "."
        )
    plan = ensure_year(session, year)
    ensure_may_edit(plan, user)
    row = session.exec(
        select(PlanArea).where(PlanArea.year == year, PlanArea.index == area.index)
    ).first()
    if row is None:
        row = PlanArea(year=year, index=area.index, title=area.title)
        _record(session, plan, user, [("area.added", area.index, None, asdict(area))], how="edit")
    elif row.title != area.title:
        before: dict[str, object] = {"index": row.index, "title": row.title}
        row.title = area.title
        _record(
            session, plan, user, [("area.changed", area.index, before, asdict(area))], how="edit"
        )
    session.add(row)
    session.flush()
    return row


def approve(session: Session, year: int, user: User) -> DocumentationPlan:
    validate_year(year)
    if Role.director not in user.role_set:
        raise NotPermitted("Dokumentacijos planą tvirtina tik direktorius.")
    plan = ensure_year(session, year)
    if plan.status == PlanStatus.approved:
        raise Conflict(f"{year} m. dokumentacijos planas jau patvirtintas.")
    plan.status = PlanStatus.approved
    plan.approved_by, plan.approved_by_name, plan.approved_at = user.id, user.name, utcnow()
    session.add(plan)
    audit.record(
        session,
        user.actor,
        "plan.approved",
        subject_type="documentation_plan",
        subject_id=str(year),
        detail={"cases": len(cases_of(session, year))},
    )
    session.flush()
    return plan


def content_of(session: Session, year: int) -> PlanContent:
    return PlanContent(
        areas=[PlannedArea(index=a.index, title=a.title) for a in areas_of(session, year)],
        cases=[
            PlannedCase(
                index=c.index,
                title=c.title,
                retention_rule=c.retention_rule,
                registers=tuple(c.register_codes),
            )
            for c in cases_of(session, year)
        ],
    )


def copy_to_next(session: Session, year: int, user: User, rules: RuleSet) -> DocumentationPlan:
    """Next year's draft from this year's plan: same areas and cases, all open."""
    validate_year(year)
    validate_year(year + 1)
    ensure_year(session, year)
    target = session.get(DocumentationPlan, year + 1)
    if target is not None and target.status == PlanStatus.approved:
        raise Conflict(
            f"{year + 1} m. dokumentacijos planas jau patvirtintas; jo perrašyti negalima."
        )
    return replace_plan(
        session, year + 1, content_of(session, year), user, rules, how=f"copy:{year}"
    )
