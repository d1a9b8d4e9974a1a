"""The archivist's checks: fixity runs with their reports and the audit chain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.access.policy import may
from service.archive import service
from service.timeutil import today_vilnius
from service.web.access import AppRuntime, PledgedUser, checked_form
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

PROBLEMS = (
    ("mismatched", "Kontrolinė suma nesutampa"),
    ("missing", "Failo saugykloje nėra"),
    ("orphans", "Failas be įrašo"),
    ("lock_problems", "Užrakto problema"),
)


@router.get("/archyvas")
def archive(
    request: Request, user: PledgedUser, runtime: AppRuntime, grandine: str = "", patikra: str = ""
) -> Response:
    # The API's own use-cases: the same wording of the result.
    runs: list[dict[str, Any]] = service.fixity_runs(runtime, limit=10)
    chain = service.verify_audit(runtime) if grandine == "1" else None
    roles = user.role_set
    return render(
        request,
        "archive.html",
        {
            "runs": runs,
            "latest": runs[0] if runs else None,
            "chain": chain,
            "problems": PROBLEMS,
            "may_run": may(roles, "POST", "/archyvas/patikra"),
            "may_dispose": may(roles, "GET", "/archyvas/naikinimas"),
            "may_transfer": may(roles, "GET", "/archyvas/dienynas"),
            "may_back_up": may(roles, "GET", "/archyvas/atsargines-kopijos"),
            "last_year": today_vilnius().year - 1,
            "just_ran": patikra,
        },
    )


@router.post("/archyvas/patikra")
def run_fixity(
    form: Annotated[FormData, Depends(checked_form)], user: PledgedUser, runtime: AppRuntime
) -> Response:
    del form  # its CSRF token is what matters
    report = service.run_fixity(runtime, user)
    return RedirectResponse(f"/archyvas?patikra={report['id']}", 303)
