"""Web fixtures: staff with a login and password, and (unless asked otherwise) a registered
confidentiality pledge, issued through the real issuer like any other document."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from service.db import session_scope
from service.runtime import Runtime
from service.timeutil import today_vilnius
from service.users.accounts import create_user
from service.users.models import Role, User
from tests.conftest import Service

PASSWORD = "Slaptas-žodis-2026"

MakeStaff = Callable[..., User]


def register_pledge(runtime: Runtime, user: User) -> None:
    spec = runtime.kinds["confidentiality-pledge"]
    payload = {
        "person": {"name": user.name, "position": user.position},
        "date": today_vilnius().isoformat(),
        "user_id": user.id,
    }
    runtime.issuer.issue(spec, payload, user)


@pytest.fixture
def staff(service: Service) -> MakeStaff:
    """``staff(Role.office_manager, login="rasa")`` -> the created User (pledge registered)."""
    runtime: Runtime = service.client.app.state.runtime  # type: ignore[attr-defined]

    def make(*roles: Role, login: str, name: str = "Rasa Raštinienė", pledge: bool = True) -> User:
        with session_scope(service.engine) as session:
            user = create_user(
                session,
                name=name,
                position="Raštinės vedėja",
                roles=list(roles),
                login=login,
                password=PASSWORD,
            )
        if pledge:
            register_pledge(runtime, user)
        return user

    return make


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> None:
    page = client.get("/prisijungti")
    response = client.post(
        "/prisijungti",
        data={"login": login, "password": password, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
