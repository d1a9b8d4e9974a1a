"""HTTP routes of accounts: the administrator's (people, roles, deactivation, password reset,
tokens) and each person's own (password, tokens). Who may call each: service/access/policy.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from service.contract import json_body
from service.deps import CurrentUser, SessionDep
from service.params import RowIdPath
from service.password_slots import password_work
from service.users import accounts
from service.users.models import ApiToken, Role, User
from service.validation import Secret, Text, exactly, parse_payload

router = APIRouter(prefix="/api", tags=["users"])


class UserOut(BaseModel):
    id: int
    name: str
    position: str
    roles: list[str]
    login: str | None
    active: bool
    pledge_registered: bool


class TokenOut(BaseModel):
    id: int
    user_id: int
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _user_out(user: User) -> UserOut:
    assert user.id is not None
    return UserOut(
        id=user.id,
        name=user.name,
        position=user.position,
        roles=sorted(user.roles.split()),
        login=user.login,
        active=user.active,
        pledge_registered=user.pledge_document_id is not None,
    )


def _token_out(token: ApiToken) -> TokenOut:
    assert token.id is not None
    return TokenOut(
        id=token.id, user_id=token.user_id, created_at=token.created_at, revoked_at=token.revoked_at
    )


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# The roles accounts.parse_roles knows (an unknown one is refused there, naming the known).
RoleName = Annotated[
    Text, Field(max_length=40, json_schema_extra=exactly(enum=[r.value for r in Role]))
]


class RolesIn(_Body):
    roles: list[RoleName] = Field(min_length=1, max_length=10)


class PasswordIn(_Body):
    password: Secret


class OwnPasswordIn(_Body):
    current: Secret
    new: Secret


@router.get("/users", response_model=list[UserOut])
def list_users(session: SessionDep, user: CurrentUser) -> list[UserOut]:
    return [_user_out(u) for u in session.exec(select(User).order_by(col(User.id)))]


@router.put("/users/{user_id}/roles", response_model=UserOut, openapi_extra=json_body(RolesIn))
def put_roles(
    user_id: RowIdPath, session: SessionDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> UserOut:
    wanted = parse_payload(RolesIn, body)
    roles = accounts.parse_roles(wanted.roles)
    return _user_out(accounts.change_roles(session, user, user_id, roles))


@router.post("/users/{user_id}/deactivate", response_model=UserOut)
def deactivate(user_id: RowIdPath, session: SessionDep, user: CurrentUser) -> UserOut:
    return _user_out(accounts.deactivate(session, user, user_id))


@router.post("/users/{user_id}/reactivate", response_model=UserOut)
def reactivate(user_id: RowIdPath, session: SessionDep, user: CurrentUser) -> UserOut:
    return _user_out(accounts.reactivate(session, user, user_id))


@router.post("/users/{user_id}/password", status_code=204, openapi_extra=json_body(PasswordIn))
async def reset_password(
    request: Request,
    user_id: RowIdPath,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> None:
    wanted = parse_payload(PasswordIn, body)
    # Argon2 in a verification slot, as at sign-in (service/password_slots.py).
    await password_work(
        request, lambda: accounts.reset_password(session, user, user_id, wanted.password)
    )


@router.get("/users/{user_id}/tokens", response_model=list[TokenOut])
def user_tokens(user_id: RowIdPath, session: SessionDep, user: CurrentUser) -> list[TokenOut]:
    return [_token_out(t) for t in accounts.tokens_of(session, user_id)]


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke(token_id: RowIdPath, session: SessionDep, user: CurrentUser) -> TokenOut:
    return _token_out(accounts.revoke_token(session, user, token_id))


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    return _user_out(user)


@router.post("/me/password", status_code=204, openapi_extra=json_body(OwnPasswordIn))
async def own_password(
    request: Request, session: SessionDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> None:
    wanted = parse_payload(OwnPasswordIn, body)
    # Two Argon2 runs (the current password, the new one) in a verification slot: one account
    # cannot pin the processor with password changes in parallel.
    await password_work(
        request, lambda: accounts.change_own_password(session, user, wanted.current, wanted.new)
    )


@router.get("/me/tokens", response_model=list[TokenOut])
def own_tokens(session: SessionDep, user: CurrentUser) -> list[TokenOut]:
    assert user.id is not None
    return [_token_out(t) for t in accounts.tokens_of(session, user.id)]


@router.delete("/me/tokens/{token_id}", response_model=TokenOut)
def revoke_own(token_id: RowIdPath, session: SessionDep, user: CurrentUser) -> TokenOut:
    return _token_out(accounts.revoke_token(session, user, token_id, owner_id=user.id))
