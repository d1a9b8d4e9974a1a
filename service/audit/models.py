"""The append-only, hash-chained audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from service.db_types import AwareDateTime
from service.timeutil import utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    actor_id: int | None = None
    actor_name: str = ""
    action: str = Field(index=True)
    subject_type: str = ""
    subject_id: str = Field(default="", index=True)
    detail: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str
    hash: str = Field(unique=True)


class AuditHead(SQLModel, table=True):
    """One row holding the chain's tip; appenders lock it so the chain never forks."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    last_hash: str
    count: int = 0


class AuditAnchor(SQLModel, table=True):
    """One anchor written to the write-once store: the chain's events (ids and hashes) from
    ``from_event_id`` (exclusive) to ``event_id``, locked COMPLIANCE.

    This table is an index for fixity and the pages; verification reads the anchors from the
    store itself, since whoever can rewrite events can rewrite these rows too.
    """

    __tablename__ = "audit_anchors"

    id: int | None = Field(default=None, primary_key=True)
    written_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    reason: str
    from_event_id: int
    event_id: int = Field(index=True)
    event_hash: str
    count: int
    events: int
    key: str = Field(unique=True)
    version_id: str
    sha256: str
    size: int
    lock_until: dt.date
