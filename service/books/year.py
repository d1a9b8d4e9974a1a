"""The archivist's year: every case of a year's plan with its state, its counts and what is still
missing from it, and where its cover, inventory and destruction act are printed.

A case's state, most decisive first: destroyed (every document destroyed by an executed act),
held (a hold on the case or one of its documents), due (closed, its term over, nothing holds
it), inventoried (closed and on the year's current inventory of its group), closed, open.
"Missing" reuses the school-year duties (service/documents/duties.py), the same questions the
home page asks: a class's summary for a period that ended within the year, the e-journal's
transfer whose deadline fell within it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from service.archive.cases import held_ids
from service.archive.disposal import appraise
from service.archive.models import DestroyedDocument, Disposal
from service.cases.closing import INVENTORY_KIND, group_of
from service.cases.facts import documents_of, facts
from service.cases.models import Case, CaseStatus
from service.cases.plan import cases_of, ensure_year
from service.documents import duties
from service.documents.models import Document
from service.records import INVENTORIED, Group
from service.runtime import Runtime
from service.school_year import calendars
from service.school_year.calendar import previous_school_year

STATES_LT = {
    "open": "atidaryta",
    "closed": "užbaigta",
    "inventoried": "įrašyta į apyrašą",
    "held": "sulaikyta",
    "due": "naikintina",
    "destroyed": "sunaikinta",
}
GROUPS_LT = {
    Group.permanent: "nuolat saugoma",
    Group.long_term: "ilgai saugoma",
    Group.temporary: "laikinai saugoma",
}


@dataclass
class YearCase:
    case: Case
    group: Group
    state: str
    documents: int
    sheets: int
    first: dt.date | None
    last: dt.date | None
    replaced: int
    destroyed: int
    inventory: Document | None = None
    act_numbers: list[str] = field(default_factory=list)
    disposal_ids: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        c = self.case
        return {
            "index": c.index,
            "title": c.title,
            "retention_rule": c.retention_rule,
            "group": self.group.value,
            "group_lt": GROUPS_LT[self.group],
            "state": self.state,
            "state_lt": STATES_LT[self.state],
            "closed_on": c.closed_on.isoformat() if c.closed_on else None,
            "documents": self.documents,
            "sheets": self.sheets,
            "first_date": self.first.isoformat() if self.first else None,
            "last_date": self.last.isoformat() if self.last else None,
            "replaced": self.replaced,
            "destroyed": self.destroyed,
            "inventory": (
                {"document_id": self.inventory.id, "number": self.inventory.number}
                if self.inventory
                else None
            ),
            "destruction_acts": self.act_numbers,
            "disposals": self.disposal_ids,
            "missing": self.missing,
            "cover": f"/api/cases/{c.year}/{c.index}/cover.pdf",
        }


def current_inventories(session: Session, year: int) -> dict[Group, Document]:
    """The year's inventories in force (not replaced by a newer version), by group; where a
    group has more than one (cases closed at different times), the latest."""
    found: dict[Group, Document] = {}
    for doc in session.exec(
        select(Document)
        .where(Document.kind == INVENTORY_KIND, col(Document.superseded_by_id).is_(None))
        .order_by(col(Document.created_at))
    ):
        if doc.payload.get("year") != year:
            continue
        found[Group(str(doc.payload.get("group", Group.permanent.value)))] = doc
    return found


def _inventoried(session: Session, year: int) -> dict[str, Document]:
    """case index -> the current inventory that lists it."""
    listed: dict[str, Document] = {}
    for doc in session.exec(
        select(Document).where(
            Document.kind == INVENTORY_KIND, col(Document.superseded_by_id).is_(None)
        )
    ):
        if doc.payload.get("year") != year:
            continue
        cases = doc.payload.get("cases")
        for item in cases if isinstance(cases, list) else []:
            if isinstance(item, dict):
                listed[str(item.get("index"))] = doc
    return listed


def _missing(session: Session, runtime: Runtime, year: int, today: dt.date) -> dict[str, list[str]]:
    """case index -> what the school-year duties say is still missing from it."""
    missing: dict[str, list[str]] = {}
    summary = runtime.kinds.get(duties.SUMMARY)
    transfer = runtime.kinds.get(duties.TRANSFER)
    autumn = f"{year}-{year + 1}"
    for school_year in (previous_school_year(autumn), autumn):
        calendar = calendars.get(session, school_year)
        if calendar is None:
            continue
        if summary is not None:
            for due in duties.missing_summaries(session, calendar, today):
                if due.period_ended.year == year:
                    missing.setdefault(summary.case_index, []).append(
                        f"Suvestinė: {due.class_name} klasė, {due.period} "
                        f"(laikotarpis baigėsi {due.period_ended.isoformat()})"
                    )
        if transfer is not None:
            found = duties.journal_transfer(session, calendar, today)
            if found is not None and found.document_id is None and found.deadline.year == year:
                missing.setdefault(transfer.case_index, []).append(
                    f"E. dienynas, {calendar.school_year} m. m., neperkeltas "
                    f"(terminas {found.deadline.isoformat()})"
                )
    return missing


@dataclass(frozen=True, slots=True)
class _YearRecords:
    """What the year's rows are judged against, each read once for the whole year."""

    stubs: dict[str, DestroyedDocument]  # document id -> its destruction stub
    held_docs: set[str]
    held_cases: set[int]
    inventoried: dict[str, Document]  # case index -> the current inventory that lists it
    missing: dict[str, list[str]]  # case index -> what is still missing from it
    disposals: dict[int, list[int]]  # case id -> the disposals that name it


