"""Retention rules with their verified flag, the due list, and disposal: the archivist proposes,
the director approves, the archivist executes. All through the archive API's functions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlmodel import col, select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.archive import routes as api
from service.archive.models import Disposal
from service.db import session_scope
from service.deps import ensure_role
from service.errors import InvalidPayload
from service.timeutil import today_vilnius
from service.users.models import Role
from service.web.access import checked_form, pledged_user, runtime_of
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

STATUS_LT = {
    "proposed": "laukia direktoriaus patvirtinimo",
    "approved": "patvirtintas, laukia vykdymo",
    "partially_executed": "įvykdytas iš dalies (dalis failų dar užrakinta)",
    "executed": "įvykdytas",
}


@router.get("/archyvas/taisykles")
def rules(request: Request) -> Response:
    user = pledged_user(request)
    ensure_role(user, api.AUDITORS, "peržiūrėti saugojimo taisykles")
    data: dict[str, Any] = api.get_rules(runtime_of(request), user)
    return render(request, "retention_rules.html", {"data": data})


def _date(value: str) -> dt.date:
    if not value:
        return today_vilnius()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidPayload(f"Data turi būti formatu MMMM-MM-DD, gauta „{value[:20]}“.") from None


@router.get("/archyvas/naikinimas")
def due_list(request: Request, data: str = "") -> Response:
    user = pledged_user(request)
    ensure_role(user, api.OVERSIGHT, "peržiūrėti naikintinas bylas")
    on = _date(data)
    runtime = runtime_of(request)
    due: dict[str, Any] = api.due(runtime, user, on)
    with session_scope(runtime.engine) as session:
        disposals = list(session.exec(select(Disposal).order_by(col(Disposal.id).desc())))
    return render(
        request,
        "disposals.html",
        {
            "due": due,
            "on": on,
            "today": today_vilnius(),
            "disposals": disposals,
            "status_lt": STATUS_LT,
            "may_propose": Role.archivist in user.role_set and on == today_vilnius(),
        },
    )


@router.post("/archyvas/naikinimas")
def propose(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    user = pledged_user(request)
    chosen = [str(v) for v in form.getlist("cases")]
    if not chosen:
        raise InvalidPayload("Pažymėkite bent vieną naikintiną bylą. Nieko nepakeista.")
    # "year index" pairs: the same index exists in every year's plan.
    by_year: dict[int, list[str]] = {}
    for value in chosen:
        year_text, _, index = value.partition(" ")
        if not year_text.isdigit() or not index:
            raise InvalidPayload(f"Netinkama byla „{value[:40]}“. Nieko nepakeista.")
        by_year.setdefault(int(year_text), []).append(index)
    if len(by_year) > 1:
        raise InvalidPayload(
            "Viename naikinimo akte – vienų metų bylos: pažymėkite tų pačių metų bylas."
        )
    [(year, indexes)] = by_year.items()
    made = api.propose_disposal(runtime_of(request), user, {"case_indexes": indexes, "year": year})
    return RedirectResponse(f"/archyvas/naikinimas/{made['id']}", 303)


@router.get("/archyvas/naikinimas/{disposal_id}")
def disposal_page(request: Request, disposal_id: int) -> Response:
    user = pledged_user(request)
    disposal: dict[str, Any] = api.get_disposal(disposal_id, runtime_of(request), user)
    return render(
        request,
        "disposal.html",
        {
            "d": disposal,
            "status_lt": STATUS_LT,
            "may_approve": Role.director in user.role_set and disposal["status"] == "proposed",
            "may_execute": Role.archivist in user.role_set
            and disposal["status"] in ("approved", "partially_executed"),
        },
    )


@router.post("/archyvas/naikinimas/{disposal_id}/tvirtinti")
def approve(
    request: Request, disposal_id: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    del form
    api.approve_disposal(disposal_id, runtime_of(request), pledged_user(request))
    return RedirectResponse(f"/archyvas/naikinimas/{disposal_id}", 303)


@router.post("/archyvas/naikinimas/{disposal_id}/vykdyti")
def execute(
    request: Request, disposal_id: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    del form
    api.execute_disposal(disposal_id, runtime_of(request), pledged_user(request))
    return RedirectResponse(f"/archyvas/naikinimas/{disposal_id}", 303)
