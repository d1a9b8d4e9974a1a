"""The document record: everything later asked of a document comes from this row, and the rows
that extend it one to one (the event its retention counts from, a journal transfer's file)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db_types import AwareDateTime
from service.timeutil import utcnow


class Document(SQLModel, table=True):
    __tablename__ = "documents"

    id: str = Field(primary_key=True)
    kind: str = Field(index=True)
    title: str
    version: int = 1
    supersedes_id: str | None = Field(default=None, foreign_key="documents.id")
    superseded_by_id: str | None = None

    registry_entry_id: int = Field(foreign_key="registry_entries.id", unique=True)
    register_code: str
    year: int = Field(index=True)
    seq: int
    number: str = Field(index=True)
    registered_on: dt.date
    case_id: int = Field(foreign_key="cases.id", index=True)

    sha256: str
    size: int
    media_type: str = "application/pdf"
    object_key: str
    object_version_id: str
    docx_key: str
    docx_version_id: str
    docx_sha256: str
    docx_size: int

    retention_rule: str
    retain_until: dt.date | None
    lock_until: dt.date
    permanent: bool = False
    legal_hold: bool = False

    # The validated payload, kept so a new version can start from it and the summary text
    # (who, which class) can be searched without opening the PDF.
    payload: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    search_text: str = ""
    # What the register prints about the document (its heading, addressee and signer) and the
    # folded text search matches (service/lt.py ``fold``), filled when it is issued.
    heading: str = ""
    addressee: str = ""
    signer: str = ""
    search_key: str = ""
    # Pages of the stored PDF, counted once at issue: a case's sheets are summed from these.
    pages: int | None = None
    created_by: int = Field(foreign_key="users.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    key: str
    request_hash: str
    document_id: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class RetentionEvent(SQLModel, table=True):
    """The date an event-bound term counts from (e.g. a pupil's leaving), once recorded."""

    __tablename__ = "retention_events"

    document_id: str = Field(primary_key=True, foreign_key="documents.id")
    event_on: dt.date
    note: str = ""
    recorded_by: int | None = Field(default=None, foreign_key="users.id")
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class JournalFile(SQLModel, table=True):
    """The e-journal's own export, stored beside its registered cover record."""

    __tablename__ = "journal_files"

    document_id: str = Field(primary_key=True, foreign_key="documents.id")
    file_name: str
    media_type: str
    object_key: str
    object_version_id: str
    sha256: str
    size: int = Field(sa_type=BigInteger)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
