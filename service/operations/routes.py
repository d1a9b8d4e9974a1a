"""The backup API: `POST /api/backups` starts one (into BYLOS_BACKUP_DIR), `GET /api/backups`
says how the last ones went and whether one is running. For the archivist and the admin, behind
the pledge gate (a backup holds every pupil's records)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from service.contract import InstantText
from service.deps import CurrentUser, RuntimeDep, require_pledge
from service.operations import backup, service
from service.operations.jobs import BackupJobs
from service.operations.models import BackupStatus
from service.runtime import Runtime
from service.users.models import User

router = APIRouter(prefix="/api", tags=["operations"], dependencies=[Depends(require_pledge)])


class BackupJobOut(BaseModel):
    """A backup started from the API and how far it got (jobs.BackupJob.as_dict)."""

    id: int | None
    started_by: str
    started_at: InstantText
    phase: str
    phase_title: str
    done_bytes: int
    total_bytes: int | None
    finished: bool
    error: str | None
    report: backup.BackupReportOut | None


class BackupRunOut(BaseModel):
    """One backup as recorded (a backup_runs row)."""

    id: int
    target: str
    status: BackupStatus
    started_at: dt.datetime
    finished_at: dt.datetime | None
    started_by: int | None
    started_by_name: str
    versions: int
    files: int
    bytes_total: int
    bytes_copied: int
    files_copied: int
    manifest_sha256: str | None
    error: str | None


class BackupsOut(BaseModel):
    """How the last backups went and whether one is running (backups_overview)."""

    configured: bool
    target: str | None
    max_age_hours: float
    last_completed: BackupRunOut | None
    age_hours: float | None
    overdue: bool
    running: BackupJobOut | None
    runs: list[BackupRunOut]


def jobs_of(request: Request) -> BackupJobs:
    return service.jobs_of(request.app.state)


def start_backup(request: Request, runtime: Runtime, user: User) -> dict[str, Any]:
    settings = request.app.state.settings
    return service.start_backup(runtime, settings, jobs_of(request), user)


def backups_overview(request: Request, runtime: Runtime, user: User) -> dict[str, Any]:
    return service.backups_overview(runtime, request.app.state.settings, jobs_of(request))


@router.post("/backups", status_code=202, response_model=BackupJobOut)
def post_backup(request: Request, runtime: RuntimeDep, user: CurrentUser) -> JSONResponse:
    return JSONResponse(start_backup(request, runtime, user), status_code=202)


@router.get("/backups", response_model=BackupsOut)
def get_backups(request: Request, runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    return backups_overview(request, runtime, user)
