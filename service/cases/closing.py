"""Closing cases: the closure date fixes the year retention counts from, the case inventory
(bylų apyrašas) is issued as a registered document, and the documents' locks are re-evaluated.

Order matters because three systems are involved: (1) check everything and plan the new locks;
(2) extend the object locks (extend-only, so doing it early can never harm); (3) issue the
inventory through the ordinary issuing pipeline (it files into an open case and gets a number);
(4) one transaction closes the cases, stores the re-evaluated dates and writes the audit event.
Bad input fails in (1) and changes nothing.

The dates come from ``service.documents.retention.evaluate``, the same computation the archive
uses when a rule changes or an event is recorded: a recorded event counts here too, and a
journal transfer's file is relocked with its cover.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from retention.compute import RetentionDate
from retention.rules import RuleSet
from service.audit import log as audit
from service.case_index import validate_index
from service.cases.facts import count_missing_pages, facts
from service.cases.models import Case, CaseStatus
from service.cases.plan import cases_of, ensure_year, validate_year
from service.db import session_scope
from service.documents.kinds import KindSpec
from service.documents.models import Document
from service.documents.retention import document_versions, evaluate
from service.errors import Conflict, InvalidPayload, NotFound, ServiceError
from service.records import INVENTORIED, Group, RecordsSettings
from service.runtime import Runtime
from service.stored_files import store_errors
from service.timeutil import today_vilnius
from service.users.models import User
from storage.errors import RetentionLocked

INVENTORY_KIND = "case-inventory"


@dataclass(frozen=True, slots=True)
class Relock:
    """A document whose term or lock moves because its case closed (the lock only later)."""

    document_id: str
    term: RetentionDate
    lock_until: dt.date
    extend_objects: bool  # the object lock itself must move later
    versions: tuple[tuple[str, str], ...]  # every object version the lock is on


@dataclass(frozen=True, slots=True)
class Closed:
    cases: list[Case]
    # One inventory per retention group that goes on one (permanent, long-term), by group.
    inventories: dict[Group, Document]
    # Which group each closed case (by index) belongs to.
    groups: dict[str, Group]
    relocked: int

    @property
    def inventory(self) -> Document | None:
        """The first inventory issued (the permanent one when there is one)."""
        return next(iter(self.inventories.values()), None)

    def inventory_of(self, index: str) -> Document | None:
        group = self.groups.get(index)
        return self.inventories.get(group) if group is not None else None


def group_of(rules: RuleSet, records: RecordsSettings, rule_id: str) -> Group:
    """A case's retention group; a rule the set does not know keeps the case (long-term)."""
    if rule_id not in rules:
        return Group.long_term
    return records.group(rules.get(rule_id))


def retention_term_text(rules: RuleSet, rule_id: str) -> str:
    if rule_id not in rules:
        return rule_id
    rule = rules.get(rule_id)
    # The table writes a permanent term "P"; a document of record says it in words.
    term = "nuolat" if rule.permanent else rule.term
    return f"{term} ({rule.index} {rule.item} p.)"


def reevaluate(
    session: Session,
    doc: Document,
    rules: RuleSet,
    kinds: dict[str, KindSpec],
    closed_on: dt.date,
    today: dt.date,
) -> Relock | None:
    """The document's retention once its case is closed on ``closed_on``; None when unchanged.

    The term stored so far assumed the case closes in the document's own year, or (once the
    archive re-evaluated it) no earlier than that day's year; the closure fixes it. The lock is
    never shortened: a term now ending before it leaves the lock where it is.
    """
    if doc.retention_rule not in rules:
        return None  # a rule the set no longer has: nothing to compute the term from
    result = evaluate(session, doc, rules, kinds, closed_on=closed_on, today=today)
    term = result.term
    if (term.until, term.permanent) == (doc.retain_until, doc.permanent) and not result.extended:
        return None
    return Relock(
        doc.id,
        term,
        result.lock_after,
        extend_objects=result.extended,
        versions=tuple(document_versions(session, doc)),
    )


def _to_close(session: Session, year: int, indexes: list[str] | None) -> list[Case]:
    cases = cases_of(session, year)
    if indexes is None:
        return [c for c in cases if c.status == CaseStatus.open]
    for index in indexes:
        validate_index(index)
    by_index = {c.index: c for c in cases}
    unknown = [i for i in indexes if i not in by_index]
    if unknown:
        raise NotFound(f"{year} m. dokumentacijos plane nėra bylų: {', '.join(unknown)}.")
    closed = [i for i in indexes if by_index[i].status == CaseStatus.closed]
    if closed:
        raise Conflict(f"{year} m. bylos jau uždarytos: {', '.join(closed)}.")
    return [by_index[i] for i in dict.fromkeys(indexes)]


