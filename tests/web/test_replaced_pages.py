"""A replaced version says so, with the number of the version that replaced it (issue 11)."""

from __future__ import annotations

import pytest

from service.users.models import Role
from tests.conftest import Service, example
from tests.web.conftest import MakeStaff, sign_in

pytestmark = pytest.mark.db


def test_document_pages_and_listing_mark_the_old_version_replaced(
    service: Service, staff: MakeStaff
) -> None:
    staff(Role.office_manager, login="rasa", name="Rasa Raštinienė")
    headers = service.user(Role.office_manager, name="Ona Raštininkė")
    old = service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=headers
    ).json()
    new = service.client.post(
        f"/api/documents/{old['id']}/versions",
        json={"reason": "Klaida klasėje", "payload": example("leaving-certificate")},
        headers=headers,
    ).json()
    number = new["registration"]["number"]
    assert (
        service.client.get(f"/api/documents/{old['id']}", headers=headers).json()[
            "superseded_by_number"
        ]
        == number
    )
    sign_in(service.client, "rasa")
    page = service.client.get(f"/dokumentai/{old['id']}")
    assert page.status_code == 200 and f"pakeista dokumentu {number}" in page.text
    listing = service.client.get("/dokumentai")
    assert f"pakeistas: {number}" in listing.text
    newest = service.client.get(f"/dokumentai/{new['id']}")
    assert "pakeista dokumentu" not in newest.text
