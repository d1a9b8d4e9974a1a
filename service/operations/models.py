"""What the operator's work leaves in the database: each backup run and each restore.

A backup's own row is written before its database snapshot is taken, so the snapshot holds it
as ``running``; the restore marks that row ``completed`` from the manifest, so the restored
service knows the backup it came from.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from service.db_types import AwareDateTime
from service.timeutil import utcnow


class BackupStatus(StrEnum):
    running = "running"
    completed = "completed"
    failed = "failed"
    # The process ended without finishing (found by the next run on the same target).
    interrupted = "interrupted"


class BackupRun(SQLModel, table=True):
    __tablename__ = "backup_runs"

    id: int | None = Field(default=None, primary_key=True)
    target: str
    status: BackupStatus = BackupStatus.running
    started_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime, index=True)
    started_by: int | None = Field(default=None, foreign_key="users.id")
    started_by_name: str = ""
    versions: int = 0
    files: int = 0
    bytes_total: int = Field(default=0, sa_type=BigInteger)
    bytes_copied: int = Field(default=0, sa_type=BigInteger)
    files_copied: int = 0
    manifest_sha256: str | None = None
    error: str | None = None


class RestoreRun(SQLModel, table=True):
    __tablename__ = "restore_runs"

    id: int | None = Field(default=None, primary_key=True)
    source: str
    backup_id: int | None = None  # the backup_runs row of the backup restored (same database)
    manifest_sha256: str
    backup_created_at: dt.datetime = Field(sa_type=AwareDateTime)
    started_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    versions: int = 0
    voided_reservations: int = 0


class RestoredVersion(SQLModel, table=True):
    """A store cannot take a version id back: each version written again gets a new one. The
    records were moved to the new ids; this keeps the old ones, which older audit events name."""

    __tablename__ = "restored_versions"

    restore_id: int = Field(primary_key=True, foreign_key="restore_runs.id")
    object_key: str = Field(primary_key=True)
    old_version_id: str = Field(primary_key=True)
    new_version_id: str
