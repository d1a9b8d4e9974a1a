"""Payload models of the archivist's documents: the destruction act (dokumentų naikinimo aktas)
and the journal-transfer cover record (dienyno perkėlimo į skaitmeninę laikmeną įrašas)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from service.cases.inventory import date_span
from service.lt import count_text, long_date, school_year_text
from service.validation import IsoDate, OptionalProse, Text, clean_optional_line


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Person(_Payload):
    name: Text
    position: Text


class ActCase(_Payload):
    year: int = Field(ge=1900, le=2200)
    index: Text
    title: Text
    term: Text
    rule: Text
    # The index item the term expired under, as printed ("V-1511 6.6 p.").
    rule_text: Text = ""
    closed_on: IsoDate
    retain_until: IsoDate
    first_date: IsoDate | None = None
    last_date: IsoDate | None = None
    sheets: int = Field(default=0, ge=0, le=100_000_000)
    documents: int = Field(ge=0, le=10_000_000)
    # Every number of the case, written by Bylos itself: a long line for a big case.
    numbers: Annotated[
        str, StringConstraints(max_length=500_000), AfterValidator(clean_optional_line)
    ] = ""


class DestructionAct(_Payload):
    """Dokumentų naikinimo aktas (Dokumentų tvarkymo ir apskaitos taisyklės, V-118 in the
    edition of VE-68 as amended, the chapter on selecting documents for destruction): each case
    with its index, heading, date span, sheets, the retention term and the index item it
    expired under; the grounds; the expert commission's agreement (SUDERINTA) and the head's
    approval (TVIRTINU, recorded on the disposal when the director approves); totals in figures
    and words."""

    cases: list[ActCase] = Field(min_length=1, max_length=2000)
    compiled_by: Person
    basis: Text = (
        "Bylų saugojimo terminai, nustatyti Bendrųjų dokumentų saugojimo terminų rodyklėje ir "
        "Švietimo įstaigų veiklos dokumentų saugojimo terminų rodyklėje, pasibaigė; bylos "
        "neturi išliekamosios vertės ir atrinktos naikinti įvertinus jų vertę."
    )
    commission_name: Text = "Dokumentų ekspertų komisija"

    def heading(self) -> str:
        years = sorted({c.year for c in self.cases})
        span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
        cases = count_text(len(self.cases), "byla")
        return f"Dokumentų naikinimo aktas – {span} m. bylos: {cases}"

    def search_text(self) -> str:
        return "naikinimo aktas " + " ".join(f"{c.year} {c.index}" for c in self.cases)

    def template_context(self) -> dict[str, Any]:
        return {
            "cases": [
                {
                    "year": c.year,
                    "index": c.index,
                    "title": c.title,
                    "term": c.term,
                    "rule_text": c.rule_text or c.rule,
                    "closed_on": c.closed_on.isoformat(),
                    "retain_until": c.retain_until.isoformat(),
                    "dates": date_span(c.first_date, c.last_date),
                    "sheets": c.sheets,
                    "documents": c.documents,
                    "numbers": c.numbers,
                }
                for c in self.cases
            ],
            "case_count": len(self.cases),
            "document_count": sum(c.documents for c in self.cases),
            "totals": {
                "cases_text": count_text(len(self.cases), "byla"),
                "sheets_text": count_text(sum(c.sheets for c in self.cases), "lapas"),
                "documents_text": count_text(sum(c.documents for c in self.cases), "dokumentas"),
            },
            "commission_name": self.commission_name,
            "compiled_by": {"name": self.compiled_by.name, "position": self.compiled_by.position},
            "basis": self.basis,
        }


class JournalTransfer(_Payload):
    """What was handed over: the e-journal's export file, identified by its SHA-256."""

    school_year: Text
    file_name: Text
    media_type: Text
    # S3's single-PUT limit, as the upload's own.
    size: int = Field(ge=0, le=5 * 1024**3)
    sha256: str = Field(max_length=64, pattern=r"^[0-9a-f]{64}$")
    transferred_on: IsoDate
    transferred_by: Person
    note: Annotated[OptionalProse, Field(max_length=500)] = ""

    def heading(self) -> str:
        return (
            f"{school_year_text(self.school_year)} m. m. elektroninis dienynas, perkeltas į "
            "skaitmeninę laikmeną"
        )

    def signer(self) -> str:
        return self.transferred_by.name

    def search_text(self) -> str:
        return f"dienynas {self.school_year} {self.file_name}"

    def template_context(self) -> dict[str, Any]:
        return {
            "school_year": self.school_year,
            "file_name": self.file_name,
            "media_type": self.media_type,
            "size_text": _size_text(self.size),
            "size": self.size,
            "sha256": self.sha256,
            "transferred_on_long": long_date(self.transferred_on),
            "transferred_by": {
                "name": self.transferred_by.name,
                "position": self.transferred_by.position,
            },
            "note": self.note,
        }


def _size_text(size: int) -> str:
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    value = float(size)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            text = f"{value:.0f}" if unit == "B" else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit} ({size} baitų)"
        value /= 1024
    raise AssertionError("unreachable")
