"""Holds from the web (a document's page, a whole case) and the year-end export download."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import select

from service.archive.models import Hold
from service.db import session_scope
from service.documents.models import Document
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import closed_case, stored_document, use_test_rules
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db


def _holds(service: Service) -> list[Hold]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(Hold)))


def test_archivist_holds_a_document_and_a_case_then_releases(
    service: Service, staff: MakeStaff
) -> None:
    use_test_rules(service)
    archivist = staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    case = closed_case(service, 1990)
    doc = stored_document(service, case, archivist)
    sign_in(service.client, "aldona")
    page = service.client.get(f"/dokumentai/{doc.id}")
    assert page.status_code == 200 and "Sulaikymo priežastis" in page.text
    token = csrf_of(page.text)
    no_reason = service.client.post(
        "/archyvas/sulaikymai", data={"csrf": token, "document_id": doc.id}
    )
    assert no_reason.status_code == 422 and "Nurodykite sulaikymo priežastį" in no_reason.text
    forged = service.client.post(
        "/archyvas/sulaikymai", data={"csrf": "x", "document_id": doc.id, "reason": "Teismas"}
    )
    assert forged.status_code == 403 and _holds(service) == []
    held = service.client.post(
        "/archyvas/sulaikymai",
        data={"csrf": token, "document_id": doc.id, "reason": "Teismo prašymas"},
        follow_redirects=False,
    )
    assert held.status_code == 303 and held.headers["location"] == f"/dokumentai/{doc.id}"
    with session_scope(service.engine) as session:
        stored = session.get(Document, doc.id)
        assert stored is not None and stored.legal_hold
    case_hold = service.client.post(
        "/archyvas/sulaikymai",
        data={"csrf": token, "case_index": "3.3", "year": "1990", "reason": "Patikrinimas"},
        follow_redirects=False,
    )
    assert case_hold.status_code == 303
    listing = service.client.get("/archyvas/sulaikymai").text
    assert "Teismo prašymas" in listing and "byla 3.3 (1990 m.)" in listing
    hold_id = _holds(service)[0].id
    released = service.client.post(
        f"/archyvas/sulaikymai/{hold_id}/panaikinti",
        data={"csrf": token, "reason": "Byla išnagrinėta"},
        follow_redirects=False,
    )
    assert released.status_code == 303
    assert "Teismo prašymas" not in service.client.get("/archyvas/sulaikymai").text


def test_year_end_export_downloads_a_bag(service: Service, staff: MakeStaff) -> None:
    use_test_rules(service)
    archivist = staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    case = closed_case(service, 1990)
    stored_document(service, case, archivist)
    sign_in(service.client, "aldona")
    token = csrf_of(service.client.get("/archyvas").text)
    bad = service.client.post("/archyvas/eksportas", data={"csrf": token, "year": "dveji"})
    assert bad.status_code == 422 and "Metai turi būti skaičius" in bad.text
    response = service.client.post("/archyvas/eksportas", data={"csrf": token, "year": "1990"})
    assert response.status_code == 200, response.text
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(n.endswith("bagit.txt") for n in names)


def test_office_manager_may_not_hold(service: Service, staff: MakeStaff) -> None:
    staff(Role.office_manager, login="rasa")
    sign_in(service.client, "rasa")
    assert service.client.get("/archyvas/sulaikymai").status_code == 403
    token = csrf_of(service.client.get("/").text)
    refused = service.client.post(
        "/archyvas/sulaikymai",
        data={"csrf": token, "case_index": "3.4", "year": "2026", "reason": "x"},
    )
    assert refused.status_code == 403 and _holds(service) == []
