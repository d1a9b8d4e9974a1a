"""Registers as data: the admin adds and renames them; bad input changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from service.audit.models import AuditEvent
from service.db import session_scope
from service.registry.models import Register
from service.users.models import Role
from tests.conftest import Service, example

pytestmark = pytest.mark.db

NEW = {"code": "ŠK", "title": "Mokinių skundų registras", "case_index": "1.2"}


def _registers(service: Service) -> list[tuple[str, str, str, str]]:
    with session_scope(service.engine) as session:
        rows = session.exec(select(Register).order_by(col(Register.code)))
        return [(r.code, r.title, r.case_index, r.number_format) for r in rows]


def _events(service: Service, action: str) -> list[AuditEvent]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_list_gives_the_contract_fields(service: Service) -> None:
    response = service.client.get("/api/registers", headers=service.user(Role.office_manager))
    assert response.status_code == 200, response.text
    by_code = {r["code"]: r for r in response.json()}
    assert by_code["PZ"] == by_code["PZ"] | {
        "title": "Mokinių pasiekimų pažymų registras",
        "case_index": "3.4",
        "number_format": "{code}-{seq}",
    }
    assert {"PZ", "DA", "KP", "SV", "IN", "TA", "DP", "NA", "BA"} <= set(by_code)


def test_admin_adds_a_register_with_lithuanian_letters(service: Service) -> None:
    admin = service.user(Role.admin)
    response = service.client.post(
        "/api/registers", json=NEW | {"number_format": "{code}-{year}-{seq:03d}"}, headers=admin
    )
    assert response.status_code == 201, response.text
    assert ("ŠK", NEW["title"], "1.2", "{code}-{year}-{seq:03d}") in _registers(service)
    [event] = _events(service, "register.added")
    assert event.subject_id == "ŠK"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"code": "pz2"}, "„pz2“"),
        ({"code": "ABCDEFG"}, "„ABCDEFG“"),
        ({"code": ""}, "code"),
        ({"number_format": "{code}-{nr}"}, "{nr}"),
        ({"number_format": "{code}-{year}"}, "{seq}"),
        ({"number_format": "{code}-{seq"}, "skliaust"),
        ({"case_index": "1-2"}, "„1-2“"),
        ({"title": "  "}, "title"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_register_is_422_in_lithuanian_and_adds_nothing(
    service: Service, change: dict[str, str], needle: str
) -> None:
    before = _registers(service)
    response = service.client.post(
        "/api/registers", json=NEW | change, headers=service.user(Role.admin)
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "InvalidPayload"
    assert needle in response.json()["detail"]
    assert _registers(service) == before
    assert _events(service, "register.added") == []


def test_existing_code_is_409(service: Service) -> None:
    before = _registers(service)
    response = service.client.post(
        "/api/registers", json=NEW | {"code": "PZ"}, headers=service.user(Role.admin)
    )
    assert response.status_code == 409
    assert _registers(service) == before


def test_only_the_admin_adds_or_renames(service: Service) -> None:
    office = service.user(Role.office_manager, Role.director)
    before = _registers(service)
    added = service.client.post("/api/registers", json=NEW, headers=office)
    renamed = service.client.patch("/api/registers/PZ", json={"title": "X"}, headers=office)
    assert (added.status_code, renamed.status_code) == (403, 403)
    assert _registers(service) == before


def test_rename_keeps_the_code_and_numbers(service: Service) -> None:
    office = service.user(Role.office_manager)
    service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    )
    response = service.client.patch(
        "/api/registers/PZ",
        json={"title": "Išduotų mokinio pasiekimų pažymų registras"},
        headers=service.user(Role.admin),
    )
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Išduotų mokinio pasiekimų pažymų registras"
    [event] = _events(service, "register.changed")
    assert event.detail["before"]["title"] == "Mokinių pasiekimų pažymų registras"  # type: ignore[index]
    second = service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    )
    assert second.json()["registration"]["number"] == "PZ-2"


def test_number_format_cannot_change_once_the_year_has_numbers(service: Service) -> None:
    office = service.user(Role.office_manager)
    admin = service.user(Role.admin)
    fresh = service.client.patch(
        "/api/registers/DA", json={"number_format": "{code}/{seq}"}, headers=admin
    )
    assert fresh.status_code == 200, fresh.text
    service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    )
    used = service.client.patch(
        "/api/registers/PZ", json={"number_format": "{code}/{seq}"}, headers=admin
    )
    assert used.status_code == 409
    assert ("PZ", "Mokinių pasiekimų pažymų registras", "3.4", "{code}-{seq}") in _registers(
        service
    )


def test_unknown_register_is_404(service: Service) -> None:
    admin = service.user(Role.admin)
    response = service.client.patch("/api/registers/XX", json={"title": "X"}, headers=admin)
    assert response.status_code == 404
    assert "„XX“" in response.json()["detail"]
