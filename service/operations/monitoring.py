"""`GET /api/health` and `GET /metrics`.

Who sees what: anyone may ask whether Bylos is up and which part is down (a load balancer, a
status page); why a part is down, versions and ages are for the administrator (a token with the
admin role) or a caller on the same machine. "The same machine" is a loopback peer that does not
come through a proxy: a reverse proxy on loopback forwards strangers, so a request carrying
Forwarded or X-Forwarded-For counts as remote (the proxy must set one of them; nginx and Caddy
do when configured as the README shows).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Final, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy import text

from service.db import session_scope
from service.errors import DependencyUnavailable, NotAuthenticated, NotPermitted
from service.operations import database
from service.operations.metrics import Metrics
from service.runtime import Runtime
from service.users.accounts import user_for_token
from service.users.models import Role

router = APIRouter()

COMPONENTS: Final = ("database", "store", "converter")
_DOWN_TEXT: Final = {
    "database": "duomenų bazė neatsako",
    "store": "objektų saugykla neatsako",
    "converter": "LibreOffice konverteris neatsako",
}
_FORWARDED: Final = ("forwarded", "x-forwarded-for", "x-real-ip")


def is_local(request: Request) -> bool:
    """A caller on this machine, not forwarded by a proxy."""
    if any(request.headers.get(h) for h in _FORWARDED):
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _admin_token(request: Request, runtime: Runtime) -> bool | None:
    """True for an admin's token, False for another valid token, None without a valid one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        with session_scope(runtime.engine) as session:
            user = user_for_token(session, token.strip())
    except NotAuthenticated:
        metrics_of(request).signin_failures.labels("token").inc()
        return None
    return Role.admin in user.role_set


def metrics_of(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


def probe(runtime: Runtime) -> dict[str, str | None]:
    """Each dependency: None when it answers, else what went wrong (for the privileged view)."""
    found: dict[str, str | None] = {}
    # Each probe may fail in its own vendor's way; any failure means "down".
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        found["database"] = None
    except Exception as exc:
        found["database"] = f"{type(exc).__name__}: {exc}"[:500]
    try:
        runtime.store.ping()
        found["store"] = None
    except Exception as exc:
        found["store"] = f"{type(exc).__name__}: {exc}"[:500]
    try:
        runtime.converter.ping()
        found["converter"] = None
    except Exception as exc:
        found["converter"] = f"{type(exc).__name__}: {exc}"[:500]
    return found


def _schema(runtime: Runtime) -> list[str]:
    try:
        with runtime.engine.connect() as conn:
            return list(database.database_revisions(conn))
    except Exception:
        return []


Up = Literal["ok", "down"]


class HealthOut(BaseModel):
    """The service's state; ``details``, ``version`` and ``schema_revisions`` only for the
    machine itself or an admin token. When a component is down the answer is 503 with this
    body plus ``error`` and ``detail``."""

    status: Literal["ok", "unavailable"]
    database: Up
    store: Up
    converter: Up
    details: dict[str, Any] | None = None
    version: str | None = None
    schema_revisions: list[str] | None = None


@router.get("/api/health", response_model=HealthOut)
def health(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    found = probe(runtime)
    down = [name for name in COMPONENTS if found.get(name)]
    body: dict[str, Any] = {"status": "unavailable" if down else "ok"}
    body |= {name: "down" if found.get(name) else "ok" for name in COMPONENTS}
    if down:
        body["error"] = "DependencyUnavailable"
        body["detail"] = "Tarnyba neveikia: " + "; ".join(_DOWN_TEXT[n] for n in down) + "."
    if is_local(request) or _admin_token(request, runtime):
        body["details"] = {name: found[name] for name in down}
        body["version"] = request.app.version
        body["schema_revisions"] = _schema(runtime)
    if not down:
        return JSONResponse(body)
    # The supervisor restarts a crashed store or converter within seconds: say when to ask again.
    retry = {"Retry-After": str(DependencyUnavailable.retry_after_s)}
    return JSONResponse(body, status_code=503, headers=retry)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    if not is_local(request):
        allowed = _admin_token(request, runtime)
        if allowed is None:
            raise NotAuthenticated(
                "Metrikoms reikia administratoriaus prieigos rakto (Authorization: Bearer …) "
                "arba užklausos iš to paties kompiuterio."
            )
        if not allowed:
            raise NotPermitted("Metrikos prieinamos tik administratoriui.")
    return Response(metrics_of(request).render(), media_type=CONTENT_TYPE_LATEST)
