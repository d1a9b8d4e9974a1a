"""The documents page finds a document by any words of its heading, number, pupil or
addressee, whatever the case and with or without Lithuanian letters (issue 12, item 1)."""

from __future__ import annotations

import pytest

from service.users.models import Role
from tests.conftest import Service, example
from tests.web.conftest import MakeStaff, sign_in

pytestmark = pytest.mark.db


def test_documents_page_search_folds_case_and_lithuanian_letters(
    service: Service, staff: MakeStaff
) -> None:
    staff(Role.office_manager, login="rasa")
    office = service.user(Role.office_manager)
    issued = service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    )
    assert issued.status_code == 201, issued.text
    number = issued.json()["registration"]["number"]
    sign_in(service.client, "rasa")
    for query in ("zukauskaite", "ŽUKAUSKAITĖ", "gabija zirmunu"):
        page = service.client.get("/dokumentai", params={"q": query})
        assert page.status_code == 200
        assert number in page.text, query
    none = service.client.get("/dokumentai", params={"q": "zukauskaite petraitis"})
    assert number not in none.text
