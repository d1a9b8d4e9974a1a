"""The backup from the API and the archivist's page, and the home page's warnings."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from service.db import session_scope
from service.operations import manifest
from service.operations.jobs import BackupJob, BackupJobs
from service.operations.models import BackupRun, BackupStatus
from service.users.accounts import create_user
from service.users.models import Role, User
from tests.conftest import Service
from tests.web.conftest import PASSWORD, csrf_of, register_pledge, sign_in

pytestmark = pytest.mark.db


def _wait_done(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get("/api/backups", headers=headers).json()
        if body["running"] is None:
            return body
        time.sleep(0.2)
    raise AssertionError("the backup did not finish")


def _configure(service: Service, target: Path | None) -> None:
    service.client.app.state.settings.backup_dir = target  # type: ignore[attr-defined]


def test_the_archivist_backs_up_through_the_api(service: Service, tmp_path: Path) -> None:
    archivist = service.user(Role.archivist, name="Aldona Archyvarė")
    _configure(service, None)
    unconfigured = service.client.post("/api/backups", headers=archivist)
    assert unconfigured.status_code == 409
    assert "BYLOS_BACKUP_DIR" in unconfigured.json()["detail"]

    target = tmp_path / "kopijos"
    _configure(service, target)
    started = service.client.post("/api/backups", headers=archivist)
    assert started.status_code == 202, started.text
    assert started.json()["id"] is not None
    done = _wait_done(service.client, archivist)
    assert done["last_completed"]["id"] == started.json()["id"]
    assert done["overdue"] is False
    assert manifest.verify(target).ok


@pytest.mark.parametrize(
    ("roles", "pledge", "status"),
    [
        ((Role.office_manager,), True, 403),
        ((Role.director,), True, 403),
        ((Role.admin,), False, 403),
        ((Role.admin,), True, 202),
    ],
)
def test_who_may_start_a_backup(
    service: Service, tmp_path: Path, roles: tuple[Role, ...], pledge: bool, status: int
) -> None:
    _configure(service, tmp_path / "kopijos")
    headers = service.user(*roles, pledge=pledge)
    response = service.client.post("/api/backups", headers=headers)
    assert response.status_code == status, response.text
    if status == 202:
        _wait_done(service.client, headers)
    else:
        assert not (tmp_path / "kopijos").exists()
    assert service.client.post("/api/backups").status_code == 401


def test_a_second_backup_while_one_runs_is_refused(service: Service, tmp_path: Path) -> None:
    target = tmp_path / "kopijos"
    _configure(service, target)
    admin = service.user(Role.admin)
    jobs = jobs_of_app(service)
    jobs.current = BackupJob(started_by="kitas")  # one is under way in this server
    busy = service.client.post("/api/backups", headers=admin)
    assert busy.status_code == 409
    assert "jau daroma" in busy.json()["detail"]
    jobs.current.finished = True
    # A `bylos backup --to` of the operator holds the same directory: refused at once too.
    target.mkdir()
    fd = os.open(target / manifest.LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        locked = service.client.post("/api/backups", headers=admin)
        assert locked.status_code == 409
        assert "kita atsarginė kopija" in locked.json()["detail"]
    finally:
        os.close(fd)
    assert service.client.post("/api/backups", headers=admin).status_code == 202
    _wait_done(service.client, admin)


def jobs_of_app(service: Service) -> BackupJobs:
    state = service.client.app.state  # type: ignore[attr-defined]
    if getattr(state, "backup_jobs", None) is None:
        state.backup_jobs = BackupJobs()
    jobs: BackupJobs = state.backup_jobs
    return jobs


def _web_user(service: Service, *roles: Role, login: str) -> User:
    with session_scope(service.engine) as session:
        user = create_user(
            session,
            name="Petras Administratorius",
            position="IT",
            roles=list(roles),
            login=login,
            password=PASSWORD,
        )
    register_pledge(service.client.app.state.runtime, user)  # type: ignore[attr-defined]
    return user


def test_home_page_warns_the_admin_until_backup_and_fixity_are_fresh(
    service: Service, tmp_path: Path
) -> None:
    _web_user(service, Role.admin, Role.archivist, login="petras")
    client = service.client
    sign_in(client, "petras")
    home = client.get("/").text
    assert "Atsarginė kopija pasenusi" in home and "Atsarginė kopija dar nedaryta." in home
    assert "Vientisumo patikra pasenusi" in home

    _configure(service, tmp_path / "kopijos")
    page = client.get("/archyvas/atsargines-kopijos")
    assert page.status_code == 200 and "Daryti atsarginę kopiją dabar" in page.text
    started = client.post(
        "/archyvas/atsargines-kopijos", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert started.status_code == 303
    deadline = time.monotonic() + 120
    while "Daroma atsarginė kopija" in client.get("/archyvas/atsargines-kopijos").text:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    archive = client.get("/archyvas")
    client.post("/archyvas/patikra", data={"csrf": csrf_of(archive.text)})
    home = client.get("/").text
    assert "Atsarginė kopija pasenusi" not in home
    assert "Vientisumo patikra pasenusi" not in home

    # A backup older than the configured age is stale again.
    with session_scope(service.engine) as session:
        for run in session.exec(select(BackupRun)).all():
            if run.status == BackupStatus.completed and run.finished_at is not None:
                run.finished_at = run.finished_at - dt.timedelta(hours=27)
                session.add(run)
    home = client.get("/").text
    assert "Atsarginė kopija pasenusi" in home
    assert "Vientisumo patikra pasenusi" not in home


def test_the_office_manager_sees_no_operations_warning(service: Service) -> None:
    _web_user(service, Role.office_manager, login="rasa")
    sign_in(service.client, "rasa")
    home = service.client.get("/").text
    assert "Atsarginė kopija" not in home
    page = service.client.get("/archyvas/atsargines-kopijos")
    assert page.status_code == 403
