"""The archivist's checks: fixity runs with their reports and the audit chain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.archive import routes as api
from service.deps import ensure_role
from service.timeutil import today_vilnius
from service.users.models import Role
from service.web.access import checked_form, pledged_user, runtime_of
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

PROBLEMS = (
    ("mismatched", "Kontrolinė suma nesutampa"),
    ("missing", "Failo saugykloje nėra"),
    ("orphans", "Failas be įrašo"),
    ("lock_problems", "Užrakto problema"),
)


@router.get("/archyvas")
def archive(request: Request, grandine: str = "", patikra: str = "") -> Response:
    user = pledged_user(request)
    ensure_role(user, api.AUDITORS, "peržiūrėti archyvo patikras")
    runtime = runtime_of(request)
    # The API's own functions: the same roles and the same wording of the result.
    runs: list[dict[str, Any]] = api.fixity_runs(runtime, user, limit=10)
    chain = api.verify_audit(runtime, user) if grandine == "1" else None
    return render(
        request,
        "archive.html",
        {
            "runs": runs,
            "latest": runs[0] if runs else None,
            "chain": chain,
            "problems": PROBLEMS,
            "may_run": bool(user.role_set & api.ARCHIVIST),
            "may_dispose": bool(user.role_set & api.OVERSIGHT),
            "may_transfer": bool(user.role_set & {Role.admin, Role.deputy, Role.archivist}),
            "may_back_up": bool(user.role_set & {Role.admin, Role.archivist}),
            "last_year": today_vilnius().year - 1,
            "just_ran": patikra,
        },
    )


@router.post("/archyvas/patikra")
def run_fixity(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    del form  # its CSRF token is what matters
    user = pledged_user(request)
    report = api.run_fixity(runtime_of(request), user)
    return RedirectResponse(f"/archyvas?patikra={report['id']}", 303)
