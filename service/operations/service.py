"""Backups' use-cases, shared by the API (routes.py) and the backup page: start one, and how
the last ones went. Who may call them: the policy table (service/access/policy.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from sqlmodel import col, select

from service.db import session_scope
from service.operations.jobs import BackupJobs
from service.operations.models import BackupRun, BackupStatus
from service.runtime import Runtime
from service.timeutil import utcnow
from service.users.models import User


class BackupSettings(Protocol):
    """What backups read of the settings (service.settings.Settings has them; only the edges
    import the settings themselves)."""

    @property
    def resolved_database_url(self) -> str: ...
    @property
    def backup_dir(self) -> Path | None: ...
    @property
    def data_dir(self) -> Path: ...
    @property
    def backup_max_age_hours(self) -> float: ...


def jobs_of(state: Any) -> BackupJobs:
    """The app's one set of backup jobs (kept on its state: one backup at a time)."""
    jobs: BackupJobs | None = getattr(state, "backup_jobs", None)
    if jobs is None:
        jobs = state.backup_jobs = BackupJobs()
    return jobs


def start_backup(
    runtime: Runtime, settings: BackupSettings, jobs: BackupJobs, user: User
) -> dict[str, Any]:
    job = jobs.start(
        runtime,
        settings.resolved_database_url,
        settings.backup_dir,
        settings.data_dir,
        user,
    )
    return job.as_dict()


def _run_out(row: BackupRun) -> dict[str, Any]:
    return row.model_dump(mode="json")


def backups_overview(
    runtime: Runtime, settings: BackupSettings, jobs: BackupJobs
) -> dict[str, Any]:
    with session_scope(runtime.engine) as session:
        runs = session.exec(select(BackupRun).order_by(col(BackupRun.id).desc()).limit(20)).all()
        last = session.exec(
            select(BackupRun)
            .where(BackupRun.status == BackupStatus.completed)
            .order_by(col(BackupRun.finished_at).desc())
            .limit(1)
        ).first()
    running = jobs.running()
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
