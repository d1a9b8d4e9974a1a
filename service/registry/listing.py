"""A register-year as people read it: the API listing, an XLSX sheet and a printable PDF/A.

The printed register is a record in its own right, so the PDF goes through the same converter,
metadata stamp and PDF/A check as an issued document.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from service.lt import long_date
from service.output import headed_sheet, neutralise_workbook
from service.registry.models import EntryStatus, Register, RegistryEntry
from service.rendering.docx import TEMPLATES_DIR, render_docx
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
    "Dokumento antraštė",
    "Adresatas",
    "Pasirašė",
    "Bylos indeksas",
    "Būsena",
    "Pastabos",
    "Dokumento ID",
)
WIDTHS = (9, 18, 12, 60, 34, 30, 10, 16, 50, 38)


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One number of a register-year as the register prints it: the entry and, for a
    registered document, what it is (heading), to whom, who signed, where it is filed and what
    became of it (notes: replaced, voided, destroyed, held)."""

    entry: RegistryEntry
    heading: str
    addressee: str = ""
    signer: str = ""
    case_index: str = ""
    replaced_by: str | None = None  # the replacing version's number
    replaced_reason: str = ""
    destroyed_by: str | None = None  # the destruction act's number
    destroyed_on: dt.date | None = None
    held: str | None = None  # the hold's reason

    @property
    def state(self) -> str:
        """The entry's state as the register's "Būsena" column reads."""
        if self.entry.status != EntryStatus.registered:
            return STATUS_LT[self.entry.status]
        if self.destroyed_by:
            return "sunaikintas"
        if self.replaced_by:
            return "pakeistas"
        return STATUS_LT[EntryStatus.registered]

    @property
    def notes(self) -> str:
        notes: list[str] = []
        if self.entry.status == EntryStatus.void:
            notes.append(f"Anuliuotas: {self.entry.void_reason or 'priežastis nenurodyta'}")
        if self.replaced_by:
            reason = f" (priežastis: {self.replaced_reason})" if self.replaced_reason else ""
            notes.append(f"Pakeistas dokumentu Nr. {self.replaced_by}{reason}")
        if self.destroyed_by:
            day = f" {self.destroyed_on.isoformat()}" if self.destroyed_on else ""
            notes.append(f"Sunaikintas{day} pagal dokumentų naikinimo aktą Nr. {self.destroyed_by}")
        if self.held:
            notes.append(f"Sulaikytas: {self.held}")
        return "; ".join(notes)


@dataclass(frozen=True, slots=True)
class Totals:
    """The year's totals the printed register ends with."""

    all: int
    registered: int
    void: int
    reserved: int
    replaced: int
    destroyed: int
    held: int

    @classmethod
    def of(cls, rows: Sequence[RegisterRow]) -> Totals:
        status = [r.entry.status for r in rows]
        return cls(
            all=len(rows),
            registered=status.count(EntryStatus.registered),
            void=status.count(EntryStatus.void),
            reserved=status.count(EntryStatus.reserved),
            replaced=sum(1 for r in rows if r.replaced_by),
            destroyed=sum(1 for r in rows if r.destroyed_by),
            held=sum(1 for r in rows if r.held),
        )

    @property
    def text(self) -> str:
        text = (
            f"Iš viso numerių: {self.all}; įregistruota dokumentų: {self.registered}; "
            f"anuliuota numerių: {self.void}; pakeista naujomis versijomis: {self.replaced}; "
            f"sunaikinta: {self.destroyed}"
        )
        if self.held:
            text += f"; sulaikyta: {self.held}"
        if self.reserved:
            text += f"; rengiama: {self.reserved}"
        return text + "."


def bare_rows(entries: Sequence[RegistryEntry]) -> list[RegisterRow]:
    """Rows that know only the entries (a register without its documents at hand)."""
    return [RegisterRow(entry=e, heading=e.title) for e in entries]


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
    # The document kind's name; ``heading`` says which document it is.
    title: str
    heading: str
    addressee: str
    signer: str
    case_index: str
    document_id: str | None
    # "reserved" (a document being produced right now) is shown rather than hidden: every
    # number of the year is listed.
    status: str
    # What the register's "Būsena" column prints: also "pakeistas" and "sunaikintas".
    state: str
    void_reason: str | None
    replaced_by: str | None
    destroyed_by_act: str | None
    held: bool
    notes: str


def register_out(register: Register) -> RegisterOut:
    return RegisterOut(
        code=register.code,
        title=register.title,
        case_index=register.case_index,
        number_format=register.number_format,
        yearly_restart=register.yearly_restart,
    )


def entry_out(row: RegisterRow) -> EntryOut:
    entry = row.entry
    return EntryOut(
        seq=entry.seq,
        number=entry.number,
        date=entry.date,
        title=entry.title,
        heading=row.heading,
        addressee=row.addressee,
        signer=row.signer,
        case_index=row.case_index,
        document_id=entry.document_id if entry.status == EntryStatus.registered else None,
        status=entry.status.value,
        state=row.state,
        void_reason=entry.void_reason,
        replaced_by=row.replaced_by,
        destroyed_by_act=row.destroyed_by,
        held=row.held is not None,
        notes=row.notes,
    )


def to_xlsx(register: Register, year: int, rows: Sequence[RegisterRow]) -> bytes:
    wb = Workbook()
    ws = headed_sheet(wb, f"{register.code} {year}", HEADERS, WIDTHS)
    for row in rows:
        entry = row.entry
        ws.append(
            [
                entry.seq,
                entry.number,
                entry.date,
                row.heading,
                row.addressee,
                row.signer,
                row.case_index,
                row.state,
                row.notes,
                entry.document_id if entry.status == EntryStatus.registered else "",
            ]
        )
        ws.cell(row=ws.max_row, column=3).number_format = "yyyy-mm-dd"
        for column in (4, 5, 6, 9):
            ws.cell(row=ws.max_row, column=column).alignment = Alignment(
                wrap_text=True, vertical="top"
            )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(ws.max_row, 1)}"
    ws.print_title_rows = "1:1"
    # The year's totals under the entries, as the printed register ends.
    ws.append([])
    ws.append(["Iš viso", None, None, Totals.of(rows).text])
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
    rows: Sequence[RegisterRow],
    school: SchoolProfile,
    printed_on: dt.date,
    printed_by: str,
) -> dict[str, Any]:
    totals = Totals.of(rows)
    return {
        "school": school.model_dump(),
        "register": {"code": register.code, "title": register.title},
        "year": year,
        "printed": {"date_long": long_date(printed_on), "by": printed_by},
        "entries": [
            {
                "seq": r.entry.seq,
                "number": r.entry.number,
                "date": r.entry.date.isoformat(),
                "heading": r.heading,
                "addressee": r.addressee,
                "signer": r.signer,
                "case_index": r.case_index,
                "status": r.state,
                "note": r.notes,
            }
            for r in rows
        ],
        "totals": {
            "all": totals.all,
            "registered": totals.registered,
            "void": totals.void,
            "reserved": totals.reserved,
            "replaced": totals.replaced,
            "destroyed": totals.destroyed,
            "text": totals.text,
        },
    }


def to_pdf(
    register: Register,
    year: int,
    entries: Sequence[RegisterRow],
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
    ).data
