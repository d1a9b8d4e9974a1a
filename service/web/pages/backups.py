"""The archivist's and admin's backup page: the last runs, the one running, and the button."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.errors import ServiceError
from service.operations import service
from service.operations.jobs import PHASE_TITLES
from service.runtime import Runtime
from service.web.access import AppRuntime, PledgedUser, checked_form
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

PAGE = "/archyvas/atsargines-kopijos"
STATUS_TITLES = {
    "running": "daroma",
    "completed": "baigta",
    "failed": "nepavyko",
    "interrupted": "nutrūko",
}


def _overview(request: Request, runtime: Runtime) -> dict[str, Any]:
    state = request.app.state
    return service.backups_overview(runtime, state.settings, service.jobs_of(state))


@router.get(PAGE)
def backups_page(request: Request, runtime: AppRuntime) -> Response:
    overview = _overview(request, runtime)
    return render(
        request,
        "backups.html",
        {
            "o": overview,
            "statuses": STATUS_TITLES,
            "phases": PHASE_TITLES,
            "error": "",
        },
    )


@router.post(PAGE)
def start_backup(
    request: Request,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    del form  # its CSRF token is what matters
    state = request.app.state
    try:
        service.start_backup(runtime, state.settings, service.jobs_of(state), user)
    except ServiceError as exc:
        overview = _overview(request, runtime)
        context = {"o": overview, "statuses": STATUS_TITLES, "phases": PHASE_TITLES}
        return render(
            request, "backups.html", context | {"error": exc.detail}, status_code=exc.status_code
        )
    return RedirectResponse(PAGE, 303)
