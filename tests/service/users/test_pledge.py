"""The pledge gate: no registered confidentiality pledge, no personal data (seed p.9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from service.db import make_engine, session_scope
from service.documents.models import Document
from service.registry.models import RegistryEntry
from service.users.accounts import user_for_token
from service.users.models import Role, User
from tests.conftest import Service, example
from tests.school import TEST_SCHOOL
from tests.service.documents.seed_kinds import payload

pytestmark = pytest.mark.db

PLEDGE = "/api/documents/confidentiality-pledge"


def _user(service: Service, name: str) -> User:
    with session_scope(service.engine) as session:
        user = session.exec(select(User).where(User.name == name)).one()
        session.expunge(user)
        return user


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/documents"),
        ("get", "/api/documents/abc"),
        ("get", "/api/documents/abc/file"),
        ("post", "/api/documents/progress-report"),
        ("post", "/api/documents/progress-report/batch"),
        ("get", "/api/documents/achievement-summary/template.xlsx"),
        ("get", "/api/notifications"),
    ],
)
def test_without_a_pledge_personal_data_is_closed(service: Service, method: str, path: str) -> None:
    headers = service.user(Role.class_teacher, Role.admin, pledge=False)
    response = getattr(service.client, method)(path, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"] == "PledgeMissing"
    assert "konfidencialumo pasižadėjimo" in response.json()["detail"]


def test_health_needs_no_pledge(service: Service) -> None:
    assert service.client.get("/api/health").status_code == 200


def test_office_manager_registers_own_pledge_and_the_gate_opens(service: Service) -> None:
    headers = service.user(Role.office_manager, name="Rūta Vaitkevičienė", pledge=False)
    me = _user(service, "Rūta Vaitkevičienė")
    assert service.client.get("/api/documents", headers=headers).status_code == 403
    data = payload("confidentiality-pledge", user_id=me.id)
    response = service.client.post(PLEDGE, json=data, headers=headers)
    assert response.status_code == 201, response.text
    assert _user(service, "Rūta Vaitkevičienė").pledge_document_id == response.json()["id"]
    assert service.client.get("/api/documents", headers=headers).status_code == 200


def test_without_own_pledge_one_may_not_register_someone_elses(service: Service) -> None:
    headers = service.user(Role.office_manager, name="Rasa Raštinienė", pledge=False)
    response = service.client.post(PLEDGE, json=payload("confidentiality-pledge"), headers=headers)
    assert response.status_code == 403
    assert response.json()["error"] == "PledgeMissing"
    with session_scope(service.engine) as session:
        assert session.exec(select(Document)).all() == []


def test_pledge_registered_later_by_name_opens_an_existing_users_gate(service: Service) -> None:
    teacher = service.user(Role.class_teacher, name="Rūta  vaitkevičienė", pledge=False)
    office = service.user(Role.office_manager)
    assert service.client.get("/api/documents", headers=teacher).status_code == 403
    response = service.client.post(PLEDGE, json=example("confidentiality-pledge"), headers=office)
    assert response.status_code == 201
    assert service.client.get("/api/documents", headers=teacher).status_code == 200


def test_user_id_with_another_persons_name_is_refused(service: Service) -> None:
    service.user(Role.class_teacher, name="Jonas Jonaitis", pledge=False)
    jonas = _user(service, "Jonas Jonaitis")
    office = service.user(Role.office_manager)
    response = service.client.post(
        PLEDGE, json=payload("confidentiality-pledge", user_id=jonas.id), headers=office
    )
    assert response.status_code == 422
    assert "person.name" in response.json()["detail"]
    assert _user(service, "Jonas Jonaitis").pledge_document_id is None


def test_users_add_with_pledge_issues_and_registers_it(database_url: str, tmp_path: Path) -> None:
    env = os.environ | {"BYLOS_DATA_DIR": str(tmp_path), "BYLOS_DATABASE_URL": database_url}
    # The README's first step: the school's own profile, in one command.
    school = subprocess.run(
        [str(Path(sys.executable).parent / "bylos"), "school", "set",
         "--name", TEST_SCHOOL.name, "--code", TEST_SCHOOL.code,
         "--address", TEST_SCHOOL.address, "--city", TEST_SCHOOL.city,
         "--director", TEST_SCHOOL.director_name],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert school.returncode == 0, school.stderr
    done = subprocess.run(
        [str(Path(sys.executable).parent / "bylos"), "users", "add", "--name", "Ona Onaitė",
         "--position", "matematikos mokytoja", "--role", "class_teacher", "--with-pledge",
         "--token"],
        env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "KP-1" in done.stderr
    token = done.stdout.strip().splitlines()[-1]
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        user = user_for_token(session, token)
        assert user.pledge_document_id is not None
        document = session.get(Document, user.pledge_document_id)
        assert document is not None
        assert (document.kind, document.number) == ("confidentiality-pledge", "KP-1")
        assert document.payload["person"] == {
            "name": "Ona Onaitė",
            "position": "matematikos mokytoja",
        }
    engine.dispose()


def test_users_add_with_pledge_without_a_school_profile_issues_nothing(
    database_url: str, tmp_path: Path
) -> None:
    env = os.environ | {"BYLOS_DATA_DIR": str(tmp_path), "BYLOS_DATABASE_URL": database_url}
    env = {k: v for k, v in env.items() if not k.startswith("BYLOS_SCHOOL_")}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "bylos"), "users", "add", "--name", "Ona Onaitė",
         "--position", "matematikos mokytoja", "--role", "class_teacher", "--with-pledge",
         "--token"],
        env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    message = " ".join(done.stderr.split())
    assert "neužpildyti mokyklos duomenys" in message
    assert "bylos school set" in message and "/admin/mokykla" in message
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        assert session.exec(select(Document)).first() is None
        entries = session.exec(select(RegistryEntry)).all()
        assert entries == []  # no number taken, none voided
    engine.dispose()
