"""The documentation plan of a year: its areas and cases; approval by the director; closing
cases at year end. Every action goes through the cases API's own functions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.cases import plan as plans
from service.cases import routes as api
from service.db import session_scope
from service.deps import ensure_role
from service.errors import InvalidPayload
from service.timeutil import today_vilnius
from service.users.models import Role
from service.web.access import checked_form, pledged_user, runtime_of
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

NOTHING_CHOSEN = "Pažymėkite bent vieną bylą, kurią norite užbaigti. Nieko nepakeista."
NOTICES = {
    "patvirtintas": "Dokumentacijos planas patvirtintas.",
    "uzbaigtos": "Pažymėtos bylos užbaigtos; sudarytas bylų apyrašas.",
}


def _year(value: str) -> int:
    if not value:
        return today_vilnius().year
    if not value.isdigit():
        raise InvalidPayload(f"Metai turi būti skaičius, gauta „{value[:20]}“.")
    return plans.validate_year(int(value))


@router.get("/planas")
def plan_page(request: Request, metai: str = "", pranesimas: str = "") -> Response:
    user = pledged_user(request)
    ensure_role(user, plans.PLAN_READERS, "peržiūrėti dokumentacijos planą")
    year = _year(metai)
    runtime = runtime_of(request)
    with session_scope(runtime.engine) as session:
        plan = api.get_plan(year, runtime, session, user)
    this_year = today_vilnius().year
    return render(
        request,
        "plan.html",
        {
            "plan": plan,
            "year": year,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "may_approve": Role.director in user.role_set and plan.status == "draft",
            "may_close": bool(user.role_set & api.CLOSERS),
            "notice": NOTICES.get(pranesimas, ""),
            "today": today_vilnius(),
        },
    )


@router.get("/planas/{year}.xlsx")
def plan_xlsx(request: Request, year: int) -> Response:
    user = pledged_user(request)
    runtime = runtime_of(request)
    with session_scope(runtime.engine) as session:
        return api.export_plan_xlsx(year, runtime, session, user)


@router.post("/planas/{year}/tvirtinti")
def approve(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    del form
    user = pledged_user(request)
    runtime = runtime_of(request)
    with session_scope(runtime.engine) as session:
        api.approve_plan(year, runtime, session, user)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=patvirtintas", 303)


@router.post("/planas/{year}/uzbaigti")
def close(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    user = pledged_user(request)
    indexes = [str(v) for v in form.getlist("cases")]
    if not indexes:
        raise InvalidPayload(NOTHING_CHOSEN)
    body: dict[str, object] = {"year": year, "indexes": indexes}
    closed_on = str(form.get("closed_on", "")).strip()
    if closed_on:
        body["closed_on"] = closed_on
    api.close_cases(runtime_of(request), user, body)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=uzbaigtos", 303)
