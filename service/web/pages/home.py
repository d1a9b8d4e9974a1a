"""The home page: what is due for this person."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from service.db import session_scope
from service.documents import duties
from service.operations.notice import operations_due
from service.timeutil import today_vilnius, utcnow
from service.users.pledge import has_pledge
from service.web import due
from service.web.access import current_user, runtime_of
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)


@router.get("/")
def home(request: Request) -> Response:
    user = current_user(request)
    if not has_pledge(user):
        # Says so, and shows nothing with personal data (not even colleagues' names).
        return render(request, "pledge_missing.html", {"on_home": True})
    runtime = runtime_of(request)
    today = today_vilnius()
    with session_scope(runtime.engine) as session:
        found = duties.duties_on(session, today)
        items = due.due_for(session, user, runtime.kinds, today, found)
        settings = request.app.state.settings
        notices = operations_due(
            session,
            user,
            utcnow(),
            backup_max_age=dt.timedelta(hours=settings.backup_max_age_hours),
            fixity_max_age=dt.timedelta(days=settings.fixity_max_age_days),
        )
        items += [
            due.DueItem(n.title, 1, n.text, n.link, n.link_label, tone="warn") for n in notices
        ]
    return render(
        request,
        "home.html",
        {"items": items, "upcoming": due.upcoming_for(user, found), "today": today},
    )
