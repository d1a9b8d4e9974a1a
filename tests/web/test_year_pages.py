"""The archivist's year page: every case's state, the inventories with the commission's
agreement entered from the page (bad input: a Lithuanian 4xx that changes nothing), covers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from service.db import session_scope
from service.registry.models import RegistryEntry
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import Service
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db


def _ba(service: Service) -> list[str]:
    with session_scope(service.engine) as session:
        rows = session.exec(select(RegistryEntry).where(RegistryEntry.register_code == "BA"))
        return [e.number for e in rows]


def test_year_page_shows_states_inventories_and_takes_the_agreement(
    service: Service, staff: MakeStaff
) -> None:
    year = today_vilnius().year
    staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    api = service.user(Role.archivist, name="Aldona Archyvarė")
    closed = service.client.post(
        "/api/cases/close", json={"year": year, "indexes": ["1.2"]}, headers=api
    )
    assert closed.status_code == 200, closed.text
    inventory = closed.json()[0]["inventory"]
    sign_in(service.client, "aldona")
    moved = service.client.get("/archyvas/metai", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == f"/archyvas/metai/{year}"
    page = service.client.get(f"/archyvas/metai/{year}")
    assert page.status_code == 200, page.text
    assert f"{year} m. bylos" in page.text
    assert "įrašyta į apyrašą" in page.text and "atidaryta" in page.text
    assert f"Nr. {inventory['number']}" in page.text and "dar nesuderinta" in page.text
    assert f"/archyvas/metai/{year}/virselis/1.2.pdf" in page.text

    token = csrf_of(page.text)
    before = _ba(service)
    bad = service.client.post(
        f"/archyvas/metai/{year}/suderinimas",
        data={
            "csrf": token,
            "document_id": inventory["document_id"],
            "protocol_date": "2026-13-45",
            "protocol_number": "DEK-1",
        },
    )
    assert bad.status_code == 422
    assert "Suderinimas neįrašytas" in bad.text and "protocol_date" in bad.text
    assert _ba(service) == before
    good = service.client.post(
        f"/archyvas/metai/{year}/suderinimas",
        data={
            "csrf": token,
            "document_id": inventory["document_id"],
            "protocol_date": today_vilnius().isoformat(),
            "protocol_number": "DEK-1",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    after = service.client.get(good.headers["location"])
    assert "Ekspertų komisijos suderinimas įrašytas" in after.text
    assert ">suderinta<" in after.text
    assert len(_ba(service)) == len(before) + 1

    cover = service.client.get(f"/archyvas/metai/{year}/virselis/1.2.pdf")
    assert cover.status_code == 200 and cover.headers["content-type"] == "application/pdf"
    workbook = service.client.get(f"/archyvas/metai/{year}.xlsx")
    assert workbook.status_code == 200 and workbook.content.startswith(b"PK")
    assert service.client.get("/archyvas/metai/abc").status_code == 422


def test_office_manager_may_not_open_the_year(service: Service, staff: MakeStaff) -> None:
    staff(Role.office_manager, login="rasa")
    sign_in(service.client, "rasa")
    year = today_vilnius().year
    assert service.client.get(f"/archyvas/metai/{year}").status_code == 403
