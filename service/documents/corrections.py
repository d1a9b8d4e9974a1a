"""Change acts and the class summaries they correct (seed p.17.3: kept together).

A change act that names ``summary_id`` is filed in that summary's case and linked to it here,
so the summary's record lists its acts (across the summary's versions).
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, Session, SQLModel, col, select

from service.db_types import AwareDateTime
from service.documents.models import Document
from service.errors import InvalidPayload, NotFound
from service.timeutil import utcnow

SUMMARY_KIND = "achievement-summary"


class SummaryCorrection(SQLModel, table=True):
    __tablename__ = "summary_corrections"

    act_id: str = Field(primary_key=True, foreign_key="documents.id")
    summary_id: str = Field(foreign_key="documents.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


def summary_for_act(session: Session, summary_id: str) -> Document:
    """The summary a change act names; 404 when missing, 422 when it is another kind."""
    summary = session.get(Document, summary_id)
    if summary is None:
        raise NotFound(f"„summary_id“: suvestinė „{summary_id}“ nerasta.")
    if summary.kind != SUMMARY_KIND:
        raise InvalidPayload(
            f"Netinkami duomenys. „summary_id“: dokumentas {summary.number} yra ne mokymosi "
            "pasiekimų apskaitos suvestinė."
        )
    return summary


def link(session: Session, act_id: str, summary_id: str) -> None:
    session.add(SummaryCorrection(act_id=act_id, summary_id=summary_id))


def _versions(session: Session, document: Document) -> list[str]:
    """The document's id and those of every version it superseded."""
    ids = [document.id]
    current = document
    while current.supersedes_id is not None:
        previous = session.get(Document, current.supersedes_id)
        if previous is None:
            break
        ids.append(previous.id)
        current = previous
    return ids


def acts_for_summary(session: Session, summary: Document) -> list[Document]:
    stmt = (
        select(Document)
        .join(SummaryCorrection, col(SummaryCorrection.act_id) == col(Document.id))
        .where(col(SummaryCorrection.summary_id).in_(_versions(session, summary)))
        .order_by(col(Document.created_at))
    )
    return list(session.exec(stmt))
