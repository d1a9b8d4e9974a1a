"""Templates, the per-request web context, and turning service errors into Lithuanian pages.

Every page route uses ``WebRoute``: it loads the signed session before the handler and writes it
back after, and renders a ServiceError (403 role, 404, 409, 503 ...) as an HTML page instead of
the API's JSON, so a person who types another role's address by hand sees a plain refusal.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from service.errors import PledgeMissing, ServiceError
from service.password_slots import VerificationBusy
from service.proxies import Network, parse_networks
from service.timeutil import VILNIUS
from service.users.models import ROLE_TITLES, User
from service.users.pledge import MISSING
from service.web import forms
from service.web.navigation import menu
from service.web.session import SessionCodec, WebSession
from service.web.throttle import SignInThrottle

log = logging.getLogger("bylos.web")

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return value.astimezone(VILNIUS).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _size(value: int) -> str:
    if value < 1024:
        return f"{value} B"
    if value < 1024 * 1024:
        return f"{value / 1024:.1f} KiB".replace(".", ",")
    return f"{value / 1024 / 1024:.1f} MiB".replace(".", ",")


templates.env.filters["lt_date"] = _date
templates.env.filters["size"] = _size
templates.env.globals["error_items"] = forms.error_items
templates.env.globals["spec_error_items"] = forms.spec_error_items
templates.env.globals["form_field"] = forms.Field


class SignInRequired(Exception):
    """No signed-in person: the page sends them to the sign-in form."""


class PledgeRequired(Exception):
    """Signed in, but without a registered confidentiality pledge: no personal data."""


class Runtime:
    """What the web layer keeps per app: the session codec, the sign-in throttle and the
    proxies whose forwarded addresses are believed (the password-check slots are the app's,
    shared with the API: service/password_slots.py)."""

    def __init__(self, codec: SessionCodec, proxies: tuple[Network, ...] = ()) -> None:
        self.codec = codec
        self.throttle = SignInThrottle()
        self.proxies = proxies


def web_runtime(request: Request) -> Runtime:
    state = request.app.state
    runtime: Runtime | None = getattr(state, "web", None)
    if runtime is None:
        runtime = Runtime(
            SessionCodec(state.settings.data_dir), parse_networks(state.settings.trusted_proxies)
        )
        state.web = runtime
    return runtime


def retry_later(response: Response, exc: VerificationBusy) -> Response:
    """The page a refused password form comes back as, told when to try again."""
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def web_session(request: Request) -> WebSession:
    session: WebSession = request.state.web_session
    return session


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    user: User | None = None,
) -> Response:
    session = web_session(request)
    user = user if user is not None else getattr(request.state, "web_user", None)
    base: dict[str, Any] = {
        "user": user,
        "csrf": session.csrf,
        "menu": menu(request, user) if user is not None else [],
        "role_titles": ROLE_TITLES,
        "path": request.url.path,
        # A refused form or action: the title starts with "Klaida:" (base.html).
        "failed": status_code >= 400,
    }
    response: Response = templates.TemplateResponse(
        request, template, base | (context or {}), status_code=status_code
    )
    return response


def error_page(request: Request, status_code: int, title: str, detail: str) -> Response:
    return render(
        request, "error.html", {"title": title, "detail": detail}, status_code=status_code
    )


_TITLES = {
    401: "Reikia prisijungti",
    403: "Prieiga uždrausta",
    404: "Nerasta",
    409: "Veiksmas negalimas",
    413: "Per daug duomenų",
    422: "Netinkami duomenys",
}


def _error_page(request: Request, exc: ServiceError) -> Response:
    if exc.status_code >= 500 and not isinstance(exc, VerificationBusy):
        log.warning("%s: %s", exc.code, exc.detail, exc_info=exc.__cause__)
    title = _TITLES.get(exc.status_code, "Tarnyba laikinai neveikia")
    response = error_page(request, exc.status_code, title, exc.detail)
    retry: int | None = getattr(exc, "retry_after_s", None)
    if retry is not None:
        # A store restarting, a busy converter or password check: when to ask again.
        response.headers["Retry-After"] = str(retry)
    return response


def _json_error(exc: ServiceError) -> Response:
    return JSONResponse({"error": exc.code, "detail": exc.detail}, status_code=exc.status_code)


class WebRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            runtime = web_runtime(request)
            session = runtime.codec.load(request, request.app.state.runtime.engine)
            request.state.web_session = session
            try:
                response = await handler(request)
            except SignInRequired:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                response = RedirectResponse(f"/prisijungti?grizti={_quote(target)}", 303)
            except PledgeRequired:
                if getattr(request.state, "json_errors", False):
                    response = _json_error(PledgeMissing(MISSING))
                else:
                    response = render(request, "pledge_missing.html", status_code=403)
            except ServiceError as exc:
                if getattr(request.state, "json_errors", False):
                    # A page a script calls (an upload): it reads the API's error body.
                    response = _json_error(exc)
                else:
                    response = _error_page(request, exc)
            finally:
                # Uploaded files are spooled to temporary files: closed here, whatever happened.
                await request.close()
            if session.dirty:
                runtime.codec.save(request, response, session)
            # Pages show personal data: never kept by shared caches or the back button's disk.
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            return response

        return route


def _quote(path: str) -> str:
    return quote(path, safe="/")
