"""Web fixtures: staff with a login and password, and (unless asked otherwise) a registered
confidentiality pledge, issued through the real issuer like any other document."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect, sync_playwright

from service.db import session_scope
from service.runtime import Runtime
from service.timeutil import today_vilnius
from service.users.accounts import create_user
from service.users.models import Role, User
from tests.conftest import EXAMPLE_CLASSES, Service, lead_classes
from tests.web import browser_kit as kit
from tests.web.serve import Server, bylos_serve

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

    def make(
        *roles: Role,
        login: str,
        name: str = "Rasa Raštinienė",
        pledge: bool = True,
        leads: tuple[str, ...] = (),
    ) -> User:
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
        if leads:
            assert user.id is not None
            lead_classes(service.engine, user.id, *leads)
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


# -- browser tests: one real `bylos serve` and one Chromium for the whole run ------------------


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The test school on a real server: each person with a login (all but the newcomer with a
    registered pledge: the office manager registers her own first, then everyone else's)."""
    with bylos_serve(tmp_path_factory.mktemp("serve")) as srv:
        office = ""
        for person, roles, pledged in kit.STAFF:
            token = srv.add_user(roles=roles, password=kit.PASSWORD, **person)
            office = office or token
            srv.tokens[person["login"]] = token
            if pledged:
                srv.register_pledge(office, name=person["name"], position=person["position"])
        srv.name_class_teacher(
            deputy=srv.tokens[kit.DEPUTY["login"]],
            teacher=srv.tokens[kit.TEACHER["login"]],
            classes=EXAMPLE_CLASSES,
        )
        yield srv


# What a browser test waits for (a page after a form that issues a document, say) comes when the
# server is done, however loaded the machine is: a test checks what appears, never how fast
# (speed is measured in bench/). Playwright's assertions give up after 5 s by default, which a
# conversion behind CI's second suite can exceed; they wait as long as actions do instead.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not kit.CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: `make setup` installs it (apt-get install chromium)"
        )
    with sync_playwright() as p:
        env: dict[str, str | float | bool] = {**os.environ, "LANG": "lt_LT.UTF-8", "LANGUAGE": "lt"}
        b = p.chromium.launch(
            executable_path=str(kit.CHROMIUM), args=kit.ARGS, headless=True, env=env
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server.url, viewport=kit.DESKTOP, locale="lt-LT", accept_downloads=True
    )
    pg = context.new_page()
    yield pg
    context.close()
