"""Notifications (list the undelivered, mark one delivered) for the admin and deputies, and
registering a staff member's pledge from the users page, which opens personal data to them."""

from __future__ import annotations

import pytest

from service.db import session_scope
from service.documents.notifications import Notification
from service.users.models import Role, User
from tests.conftest import Service
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db


def _notify(service: Service, document_id: str) -> int:
    with session_scope(service.engine) as session:
        row = Notification(
            document_id=document_id,
            recipient_role="parents",
            recipient_name="Ona Žukauskienė",
            message="Pakeistas įvertinimas suvestinėje.",
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _delivered(service: Service, notification_id: int) -> bool:
    with session_scope(service.engine) as session:
        row = session.get(Notification, notification_id)
        assert row is not None
        return row.delivered_at is not None


def test_deputy_marks_a_notification_delivered(service: Service, staff: MakeStaff) -> None:
    deputy = staff(Role.deputy, login="asta", name="Asta Pavaduotoja")
    # Any registered document will do as the act the notification is about.
    with session_scope(service.engine) as session:
        fresh = session.get(User, deputy.id)
        assert fresh is not None and fresh.pledge_document_id is not None
        act = fresh.pledge_document_id
    notice = _notify(service, act)
    sign_in(service.client, "asta")
    page = service.client.get("/pranesimai")
    assert page.status_code == 200 and "Ona Žukauskienė" in page.text
    forged = service.client.post(f"/pranesimai/{notice}/pristatyta", data={"csrf": "x"})
    assert forged.status_code == 403 and not _delivered(service, notice)
    token = csrf_of(page.text)
    done = service.client.post(
        f"/pranesimai/{notice}/pristatyta", data={"csrf": token}, follow_redirects=False
    )
    assert done.status_code == 303 and _delivered(service, notice)
    shown = service.client.get(done.headers["location"]).text
    assert "pažymėtas kaip pristatytas" in shown and "Visi pranešimai pristatyti." in shown
    assert "Ona Žukauskienė" in service.client.get("/pranesimai?visi=1").text
    twice = service.client.post(f"/pranesimai/{notice}/pristatyta", data={"csrf": token})
    assert twice.status_code == 409
    assert (
        service.client.post("/pranesimai/999999/pristatyta", data={"csrf": token}).status_code
        == 404
    )


def test_class_teacher_sees_no_notifications(service: Service, staff: MakeStaff) -> None:
    teacher = staff(Role.class_teacher, login="jurate", name="Jūratė Mockienė")
    with session_scope(service.engine) as session:
        fresh = session.get(User, teacher.id)
        assert fresh is not None and fresh.pledge_document_id is not None
        notice = _notify(service, fresh.pledge_document_id)
    sign_in(service.client, "jurate")
    page = service.client.get("/pranesimai")
    assert page.status_code == 403 and "Prieiga uždrausta" in page.text
    refused = service.client.post(
        f"/pranesimai/{notice}/pristatyta", data={"csrf": csrf_of(page.text)}
    )
    assert refused.status_code == 403 and not _delivered(service, notice)


def test_office_manager_registers_a_pledge_from_the_users_page(
    service: Service, staff: MakeStaff
) -> None:
    staff(Role.office_manager, login="rasa")
    newcomer = staff(Role.class_teacher, login="jonas", name="Jonas Naujokas", pledge=False)
    sign_in(service.client, "rasa")
    users = service.client.get("/admin/naudotojai")
    assert users.status_code == 200 and "Naujas naudotojas" not in users.text
    link = f"/isduoti/confidentiality-pledge?naudotojas={newcomer.id}"
    assert link.replace("?", "?") in users.text.replace("&amp;", "&")
    form = service.client.get(link)
    assert form.status_code == 200 and 'value="Jonas Naujokas"' in form.text
    token = csrf_of(form.text)
    # The office manager may see the list, not change it.
    refused = service.client.post(
        "/admin/naudotojai",
        data={"csrf": token, "name": "X Y", "position": "Z", "login": "xy", "password": "a" * 12},
    )
    assert refused.status_code == 403
    wrong = service.client.post(
        "/isduoti/confidentiality-pledge",
        data={
            "csrf": token,
            "person.name": "Kitas Žmogus",
            "person.position": "Mokytojas",
            "date": "2026-01-01",
            "user_id": str(newcomer.id),
        },
    )
    assert wrong.status_code == 422 and "nesutampa" in wrong.text
    with session_scope(service.engine) as session:
        still = session.get(User, newcomer.id)
        assert still is not None and still.pledge_document_id is None
    done = service.client.post(
        "/isduoti/confidentiality-pledge",
        data={
            "csrf": token,
            "person.name": "Jonas Naujokas",
            "person.position": "Mokytojas",
            "date": "2026-01-01",
            "user_id": str(newcomer.id),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with session_scope(service.engine) as session:
        pledged = session.get(User, newcomer.id)
        assert pledged is not None and pledged.pledge_document_id is not None
    # The person now passes the gate.
    service.client.cookies.clear()
    sign_in(service.client, "jonas")
    assert service.client.get("/dokumentai").status_code == 200


def test_class_teacher_sees_no_users_page(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, login="jurate", name="Jūratė Mockienė")
    sign_in(service.client, "jurate")
    assert service.client.get("/admin/naudotojai").status_code == 403
