"""Every password check or hash a request causes runs in the verification slots sign-in uses.

Argon2 spends 64 MiB and tens of milliseconds a run: one account changing its password many
times at once must not pin the processor. The class of such routes is kept closed twice: in the
source (every request-path reference to a function of users/accounts.py that runs Argon2 stands
inside ``password_work``), and in behaviour (each route hashes or verifies only while holding a
slot, and with every slot full it is refused as a sign-in is: 503, Retry-After, the Lithuanian
message, nothing changed)."""

from __future__ import annotations

import ast
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx2 as httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from service.db import session_scope
from service.password_slots import BUSY, RETRY_AFTER_S, VerificationSlots
from service.users import accounts
from service.users.accounts import check_password, create_user, issue_token
from service.users.models import Role, User
from tests.conftest import Service, auth
from tests.web.conftest import csrf_of, sign_in

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "service"
ACCOUNTS = SERVICE / "users" / "accounts.py"
# The calls that do the expensive work: Argon2 (and scrypt, for accounts made before it).
EXPENSIVE = {("_HASHER", "hash"), ("_HASHER", "verify"), ("hashlib", "scrypt")}
SLOT_HELPER = "password_work"

PASSWORD = "Slaptas-žodis-2026"
NEW_PASSWORD = "Naujas-žodis-2027"


# -- the source: no request path reaches Argon2 but through password_work ---------------------


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _does_expensive_work(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) in EXPENSIVE
        ):
            return True
    return False


def _called_names(function: ast.FunctionDef) -> set[str]:
    return {
        n.func.id
        for n in ast.walk(function)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }


def argon2_functions() -> set[str]:
    """The functions of users/accounts.py that run Argon2, themselves or through another."""
    functions = _functions(ast.parse(ACCOUNTS.read_text(encoding="utf-8")))
    found = {name for name, f in functions.items() if _does_expensive_work(f)}
    while True:
        more = {name for name, f in functions.items() if _called_names(f) & found} - found
        if not more:
            return found
        found |= more


def _is_console(path: Path) -> bool:
    # `bylos users ...` at the server's console: no request, nobody else waiting on the slots.
    return path.name == "cli.py"


