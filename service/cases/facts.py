"""What a case holds, as the books of record print it: its documents, the dates of the first and
last, and its sheets (lapai), counted from the stored PDFs' pages.

A document's pages are counted once, when it is issued (``Document.pages``); a document issued
before that count existed has its PDF read from the store once and the count kept.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.cases.models import Case
from service.db import session_scope
from service.documents.models import Document
from service.errors import DocumentRejected
from service.records import RecordsSettings
from service.rendering.pdfmeta import page_count
from storage.errors import StorageError
from storage.objectstore import ObjectStorePort

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    documents: int
    first: dt.date | None
    last: dt.date | None
    sheets: int
    # Documents whose pages could not be counted (file gone or unreadable): their sheets are
    # missing from ``sheets`` and the inventory's note says so.
    uncounted: int = 0


def documents_of(session: Session, case_ids: Iterable[int]) -> dict[int, list[Document]]:
    ids = list(case_ids)
    found: dict[int, list[Document]] = {i: [] for i in ids}
    for doc in session.exec(
        select(Document)
        .where(col(Document.case_id).in_(ids))
        .order_by(col(Document.registered_on), col(Document.seq))
    ):
        found[doc.case_id].append(doc)
    return found


def count_missing_pages(engine: Engine, store: ObjectStorePort, docs: Iterable[Document]) -> None:
    """Count and keep the pages of documents issued before pages were counted at issue."""
    for doc in docs:
        if doc.pages is not None or doc.media_type != "application/pdf":
            continue
        try:
            pages = page_count(store.read(doc.object_key, doc.object_version_id))
        except (StorageError, DocumentRejected) as exc:
            log.warning("Dokumento %s puslapių suskaičiuoti nepavyko: %s", doc.number, exc)
            continue
        with session_scope(engine) as session:
            row = session.get(Document, doc.id)
            if row is not None:
                row.pages = pages
                session.add(row)
        doc.pages = pages


def facts(docs: list[Document], records: RecordsSettings) -> CaseFacts:
    dates = [d.registered_on for d in docs]
    return CaseFacts(
        documents=len(docs),
        first=min(dates) if dates else None,
        last=max(dates) if dates else None,
        sheets=sum(records.sheets(d.pages) for d in docs if d.pages is not None),
        uncounted=sum(1 for d in docs if d.pages is None),
    )


def case_facts(
    session: Session, cases: Iterable[Case], records: RecordsSettings
) -> dict[int, CaseFacts]:
    chosen = [c for c in cases if c.id is not None]
    docs = documents_of(session, [c.id for c in chosen if c.id is not None])
    return {case_id: facts(found, records) for case_id, found in docs.items()}
