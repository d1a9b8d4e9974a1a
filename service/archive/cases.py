"""Finding the cases and documents the archivist names (shared by holds, disposal, export)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.archive.models import DestroyedDocument, Hold
from service.case_index import validate_index
from service.cases.models import Case
from service.documents.models import Document
from service.errors import InvalidPayload, NotFound


def resolve_case(session: Session, index: str, year: int | None) -> Case:
    """The case ``index`` of ``year``; without a year, the only case with that index."""
    validate_index(index)
    stmt = select(Case).where(Case.index == index)
    if year is not None:
        stmt = stmt.where(Case.year == year)
    found = list(session.exec(stmt.order_by(col(Case.year))))
    if not found:
        where = f"{year} m. dokumentacijos plane" if year is not None else "Nė vienų metų plane"
        raise NotFound(f"{where} nėra bylos „{index}“.")
    if len(found) > 1:
        years = ", ".join(str(c.year) for c in found)
        raise InvalidPayload(
            f"Byla „{index}“ yra kelių metų planuose ({years}): nurodykite metus (year)."
        )
    return found[0]


def case_documents(session: Session, case_id: int) -> list[Document]:
    """The case's documents that still exist (destroyed ones are stubs, not files)."""
    destroyed = select(DestroyedDocument.document_id)
    return list(
        session.exec(
            select(Document)
            .where(Document.case_id == case_id, col(Document.id).not_in(destroyed))
            .order_by(col(Document.register_code), col(Document.seq))
        )
    )


def active_holds(session: Session) -> list[Hold]:
    return list(session.exec(select(Hold).where(col(Hold.released_at).is_(None))))


def held_ids(session: Session) -> tuple[set[str], set[int]]:
    """Document ids and case ids under an active hold."""
    docs: set[str] = set()
    cases: set[int] = set()
    for hold in active_holds(session):
        if hold.document_id is not None:
            docs.add(hold.document_id)
        if hold.case_id is not None:
            cases.add(hold.case_id)
    return docs, cases


def is_held(session: Session, doc: Document) -> bool:
    docs, cases = held_ids(session)
    return doc.id in docs or doc.case_id in cases