@dataclass(frozen=True, slots=True)
class _Closing:
    """What phase (1) of :func:`close_cases` found: the cases, their documents, the locks to
    lengthen."""

    cases: list[Case]
    documents: list[Document]
    relocks: list[Relock]


def close_cases(
    runtime: Runtime,
    user: User,
    year: int,
    indexes: list[str] | None = None,
    closed_on: dt.date | None = None,
) -> Closed:
    """Close a year's cases: (1) check and plan, (2) lengthen the object locks, (3) register the
    inventories, (4) close the cases and record. Each phase is a function below."""
    validate_year(year)
    today = today_vilnius()
    closed_on = closed_on or today
    spec = runtime.kinds.get(INVENTORY_KIND)
    if spec is None:
        raise ServiceError("Bylų apyrašo dokumento rūšis nesukonfigūruota (doc_templates).")
    plan = _check_and_plan(runtime, spec, year, indexes, closed_on, today)
    if plan is None:
        return Closed(cases=[], inventories={}, groups={}, relocked=0)
    _extend_locks(runtime, plan.relocks, today)
    groups = {
        c.index: group_of(runtime.rules, runtime.records, c.retention_rule) for c in plan.cases
    }
    inventories = _issue_inventories(runtime, spec, user, year, plan, groups, closed_on, today)
    closed_rows = _close_and_record(runtime, user, year, plan, inventories, closed_on)
    return Closed(
        cases=closed_rows, inventories=inventories, groups=groups, relocked=len(plan.relocks)
    )


def _check_and_plan(
    runtime: Runtime,
    spec: KindSpec,
    year: int,
    indexes: list[str] | None,
    closed_on: dt.date,
    today: dt.date,
) -> _Closing | None:
    """(1) Check and plan; nothing is written here but a missing year's default draft. None when
    there is nothing to close."""
    with session_scope(runtime.engine) as session:
        ensure_year(session, year)
        cases = _to_close(session, year, indexes)
        if not cases:
            return None
        if closed_on > today:
            raise InvalidPayload(
                f"„closed_on“: bylų uždaryti ateities data ({closed_on}) negalima."
            )
        if closed_on.year < year:
            raise InvalidPayload(
                f"„closed_on“: {year} m. bylų negalima uždaryti ankstesne data ({closed_on})."
            )
        ids = [c.id for c in cases if c.id is not None]
        documents = list(session.exec(select(Document).where(col(Document.case_id).in_(ids))))
        latest = max((d.registered_on for d in documents), default=None)
        if latest is not None and closed_on < latest:
            raise InvalidPayload(
                f"„closed_on“: bylose yra dokumentų, įregistruotų {latest}, vėliau nei "
                f"nurodyta uždarymo data {closed_on}."
            )
        home = session.exec(
            select(Case).where(Case.year == today.year, Case.index == spec.case_index)
        ).first()
        if home is not None and home.status == CaseStatus.closed:
            raise Conflict(
                f"Bylų apyrašą reikia įdėti į bylą „{spec.case_index}“ ({today.year} m.), bet ji "
                "uždaryta."
            )
        relocks = [
            r
            for d in documents
            if (r := reevaluate(session, d, runtime.rules, runtime.kinds, closed_on, today))
        ]
    return _Closing(cases=cases, documents=documents, relocks=relocks)


def _extend_locks(runtime: Runtime, relocks: list[Relock], today: dt.date) -> None:
    """(2) Extend the object locks first: lengthening a lock is always safe to have done."""
    with store_errors():
        for relock in relocks:
            # A lock ending before today protects nothing (an old year closed late): the store
            # refuses a retention date in the past, and there is nothing to extend.
            if not relock.extend_objects or relock.lock_until <= today:
                continue
            for key, version in relock.versions:
                # Already locked longer (e.g. extended by the archive): nothing to do.
                with contextlib.suppress(RetentionLocked):
                    runtime.store.extend_retention(key, version, relock.lock_until)


