"""The archivist's tables: the rule set in force and its history, holds, disposals with their
destruction stubs and fixity runs. A document's retention event and journal-transfer file are
rows of the document itself (``service/documents/models.py``): closing a case reads them too."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from service.db_types import AwareDateTime
from service.timeutil import utcnow


class RuleSetVersion(SQLModel, table=True):
    """One version of the retention rule set in force; the newest row is the current one."""

    __tablename__ = "retention_rule_sets"

    id: int | None = Field(default=None, primary_key=True)
    rules_json: str = Field(sa_column=Column(Text, nullable=False))
    source: str  # "import", "edit"
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class RuleChange(SQLModel, table=True):
    """One rule added or changed, with the rule as it was and as it became."""

    __tablename__ = "retention_rule_changes"

    id: int | None = Field(default=None, primary_key=True)
    rule_set_id: int = Field(foreign_key="retention_rule_sets.id", index=True)
    rule_id: str = Field(index=True)
    change: str  # "added", "changed"
    before: dict[str, object] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    changed_by: int | None = Field(default=None, foreign_key="users.id")
    changed_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class Hold(SQLModel, table=True):
    """A hold on one document or on a whole case; released holds stay as the record."""

    __tablename__ = "holds"

    id: int | None = Field(default=None, primary_key=True)
    document_id: str | None = Field(default=None, foreign_key="documents.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    reason: str
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    released_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    released_by: int | None = Field(default=None, foreign_key="users.id")
    release_reason: str | None = None


class DisposalStatus(StrEnum):
    proposed = "proposed"
    approved = "approved"
    # Some versions were refused by the store (still locked): execute can be run again.
    partially_executed = "partially_executed"
    executed = "executed"


class Disposal(SQLModel, table=True):
    __tablename__ = "disposals"

    id: int | None = Field(default=None, primary_key=True)
    status: DisposalStatus = DisposalStatus.proposed
    # [{"case_id", "year", "index", "title"}] and the document ids as proposed: what the act lists.
    cases: list[dict[str, object]] = Field(sa_column=Column(JSON, nullable=False))
    document_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    act_document_id: str = Field(foreign_key="documents.id")
    act_number: str
    proposed_by: int | None = Field(default=None, foreign_key="users.id")
    proposed_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    approved_by: int | None = Field(default=None, foreign_key="users.id")
    approved_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    executed_by: int | None = Field(default=None, foreign_key="users.id")
    executed_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    report: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class DestroyedDocument(SQLModel, table=True):
    """The stub left when a document's files are destroyed: the Document row stays as it was
    (number, title, hash), and this says when and by which act."""

    __tablename__ = "destroyed_documents"

    document_id: str = Field(primary_key=True, foreign_key="documents.id")
    disposal_id: int = Field(foreign_key="disposals.id", index=True)
    act_document_id: str = Field(foreign_key="documents.id")
    act_number: str
    sha256: str
    destroyed_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    destroyed_by: int | None = Field(default=None, foreign_key="users.id")


class FixityRun(SQLModel, table=True):
    __tablename__ = "fixity_runs"

    id: int | None = Field(default=None, primary_key=True)
    started_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    started_by: int | None = Field(default=None, foreign_key="users.id")
    checked: int = 0
    ok: int = 0
    bytes_read: int = Field(default=0, sa_type=BigInteger)
    report: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