def _unslotted_references(path: Path, names: set[str]) -> list[str]:
    """Each reference to one of ``names`` inside a function of ``path`` that is not inside the
    arguments of a ``password_work(...)`` call (work done when the module loads is no request)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def referenced(node: ast.AST) -> str | None:
        if isinstance(node, ast.Name) and node.id in names:
            return f"line {node.lineno}: {node.id}"
        if isinstance(node, ast.Attribute) and node.attr in names:
            return f"line {node.lineno}: {node.attr}"
        return None

    def slotted(node: ast.AST) -> bool:
        in_function = False
        while node in parents:
            node = parents[node]
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == SLOT_HELPER
            ):
                return True
            in_function = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        return not in_function

    return [
        where
        for node in ast.walk(tree)
        if (where := referenced(node)) is not None and not slotted(node)
    ]


def test_argon2_runs_only_in_users_accounts() -> None:
    """So that the functions found below are all there is to watch."""
    others = [
        str(p.relative_to(ROOT))
        for p in sorted(SERVICE.rglob("*.py"))
        if p != ACCOUNTS
        and any(word in p.read_text(encoding="utf-8") for word in ("argon2", "scrypt", "_HASHER"))
    ]
    assert others == []


def test_every_request_path_to_argon2_goes_through_a_verification_slot() -> None:
    names = argon2_functions()
    # The scan sees what it must: each use-case that checks or sets a password.
    assert {
        "hash_password",
        "check_password",
        "create_user",
        "add_user",
        "change_own_password",
        "reset_password",
        "verify_sign_in",
    } <= names
    offenders = {
        str(p.relative_to(ROOT)): found
        for p in sorted(SERVICE.rglob("*.py"))
        if p != ACCOUNTS and not _is_console(p) and (found := _unslotted_references(p, names))
    }
    assert offenders == {}


def test_the_scan_sees_what_it_forbids(tmp_path: Path) -> None:
    sample = tmp_path / "routes.py"
    sample.write_text(
        "accounts.dummy_hash()\n"
        "async def ok(request):\n"
        "    await password_work(request, lambda: accounts.change_own_password(s, u, a, b))\n"
        "def bad(session):\n"
        "    accounts.reset_password(session, None, 1, 'x')\n"
        "    create_user(session, name='x')\n",
        encoding="utf-8",
    )
    found = _unslotted_references(sample, argon2_functions())
    assert found == ["line 5: reset_password", "line 6: create_user"]


# -- behaviour: each password route hashes inside a slot, and is refused when none frees -----


class WatchedSlots(VerificationSlots):
    """Real slots that also say whether one is held right now."""

    def __init__(self) -> None:
        super().__init__()
        self.held = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with super().slot():
            self.held += 1
            try:
                yield
            finally:
                self.held -= 1


class WatchingHasher(PasswordHasher):
    """Argon2 as configured, noting for each hash and check whether a slot was held."""

    def __init__(self, slots: WatchedSlots) -> None:
        super().__init__()
        self.slots = slots
        self.runs: list[tuple[str, bool]] = []

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.runs.append(("hash", self.slots.held > 0))
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.runs.append(("verify", self.slots.held > 0))
        return super().verify(hash, password)


@dataclass
class People:
    rasa: int
    rasa_token: dict[str, str]
    admin_token: dict[str, str]
    rasa_page: TestClient
    admin_page: TestClient


def _account(service: Service, login: str, role: Role) -> tuple[int, dict[str, str]]:
    with session_scope(service.engine) as session:
        user = create_user(
            session, name=f"Darbuotoja {login}", position="Darbuotoja", roles=[role],
            login=login, password=PASSWORD,
        )  # fmt: skip
        user.pledge_document_id = "pledge-registered-in-fixture"
        assert user.id is not None
        return user.id, auth(issue_token(session, user))


def _app(service: Service) -> FastAPI:
    app = service.client.app
    assert isinstance(app, FastAPI)
    return app


@pytest.fixture
def people(service: Service) -> People:
    rasa, rasa_token = _account(service, "rasa", Role.office_manager)
    _, admin_token = _account(service, "tomas", Role.admin)
    # Not entered as context managers: that would run the app's lifespan a second time.
    rasa_page, admin_page = TestClient(_app(service)), TestClient(_app(service))
    sign_in(rasa_page, "rasa")
    sign_in(admin_page, "tomas")
    return People(rasa, rasa_token, admin_token, rasa_page, admin_page)


def _password_of(service: Service, user_id: int) -> str:
    with session_scope(service.engine) as session:
        user = session.get(User, user_id)
        assert user is not None and user.password_hash
        return user.password_hash


def _logins(service: Service) -> set[str | None]:
    with session_scope(service.engine) as session:
        return {u.login for u in session.exec(select(User))}


@pytest.mark.db
def test_each_password_route_hashes_and_checks_only_inside_a_slot(
    service: Service, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(service)
    slots = WatchedSlots()
    app.state.password_slots = slots
    hasher = WatchingHasher(slots)
    monkeypatch.setattr(accounts, "_HASHER", hasher)
    rasa_page, admin_page = people.rasa_page, people.admin_page

    def runs_of(*_answers: object) -> list[tuple[str, bool]]:
        """What the request just made ran, and whether each run held a slot."""
        runs, hasher.runs = hasher.runs, []
        return runs

    answers: dict[str, list[tuple[str, bool]]] = {}
    sign_in(TestClient(app), "rasa")
    answers["POST /prisijungti"] = runs_of()
    own = service.client.post(
        "/api/me/password",
        json={"current": PASSWORD, "new": NEW_PASSWORD},
        headers=people.rasa_token,
    )
    assert own.status_code == 204, own.text
    answers["POST /api/me/password"] = runs_of(own)
    reset = service.client.post(
        f"/api/users/{people.rasa}/password",
        json={"password": PASSWORD},
        headers=people.admin_token,
    )
    assert reset.status_code == 204, reset.text
    answers["POST /api/users/{id}/password"] = runs_of(reset)
    sign_in(rasa_page, "rasa")  # the reset ended her sessions
    hasher.runs = []
    form = csrf_of(rasa_page.get("/paskyra").text)
    changed = rasa_page.post(
        "/paskyra/slaptazodis",
        data={"csrf": form, "current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    answers["POST /paskyra/slaptazodis"] = runs_of(changed)
    token = csrf_of(admin_page.get("/admin/naudotojai").text)
    page_reset = admin_page.post(
        f"/admin/naudotojai/{people.rasa}/slaptazodis",
        data={"csrf": token, "password": PASSWORD},
        follow_redirects=False,
    )
    assert page_reset.status_code == 303, page_reset.text
    answers["POST /admin/naudotojai/{id}/slaptazodis"] = runs_of(page_reset)
    added = admin_page.post(
        "/admin/naudotojai",
        data={
            "csrf": token, "name": "Ona Naujokė", "position": "Mokytoja", "login": "ona",
            "password": PASSWORD, "roles": "class_teacher",
        },
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303, added.text
    answers["POST /admin/naudotojai"] = runs_of(added)

    for route, runs in answers.items():
        assert runs, f"{route}: no Argon2 work seen (is the watch still on the hasher?)"
        assert all(held for _, held in runs), f"{route}: Argon2 outside a slot: {runs}"


def _full() -> VerificationSlots:
    """Every slot taken for good: a real semaphore with none free, waiting a short while.
    A new one for each request (each may run on its own event loop in the test client)."""
    return VerificationSlots(slots=0, wait_s=0.3)


@pytest.mark.db
def test_with_every_slot_full_a_password_change_waits_then_is_refused_like_sign_in(
    service: Service, people: People
) -> None:
    app = _app(service)
    rasa_page, admin_page = people.rasa_page, people.admin_page
    own_form = csrf_of(rasa_page.get("/paskyra").text)
    admin_form = csrf_of(admin_page.get("/admin/naudotojai").text)
    before = _password_of(service, people.rasa)

    attempts: dict[str, Callable[[], httpx.Response]] = {
        "POST /api/me/password": lambda: service.client.post(
            "/api/me/password",
            json={"current": PASSWORD, "new": NEW_PASSWORD},
            headers=people.rasa_token,
        ),
        "POST /api/users/{id}/password": lambda: service.client.post(
            f"/api/users/{people.rasa}/password",
            json={"password": NEW_PASSWORD},
            headers=people.admin_token,
        ),
        "POST /paskyra/slaptazodis": lambda: rasa_page.post(
            "/paskyra/slaptazodis",
            data={
                "csrf": own_form,
                "current": PASSWORD,
                "new": NEW_PASSWORD,
                "again": NEW_PASSWORD,
            },
        ),
        "POST /admin/naudotojai/{id}/slaptazodis": lambda: admin_page.post(
            f"/admin/naudotojai/{people.rasa}/slaptazodis",
            data={"csrf": admin_form, "password": NEW_PASSWORD},
        ),
        "POST /admin/naudotojai": lambda: admin_page.post(
            "/admin/naudotojai",
            data={
                "csrf": admin_form,
                "name": "Ona Naujokė",
                "position": "Mokytoja",
                "login": "ona",
                "password": PASSWORD,
                "roles": "class_teacher",
            },
        ),
    }
    for route, attempt in attempts.items():
        app.state.password_slots = _full()
        started = time.monotonic()
        answer = attempt()
        waited = time.monotonic() - started
        assert answer.status_code == 503, (route, answer.text)
        assert answer.headers["Retry-After"] == str(RETRY_AFTER_S), route
        assert waited >= 0.3, f"{route}: refused without waiting for a slot"
        if route.startswith("POST /api/"):
            assert answer.json() == {"error": "VerificationBusy", "detail": BUSY}, route
        else:
            # The form comes back with the message on top, as the sign-in form does.
            assert 'id="klaidos"' in answer.text and BUSY in answer.text, route

    # Nothing was changed: the old password works, her sessions live, nobody was added.
    assert _password_of(service, people.rasa) == before
    assert check_password(PASSWORD, before)
    assert rasa_page.get("/", follow_redirects=False).status_code == 200
    assert "ona" not in _logins(service)

    # Once a slot frees, the same change goes through.
    app.state.password_slots = VerificationSlots()
    done = service.client.post(
        "/api/me/password",
        json={"current": PASSWORD, "new": NEW_PASSWORD},
        headers=people.rasa_token,
    )
    assert done.status_code == 204, done.text
    assert check_password(NEW_PASSWORD, _password_of(service, people.rasa))
