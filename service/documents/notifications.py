"""Notification events for another system to deliver (seed p.20).

After locked journal data is changed, the e-journal administrator, the subject teacher, the
pupil and the parents are told. Bylos does not send messages itself: it records one event per
recipient when a change act is registered, and a delivering system lists the undelivered ones
and marks each delivered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from service.db import session_scope
from service.db_types import AwareDateTime
from service.documents.models import Document
from service.errors import Conflict, NotFound
from service.timeutil import utcnow


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", index=True)
    # administrator | subject_teacher | pupil | parents | class_teacher
    recipient_role: str
    recipient_name: str
    message: str
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    delivered_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime, index=True)


RECIPIENT_TITLES = {
    "administrator": "e. dienyno administratorius",
    "subject_teacher": "dalyko mokytojas",
    "pupil": "mokinys",
    "parents": "mokinio tėvai (globėjai, rūpintojai)",
    "class_teacher": "klasės vadovas",
}


def record(
    session: Session, document_id: str, message: str, recipients: list[tuple[str, str]]
) -> list[Notification]:
    rows = [
        Notification(
            document_id=document_id, recipient_role=role, recipient_name=name, message=message
        )
        for role, name in recipients
    ]
    session.add_all(rows)
    session.flush()
    return rows


def listing(
    session: Session, *, delivered: bool | None, document_id: str | None, limit: int
) -> list[Notification]:
    stmt = select(Notification)
    if delivered is not None:
        column = col(Notification.delivered_at)
        stmt = stmt.where(column.is_not(None) if delivered else column.is_(None))
    if document_id is not None:
        stmt = stmt.where(Notification.document_id == document_id)
    return list(session.exec(stmt.order_by(col(Notification.id)).limit(limit)))


def mark_delivered(session: Session, notification_id: int) -> Notification:
    row = session.get(Notification, notification_id)
    if row is None:
        raise NotFound(f"Pranešimas Nr. {notification_id} nerastas.")
    if row.delivered_at is not None:
        raise Conflict(f"Pranešimas Nr. {notification_id} jau pažymėtas kaip pristatytas.")
    row.delivered_at = utcnow()
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class Listed:
    """The notifications with the registration number of each one's change act."""

    rows: list[Notification]
    numbers: dict[str, str]


def listing_with_numbers(engine: Engine, *, delivered: bool | None, limit: int) -> Listed:
    with session_scope(engine) as session:
        rows = listing(session, delivered=delivered, document_id=None, limit=limit)
        ids = {r.document_id for r in rows}
        numbers: dict[str, str] = {}
        if ids:
            found = session.exec(
                select(Document.id, Document.number).where(col(Document.id).in_(ids))
            )
            numbers = {doc_id: number or doc_id for doc_id, number in found}
        return Listed(rows, numbers)


def deliver(engine: Engine, notification_id: int) -> Notification:
    with session_scope(engine) as session:
        return mark_delivered(session, notification_id)
