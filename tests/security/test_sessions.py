"""Issue 10 item 6: sessions and credentials can be ended.

Server-side sessions (a copied cookie is refused after sign-out, deactivation or a password
change), token listing and revocation, deactivation and reactivation, one's own and the
administrator's password change, through the API, the pages and the CLI; each audited; and no
password on a command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import col, select

from service.app import create_app
from service.audit.models import AuditEvent
from service.db import make_engine, migrate, session_scope
from service.timeutil import utcnow
from service.users import sessions
from service.users.accounts import check_password, create_user, issue_token, user_for_token
from service.users.models import Role, User, WebSessionRecord
from service.web.session import COOKIE
from tests.conftest import Service, auth
from tests.web.conftest import csrf_of, sign_in

pytestmark = pytest.mark.db

PASSWORD = "Slaptas-žodis-2026"
NEW_PASSWORD = "Naujas-žodis-2027"
BYLOS = Path(sys.executable).parent / "bylos"


def _person(service: Service, login: str, *roles: Role) -> tuple[int, dict[str, str]]:
    with session_scope(service.engine) as session:
        user = create_user(
            session,
            name=f"Darbuotoja {login}",
            position="Darbuotoja",
            roles=list(roles or (Role.office_manager,)),
            login=login,
            password=PASSWORD,
        )
        user.pledge_document_id = "pledge-registered-in-fixture"
        token = issue_token(session, user)
        assert user.id is not None
        return user.id, auth(token)


def _browser(service: Service, login: str, password: str = PASSWORD) -> TestClient:
    app = service.client.app
    assert isinstance(app, FastAPI)
    client = TestClient(app)
    sign_in(client, login, password)
    return client


def _signed_in(client: TestClient) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def _actions(service: Service) -> list[str]:
    with session_scope(service.engine) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]


def _replay(service: Service, cookie: str) -> TestClient:
    app = service.client.app
    assert isinstance(app, FastAPI)
    thief = TestClient(app)
    thief.cookies.set(COOKIE, cookie)
    return thief


def test_the_cookie_holds_only_a_random_id_and_the_session_lives_in_the_database(
    service: Service,
) -> None:
    user_id, _ = _person(service, "rasa")
    browser = _browser(service, "rasa")
    cookie = browser.cookies.get(COOKIE)
    assert cookie
    key = (service.client.app.state.settings.data_dir / "web-session.key").read_text().strip()  # type: ignore[attr-defined]
    content = URLSafeTimedSerializer(key.encode(), salt="bylos-web-session").loads(cookie)
    assert set(content) == {"sid"} and len(content["sid"]) >= 40
    with session_scope(service.engine) as session:
        rows = session.exec(select(WebSessionRecord)).all()
        assert [(r.user_id, r.ended_at) for r in rows] == [(user_id, None)]


def test_a_cookie_copied_before_sign_out_is_refused_after_it(service: Service) -> None:
    _person(service, "rasa")
    browser = _browser(service, "rasa")
    copied = browser.cookies.get(COOKIE)
    assert copied and _signed_in(_replay(service, copied))  # the copy works while signed in

    token = csrf_of(browser.get("/").text)
    out = browser.post("/atsijungti", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    thief = _replay(service, copied)
    response = thief.get("/dokumentai", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/prisijungti")
    with session_scope(service.engine) as session:
        [row] = session.exec(select(WebSessionRecord)).all()
        assert row.ended_at is not None


def test_deactivation_ends_sessions_and_tokens_at_once_and_reactivation_restores_tokens(
    service: Service,
) -> None:
    admin = service.user(Role.admin, name="Tomas Administratorius")
    user_id, token = _person(service, "rasa")
    browser = _browser(service, "rasa")
    assert service.client.get("/api/me", headers=token).status_code == 200

    off = service.client.post(f"/api/users/{user_id}/deactivate", headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    assert not _signed_in(browser)
    refused = service.client.get("/api/me", headers=token)
    assert refused.status_code == 401 and refused.json()["error"] == "NotAuthenticated"
    # Signing in again is refused too, with the right password.
    again = TestClient(service.client.app)
    page = again.get("/prisijungti")
    attempt = again.post(
        "/prisijungti",
        data={"login": "rasa", "password": PASSWORD, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert attempt.status_code == 401

    on = service.client.post(f"/api/users/{user_id}/reactivate", headers=admin)
    assert on.status_code == 200 and on.json()["active"] is True
    assert service.client.get("/api/me", headers=token).status_code == 200
    assert not _signed_in(browser)  # the ended session stays ended
    assert {"user.deactivated", "user.reactivated"} <= set(_actions(service))


def test_nobody_deactivates_themselves(service: Service) -> None:
    admin = service.user(Role.admin, name="Tomas Administratorius")
    me = service.client.get("/api/me", headers=admin).json()["id"]
    response = service.client.post(f"/api/users/{me}/deactivate", headers=admin)
    assert response.status_code == 403
    assert "Savo paskyros išjungti negalima" in response.json()["detail"]


def test_own_password_change_ends_every_session_of_that_person(service: Service) -> None:
    user_id, token = _person(service, "rasa")
    phone = _browser(service, "rasa")
    laptop = _browser(service, "rasa")
    stolen = phone.cookies.get(COOKIE)
    assert stolen

    wrong = service.client.post(
        "/api/me/password", json={"current": "ne-tas", "new": NEW_PASSWORD}, headers=token
    )
    assert wrong.status_code == 422 and "dabartinis slaptažodis" in wrong.json()["detail"]

    form = csrf_of(laptop.get("/paskyra").text)
    changed = laptop.post(
        "/paskyra/slaptazodis",
        data={"csrf": form, "current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert not _signed_in(laptop) and not _signed_in(phone)
    assert not _signed_in(_replay(service, stolen))
    with session_scope(service.engine) as session:
        user = session.get(User, user_id)
        assert user is not None and user.password_hash
        assert check_password(NEW_PASSWORD, user.password_hash)
    assert _signed_in(_browser(service, "rasa", NEW_PASSWORD))
    assert "user.password_changed" in _actions(service)


def test_admin_resets_a_forgotten_password_and_the_old_sessions_end(service: Service) -> None:
    admin = service.user(Role.admin, name="Tomas Administratorius")
    user_id, _ = _person(service, "rasa")
    browser = _browser(service, "rasa")
    short = service.client.post(
        f"/api/users/{user_id}/password", json={"password": "trumpas"}, headers=admin
    )
    assert short.status_code == 422 and "bent 8 simbolių" in short.json()["detail"]
    assert _signed_in(browser)  # a refused reset changes nothing

    done = service.client.post(
        f"/api/users/{user_id}/password", json={"password": NEW_PASSWORD}, headers=admin
    )
    assert done.status_code == 204
    assert not _signed_in(browser)
    assert _signed_in(_browser(service, "rasa", NEW_PASSWORD))
    assert "user.password_reset" in _actions(service)


def test_tokens_are_listed_and_revoked_by_their_owner_and_by_the_admin(service: Service) -> None:
    admin = service.user(Role.admin, name="Tomas Administratorius")
    user_id, first = _person(service, "rasa")
    with session_scope(service.engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        second = auth(issue_token(session, user))
    _, stranger = _person(service, "ona")

    mine = service.client.get("/api/me/tokens", headers=first).json()
    assert [t["revoked_at"] for t in mine] == [None, None]
    first_id, second_id = (t["id"] for t in mine)
    # Someone else's token is not theirs to revoke: it is as if it did not exist.
    foreign = service.client.delete(f"/api/me/tokens/{first_id}", headers=stranger)
    assert foreign.status_code == 404
    assert service.client.get("/api/me", headers=first).status_code == 200

    own = service.client.delete(f"/api/me/tokens/{first_id}", headers=second)
    assert own.status_code == 200 and own.json()["revoked_at"]
    assert service.client.get("/api/me", headers=first).status_code == 401

    listed = service.client.get(f"/api/users/{user_id}/tokens", headers=admin).json()
    assert {t["id"]: bool(t["revoked_at"]) for t in listed} == {first_id: True, second_id: False}
    revoked = service.client.delete(f"/api/tokens/{second_id}", headers=admin)
    assert revoked.status_code == 200
    assert service.client.get("/api/me", headers=second).status_code == 401
    assert _actions(service).count("token.revoked") == 2


def test_the_admin_page_deactivates_and_resets(service: Service) -> None:
    with session_scope(service.engine) as session:
        admin = create_user(
            session, name="Tomas Admin", position="IT", roles=[Role.admin],
            login="tomas", password=PASSWORD,
        )  # fmt: skip
        admin.pledge_document_id = "pledge-registered-in-fixture"
    user_id, _ = _person(service, "rasa")
    victim = _browser(service, "rasa")
    sign_in(service.client, "tomas")
    page = service.client.get("/admin/naudotojai")
    assert f'action="/admin/naudotojai/{user_id}/busena"' in page.text
    token = csrf_of(page.text)
    off = service.client.post(
        f"/admin/naudotojai/{user_id}/busena", data={"csrf": token, "busena": "isjungti"}
    )
    assert off.status_code == 200 and "Paskyra išjungta" in off.text
    assert not _signed_in(victim)
    short = service.client.post(
        f"/admin/naudotojai/{user_id}/slaptazodis", data={"csrf": token, "password": "x"}
    )
    assert short.status_code == 422 and "bent 8 simbolių" in short.text


# -- purging ended and expired sessions ----------------------------------------------------------


def _session_rows(service: Service) -> dict[str, WebSessionRecord]:
    with session_scope(service.engine) as session:
        return {r.id_hash: r for r in session.exec(select(WebSessionRecord))}


def _row_of(service: Service, client: TestClient) -> str:
    """The id hash of the session row behind a client's cookie."""
    cookie = client.cookies.get(COOKIE)
    assert cookie
    key = (service.client.app.state.settings.data_dir / "web-session.key").read_text().strip()  # type: ignore[attr-defined]
    sid = URLSafeTimedSerializer(key.encode(), salt="bylos-web-session").loads(cookie)["sid"]
    return hashlib.sha256(sid.encode()).hexdigest()


