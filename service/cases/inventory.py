"""Bylų apyrašas: the inventory of a year's closed cases of one retention group.

Dokumentų tvarkymo ir apskaitos taisyklės (Chief Archivist's order No. V-118 of 2011-07-04 in
the edition of order No. VE-68 of 2019-12-12, as amended; chapter on case inventories):
permanent and long-term cases are put on inventories of their own, one per group; temporary
cases are not inventoried but accounted for in the destruction act when their term ends. Each
row gives the case index, heading, the dates of its first and last document, the number of
sheets, the retention term and notes; the inventory ends with its totals in figures and words
and the numbering range, is signed by its compiler, agreed by the expert commission
(SUDERINTA, with the protocol's date and number) and approved by the head (TVIRTINU). A
corrected inventory is a new version that says which one it replaces (service/documents/
versions.py). The paragraph numbers of that chapter were not checked against the consolidated
text here; README "Bylų apskaita" says so.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from service.case_index import CASE_INDEX
from service.cases.plan import FIRST_YEAR, LAST_YEAR
from service.lt import count_text, long_date
from service.records import GROUP_ADJECTIVES, GROUP_TITLES, Group
from service.validation import IsoDate, OptionalProse, Text


def _case_index(value: str) -> str:
    if not CASE_INDEX.match(value):
        raise ValueError(f"netinkamas bylos indeksas „{value}“ (pvz., „1.1“ arba „4.6 E“)")
    return value


CaseIndex = Annotated[str, AfterValidator(_case_index)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def date_span(first: Any, last: Any) -> str:
    """``2026-01-12–2026-11-28``; one date when both are the same; a dash when none."""
    if first is None or last is None:
        return "–"
    if first == last:
        return str(first.isoformat())
    return f"{first.isoformat()}–{last.isoformat()}"


class InventoryCase(_Payload):
    index: CaseIndex
    title: Text
    first_date: IsoDate | None = None
    last_date: IsoDate | None = None
    documents: int = Field(ge=0, le=1_000_000)
    # Sheets (lapai) the case takes on paper, counted from its documents' PDF pages.
    sheets: int = Field(default=0, ge=0, le=10_000_000)
    retention: Text
    closed_on: IsoDate
    note: Annotated[OptionalProse, Field(max_length=500)] = ""

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.first_date and self.last_date and self.last_date < self.first_date:
            raise ValueError(
                f"„last_date“: bylos „{self.index}“ pabaigos data ankstesnė už pradžios datą"
            )
        return self

    def dates_text(self) -> str:
        return date_span(self.first_date, self.last_date)


class Person(_Payload):
    name: Text
    position: Text


class CommissionAgreement(_Payload):
    """The expert commission's agreement: its meeting's protocol, entered when it met."""

    protocol_date: IsoDate
    protocol_number: Text


class CaseInventory(_Payload):
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    group: Literal["permanent", "long-term"] = "permanent"
    cases: list[InventoryCase] = Field(min_length=1, max_length=2000)
    # The number the first row takes: 1 unless the school continues its numbering from the
    # previous year's inventory of the same group (README).
    first_number: int = Field(default=1, ge=1, le=1_000_000)
    compiled_by: Person | None = None
    commission_name: Text = "Dokumentų ekspertų komisija"
    commission: CommissionAgreement | None = None

    @model_validator(mode="after")
    def _unique(self) -> Self:
        indexes = [c.index for c in self.cases]
        twice = sorted({i for i in indexes if indexes.count(i) > 1})
        if twice:
            raise ValueError(f"„cases“: bylos apyraše kartojasi: {', '.join(twice)}")
        return self

    @property
    def title(self) -> str:
        return GROUP_TITLES[Group(self.group)]

    def heading(self) -> str:
        return f"{self.year} m. {GROUP_ADJECTIVES[Group(self.group)]} bylų apyrašas"

    def signer(self) -> str:
        return self.compiled_by.name if self.compiled_by else ""

    def search_text(self) -> str:
        return f"{self.heading()}: " + ", ".join(c.index for c in self.cases)

    def template_context(self) -> dict[str, Any]:
        last = self.first_number + len(self.cases) - 1
        sheets = sum(c.sheets for c in self.cases)
        return {
            "year": self.year,
            "title": self.title,
            "title_upper": self.title.upper(),
            "cases": [
                {
                    "no": self.first_number + i,
                    "index": c.index,
                    "title": c.title,
                    "dates": c.dates_text(),
                    "documents": c.documents,
                    "sheets": c.sheets,
                    "retention": c.retention,
                    "closed_on": c.closed_on.isoformat(),
                    "note": c.note,
                }
                for i, c in enumerate(self.cases)
            ],
            "case_count": len(self.cases),
            "document_count": sum(c.documents for c in self.cases),
            "totals": {
                "cases_text": count_text(len(self.cases), "byla"),
                "sheets_text": count_text(sheets, "lapas"),
                "first": self.first_number,
                "last": last,
            },
            "compiled_by": {
                "name": self.compiled_by.name if self.compiled_by else "",
                "position": self.compiled_by.position if self.compiled_by else "",
            },
            "commission_name": self.commission_name,
            "commission": (
                {
                    "date_long": long_date(self.commission.protocol_date),
                    "number": self.commission.protocol_number,
                }
                if self.commission
                else None
            ),
        }
