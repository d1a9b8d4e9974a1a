"""The register as the office reads it (issue 12, item 1): each row says what was registered
(heading, addressee, signer, case) and what became of it (replaced, voided, destroyed, held),
in the API listing, the XLSX and the printed PDF/A with the year's totals; search finds a
document by any words, ignoring case and Lithuanian letters."""

from __future__ import annotations

import copy
import io
import subprocess
from typing import Any

import pytest
from openpyxl import load_workbook

from service.db import session_scope
from service.registry import numbering
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import Service, example
from tests.service.archive.helpers import closed_case, person, stored_document, use_test_rules

pytestmark = pytest.mark.db

CERT = "/api/documents/leaving-certificate"


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return " ".join(out.split())


def _certificate(first: str, last: str, class_name: str) -> dict[str, Any]:
    data = copy.deepcopy(example("leaving-certificate"))
    data["student"] = {"first_name": first, "last_name": last}
    data["class_name"] = class_name
    data["destination"] = "Kauno Jono Basanavičiaus gimnazija"
    return data


@pytest.fixture
def books(service: Service) -> dict[str, Any]:
    """PZ this year: PZ-1 replaced by PZ-2, PZ-3 void, PZ-4 under a hold; TA 1990: a document
    destroyed by act NA-1."""
    office = service.user(Role.office_manager, name="Rasa Raštinienė")
    first = service.client.post(CERT, json=example("leaving-certificate"), headers=office)
    assert first.status_code == 201, first.text
    fixed = service.client.post(
        f"/api/documents/{first.json()['id']}/versions",
        json={"reason": "Klaida išvykimo priežastyje", "payload": example("leaving-certificate")},
        headers=office,
    )
    assert fixed.status_code == 201, fixed.text
    with session_scope(service.engine) as session:
        register = numbering.get_register(session, "PZ")
        voided = numbering.reserve(
            session,
            register,
            on=today_vilnius(),
            title="Mokinio pasiekimų pažyma",
            reserved_by=None,
        )
    with session_scope(service.engine) as session:
        numbering.void(session, voided.id or 0, "Konverteris neatsakė")
    other = service.client.post(CERT, json=_certificate("Jonas", "Petraitis", "8a"), headers=office)
    assert other.status_code == 201, other.text

    use_test_rules(service)
    archivist, archivist_headers = person(service, Role.archivist)
    _, director = person(service, Role.director, name="Vida Direktorė")
    held = service.client.post(
        "/api/holds",
        json={"document_id": other.json()["id"], "reason": "Prašymas teismui"},
        headers=archivist_headers,
    )
    assert held.status_code == 201, held.text
    old = closed_case(service, 1990)
    stored_document(service, old, archivist)
    proposal = service.client.post(
        "/api/disposals", json={"case_indexes": ["3.3"], "year": 1990}, headers=archivist_headers
    ).json()
    assert service.client.post(
        f"/api/disposals/{proposal['id']}/approve", headers=director
    ).is_success
    assert service.client.post(
        f"/api/disposals/{proposal['id']}/execute", headers=archivist_headers
    ).is_success
    return {"office": office, "archivist": archivist_headers}