def _issue_inventories(
    runtime: Runtime,
    spec: KindSpec,
    user: User,
    year: int,
    plan: _Closing,
    groups: dict[str, Group],
    closed_on: dt.date,
    today: dt.date,
) -> dict[Group, Document]:
    # (3) The inventories: registered documents like any other, filed into the plan's case 1.1,
    # one per retention group that goes on one (Taisyklės, chapter on case inventories: the
    # permanent and the long-term cases each on their own; temporary cases on none).
    cases, documents = plan.cases, plan.documents
    inventory_case = (today.year, spec.case_index)
    count_missing_pages(runtime.engine, runtime.store, documents)
    by_case: dict[int, list[Document]] = {}
    for d in documents:
        by_case.setdefault(d.case_id, []).append(d)
    wanted = [g for g in INVENTORIED if any(groups[c.index] == g for c in cases)]
    inventories: dict[Group, Document] = {}
    # The inventories' own case counts them only when it closes with them, i.e. is in ``cases``.
    for group in wanted:
        entries = [
            _inventory_entry(
                runtime,
                case,
                by_case.get(case.id or 0, []),
                closed_on,
                today,
                filed_here=len(wanted) if (case.year, case.index) == inventory_case else 0,
            )
            for case in cases
            if groups[case.index] == group
        ]
        payload = {
            "year": year,
            "group": group.value,
            "cases": entries,
            "compiled_by": {"name": user.name, "position": user.position},
            "commission_name": runtime.records.commission,
        }
        inventories[group] = runtime.issuer.issue(spec, payload, user).document
    return inventories


def _inventory_entry(
    runtime: Runtime,
    case: Case,
    documents: list[Document],
    closed_on: dt.date,
    today: dt.date,
    *,
    filed_here: int,
) -> dict[str, object]:
    """One case's row of an inventory; ``filed_here`` inventories are filed into this case."""
    found = facts(documents, runtime.records)
    count, first, last = found.documents, found.first, found.last
    note = ""
    if filed_here:
        # The inventories themselves are filed into this case before it closes; their
        # sheets are not known until they are printed.
        count, first, last = count + filed_here, first or today, today
        note = f"Įskaitant šių bylų apyrašus ({filed_here})"
    if found.uncounted:
        note = "; ".join(n for n in (note, f"neįskaičiuoti {found.uncounted} dok. lapai") if n)
    return {
        "index": case.index,
        "title": case.title,
        "first_date": first.isoformat() if first else None,
        "last_date": last.isoformat() if last else None,
        "documents": count,
        "sheets": found.sheets,
        "retention": retention_term_text(runtime.rules, case.retention_rule),
        "closed_on": closed_on.isoformat(),
        "note": note,
    }


def _close_and_record(
    runtime: Runtime,
    user: User,
    year: int,
    plan: _Closing,
    inventories: dict[Group, Document],
    closed_on: dt.date,
) -> list[Case]:
    """(4) Close, store the re-evaluated dates, record."""
    cases, relocks = plan.cases, plan.relocks
    numbers = ", ".join(d.number for d in inventories.values())
    with session_scope(runtime.engine) as session:
        rows = [session.get(Case, c.id) for c in cases]
        raced = [
            c.index
            for c, r in zip(cases, rows, strict=True)
            if r is None or r.status == CaseStatus.closed
        ]
        if raced:
            raise Conflict(
                f"Bylas kartu uždarė kita užklausa: {', '.join(raced)}. Apyrašai "
                f"{numbers or '(nė vieno)'} įregistruoti; patikrinkite bylų sąrašą."
            )
        closed_rows: list[Case] = []
        for row in rows:
            assert row is not None
            row.status, row.closed_on = CaseStatus.closed, closed_on
            session.add(row)
            closed_rows.append(row)
        for relock in relocks:
            row_doc = session.get(Document, relock.document_id)
            assert row_doc is not None
            row_doc.retain_until = relock.term.until
            row_doc.permanent = relock.term.permanent
            row_doc.lock_until = max(row_doc.lock_until, relock.lock_until)
            session.add(row_doc)
        audit.record(
            session,
            user.actor,
            "cases.closed",
            subject_type="documentation_plan",
            subject_id=str(year),
            detail={
                "indexes": [c.index for c in closed_rows],
                "closed_on": closed_on.isoformat(),
                "inventories": [d.id for d in inventories.values()],
                "inventory_numbers": [d.number for d in inventories.values()],
                "relocked": [r.document_id for r in relocks],
            },
        )
    return closed_rows
