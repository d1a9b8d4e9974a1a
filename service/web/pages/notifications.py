"""Notifications that a registered change act requires (Aprašo 20 p.): the list of those not yet
delivered, and marking one delivered. Through the notifications API's own route functions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlmodel import Session, col, select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.db import session_scope
from service.documents import seed_routes as api
from service.documents.models import Document
from service.params import RowIdPath
from service.web.access import checked_form, pledged_user, runtime_of
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

LIMIT = 500


def _numbers(session: Session, ids: set[str]) -> dict[str, str]:
    """The registration numbers of the change acts, to name them in the list."""
    if not ids:
        return {}
    found = session.exec(select(Document.id, Document.number).where(col(Document.id).in_(ids)))
    return {doc_id: number or doc_id for doc_id, number in found}


@router.get("/pranesimai")
def notifications_page(request: Request, visi: str = "", pranesimas: str = "") -> Response:
    user = pledged_user(request)
    show_all = visi == "1"
    with session_scope(runtime_of(request).engine) as session:
        # The API's list with its role check: the undelivered ones unless all are asked for.
        rows = api.list_notifications(
            session, user, delivered=None if show_all else False, document_id=None, limit=LIMIT
        )
        numbers = _numbers(session, {r.document_id for r in rows})
    return render(
        request,
        "notifications.html",
        {
            "rows": rows,
            "numbers": numbers,
            "show_all": show_all,
            "notice": "Pranešimas pažymėtas kaip pristatytas."
            if pranesimas == "pristatyta"
            else "",
        },
    )


@router.post("/pranesimai/{notification_id}/pristatyta")
def mark_delivered(
    request: Request, notification_id: RowIdPath, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    del form  # its CSRF token is what matters
    user = pledged_user(request)
    with session_scope(runtime_of(request).engine) as session:
        api.notification_delivered(notification_id, session, user)
    return RedirectResponse("/pranesimai?pranesimas=pristatyta", 303)
