"""The destruction act as the rules want it (issue 12, item 4): each case with its index,
heading, date span, sheets, the term and the index item it expired under, the grounds, the
commission's agreement and the director's approval, totals in figures and words."""

from __future__ import annotations

import io
from typing import Any

import pikepdf
import pytest

from service.db import session_scope
from service.documents.models import Document
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import closed_case, person, stored_document, use_test_rules
from tests.service.books.test_register import pdf_text

pytestmark = pytest.mark.db


def pdf_of(pages: int) -> bytes:
    """A real PDF of ``pages`` blank A4 pages: what sheets are counted from."""
    doc = pikepdf.new()
    for _ in range(pages):
        doc.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_destruction_act_lists_each_case_with_span_sheets_rule_and_totals(
    service: Service,
) -> None:
    use_test_rules(service)
    archivist, headers = person(service, Role.archivist)
    reports = closed_case(service, 1990, index="3.3", rule="v1511-progress-report")
    briefings = closed_case(service, 1990, index="3.2", rule="v1511-safety-briefing")
    for pages in (3, 2):
        stored_document(service, reports, archivist, content=pdf_of(pages))
    stored_document(
        service,
        briefings,
        archivist,
        register="IN",
        rule="v1511-safety-briefing",
        content=pdf_of(4),
    )
    response = service.client.post(
        "/api/disposals", json={"case_indexes": ["3.2", "3.3"], "year": 1990}, headers=headers
    )
    assert response.status_code == 201, response.text
    act_id = response.json()["act"]["document_id"]
    act = service.client.get(f"/api/documents/{act_id}", headers=headers).json()
    assert act["registration"]["number"] == "NA-1"
    with session_scope(service.engine) as session:
        stored = session.get(Document, act_id)
        assert stored is not None
        payload: dict[str, Any] = dict(stored.payload)
    cases = {c["index"]: c for c in payload["cases"]}
    assert (cases["3.3"]["sheets"], cases["3.2"]["sheets"]) == (5, 4)
    assert cases["3.3"]["first_date"] == cases["3.3"]["last_date"] == "1990-06-01"
    assert cases["3.3"]["rule_text"].endswith(" p.")
    text = pdf_text(service.client.get(f"/api/documents/{act_id}/file", headers=headers).content)
    assert "DOKUMENTŲ NAIKINIMO AKTAS" in text
    assert "TVIRTINU" in text and "SUDERINTA" in text
    assert "pabaigos" in text and "Lapų" in text  # the wrapped column headers
    assert "1990-06-01" in text
    # The cell wraps inside the date (pdftotext drops the hyphen at the break).
    assert f"10 m. ({cases['3.3']['rule_text']}); baigėsi 2000" in text
    assert "2 dok.: TA-1, TA-2" in text and "1 dok.: IN-1" in text
    assert (
        "Iš viso atrinkta naikinti 2 (dvi) bylos, jose 9 (devyni) lapai; dokumentų – 3 (trys) "
        "dokumentai." in text
    )
    assert "Pagrindas: Bylų saugojimo terminai" in text
    assert "Dokumentų ekspertų komisija" in text and "protokolu Nr." in text
    assert "Aldona Archyvarė" in text