def year_view(runtime: Runtime, session: Session, year: int, today: dt.date) -> dict[str, Any]:
    ensure_year(session, year)
    cases = cases_of(session, year)
    ids = [c.id for c in cases if c.id is not None]
    docs = documents_of(session, ids)
    records = _year_records(session, runtime, year, today, docs)
    rows = [
        _year_case(session, runtime, case, docs.get(case.id or 0, []), records, today)
        for case in cases
    ]
    return _year_answer(session, year, rows)


def _year_records(
    session: Session,
    runtime: Runtime,
    year: int,
    today: dt.date,
    docs: dict[int, list[Document]],
) -> _YearRecords:
    """Read the destructions, holds, inventories, missing duties and disposals of the year."""
    all_ids = [d.id for found in docs.values() for d in found]
    stubs = {
        s.document_id: s
        for s in session.exec(
            select(DestroyedDocument).where(col(DestroyedDocument.document_id).in_(all_ids))
        )
    }
    held_docs, held_cases = held_ids(session)
    inventoried = _inventoried(session, year)
    missing = _missing(session, runtime, year, today)
    disposals: dict[int, list[int]] = {}
    for disposal in session.exec(select(Disposal)):
        for item in disposal.cases:
            case_id = item.get("case_id")
            if isinstance(case_id, int) and disposal.id is not None:
                disposals.setdefault(case_id, []).append(disposal.id)
    return _YearRecords(stubs, held_docs, held_cases, inventoried, missing, disposals)


def _year_case(
    session: Session,
    runtime: Runtime,
    case: Case,
    found: list[Document],
    records: _YearRecords,
    today: dt.date,
) -> YearCase:
    """One case's row: its state, counts, inventory, acts and what is missing."""
    stubs = records.stubs
    alive = [d for d in found if d.id not in stubs]
    summary = facts(found, runtime.records)
    group = group_of(runtime.rules, runtime.records, case.retention_rule)
    return YearCase(
        case=case,
        group=group,
        state=_state_of(session, runtime, case, group, found, alive, records, today),
        documents=summary.documents,
        sheets=summary.sheets,
        first=summary.first,
        last=summary.last,
        replaced=sum(1 for d in found if d.superseded_by_id),
        destroyed=len(found) - len(alive),
        inventory=records.inventoried.get(case.index),
        act_numbers=sorted({stubs[d.id].act_number for d in found if d.id in stubs}),
        disposal_ids=records.disposals.get(case.id or 0, []),
        missing=records.missing.get(case.index, []),
    )


def _state_of(
    session: Session,
    runtime: Runtime,
    case: Case,
    group: Group,
    found: list[Document],
    alive: list[Document],
    records: _YearRecords,
    today: dt.date,
) -> str:
    """The case's state: each later check is more decisive and overrides the earlier ones."""
    state = "open"
    if case.status == CaseStatus.closed:
        state = "closed"
        if case.index in records.inventoried and group in INVENTORIED:
            state = "inventoried"
        if alive and appraise(session, runtime, case, today).due:
            state = "due"
    if case.id in records.held_cases or any(d.id in records.held_docs for d in alive):
        state = "held"
    if found and not alive:
        state = "destroyed"
    return state


def _year_answer(session: Session, year: int, rows: list[YearCase]) -> dict[str, Any]:
    """The page's answer: the rows, their counts and totals, and the year's inventories."""
    counts = {state: sum(1 for r in rows if r.state == state) for state in STATES_LT}
    inventories = current_inventories(session, year)
    return {
        "year": year,
        "cases": [r.as_dict() for r in rows],
        "counts": counts,
        "totals": {
            "cases": len(rows),
            "documents": sum(r.documents for r in rows),
            "sheets": sum(r.sheets for r in rows),
            "destroyed": sum(r.destroyed for r in rows),
            "missing": sum(len(r.missing) for r in rows),
        },
        "inventories": [
            {
                "group": group.value,
                "group_lt": GROUPS_LT[group],
                "document_id": doc.id,
                "number": doc.number,
                "commission_agreed": bool(doc.payload.get("commission")),
            }
            for group, doc in sorted(inventories.items(), key=lambda kv: INVENTORIED.index(kv[0]))
        ],
    }
