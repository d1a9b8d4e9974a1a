"""The home page: what is due for this person."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from service.operations import due
from service.timeutil import today_vilnius
from service.users.pledge import has_pledge
from service.web.access import AppRuntime, SignedInUser
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)


@router.get("/")
def home(request: Request, user: SignedInUser, runtime: AppRuntime) -> Response:
    if not has_pledge(user):
        # Says so, and shows nothing with personal data (not even colleagues' names).
        return render(request, "pledge_missing.html", {"on_home": True})
    today = today_vilnius()
    settings = request.app.state.settings
    found = due.home(
        runtime.engine,
        user,
        runtime.kinds,
        today,
        backup_max_age=dt.timedelta(hours=settings.backup_max_age_hours),
        fixity_max_age=dt.timedelta(days=settings.fixity_max_age_days),
    )
    return render(
        request, "home.html", {"items": found.items, "upcoming": found.upcoming, "today": today}
    )
