"""Request dependencies: the runtime, the session and the authenticated user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

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
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            "Reikia prisijungti: nurodykite antraštę „Authorization: Bearer <raktas>“."
        )
    with session_scope(runtime.engine) as session:
        return user_for_token(session, token.strip())


CurrentUser = Annotated[User, Depends(get_current_user)]


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
    if not (user.role_set & allowed):
        titles = ", ".join(sorted(ROLE_TITLES[r] for r in allowed))
        raise NotPermitted(f"Veiksmui „{action}“ reikia vieno iš vaidmenų: {titles}.")


def require_roles(*roles: Role, action: str) -> Callable[[User], User]:
    allowed = frozenset(roles)

    def dependency(user: CurrentUser) -> User:
        ensure_role(user, allowed, action)
        return user

    return dependency
