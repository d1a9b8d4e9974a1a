"""The hostile spreadsheets a security review sent to Bylos, built small in memory.

Used by tests/security/test_upload_bombs.py (each must get a Lithuanian 422) and by
bench/security_uploads.py (which measures how long and how much memory each refusal takes).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from service.documents.tabular_import import blank_summary_template

_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


@dataclass(frozen=True, slots=True)
class Bomb:
    name: str
    filename: str
    build: Callable[[], bytes]
    what: str


def _template_members() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blank_summary_template())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _xlsx(replace: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    members = _template_members() | replace
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _sheet(body: bytes, dimension: bytes = b"A1") -> bytes:
    return (
        _SHEET_HEAD
        + b'<dimension ref="'
        + dimension
        + b'"/><sheetData>'
        + body
        + b"</sheetData></worksheet>"
    )


def wide_row() -> bytes:
    """The review's file: one row of 1.5 million cells, ~45 KB deflated."""
    return _xlsx(
        {"xl/worksheets/sheet1.xml": _sheet(b'<row r="1">' + b"<c/>" * 1_500_000 + b"</row>")}
    )


def wide_row_stored() -> bytes:
    """A wide row that no compression ratio gives away: 20,000 stored cells."""
    row = b'<row r="1">' + b'<c t="n"><v>1</v></c>' * 20_000 + b"</row>"
    return _xlsx({"xl/worksheets/sheet1.xml": _sheet(row)}, compression=zipfile.ZIP_STORED)


def dimension() -> bytes:
    """1.5 KB declaring A1:XFD1048576: a read-only sheet pads every row of it."""
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Klas\xc4\x97</t></is></c></row>'
    return _xlsx({"xl/worksheets/sheet1.xml": _sheet(row, b"A1:XFD1048576")})


def far_cell() -> bytes:
    """One cell in the sheet's last row: the same padding without a dimension."""
    row = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>'
    return _xlsx({"xl/worksheets/sheet1.xml": _sheet(row)})


def shared_strings() -> bytes:
    """300,000 distinct shared strings (openpyxl loads the whole table into memory)."""
    items = b"".join(b"<si><t>%d</t></si>" % i for i in range(300_000))
    table = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + items
        + b"</sst>"
    )
    return _xlsx({"xl/sharedStrings.xml": table})


def zip_ratio() -> bytes:
    """A member that unpacks to 20 MiB from a few kilobytes."""
    return _xlsx({"xl/media/image1.png": b"\0" * (20 * 1024 * 1024)})


def billion_laughs() -> bytes:
    entities = b'<!ENTITY a0 "ha">' + b"".join(
        b'<!ENTITY a%d "&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;">' % (i, *(i - 1,) * 10)
        for i in range(1, 10)
    )
    body = b'<row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row>'
    sheet = (
        b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [' + entities + b"]>"
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + body + b"</sheetData></worksheet>"
    )
    return _xlsx({"xl/worksheets/sheet1.xml": sheet})


def xxe() -> bytes:
    sheet = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    return _xlsx({"xl/worksheets/sheet1.xml": sheet})


def truncated() -> bytes:
    data = blank_summary_template()
    return data[: len(data) // 2]


def csv_field() -> bytes:
    """A CSV whose one field is 200,000 characters long."""
    return b"Klas\xc4\x97;5a\nVardas;Pavard\xc4\x97\n" + b"A" * 200_000 + b";B\n"


def csv_wide() -> bytes:
    return b"Klas\xc4\x97;5a\n" + b";" * 100_000 + b"\n"


BOMBS: tuple[Bomb, ...] = (
    Bomb("wide-row", "platus.xlsx", wide_row, "1,5 mln. langelių vienoje eilutėje (deflate)"),
    Bomb("wide-row-stored", "platus2.xlsx", wide_row_stored, "20 000 langelių, nesuspausta"),
    Bomb("dimension", "matmuo.xlsx", dimension, "dimension A1:XFD1048576"),
    Bomb("far-cell", "tolimas.xlsx", far_cell, "langelis XFD1048576"),
    Bomb("shared-strings", "tekstai.xlsx", shared_strings, "300 000 bendrų tekstų"),
    Bomb("zip-ratio", "santykis.xlsx", zip_ratio, "20 MiB iš kelių KB"),
    Bomb("billion-laughs", "juokai.xlsx", billion_laughs, "DTD esybių sprogimas"),
    Bomb("xxe", "xxe.xlsx", xxe, "išorinė esybė file:///etc/passwd"),
    Bomb("truncated", "nukirstas.xlsx", truncated, "nukirstas ZIP"),
    Bomb("csv-field", "laukas.csv", csv_field, "200 000 simbolių CSV laukas"),
    Bomb("csv-wide", "platus.csv", csv_wide, "100 000 CSV stulpelių"),
)
