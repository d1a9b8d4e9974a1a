"""The year-end journal transfer: the file goes, streamed, to the same service function as the
API's upload (hashed on the way, stored under retention, registered with a cover sheet).

A browser form would send multipart, which the service does not read; the page's script sends
the file itself as the request body, with the CSRF token in a header, so nothing is buffered.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.archive import journal
from service.errors import InvalidPayload, NotPermitted, ServiceError
from service.school_year.calendar import parse_school_year, school_year_of
from service.timeutil import today_vilnius
from service.web.access import CSRF_REFUSED, AppRuntime, PledgedUser
from service.web.rendering import WebRoute, render, web_session

router = APIRouter(route_class=WebRoute)

# The API's journal-transfer route allows the same three roles.
CSRF_HEADER = "x-csrf-token"
MAX_NOTE = 500


@router.get("/archyvas/dienynas")
def journal_page(request: Request, metai: str = "") -> Response:
    try:
        school_year = metai if parse_school_year(metai) else ""
    except ValueError:
        # No year asked for (or a mistyped one): the school year of today.
        school_year = school_year_of(today_vilnius())
    return render(request, "journal.html", {"school_year": school_year})


def _field(detail: str) -> str:
    """Which form field a refusal is about, so the page shows it there."""
    if "school_year" in detail:
        return "school_year"
    if "pastab" in detail or "note" in detail:
        return "note"
    return "file"


@router.post("/archyvas/dienynas")
async def transfer(
    request: Request,
    user: PledgedUser,
    runtime: AppRuntime,
    filename: str = "",
    school_year: str = "",
    note: str = "",
) -> Response:
    try:
        if not web_session(request).csrf_ok(request.headers.get(CSRF_HEADER)):
            raise NotPermitted(CSRF_REFUSED)
        if len(note) > MAX_NOTE:
            raise InvalidPayload(f"Pastaba per ilga (daugiausia {MAX_NOTE} simbolių).")
        data_dir: Path = request.app.state.settings.data_dir
        done = await journal.upload(
            request,
            runtime,
            user,
            data_dir,
            filename=filename,
            school_year=school_year.strip() or None,
            note=note.strip(),
        )
    except ServiceError as exc:
        # The API names its query parameter ("„school_year“: ..."); the page shows the field.
        text = re.sub(r"^„\w+“:\s*", "", exc.detail)
        return JSONResponse(
            {"field": _field(exc.detail), "detail": text[:1].upper() + text[1:]},
            status_code=exc.status_code,
        )
    return JSONResponse({"location": f"/dokumentai/{done['document_id']}"}, status_code=201)