def test_entries_say_what_was_registered_and_what_became_of_it(
    service: Service, books: dict[str, Any]
) -> None:
    year = today_vilnius().year
    entries = service.client.get(
        f"/api/registers/PZ/entries?year={year}", headers=books["office"]
    ).json()
    assert [(e["number"], e["state"]) for e in entries] == [
        ("PZ-1", "pakeistas"),
        ("PZ-2", "įregistruotas"),
        ("PZ-3", "anuliuotas"),
        ("PZ-4", "įregistruotas"),
    ]
    first, second, void, held = entries
    assert first["heading"] == "Mokinio pasiekimų pažyma – Gabija Žukauskaitė, 6b"
    assert first["addressee"] == "Vilniaus Žirmūnų progimnazija"
    assert first["case_index"] == "3.4"
    # The head of school signs a certificate (the test school's director).
    assert first["signer"] and first["signer"] != "Rasa Raštinienė"
    assert first["replaced_by"] == "PZ-2"
    assert (
        first["notes"] == "Pakeistas dokumentu Nr. PZ-2 (priežastis: Klaida išvykimo priežastyje)"
    )
    assert second["replaced_by"] is None and second["notes"] == ""
    assert void["notes"] == "Anuliuotas: Konverteris neatsakė" and void["document_id"] is None
    assert held["heading"] == "Mokinio pasiekimų pažyma – Jonas Petraitis, 8a"
    assert held["held"] is True and held["notes"] == "Sulaikytas: Prašymas teismui"

    old = service.client.get("/api/registers/TA/entries?year=1990", headers=books["office"]).json()
    assert [e["destroyed_by_act"] for e in old] == ["NA-1"]
    assert old[0]["state"] == "sunaikintas"
    assert "pagal dokumentų naikinimo aktą Nr. NA-1" in old[0]["notes"]


def test_printed_register_has_the_columns_notes_and_the_years_totals(
    service: Service, books: dict[str, Any]
) -> None:
    year = today_vilnius().year
    response = service.client.get(
        f"/api/registers/PZ/entries.pdf?year={year}", headers=books["office"]
    )
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert "MOKINIŲ PASIEKIMŲ PAŽYMŲ REGISTRAS" in text
    for header in ("Dokumento antraštė", "Adresatas", "Pasirašė", "Byla", "Būsena", "Pastabos"):
        assert header in text
    assert "Gabija Žukauskaitė" in text and "Jonas Petraitis" in text
    assert "Vilniaus Žirmūnų" in text
    assert "pakeistas" in text and "Sulaikytas: Prašymas teismui" in text
    assert (
        "Iš viso numerių: 4; įregistruota dokumentų: 3; anuliuota numerių: 1; pakeista naujomis "
        "versijomis: 1; sunaikinta: 0; sulaikyta: 1." in text
    )
    old = service.client.get("/api/registers/TA/entries.pdf?year=1990", headers=books["office"])
    old_text = pdf_text(old.content)
    assert "sunaikintas" in old_text and "NA-1" in old_text
    assert "sunaikinta: 1." in old_text


def test_xlsx_carries_the_same_columns_and_notes(service: Service, books: dict[str, Any]) -> None:
    year = today_vilnius().year
    response = service.client.get(
        f"/api/registers/PZ/entries.xlsx?year={year}", headers=books["office"]
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[1][3] == "Mokinio pasiekimų pažyma – Gabija Žukauskaitė, 6b"
    assert rows[1][7:9] == [
        "pakeistas",
        "Pakeistas dokumentu Nr. PZ-2 (priežastis: Klaida išvykimo priežastyje)",
    ]
    assert str(rows[-1][3]).startswith("Iš viso numerių: 4;")


@pytest.mark.parametrize(
    "query",
    ["Žukauskaitė", "žukauskaitė", "Zukauskaite", "ZUKAUSKAITE", "gabija 6b", "zirmunu", "pz-1"],
)
def test_search_ignores_case_and_lithuanian_letters(
    service: Service, books: dict[str, Any], query: str
) -> None:
    found = service.client.get(
        "/api/documents", params={"q": query}, headers=books["office"]
    ).json()
    numbers = {d["registration"]["number"] for d in found}
    assert "PZ-1" in numbers
    assert "PZ-4" not in numbers  # Jonas Petraitis


def test_search_needs_every_word_and_takes_wildcards_literally(
    service: Service, books: dict[str, Any]
) -> None:
    for query in ("zukauskaite 8a", "%", "_"):
        found = service.client.get("/api/documents", params={"q": query}, headers=books["office"])
        assert found.status_code == 200
        assert found.json() == [], query
    petraitis = service.client.get(
        "/api/documents", params={"q": "petraitis"}, headers=books["office"]
    ).json()
    assert [d["registration"]["number"] for d in petraitis] == ["PZ-4"]
