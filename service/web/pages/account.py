"""One's own account: change one's password, see and revoke one's API tokens."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.errors import InvalidPayload
from service.params import RowIdPath
from service.password_slots import VerificationBusy, password_work
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
from service.web.rendering import WebRoute, render, retry_later

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


async def _page_later(request: Request, errors: dict[str, str], status: int = 422) -> Response:
    # The page reads the person's tokens from the database: in a worker thread, off the loop.
    return await to_thread.run_sync(lambda: _page(request, errors, status=status))


@router.post(URL + "/slaptazodis")
async def change_password(
    request: Request,
    user: SignedInUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    current = str(form.get("current", ""))
    new = str(form.get("new", ""))
    if new != str(form.get("again", "")):
        return await _page_later(request, {"again": "Nesutampa su naujuoju slaptažodžiu."})
    try:
        # Argon2 twice (the current password, the new one): in a verification slot.
        await password_work(
            request,
            lambda: unit_of_work(
                runtime, lambda session: accounts.change_own_password(session, user, current, new)
            ),
        )
    except VerificationBusy as busy:
        page = await _page_later(request, {forms.FORM_ERROR: busy.detail}, busy.status_code)
        return retry_later(page, busy)
    except InvalidPayload as exc:
        wrong_current = "„current“" in exc.detail
        message = "Neteisingas." if wrong_current else exc.detail
        return await _page_later(request, {"current" if wrong_current else "new": message})
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
