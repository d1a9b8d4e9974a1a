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