def _backdate(service: Service, id_hash: str, **when: dt.datetime) -> None:
    with session_scope(service.engine) as session:
        row = session.get(WebSessionRecord, id_hash)
        assert row is not None
        for name, value in when.items():
            setattr(row, name, value)
        session.add(row)


def test_sessions_long_ended_or_expired_are_purged_at_sign_in_and_their_cookies_refused(
    service: Service,
) -> None:
    _person(service, "rasa")
    now = utcnow()
    long_ago = now - sessions.KEEP_ENDED - dt.timedelta(hours=1)
    live = _browser(service, "rasa")
    signed_out = _browser(service, "rasa")  # ended a moment ago: kept for a day
    csrf = csrf_of(signed_out.get("/").text)
    assert signed_out.post("/atsijungti", data={"csrf": csrf}).status_code == 200
    ended_long_ago = _browser(service, "rasa")
    expired_long_ago = _browser(service, "rasa")
    expired_lately = _browser(service, "rasa")
    ids = {
        name: _row_of(service, client)
        for name, client in {
            "live": live,
            "ended_long_ago": ended_long_ago,
            "expired_long_ago": expired_long_ago,
            "expired_lately": expired_lately,
        }.items()
    }
    ids["signed_out"] = next(h for h, r in _session_rows(service).items() if r.ended_at is not None)
    _backdate(service, ids["ended_long_ago"], ended_at=long_ago)
    _backdate(
        service,
        ids["expired_long_ago"],
        created_at=long_ago - sessions.LIFETIME,
        expires_at=long_ago,
    )
    _backdate(
        service,
        ids["expired_lately"],
        created_at=now - sessions.LIFETIME - dt.timedelta(hours=1),
        expires_at=now - dt.timedelta(hours=1),
    )
    stolen = {
        "ended_long_ago": ended_long_ago.cookies.get(COOKIE),
        "expired_long_ago": expired_long_ago.cookies.get(COOKIE),
    }
    signed_in_before = _actions(service).count("user.signed_in")
    assert set(_session_rows(service)) == set(ids.values())

    newcomer = _browser(service, "rasa")  # this sign-in purges

    left = _session_rows(service)
    assert ids["ended_long_ago"] not in left and ids["expired_long_ago"] not in left
    assert {ids["live"], ids["signed_out"], ids["expired_lately"], _row_of(service, newcomer)} == (
        set(left)
    )
    assert _signed_in(live) and _signed_in(newcomer)
    for name, cookie in stolen.items():
        assert cookie, name
        thief = _replay(service, cookie)
        response = thief.get("/dokumentai", follow_redirects=False)
        assert response.status_code == 303, name
        assert response.headers["location"].startswith("/prisijungti"), name
        assert set(_session_rows(service)) == set(left), name  # a replay brings nothing back
    # The audit log keeps every sign-in: purging sessions deletes none of it.
    assert _actions(service).count("user.signed_in") == signed_in_before + 1


