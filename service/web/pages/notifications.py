"""Notifications that a registered change act requires (Aprašo 20 p.): the list of those not yet
delivered, and marking one delivered: the notifications' own use-cases, as the API's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.documents import notifications
from service.params import RowIdPath
from service.web.access import AppRuntime, checked_form
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

LIMIT = 500


@router.get("/pranesimai")
def notifications_page(
    request: Request, runtime: AppRuntime, visi: str = "", pranesimas: str = ""
) -> Response:
    show_all = visi == "1"
    # As the API's list: the undelivered ones unless all are asked for.
    listed = notifications.listing_with_numbers(
        runtime.engine, delivered=None if show_all else False, limit=LIMIT
    )
    return render(
        request,
        "notifications.html",
        {
            "rows": listed.rows,
            "numbers": listed.numbers,
            "titles": notifications.RECIPIENT_TITLES,
            "show_all": show_all,
            "notice": "Pranešimas pažymėtas kaip pristatytas."
            if pranesimas == "pristatyta"
            else "",
        },
    )


@router.post("/pranesimai/{notification_id}/pristatyta")
def mark_delivered(
    notification_id: RowIdPath,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    del form  # its CSRF token is what matters
    notifications.deliver(runtime.engine, notification_id)
    return RedirectResponse("/pranesimai?pranesimas=pristatyta", 303)
