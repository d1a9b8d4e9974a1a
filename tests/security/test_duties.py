"""Issue 10 item 7: separation of duties. Nobody changes their own roles (so an administrator
cannot make themselves director and archivist); the director who approves a destruction act is
not the one who proposed it; each step is recorded with its actor."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from service.archive.models import Disposal
from service.audit.models import AuditEvent
from service.db import session_scope
from service.users.models import Role, User
from tests.conftest import Service
from tests.service.archive.helpers import closed_case, person, stored_document, use_test_rules

pytestmark = pytest.mark.db


def _me(service: Service, headers: dict[str, str]) -> int:
    found: int = service.client.get("/api/me", headers=headers).json()["id"]
    return found


def _roles(service: Service, user_id: int) -> set[str]:
    with session_scope(service.engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        return set(user.roles.split())


def _events(service: Service, action: str) -> list[AuditEvent]:
    with session_scope(service.engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == action))
        return [r.model_copy() for r in rows]


@pytest.mark.parametrize("wanted", [["admin", "director"], ["admin", "archivist"], ["deputy"]])
def test_an_admin_cannot_change_their_own_roles(service: Service, wanted: list[str]) -> None:
    admin = service.user(Role.admin, name="Tomas Administratorius")
    me = _me(service, admin)
    response = service.client.put(f"/api/users/{me}/roles", json={"roles": wanted}, headers=admin)
    assert response.status_code == 403
    assert response.json()["error"] == "NotPermitted"
    assert "Savo vaidmenų keisti negalima" in response.json()["detail"]
    assert _roles(service, me) == {"admin"}
    assert _events(service, "user.roles_changed") == []


def test_nor_through_the_users_page(service: Service) -> None:
    from service.users.accounts import create_user
    from tests.web.conftest import csrf_of, sign_in

    with session_scope(service.engine) as session:
        admin = create_user(
            session,
            name="Tomas Administratorius",
            position="IT",
            roles=[Role.admin],
            login="tomas",
            password="Slaptas-žodis-2026",
        )
        admin.pledge_document_id = "pledge-registered-in-fixture"
        admin_id = admin.id
    sign_in(service.client, "tomas", "Slaptas-žodis-2026")
    token = csrf_of(service.client.get("/admin/naudotojai").text)
    response = service.client.post(
        f"/admin/naudotojai/{admin_id}/vaidmenys",
        data={"csrf": token, "roles": ["admin", "director", "archivist"]},
    )
    assert response.status_code == 403
    assert "Savo vaidmenų keisti negalima" in response.text
    assert admin_id is not None and _roles(service, admin_id) == {"admin"}


def test_another_admin_changes_them_and_the_change_names_its_actor(service: Service) -> None:
    admin = service.user(Role.admin, name="Tomas Administratorius")
    other = service.user(Role.admin, name="Ona Administratorė")
    other_id = _me(service, other)
    response = service.client.put(
        f"/api/users/{other_id}/roles", json={"roles": ["admin", "director"]}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert _roles(service, other_id) == {"admin", "director"}
    [event] = _events(service, "user.roles_changed")
    assert event.actor_id == _me(service, admin) and event.actor_name == "Tomas Administratorius"
    assert event.subject_id == str(other_id)
    assert event.detail == {"before": ["admin"], "after": ["admin", "director"]}


def test_the_proposer_of_a_destruction_act_cannot_approve_it(service: Service) -> None:
    use_test_rules(service)
    # Given both roles by someone else: still not both steps of one act.
    both, both_headers = person(service, Role.archivist, Role.director, name="Aldona Abiejų")
    case = closed_case(service, 1990)
    doc = stored_document(service, case, both)
    proposed = service.client.post(
        "/api/disposals", json={"case_indexes": ["3.3"], "year": 1990}, headers=both_headers
    )
    assert proposed.status_code == 201, proposed.text
    disposal_id = proposed.json()["id"]

    refused = service.client.post(f"/api/disposals/{disposal_id}/approve", headers=both_headers)
    assert refused.status_code == 403
    assert refused.json()["error"] == "NotPermitted"
    assert "teikėte jūs" in refused.json()["detail"]
    executed = service.client.post(f"/api/disposals/{disposal_id}/execute", headers=both_headers)
    assert executed.status_code == 409  # not approved: nothing destroyed
    assert (
        service.client.get(f"/api/documents/{doc.id}/file", headers=both_headers).status_code == 200
    )

    _, director = person(service, Role.director, name="Vida Direktorė")
    approved = service.client.post(f"/api/disposals/{disposal_id}/approve", headers=director)
    assert approved.status_code == 200, approved.text
    with session_scope(service.engine) as session:
        row = session.get(Disposal, disposal_id)
        assert row is not None
        assert row.proposed_by == both.id and row.approved_by not in (None, both.id)
        actors = [
            (e.action, e.actor_name)
            for e in session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action).in_(["disposal.proposed", "disposal.approved"]))
                .order_by(col(AuditEvent.id))
            )
        ]
    assert actors == [
        ("disposal.proposed", "Aldona Abiejų"),
        ("disposal.approved", "Vida Direktorė"),
    ]
