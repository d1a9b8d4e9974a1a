"""Request dependencies: the runtime, the session and the authenticated user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from service.access.gate import authorize
from service.access.policy import Rule, rule_for
from service.db import session_scope
from service.errors import NotAuthenticated, NotPermitted
from service.runtime import Runtime
from service.users import pledge
from service.users.accounts import user_for_token
from service.users.models import ROLE_TITLES, Role, User


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    # One unit of work per request: committed once after the route returns.
    with session_scope(runtime.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_current_user(request: Request, runtime: RuntimeDep) -> User:
    known: User | None = getattr(request.state, "api_user", None)
    if known is not None:
        return known
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            "Reikia prisijungti: nurodykite antraštę „Authorization: Bearer <raktas>“."
        )
    with session_scope(runtime.engine) as session:
        user = user_for_token(session, token.strip())
    request.state.api_user = user
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def route_rule(request: Request) -> Rule:
    """The policy table's entry for the route this request matched."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    return rule_for("GET" if request.method == "HEAD" else request.method, path)


def api_gate(request: Request, runtime: RuntimeDep) -> None:
    """Every API route's first dependency: the policy table decides (service/access/policy.py)."""
    rule = route_rule(request)
    if rule.public:
        return
    user = get_current_user(request, runtime)
    authorize(
        rule,
        user,
        engine=runtime.engine,
        kinds=runtime.kinds,
        path_params=request.path_params,
    )


def require_pledge(request: Request, user: CurrentUser) -> User:
    """The pledge gate for routes that touch personal data (service/users/pledge.py)."""
    own = request.method == "POST" and request.url.path.rstrip("/") == (
        f"/api/documents/{pledge.PLEDGE_KIND}"
    )
    # Registering a pledge passes here; the issuing step then allows only one's own.
    pledge.ensure_pledge(user, registering_own=own)
    return user


PledgedUser = Annotated[User, Depends(require_pledge)]


def ensure_role(user: User, allowed: frozenset[Role], action: str) -> None:
    """A role check the policy table cannot make, because the roles come from data (a kind's
    configured roles); who may call a route or page at all is the table's (access/gate.py)."""
    if not (user.role_set & allowed):
        titles = ", ".join(sorted(ROLE_TITLES[r] for r in allowed))
        raise NotPermitted(f"Veiksmui „{action}“ reikia vieno iš vaidmenų: {titles}.")
