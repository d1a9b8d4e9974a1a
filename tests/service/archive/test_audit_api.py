"""GET /api/audit/verify: the chain as the API reports it, and a direct database edit caught."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from service.db import session_scope
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import closed_case, person, use_test_rules

pytestmark = pytest.mark.db


def _events(service: Service, headers: dict[str, str], n: int) -> None:
    closed_case(service, 1990)
    for _ in range(n):
        response = service.client.post(
            "/api/holds", json={"case_index": "3.3", "year": 1990, "reason": "x"}, headers=headers
        )
        assert response.status_code == 201


def test_untouched_chain_is_ok(service: Service) -> None:
    use_test_rules(service)
    _, headers = person(service, Role.archivist)
    _events(service, headers, 3)
    body = service.client.get("/api/audit/verify", headers=headers).json()
    assert body["ok"] is True
    assert body["events"] == 3
    assert body["first_broken"] is None


def test_direct_database_edit_is_named(service: Service) -> None:
    use_test_rules(service)
    _, headers = person(service, Role.archivist)
    _events(service, headers, 3)
    with session_scope(service.engine) as session:
        second = session.execute(text("SELECT id FROM audit_events ORDER BY id")).all()[1][0]
        session.execute(
            text("UPDATE audit_events SET actor_name = 'Kažkas kitas' WHERE id = :id"),
            {"id": second},
        )
    body = service.client.get("/api/audit/verify", headers=headers).json()
    assert (body["ok"], body["first_broken"]) == (False, second)
    assert str(second) in body["detail"]


def test_deleted_last_event_is_detected(service: Service) -> None:
    use_test_rules(service)
    _, headers = person(service, Role.archivist)
    _events(service, headers, 2)
    with session_scope(service.engine) as session:
        session.execute(
            text("DELETE FROM audit_events WHERE id = (SELECT MAX(id) FROM audit_events)")
        )
    body = service.client.get("/api/audit/verify", headers=headers).json()
    assert body["ok"] is False


def test_class_teacher_may_not_verify(service: Service) -> None:
    _, teacher = person(service, Role.class_teacher, name="Klasės Vadovė")
    assert service.client.get("/api/audit/verify", headers=teacher).status_code == 403
