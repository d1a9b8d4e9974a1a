"""Bylų apyrašas: the inventory of closed cases, issued as a registered document on closing."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from service.cases.plan import CASE_INDEX, FIRST_YEAR, LAST_YEAR
from service.documents.validation import IsoDate, Text


def _case_index(value: str) -> str:
    if not CASE_INDEX.match(value):
        raise ValueError(f"netinkamas bylos indeksas „{value}“ (pvz., „1.1“ arba „4.6 E“)")
    return value


CaseIndex = Annotated[str, AfterValidator(_case_index)]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class InventoryCase(_Payload):
    index: CaseIndex
    title: Text
    first_date: IsoDate | None = None
    last_date: IsoDate | None = None
    documents: int = Field(ge=0, le=1_000_000)
    retention: Text
    closed_on: IsoDate

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.first_date and self.last_date and self.last_date < self.first_date:
            raise ValueError(
                f"„last_date“: bylos „{self.index}“ pabaigos data ankstesnė už pradžios datą"
            )
        return self

    def dates_text(self) -> str:
        if self.first_date is None or self.last_date is None:
            return "–"
        if self.first_date == self.last_date:
            return self.first_date.isoformat()
        return f"{self.first_date.isoformat()}–{self.last_date.isoformat()}"


class CaseInventory(_Payload):
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    cases: list[InventoryCase] = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        indexes = [c.index for c in self.cases]
        twice = sorted({i for i in indexes if indexes.count(i) > 1})
        if twice:
            raise ValueError(f"„cases“: bylos apyraše kartojasi: {', '.join(twice)}")
        return self

    def search_text(self) -> str:
        return f"{self.year} m. bylų apyrašas: " + ", ".join(c.index for c in self.cases)

    def template_context(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "cases": [
                {
                    "index": c.index,
                    "title": c.title,
                    "dates": c.dates_text(),
                    "documents": c.documents,
                    "retention": c.retention,
                    "closed_on": c.closed_on.isoformat(),
                }
                for c in self.cases
            ],
            "case_count": len(self.cases),
            "document_count": sum(c.documents for c in self.cases),
        }
