"""Register-year listings per the contract, as XLSX and as a printable PDF/A."""

from __future__ import annotations

import io
import subprocess

import pytest
from openpyxl import load_workbook

from service.db import session_scope
from service.registry import numbering
from service.rendering.pdfmeta import pdfa_claim
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import Service, example

pytestmark = pytest.mark.db

CERT = "/api/documents/leaving-certificate"


@pytest.fixture
def filled(service: Service) -> Service:
    """PZ this year: 1 registered, 2 void with a reason, 3 registered, 4 still reserved."""
    office = service.user(Role.office_manager)
    assert service.client.post(CERT, json=example("leaving-certificate"), headers=office).is_success
    today = today_vilnius()
    with session_scope(service.engine) as session:
        register = numbering.get_register(session, "PZ")
        voided = numbering.reserve(session, register, on=today, title="Pažyma", reserved_by=None)
    assert voided.id is not None
    with session_scope(service.engine) as session:
        numbering.void(session, voided.id, "Konverteris neatsakė")
    assert service.client.post(CERT, json=example("leaving-certificate"), headers=office).is_success
    with session_scope(service.engine) as session:
        numbering.reserve(session, register, on=today, title="Pažyma", reserved_by=None)
    return service


def test_entries_follow_the_contract(filled: Service) -> None:
    year = today_vilnius().year
    response = filled.client.get(
        f"/api/registers/PZ/entries?year={year}", headers=filled.user(Role.archivist)
    )
    assert response.status_code == 200, response.text
    entries = response.json()
    assert [(e["seq"], e["number"], e["status"]) for e in entries] == [
        (1, "PZ-1", "registered"),
        (2, "PZ-2", "void"),
        (3, "PZ-3", "registered"),
        (4, "PZ-4", "reserved"),
    ]
    assert entries[1]["document_id"] is None
    assert entries[1]["void_reason"] == "Konverteris neatsakė"
    assert entries[0]["document_id"] and entries[0]["void_reason"] is None
    assert entries[0]["date"] == today_vilnius().isoformat()
    assert entries[0]["title"] == "Mokinio pasiekimų pažyma"
    assert entries[0]["heading"] == "Mokinio pasiekimų pažyma – Gabija Žukauskaitė, 6b"
    assert entries[0]["addressee"] == "Vilniaus Žirmūnų progimnazija"
    assert entries[0]["case_index"] == "3.4"
    assert entries[0]["signer"] and entries[0]["state"] == "įregistruotas"
    assert entries[1]["notes"] == "Anuliuotas: Konverteris neatsakė"


def test_entries_default_to_this_year_and_other_years_are_empty(filled: Service) -> None:
    reader = filled.user(Role.deputy)
    assert len(filled.client.get("/api/registers/PZ/entries", headers=reader).json()) == 4
    earlier = filled.client.get("/api/registers/PZ/entries?year=2001", headers=reader)
    assert earlier.status_code == 200 and earlier.json() == []


def test_unknown_register_is_404(service: Service) -> None:
    reader = service.user(Role.office_manager)
    for suffix in ("", ".xlsx", ".pdf"):
        response = service.client.get(f"/api/registers/XX/entries{suffix}", headers=reader)
        assert response.status_code == 404, suffix
        assert response.json()["detail"] == "Registras „XX“ nerastas."


def test_class_teacher_may_not_read_registers(service: Service) -> None:
    teacher = service.user(Role.class_teacher)
    assert service.client.get("/api/registers", headers=teacher).status_code == 403
    assert service.client.get("/api/registers/PZ/entries", headers=teacher).status_code == 403


def test_xlsx_has_lithuanian_headers_every_number_and_a_frozen_header(filled: Service) -> None:
    year = today_vilnius().year
    response = filled.client.get(
        f"/api/registers/PZ/entries.xlsx?year={year}", headers=filled.user(Role.office_manager)
    )
    assert response.status_code == 200, response.text
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:9] == [
        "Eil. Nr.",
        "Registracijos Nr.",
        "Data",
        "Dokumento antraštė",
        "Adresatas",
        "Pasirašė",
        "Bylos indeksas",
        "Būsena",
        "Pastabos",
    ]
    assert [r[0] for r in rows[1:5]] == [1, 2, 3, 4]
    assert rows[1][3] == "Mokinio pasiekimų pažyma – Gabija Žukauskaitė, 6b"
    assert rows[1][4] == "Vilniaus Žirmūnų progimnazija"
    assert rows[1][6] == "3.4"
    assert rows[2][7:9] == ["anuliuotas", "Anuliuotas: Konverteris neatsakė"]
    assert rows[-1][0] == "Iš viso"
    assert str(rows[-1][3]).startswith("Iš viso numerių: 4; įregistruota dokumentų: 2;")
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["D"].width >= 40


def test_pdf_listing_is_pdfa_and_lists_every_number(filled: Service) -> None:
    year = today_vilnius().year
    response = filled.client.get(
        f"/api/registers/PZ/entries.pdf?year={year}",
        headers=filled.user(Role.office_manager, name="Rasa Raštinienė"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert pdfa_claim(response.content) == ("2", "B")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    text = " ".join(text.split())
    assert "MOKINIŲ PASIEKIMŲ PAŽYMŲ REGISTRAS" in text
    for number in ("PZ-1", "PZ-2", "PZ-3", "PZ-4"):
        assert number in text
    assert "Konverteris neatsakė" in text
    assert "Iš viso numerių: 4; įregistruota dokumentų: 2; anuliuota numerių: 1" in text
