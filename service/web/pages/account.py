"""One's own account: change one's password, see and revoke one's API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.errors import InvalidPayload
from service.params import RowIdPath
from service.users import accounts
from service.web import forms
from service.web.access import (
    AppRuntime,
    SignedInUser,
    checked_form,
    current_user,
    runtime_of,
    unit_of_work,
)
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

URL = "/paskyra"
FIELDS = (
    forms.Field("current", "Dabartinis slaptažodis", "password", autocomplete="current-password"),
    forms.Field("new", "Naujas slaptažodis", "password", hint="Bent 8 simboliai."),
    forms.Field("again", "Naujas slaptažodis dar kartą", "password"),
)
NOTICES = {"atsauktas": "Prieigos raktas atšauktas: juo nebegalima prisijungti."}


def _page(
    request: Request, errors: dict[str, str] | None = None, notice: str = "", status: int = 200
) -> Response:
    user = current_user(request)
    user_id = user.id
    assert user_id is not None
    tokens = unit_of_work(runtime_of(request), lambda session: accounts.tokens_of(session, user_id))
    return render(
        request,
        "account.html",
        {"fields": FIELDS, "errors": errors or {}, "tokens": tokens, "notice": notice},
        status_code=status,
    )


@router.get(URL)
def account(request: Request, pranesimas: str = "") -> Response:
    return _page(request, notice=NOTICES.get(pranesimas, ""))


@router.post(URL + "/slaptazodis")
def change_password(
    request: Request,
    user: SignedInUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    current = str(form.get("current", ""))
    new = str(form.get("new", ""))
    if new != str(form.get("again", "")):
        return _page(request, {"again": "Nesutampa su naujuoju slaptažodžiu."}, status=422)
    try:
        unit_of_work(
            runtime, lambda session: accounts.change_own_password(session, user, current, new)
        )
    except InvalidPayload as exc:
        wrong_current = "„current“" in exc.detail
        message = "Neteisingas." if wrong_current else exc.detail
        return _page(request, {"current" if wrong_current else "new": message}, status=422)
    # Every session of this person ended with the change, this one too: sign in again.
    return RedirectResponse("/prisijungti", 303)


@router.post(URL + "/raktai/{token_id}/atsaukti")
def revoke_token(
    token_id: RowIdPath,
    user: SignedInUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    del form  # only its CSRF token matters
    unit_of_work(
        runtime, lambda session: accounts.revoke_token(session, user, token_id, owner_id=user.id)
    )
    return RedirectResponse(URL + "?pranesimas=atsauktas", 303)
