"""People, roles and tokens: stored hashed, checked on every call."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from service.db import session_scope
from service.errors import Conflict, InvalidPayload, NotAuthenticated
from service.users.accounts import (
    check_password,
    create_user,
    issue_token,
    parse_roles,
    user_for_token,
)
from service.users.models import ApiToken, Role

pytestmark = pytest.mark.db


def test_token_authenticates_its_user_and_is_stored_hashed(engine: Engine) -> None:
    with session_scope(engine) as session:
        user = create_user(session, name="Asta", position="Raštinės vedėja", roles=[Role.admin])
        token = issue_token(session, user)
    with session_scope(engine) as session:
        assert user_for_token(session, token).name == "Asta"
        stored = session.exec(select(ApiToken)).one()
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_unknown_token_is_refused(engine: Engine) -> None:
    with session_scope(engine) as session, pytest.raises(NotAuthenticated):
        user_for_token(session, "byl_nera")


def test_password_is_hashed_and_checks(engine: Engine) -> None:
    with session_scope(engine) as session:
        user = create_user(
            session,
            name="Asta",
            position="Archyvarė",
            roles=[Role.archivist],
            login="asta",
            password="slaptas-žodis",
        )
    assert user.password_hash is not None
    assert "slaptas" not in user.password_hash
    assert check_password("slaptas-žodis", user.password_hash)
    assert not check_password("kitas", user.password_hash)


def test_login_taken_is_a_conflict(engine: Engine) -> None:
    with session_scope(engine) as session:
        create_user(
            session, name="A", position="P", roles=[Role.admin], login="a", password="12345678"
        )
    with session_scope(engine) as session, pytest.raises(Conflict, match="„a“"):
        create_user(
            session, name="B", position="P", roles=[Role.admin], login="a", password="12345678"
        )


def test_unknown_role_is_named() -> None:
    with pytest.raises(InvalidPayload, match="„mokytojas“"):
        parse_roles(["mokytojas"])
