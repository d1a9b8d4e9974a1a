"""The backup API: `POST /api/backups` starts one (into BYLOS_BACKUP_DIR), `GET /api/backups`
says how the last ones went and whether one is running. For the archivist and the admin, behind
the pledge gate (a backup holds every pupil's records)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from service.deps import CurrentUser, RuntimeDep, require_pledge
from service.operations import service
from service.operations.jobs import BackupJobs
from service.runtime import Runtime
from service.users.models import User

router = APIRouter(prefix="/api", tags=["operations"], dependencies=[Depends(require_pledge)])


def jobs_of(request: Request) -> BackupJobs:
    return service.jobs_of(request.app.state)


def start_backup(request: Request, runtime: Runtime, user: User) -> dict[str, Any]:
    settings = request.app.state.settings
    return service.start_backup(runtime, settings, jobs_of(request), user)


def backups_overview(request: Request, runtime: Runtime, user: User) -> dict[str, Any]:
    return service.backups_overview(runtime, request.app.state.settings, jobs_of(request))


@router.post("/backups", status_code=202)
def post_backup(request: Request, runtime: RuntimeDep, user: CurrentUser) -> JSONResponse:
    return JSONResponse(start_backup(request, runtime, user), status_code=202)


@router.get("/backups")
def get_backups(request: Request, runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    return backups_overview(request, runtime, user)