def _dead_rows(service: Service, user_id: int, count: int) -> None:
    long_ago = utcnow() - sessions.KEEP_ENDED - dt.timedelta(days=3)
    with session_scope(service.engine) as session:
        for n in range(count):
            session.add(
                WebSessionRecord(
                    id_hash=f"dead-{n:06d}",
                    user_id=user_id,
                    csrf="x",
                    created_at=long_ago - sessions.LIFETIME,
                    expires_at=long_ago,
                    ended_at=long_ago if n % 2 else None,
                )
            )


def test_one_sign_in_purges_a_bounded_batch_and_starting_the_service_purges_the_rest(
    service: Service,
) -> None:
    user_id, _ = _person(service, "rasa")
    live = _browser(service, "rasa")
    backlog = sessions.PURGE_BATCH * 2 + 7
    _dead_rows(service, user_id, backlog)

    _browser(service, "rasa")
    dead = [h for h in _session_rows(service) if h.startswith("dead-")]
    assert len(dead) == backlog - sessions.PURGE_BATCH

    app = service.client.app
    assert isinstance(app, FastAPI)
    restarted = create_app(
        app.state.settings, store=service.store, converter=app.state.injected.converter
    )
    with TestClient(restarted) as client:
        assert [h for h in _session_rows(service) if h.startswith("dead-")] == []
        assert len(_session_rows(service)) == 2  # the two live sessions stay
        client.cookies.set(COOKIE, live.cookies.get(COOKIE) or "")
        assert _signed_in(client)


