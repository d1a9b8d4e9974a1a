"""The backup API: `POST /api/backups` starts one (into BYLOS_BACKUP_DIR), `GET /api/backups`
says how the last ones went and whether one is running. For the archivist and the admin, behind
the pledge gate (a backup holds every pupil's records)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import col, select

from service.db import session_scope
from service.deps import CurrentUser, RuntimeDep, ensure_role, require_pledge
from service.operations.jobs import BackupJobs
from service.operations.models import BackupRun, BackupStatus
from service.runtime import Runtime
from service.timeutil import utcnow
from service.users.models import Role, User

router = APIRouter(prefix="/api", tags=["operations"], dependencies=[Depends(require_pledge)])

KEEPERS: Final = frozenset({Role.archivist, Role.admin})


InstantText = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class BackupReportOut(BaseModel):
    """A finished backup (backup.BackupReport)."""

    id: int
    target: str
    created_at: InstantText
    versions: int
    files: int
    bytes_total: int
    bytes_copied: int
    files_copied: int
    object_bytes_copied: int
    database_bytes: int
    manifest_sha256: str
    warnings: list[str]


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
    report: BackupReportOut | None


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
    state = request.app.state
    jobs: BackupJobs | None = getattr(state, "backup_jobs", None)
    if jobs is None:
        jobs = state.backup_jobs = BackupJobs()
    return jobs


def start_backup(request: Request, runtime: Runtime, user: User) -> dict[str, Any]:
    ensure_role(user, KEEPERS, "daryti atsarginę kopiją")
    settings = request.app.state.settings
    job = jobs_of(request).start(
        runtime,
        settings.resolved_database_url,
        settings.backup_dir,
        settings.data_dir,
        user,
    )
    return job.as_dict()


def _run_out(row: BackupRun) -> dict[str, Any]:
    return row.model_dump(mode="json")


def backups_overview(request: Request, runtime: Runtime, user: User) -> dict[str, Any]:
    ensure_role(user, KEEPERS, "peržiūrėti atsargines kopijas")
    settings = request.app.state.settings
    with session_scope(runtime.engine) as session:
        runs = session.exec(select(BackupRun).order_by(col(BackupRun.id).desc()).limit(20)).all()
        last = session.exec(
            select(BackupRun)
            .where(BackupRun.status == BackupStatus.completed)
            .order_by(col(BackupRun.finished_at).desc())
            .limit(1)
        ).first()
    running = jobs_of(request).running()
    age = (
        (utcnow() - last.finished_at).total_seconds() / 3600 if last and last.finished_at else None
    )
    return {
        "configured": settings.backup_dir is not None,
        "target": str(settings.backup_dir) if settings.backup_dir else None,
        "max_age_hours": settings.backup_max_age_hours,
        "last_completed": _run_out(last) if last else None,
        "age_hours": round(age, 2) if age is not None else None,
        "overdue": age is None or age > settings.backup_max_age_hours,
        "running": running.as_dict() if running else None,
        "runs": [_run_out(r) for r in runs],
    }


@router.post("/backups", status_code=202, response_model=BackupJobOut)
def post_backup(request: Request, runtime: RuntimeDep, user: CurrentUser) -> JSONResponse:
    return JSONResponse(start_backup(request, runtime, user), status_code=202)


@router.get("/backups", response_model=BackupsOut)
def get_backups(request: Request, runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    return backups_overview(request, runtime, user)
