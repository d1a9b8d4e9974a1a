"""An official retention table from bytes: CSV, XLSX or JSON, read with every size bounded."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from service.archive.retention_admin import parse_import
from service.errors import InvalidPayload

CSV = (
    "id;rodyklė;punktas;pavadinimas;terminas;šaltinis\n"
    "v1511-a;V-1511;6.1;Suvestinės, metinės;50 m.;V-1511 6.1 p.\n"
)


def test_csv_is_read_with_its_own_delimiter() -> None:
    [rule] = parse_import(CSV.encode())
    assert (rule.id, rule.title, rule.years) == ("v1511-a", "Suvestinės, metinės", 50)


def test_xlsx_is_read_and_told_apart_from_csv() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["id", "index", "item", "title", "term", "source", "verified"])
    sheet.append(["v1511-x", "V-1511", "6.1", "Suvestinės", "25 m.", "V-1511", "ne"])
    buffer = io.BytesIO()
    book.save(buffer)
    [rule] = parse_import(buffer.getvalue())
    assert (rule.id, rule.years, rule.verified) == ("v1511-x", 25, False)
    with pytest.raises(InvalidPayload, match="XLSX"):
        parse_import(b"PK\x03\x04 broken")


@pytest.mark.parametrize(
    "data",
    [b'{"rules": ' * 100_000, b'{"rules": "\xff\xfe"}'],
    ids=["nested-json", "not-utf8-json"],
)
def test_json_that_cannot_be_read_is_a_lithuanian_422(data: bytes) -> None:
    with pytest.raises(InvalidPayload, match="JSON"):
        parse_import(data)


def test_a_rule_text_with_a_hidden_character_is_refused() -> None:
    bidi = CSV.replace("Suvestinės, metinės", "Suvestinės\u202emetinės")
    with pytest.raises(InvalidPayload, match=r"U\+202E.*|title"):
        parse_import(bidi.encode())


def test_a_json_rule_set_is_bounded_like_a_table() -> None:
    rule = {
        "index": "V-1511",
        "item": "1",
        "title": "Bylos",
        "term": "5 m.",
        "years": 5,
        "source": "V-1511",
    }
    rules = [rule | {"id": f"r-{n}"} for n in range(2002)]
    with pytest.raises(InvalidPayload, match="per daug taisyklių"):
        parse_import(json.dumps({"rules": rules}).encode())
