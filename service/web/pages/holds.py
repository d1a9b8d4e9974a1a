"""Holds (sulaikymai) on a document or a whole case, and the year-end export: the archivist's
actions through the archive's use-cases (service/archive/service.py), as the API's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.access.policy import may
from service.archive import holds, service
from service.archive.service import HoldIn
from service.books import service as books
from service.books.service import ExportIn
from service.errors import InvalidPayload
from service.params import RowIdPath
from service.timeutil import today_vilnius
from service.validation import parse_payload
from service.web.access import AppRuntime, PledgedUser, checked_form
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

MAX_REASON = 1000


def _reason(form: FormData) -> str:
    reason = str(form.get("reason", "")).strip()
    if not reason:
        raise InvalidPayload("Nurodykite sulaikymo priežastį. Nieko nepakeista.")
    if len(reason) > MAX_REASON:
        raise InvalidPayload(f"Priežastis per ilga (daugiausia {MAX_REASON} simbolių).")
    return reason


@router.get("/archyvas/sulaikymai")
def holds_page(request: Request, user: PledgedUser, runtime: AppRuntime) -> Response:
    active: list[dict[str, Any]] = holds.list_holds(runtime, active_only=True)
    return render(
        request,
        "holds.html",
        {
            "holds": active,
            "may_hold": may(user.role_set, "POST", "/archyvas/sulaikymai"),
            "year": today_vilnius().year,
        },
    )


@router.post("/archyvas/sulaikymai")
def place_hold(
    form: Annotated[FormData, Depends(checked_form)], user: PledgedUser, runtime: AppRuntime
) -> Response:
    body: dict[str, object] = {"reason": _reason(form)}
    document_id = str(form.get("document_id", "")).strip()
    case_index = str(form.get("case_index", "")).strip()
    year = str(form.get("year", "")).strip()
    if document_id:
        body["document_id"] = document_id
    elif case_index:
        if not year.isdigit():
            raise InvalidPayload("Nurodykite bylos metus skaičiumi. Nieko nepakeista.")
        body |= {"case_index": case_index, "year": int(year)}
    else:
        raise InvalidPayload("Nurodykite dokumentą arba bylą, kurią sulaikyti. Nieko nepakeista.")
    service.place_hold(runtime, user, parse_payload(HoldIn, body))
    back = f"/dokumentai/{document_id}" if document_id else "/archyvas/sulaikymai"
    return RedirectResponse(back, 303)


@router.post("/archyvas/sulaikymai/{hold_id}/panaikinti")
def release_hold(
    hold_id: RowIdPath,
    form: Annotated[FormData, Depends(checked_form)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    holds.release(runtime, user, hold_id, _reason(form))
    return RedirectResponse("/archyvas/sulaikymai", 303)


@router.post("/archyvas/eksportas")
def year_export(
    request: Request,
    form: Annotated[FormData, Depends(checked_form)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    year = str(form.get("year", "")).strip()
    if not year.isdigit():
        raise InvalidPayload(f"Metai turi būti skaičius, gauta „{year[:20]}“. Nieko neeksportuota.")
    # The API's export: a BagIt zip of the year's closed cases, streamed while it is written.
    wanted = parse_payload(ExportIn, {"year": int(year)})
    data_dir: Path = request.app.state.settings.data_dir
    return books.export_year(runtime, user, data_dir, wanted).response()
