"""Holds (sulaikymai) on a document or a whole case, and the year-end export: the archivist's
actions through the archive API's own functions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.archive import routes as api
from service.deps import ensure_role
from service.errors import InvalidPayload
from service.params import RowIdPath
from service.timeutil import today_vilnius
from service.users.models import Role
from service.web.access import checked_form, pledged_user, runtime_of
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
def holds_page(request: Request) -> Response:
    user = pledged_user(request)
    ensure_role(user, api.OVERSIGHT, "peržiūrėti sulaikymus")
    holds: list[dict[str, Any]] = api.list_holds(runtime_of(request), user, active=True)
    return render(
        request,
        "holds.html",
        {
            "holds": holds,
            "may_hold": Role.archivist in user.role_set,
            "year": today_vilnius().year,
        },
    )


@router.post("/archyvas/sulaikymai")
def place_hold(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    user = pledged_user(request)
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
    api.place_hold(runtime_of(request), user, body)
    back = f"/dokumentai/{document_id}" if document_id else "/archyvas/sulaikymai"
    return RedirectResponse(back, 303)


@router.post("/archyvas/sulaikymai/{hold_id}/panaikinti")
def release_hold(
    request: Request, hold_id: RowIdPath, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    user = pledged_user(request)
    api.release_hold(hold_id, runtime_of(request), user, _reason(form))
    return RedirectResponse("/archyvas/sulaikymai", 303)


@router.post("/archyvas/eksportas")
def year_export(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    user = pledged_user(request)
    year = str(form.get("year", "")).strip()
    if not year.isdigit():
        raise InvalidPayload(f"Metai turi būti skaičius, gauta „{year[:20]}“. Nieko neeksportuota.")
    # The API's export: a BagIt zip of the year's closed cases, streamed while it is written.
    response: Response = api.create_export(request, runtime_of(request), user, {"year": int(year)})
    return response
