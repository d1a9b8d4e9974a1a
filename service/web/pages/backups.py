"""The archivist's and admin's backup page: the last runs, the one running, and the button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.errors import ServiceError
from service.operations import routes as api
from service.operations.jobs import PHASE_TITLES
from service.web.access import checked_form, pledged_user, runtime_of
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

PAGE = "/archyvas/atsargines-kopijos"
STATUS_TITLES = {
    "running": "daroma",
    "completed": "baigta",
    "failed": "nepavyko",
    "interrupted": "nutrūko",
}


@router.get(PAGE)
def backups_page(request: Request) -> Response:
    user = pledged_user(request)
    overview = api.backups_overview(request, runtime_of(request), user)
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
def start_backup(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    del form  # its CSRF token is what matters
    user = pledged_user(request)
    try:
        api.start_backup(request, runtime_of(request), user)
    except ServiceError as exc:
        overview = api.backups_overview(request, runtime_of(request), user)
        context = {"o": overview, "statuses": STATUS_TITLES, "phases": PHASE_TITLES}
        return render(
            request, "backups.html", context | {"error": exc.detail}, status_code=exc.status_code
        )
    return RedirectResponse(PAGE, 303)
