"""A register-year as people read it: the API listing, an XLSX sheet and a printable PDF/A.

The printed register is a record in its own right, so the PDF goes through the same converter,
metadata stamp and PDF/A check as an issued document.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from service.documents.kinds import TEMPLATES_DIR
from service.lt import long_date
from service.output import neutralise_workbook
from service.registry.models import EntryStatus, Register, RegistryEntry
from service.rendering.docx import render_docx
from service.rendering.pdfmeta import PdfMetadata, stamp_and_check
from service.settings import SchoolProfile

LISTING_TEMPLATE = TEMPLATES_DIR / "register-listing.docx"

STATUS_LT = {
    EntryStatus.registered: "įregistruotas",
    EntryStatus.void: "anuliuotas",
    EntryStatus.reserved: "rezervuotas (rengiamas)",
}
HEADERS = (
    "Eil. Nr.",
    "Registracijos Nr.",
    "Data",
    "Dokumento pavadinimas",
    "Būsena",
    "Anuliavimo priežastis",
    "Dokumento ID",
)
WIDTHS = (9, 18, 12, 42, 22, 50, 38)


class Converter(Protocol):
    def convert_to_pdfa(self, docx: bytes) -> bytes: ...


class RegisterOut(BaseModel):
    code: str
    title: str
    case_index: str
    number_format: str
    yearly_restart: bool


class EntryOut(BaseModel):
    seq: int
    number: str
    date: dt.date
    title: str
    document_id: str | None
    # "reserved" (a document being produced right now) is shown rather than hidden: every
    # number of the year is listed.
    status: str
    void_reason: str | None


def register_out(register: Register) -> RegisterOut:
    return RegisterOut(
        code=register.code,
        title=register.title,
        case_index=register.case_index,
        number_format=register.number_format,
        yearly_restart=register.yearly_restart,
    )


def entry_out(entry: RegistryEntry) -> EntryOut:
    return EntryOut(
        seq=entry.seq,
        number=entry.number,
        date=entry.date,
        title=entry.title,
        document_id=entry.document_id if entry.status == EntryStatus.registered else None,
        status=entry.status.value,
        void_reason=entry.void_reason,
    )


def to_xlsx(register: Register, year: int, entries: Sequence[RegistryEntry]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{register.code} {year}"
    ws.append(HEADERS)
    fill = PatternFill("solid", fgColor="D9D9D9")
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
        cell = ws.cell(row=1, column=column)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for entry in entries:
        ws.append(
            [
                entry.seq,
                entry.number,
                entry.date,
                entry.title,
                STATUS_LT[entry.status],
                entry.void_reason or "",
                entry.document_id if entry.status == EntryStatus.registered else "",
            ]
        )
        ws.cell(row=ws.max_row, column=3).number_format = "yyyy-mm-dd"
        for column in (4, 6):
            ws.cell(row=ws.max_row, column=column).alignment = Alignment(
                wrap_text=True, vertical="top"
            )
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(ws.max_row, 1)}"
    ws.print_title_rows = "1:1"
    wb.properties.creator = "Bylos"
    wb.properties.title = f"{register.title}, {year} m."
    wb.properties.created = wb.properties.modified = dt.datetime(year, 1, 1)
    neutralise_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def listing_context(
    register: Register,
    year: int,
    entries: Sequence[RegistryEntry],
    school: SchoolProfile,
    printed_on: dt.date,
    printed_by: str,
) -> dict[str, Any]:
    counts = dict.fromkeys(EntryStatus, 0)
    for entry in entries:
        counts[entry.status] += 1
    return {
        "school": school.model_dump(),
        "register": {"code": register.code, "title": register.title},
        "year": year,
        "printed": {"date_long": long_date(printed_on), "by": printed_by},
        "entries": [
            {
                "seq": e.seq,
                "number": e.number,
                "date": e.date.isoformat(),
                "title": e.title,
                "status": STATUS_LT[e.status],
                "note": e.void_reason or "",
            }
            for e in entries
        ],
        "totals": {
            "all": len(entries),
            "registered": counts[EntryStatus.registered],
            "void": counts[EntryStatus.void],
            "reserved": counts[EntryStatus.reserved],
        },
    }


def to_pdf(
    register: Register,
    year: int,
    entries: Sequence[RegistryEntry],
    *,
    school: SchoolProfile,
    converter: Converter,
    printed_on: dt.date,
    printed_by: str,
) -> bytes:
    context = listing_context(register, year, entries, school, printed_on, printed_by)
    title = f"{register.title}, {year} m."
    docx = render_docx(LISTING_TEMPLATE, context, title=title, author=school.name)
    return stamp_and_check(
        converter.convert_to_pdfa(docx),
        PdfMetadata(
            title=title,
            creator=school.name,
            subject=f"Registro {register.code} {year} m. įrašai ({len(entries)})",
            # The listing is not registered itself; it is identified by its register-year.
            registration_number=f"{register.code}/{year}",
            registration_date=printed_on,
            authors=[printed_by],
        ),
    )
