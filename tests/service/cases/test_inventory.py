"""The case inventory's payload and template (no database: pure rendering)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import docx as docx_reader
import pytest

from service.cases.inventory import CaseInventory
from service.documents.issuing import build_context
from service.errors import InvalidPayload
from service.kinds import load_kinds
from service.rendering.docx import render_docx, template_variables
from service.settings import SchoolProfile
from service.validation import parse_payload

SCHOOL = SchoolProfile(
    name="Kauno Milikonių progimnazija",
    code="190148134",
    address="Sodžiaus g. 1, Kaunas",
    city="Kaunas",
    director_name="Vardenis Pavardenis",
)


def _payload(**changes: Any) -> dict[str, Any]:
    case = {
        "index": "3.4",
        "title": "Pažymos <išvykusiems> & kiti",
        "first_date": "2026-01-12",
        "last_date": "2026-11-28",
        "documents": 7,
        "sheets": 21,
        "retention": "10 m. po mokinio išvykimo (V-1511 6.3 p.)",
        "closed_on": "2026-12-31",
    }
    return {
        "year": 2026,
        "group": "long-term",
        "cases": [case | changes],
        "compiled_by": {"name": "Aldona Archyvarė", "position": "Archyvarė"},
    }


def test_template_reads_only_what_the_context_gives() -> None:
    spec = load_kinds()["case-inventory"]
    inventory = parse_payload(CaseInventory, _payload())
    context = build_context(inventory, SCHOOL, "BA-1", dt.date(2026, 12, 31), "A. A.", "archyvarė")
    assert template_variables(spec.template) <= set(context)


def test_inventory_renders_escaped_titles_and_counts() -> None:
    spec = load_kinds()["case-inventory"]
    inventory = parse_payload(CaseInventory, _payload())
    context = build_context(inventory, SCHOOL, "BA-1", dt.date(2026, 12, 31), "A. A.", "archyvarė")
    rendered = docx_reader.Document(io.BytesIO(render_docx(spec.template, context)))
    cells = [c.text for t in rendered.tables for row in t.rows for c in row.cells]
    assert "Pažymos <išvykusiems> & kiti" in cells
    assert "2026-01-12–2026-11-28" in cells
    text = "\n".join(p.text for p in rendered.paragraphs)
    assert "ILGAI SAUGOMŲ BYLŲ APYRAŠAS" in text
    assert (
        "Į apyrašą įrašyta 1 (viena) byla, nuo Nr. 1 iki Nr. 1; jose 21 (dvidešimt vienas) lapas."
        in text
    )
    assert "SUDERINTA" in text and "20__ m. ____________ __ d. protokolu Nr. ______" in text
    assert "Šis apyrašas pakeičia" not in text


def test_commission_agreement_and_the_replaced_version_are_printed() -> None:
    spec = load_kinds()["case-inventory"]
    data = _payload() | {
        "commission": {"protocol_date": "2027-01-15", "protocol_number": "DEK-1"},
        "first_number": 12,
    }
    inventory = parse_payload(CaseInventory, data)
    correction = {"replaces": "2026 m. gruodžio 30 d. Nr. BA-2", "reason": "Suderinta", "acts": ""}
    context = build_context(
        inventory, SCHOOL, "BA-3", dt.date(2027, 1, 16), "A. A.", "archyvarė", correction=correction
    )
    rendered = docx_reader.Document(io.BytesIO(render_docx(spec.template, context)))
    text = "\n".join(p.text for p in rendered.paragraphs)
    assert "2027 m. sausio 15 d. protokolu Nr. DEK-1" in text
    assert "Šis apyrašas pakeičia 2026 m. gruodžio 30 d. Nr. BA-2 apyrašą." in text
    assert "nuo Nr. 12 iki Nr. 12" in text
    cells = [c.text for t in rendered.tables for row in t.rows for c in row.cells]
    assert "12" in cells and "TVIRTINU" in cells


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"index": "3-4"}, "„3-4“"),
        ({"documents": -1}, "cases[0].documents"),
        ({"last_date": "2025-01-01"}, "last_date"),
        ({"closed_on": "2026-13-01"}, "2026-13-01"),
    ],
)
def test_bad_inventory_payload_names_the_field(changes: dict[str, Any], needle: str) -> None:
    with pytest.raises(InvalidPayload, match=re.escape(needle)):
        parse_payload(CaseInventory, _payload(**changes))


def test_inventory_needs_a_case() -> None:
    with pytest.raises(InvalidPayload, match="cases"):
        parse_payload(CaseInventory, {"year": 2026, "cases": []})


def test_inventory_group_is_permanent_or_long_term() -> None:
    with pytest.raises(InvalidPayload, match="group"):
        parse_payload(CaseInventory, _payload() | {"group": "temporary"})
