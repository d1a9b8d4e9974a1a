"""The archivist's year (issue 12, items 2, 3 and 5) over one old year laid out through the
real flows: documents stored in its cases, cases closed (inventories issued per retention group,
sheets counted from the stored PDFs' pages), a hold, a disposal executed, the commission's
agreement entered as a new inventory version, and the school calendar's missing documents."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from service.cases.models import Case
from service.db import session_scope
from service.lt import long_date
from service.registry.models import RegistryEntry
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import person, stored_document
from tests.service.books.test_act import pdf_of
from tests.service.books.test_register import pdf_text

pytestmark = pytest.mark.db

YEAR = 1990
CALENDAR: dict[str, Any] = {
    "periods": [
        {"name": "I pusmetis", "ends_on": "1990-01-30"},
        {"name": "II pusmetis", "ends_on": "1990-06-19"},
    ],
    "classes": ["5a"],
}


def _case(service: Service, index: str) -> Case:
    with session_scope(service.engine) as session:
        return session.exec(select(Case).where(Case.year == YEAR, Case.index == index)).one()


@pytest.fixture
def year_laid_out(service: Service) -> dict[str, Any]:
    archivist, headers = person(service, Role.archivist)
    _, director = person(service, Role.director, name="Vida Direktorė")
    deputy = service.user(Role.deputy, name="Daiva Pavaduotoja")
    assert service.client.get(f"/api/cases?year={YEAR}", headers=headers).status_code == 200
    saved = service.client.put("/api/school-calendar/1989-1990", json=CALENDAR, headers=deputy)
    assert saved.status_code == 200, saved.text
    stored_document(service, _case(service, "3.3"), archivist, content=pdf_of(3))
    stored_document(service, _case(service, "3.3"), archivist, content=pdf_of(2))
    stored_document(
        service,
        _case(service, "3.2"),
        archivist,
        register="IN",
        rule="v1511-safety-briefing",
        content=pdf_of(1),
    )
    stored_document(
        service,
        _case(service, "2.1"),
        archivist,
        register="KP",
        rule="v100-confidentiality-pledge",
        content=pdf_of(1),
    )
    stored_document(
        service,
        _case(service, "3.1"),
        archivist,
        register="SV",
        rule="v1511-achievement-summary",
        content=pdf_of(4),
    )
    closed = service.client.post(
        "/api/cases/close",
        json={
            "year": YEAR,
            "indexes": ["1.2", "1.3", "2.1", "3.1", "3.2", "3.3"],
            "closed_on": f"{YEAR}-12-31",
        },
        headers=headers,
    )
    assert closed.status_code == 200, closed.text
    by_index = {c["index"]: c for c in closed.json()}
    held = service.client.post(
        "/api/holds",
        json={"case_index": "2.1", "year": YEAR, "reason": "Skundas nagrinėjamas"},
        headers=headers,
    )
    assert held.status_code == 201, held.text
    proposal = service.client.post(
        "/api/disposals", json={"case_indexes": ["3.2"], "year": YEAR}, headers=headers
    )
    assert proposal.status_code == 201, proposal.text
    disposal = proposal.json()["id"]
    assert service.client.post(f"/api/disposals/{disposal}/approve", headers=director).is_success
    assert service.client.post(f"/api/disposals/{disposal}/execute", headers=headers).is_success
    return {
        "headers": headers,
        "director": director,
        "long_term": by_index["3.1"]["inventory"],
        "permanent": by_index["1.3"]["inventory"],
        "temporary": by_index["3.3"]["inventory"],
    }


def test_year_view_gives_every_cases_state_counts_and_missing_documents(
    service: Service, year_laid_out: dict[str, Any]
) -> None:
    response = service.client.get(f"/api/archive/years/{YEAR}", headers=year_laid_out["headers"])
    assert response.status_code == 200, response.text
    view = response.json()
    states = {c["index"]: c["state"] for c in view["cases"]}
    assert states == {
        "1.1": "open",
        "1.2": "inventoried",
        "1.3": "inventoried",
        "2.1": "held",
        "3.1": "inventoried",
        "3.2": "destroyed",
        "3.3": "due",
        "3.4": "open",
        "3.5 E": "open",
    }
    cases = {c["index"]: c for c in view["cases"]}
    assert (cases["3.3"]["documents"], cases["3.3"]["sheets"]) == (2, 5)
    assert cases["3.3"]["group"] == "temporary" and cases["3.1"]["group"] == "long-term"
    assert cases["3.2"]["destroyed"] == 1 and cases["3.2"]["destruction_acts"] == ["NA-1"]
    assert cases["3.1"]["inventory"]["number"] == year_laid_out["long_term"]["number"]
    assert cases["3.3"]["cover"] == f"/api/cases/{YEAR}/3.3/cover.pdf"
    assert cases["3.1"]["missing"] == [
        "Suvestinė: 5a klasė, I pusmetis (laikotarpis baigėsi 1990-01-30)",
        "Suvestinė: 5a klasė, II pusmetis (laikotarpis baigėsi 1990-06-19)",
    ]
    assert cases["3.5 E"]["missing"] == [
        "E. dienynas, 1989-1990 m. m., neperkeltas (terminas 1990-08-31)"
    ]
    assert view["counts"] == {
        "open": 3,
        "closed": 0,
        "inventoried": 3,
        "held": 1,
        "due": 1,
        "destroyed": 1,
    }
    assert [i["group"] for i in view["inventories"]] == ["permanent", "long-term"]
    workbook = service.client.get(
        f"/api/archive/years/{YEAR}.xlsx", headers=year_laid_out["headers"]
    )
    assert workbook.status_code == 200, workbook.text
    ws = load_workbook(io.BytesIO(workbook.content)).active
    assert ws is not None
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["3.1"][2:4] == ("ilgai saugoma", "įrašyta į apyrašą")
    assert rows["3.1"][10] == year_laid_out["long_term"]["number"]
    assert rows["3.3"][8] == 5 and rows["3.2"][11] == "NA-1"
    # Only the archivist and the director read the year.
    office = service.user(Role.office_manager)
    assert service.client.get(f"/api/archive/years/{YEAR}", headers=office).status_code == 403
    # The policy gate answers before the year is read: a refused role learns nothing of it.
    assert service.client.get("/api/archive/years/1800", headers=office).status_code == 403
    archivist = year_laid_out["headers"]
    assert service.client.get("/api/archive/years/1800", headers=archivist).status_code == 422


def test_inventories_list_their_groups_cases_with_sheets_from_the_pages(
    service: Service, year_laid_out: dict[str, Any]
) -> None:
    assert year_laid_out["temporary"] is None
    headers = year_laid_out["headers"]
    long_term = pdf_text(
        service.client.get(
            f"/api/documents/{year_laid_out['long_term']['document_id']}/file", headers=headers
        ).content
    )
    assert "ILGAI SAUGOMŲ BYLŲ APYRAŠAS" in long_term
    assert f"{YEAR} metų bylos" in long_term
    assert (
        "Į apyrašą įrašyta 2 (dvi) bylos, nuo Nr. 1 iki Nr. 2; jose 4 (keturi) lapai." in long_term
    )
    assert "Mokinių mokymosi pasiekimų apskaitos suvestinės" in long_term
    assert "Mokinių pažangumo" not in long_term  # 3.3 is temporary: on no inventory
    permanent = pdf_text(
        service.client.get(
            f"/api/documents/{year_laid_out['permanent']['document_id']}/file", headers=headers
        ).content
    )
    assert "NUOLAT SAUGOMŲ BYLŲ APYRAŠAS" in permanent
    assert (
        "Į apyrašą įrašyta 1 (viena) byla, nuo Nr. 1 iki Nr. 1; jose 0 (nulis) lapų." in permanent
    )


def test_commission_agreement_is_a_new_version_that_names_the_one_it_replaces(
    service: Service, year_laid_out: dict[str, Any]
) -> None:
    headers = year_laid_out["headers"]
    old = year_laid_out["long_term"]
    url = f"/api/inventories/{old['document_id']}/agreement"

    def ba_numbers() -> list[str]:
        with session_scope(service.engine) as session:
            return [
                e.number
                for e in session.exec(
                    select(RegistryEntry).where(RegistryEntry.register_code == "BA")
                )
            ]

    before = ba_numbers()
    for body, status, needle in (
        ({"protocol_date": "2100-01-01", "protocol_number": "DEK-3"}, 422, "ateityje"),
        ({"protocol_date": "1980-01-01", "protocol_number": "DEK-3"}, 422, "anksčiau"),
        ({"protocol_date": "2026-01-01"}, 422, "protocol_number"),
        ({"protocol_date": "2026-01-01", "protocol_number": "DEK-3", "x": 1}, 422, "x"),
    ):
        refused = service.client.post(url, json=body, headers=headers)
        assert refused.status_code == status, refused.text
        assert needle in refused.json()["detail"]
    office = service.user(Role.office_manager)
    assert (
        service.client.post(
            url, json={"protocol_date": "2026-01-01", "protocol_number": "DEK-3"}, headers=office
        ).status_code
        == 403
    )
    assert ba_numbers() == before

    today = today_vilnius().isoformat()
    agreed = service.client.post(
        url, json={"protocol_date": today, "protocol_number": "DEK-3"}, headers=headers
    )
    assert agreed.status_code == 201, agreed.text
    new = agreed.json()
    text = pdf_text(service.client.get(f"/api/documents/{new['id']}/file", headers=headers).content)
    assert f"{long_date(today_vilnius())} protokolu Nr. DEK-3" in text
    assert "Šis apyrašas pakeičia" in text and f"Nr. {old['number']} apyrašą" in text
    again = service.client.post(
        url, json={"protocol_date": today, "protocol_number": "DEK-3"}, headers=headers
    )
    assert again.status_code == 409
    view = service.client.get(f"/api/archive/years/{YEAR}", headers=headers).json()
    long_term = [i for i in view["inventories"] if i["group"] == "long-term"]
    assert long_term[0]["number"] == new["registration"]["number"]
    assert long_term[0]["commission_agreed"] is True
    unknown = service.client.post(
        "/api/inventories/nera/agreement",
        json={"protocol_date": today, "protocol_number": "DEK-3"},
        headers=headers,
    )
    assert unknown.status_code == 404


def test_cover_prints_the_case_with_span_sheets_term_and_archive_marks(
    service: Service, year_laid_out: dict[str, Any]
) -> None:
    headers = year_laid_out["headers"]
    response = service.client.get(f"/api/cases/{YEAR}/3.3/cover.pdf", headers=headers)
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert "BYLA Nr. 3.3" in text
    assert "Mokinių pažangumo ir lankomumo ataskaitos tėvams" in text
    assert "1990-06-01" in text and "1990-12-31" in text
    assert "5 (penki) lapai" in text
    assert "Laikinai saugoma byla" in text
    assert "Archyvo žymos" in text and "Fondo Nr." in text
    office = service.user(Role.office_manager)
    assert service.client.get(f"/api/cases/{YEAR}/3.1/cover.pdf", headers=office).is_success
    teacher = service.user(Role.class_teacher)
    assert (
        service.client.get(f"/api/cases/{YEAR}/3.1/cover.pdf", headers=teacher).status_code == 403
    )
    assert (
        service.client.get(f"/api/cases/{YEAR}/9.9/cover.pdf", headers=headers).status_code == 404
    )
    assert (
        service.client.get(f"/api/cases/{YEAR}/3,3/cover.pdf", headers=headers).status_code == 422
    )