# -- the CLI: never a password on the command line ----------------------------------------------


def _bylos(
    database_url: str,
    tmp_path: Path,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    full = os.environ | {"BYLOS_DATA_DIR": str(tmp_path), "BYLOS_DATABASE_URL": database_url}
    full.pop("BYLOS_PASSWORD", None)
    return subprocess.run(
        [str(BYLOS), *args],
        env=full | (env or {}),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


ADD = ["users", "add", "--name", "Rasa R", "--position", "Vedėja", "--role", "office_manager"]


def _login_works(database_url: str, login: str, password: str) -> bool:
    engine = make_engine(database_url)
    migrate(engine)  # a refused command may have left no schema at all
    try:
        with session_scope(engine) as session:
            user = session.exec(select(User).where(User.login == login)).first()
            return bool(
                user and user.password_hash and check_password(password, user.password_hash)
            )
    finally:
        engine.dispose()


def test_a_literal_password_on_the_command_line_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    done = _bylos(database_url, tmp_path, *ADD, "--login", "rasa", "--password", PASSWORD)
    assert done.returncode == 2
    assert "Slaptažodžio komandų eilutėje rašyti negalima" in done.stderr
    assert "--password -" in done.stderr and "BYLOS_PASSWORD" in done.stderr
    assert not _login_works(database_url, "rasa", PASSWORD)


def test_the_password_comes_from_stdin_or_the_environment(
    database_url: str, tmp_path: Path
) -> None:
    piped = _bylos(
        database_url, tmp_path, *ADD, "--login", "rasa", "--password", "-", stdin=PASSWORD + "\n"
    )
    assert piped.returncode == 0, piped.stderr
    assert _login_works(database_url, "rasa", PASSWORD)
    from_env = _bylos(
        database_url, tmp_path, *ADD, "--login", "ona", env={"BYLOS_PASSWORD": NEW_PASSWORD}
    )
    assert from_env.returncode == 0, from_env.stderr
    assert _login_works(database_url, "ona", NEW_PASSWORD)


def test_the_cli_deactivates_resets_issues_and_revokes(database_url: str, tmp_path: Path) -> None:
    added = _bylos(
        database_url, tmp_path, *ADD, "--login", "rasa", "--password", "-", "--token",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    first = added.stdout.strip().splitlines()[-1]

    reset = _bylos(database_url, tmp_path, "users", "password", "rasa", "--password", "-",
                   stdin=NEW_PASSWORD + "\n")  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    assert _login_works(database_url, "rasa", NEW_PASSWORD)
    literal = _bylos(database_url, tmp_path, "users", "password", "rasa", "--password", "x" * 9)
    assert literal.returncode == 2 and _login_works(database_url, "rasa", NEW_PASSWORD)

    issued = _bylos(database_url, tmp_path, "users", "token", "rasa")
    assert issued.returncode == 0, issued.stderr
    listed = _bylos(database_url, tmp_path, "users", "tokens", "rasa").stdout.splitlines()
    assert len(listed) == 2 and all(line.endswith("galioja") for line in listed)
    first_id = listed[0].split("\t")[0]
    assert _bylos(database_url, tmp_path, "users", "revoke-token", first_id).returncode == 0

    off = _bylos(database_url, tmp_path, "users", "deactivate", "rasa")
    assert off.returncode == 0, off.stderr
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            with pytest.raises(Exception, match="atšauktas"):
                user_for_token(session, first)
            with pytest.raises(Exception, match="atšauktas"):
                user_for_token(session, issued.stdout.strip())
            actions = [e.action for e in session.exec(select(AuditEvent))]
    finally:
        engine.dispose()
    assert {"user.password_reset", "token.issued", "token.revoked", "user.deactivated"} <= set(
        actions
    )
