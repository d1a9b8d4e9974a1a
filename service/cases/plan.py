"""The yearly documentation plan and filing documents into its cases."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources

from sqlmodel import Session, select

from service.cases.models import Case, CaseStatus
from service.db import insert_ignoring_conflicts
from service.errors import Conflict, InvalidPayload, NotFound

# "1.1", "4.6 E": numbered activity area, case number, and a trailing " E" for electronic cases.
CASE_INDEX = re.compile(r"^\d+(\.\d+)+( E)?$")


@dataclass(frozen=True, slots=True)
class PlannedCase:
    index: str
    title: str
    retention_rule: str


def default_plan() -> list[PlannedCase]:
    """The plan a year starts from when the school has not set one up yet."""
    raw = json.loads(resources.files("service.cases").joinpath("default_plan.json").read_text())
    return [PlannedCase(**c) for area in raw["areas"] for c in area["cases"]]


def validate_index(index: str) -> str:
    if not CASE_INDEX.match(index):
        raise InvalidPayload(
            f"Netinkamas bylos indeksas „{index}“: turi būti, pvz., „1.1“ arba „4.6 E“."
        )
    return index


def ensure_year(session: Session, year: int) -> None:
    """Lay out the year's cases from the default plan the first time the year is used."""
    if session.exec(select(Case.id).where(Case.year == year)).first() is not None:
        return
    insert_ignoring_conflicts(
        session,
        Case,
        [
            {
                "year": year,
                "index": p.index,
                "title": p.title,
                "retention_rule": p.retention_rule,
                "status": CaseStatus.open,
            }
            for p in default_plan()
        ],
    )


def open_case_for_filing(session: Session, year: int, index: str) -> Case:
    """The case a new document goes into; a closed case takes no more documents."""
    validate_index(index)
    ensure_year(session, year)
    case = session.exec(select(Case).where(Case.year == year, Case.index == index)).first()
    if case is None:
        raise NotFound(f"{year} m. dokumentacijos plane nėra bylos „{index}“.")
    if case.status == CaseStatus.closed:
        raise Conflict(
            f"Byla „{case.index} {case.title}“ ({year} m.) uždaryta: į ją dokumentų dėti negalima."
        )
    return case
