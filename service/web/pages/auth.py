"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.password_slots import VerificationBusy, password_work
from service.proxies import client_address
from service.users import accounts
from service.web.access import checked_form, runtime_of
from service.web.rendering import (
    WebRoute,
    render,
    retry_later,
    web_runtime,
    web_session,
)

router = APIRouter(route_class=WebRoute)

WRONG = "Neteisingas prisijungimo vardas arba slaptažodis."
accounts.dummy_hash()  # now, so that the first unknown login takes no longer than the rest


def _safe_target(target: str | None) -> str:
    # Only a path on this site: "//host" or "https://..." would send a person elsewhere.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _address(request: Request) -> str:
    peer = request.client.host if request.client else "?"
    forwarded = request.headers.get("x-forwarded-for")
    return client_address(peer, forwarded, web_runtime(request).proxies)


@router.get("/prisijungti")
def sign_in_form(request: Request, grizti: str | None = None) -> Response:
    if web_session(request).user_id is not None:
        return RedirectResponse(_safe_target(grizti), 303)
    return render(request, "signin.html", {"target": _safe_target(grizti), "login": ""})


@router.post("/prisijungti")
async def sign_in(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    login = str(form.get("login", "")).strip()[:100]
    password = str(form.get("password", ""))[:200]
    target = _safe_target(str(form.get("grizti", "/")))
    throttle = web_runtime(request).throttle
    address = _address(request)

    def refuse(message: str, status: int) -> Response:
        context = {"target": target, "login": login, "error": message}
        return render(request, "signin.html", context, status_code=status)

    if not login or not password:
        return refuse("Įveskite prisijungimo vardą ir slaptažodį.", 400)
    wait = throttle.wait_seconds(login, address)
    if wait:
        request.app.state.metrics.signin_failures.labels("throttled").inc()
        minutes = max(1, round(wait / 60))
        refused = refuse(f"Per daug nesėkmingų bandymų. Bandykite dar kartą po {minutes} min.", 429)
        refused.headers["Retry-After"] = str(wait)
        return refused
    engine = runtime_of(request).engine
    try:
        found = await password_work(
            request, lambda: accounts.verify_sign_in(engine, login, password, address)
        )
    except VerificationBusy as busy:
        return retry_later(refuse(busy.detail, busy.status_code), busy)
    if found is None:
        throttle.failed(login, address)
        request.app.state.metrics.signin_failures.labels("password").inc()
        return refuse(WRONG, 401)
    throttle.succeeded(login, address)
    await to_thread.run_sync(web_session(request).sign_in, found)
    return RedirectResponse(target, 303)


@router.post("/atsijungti")
async def sign_out(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    del form  # only its CSRF token matters: nobody can sign another person out by a link
    await to_thread.run_sync(web_session(request).sign_out)
    return RedirectResponse("/prisijungti", 303)
