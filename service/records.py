"""The school's choices the records rules leave open, as data (README "Bylų apskaita").

The rules in force are the Chief Archivist's Dokumentų tvarkymo ir apskaitos taisyklės
(approved by order No. V-118 of 2011-07-04, in the edition of order No. VE-68 of 2019-12-12,
as amended; "Taisyklės" below). They group cases by retention: permanent cases (nuolat
saugomos), long-term cases (ilgai saugomos: kept longer than 10 years) and temporary cases
(laikinai saugomos: up to 10 years). Permanent and long-term cases go on inventories of their
own; temporary cases are accounted for in the destruction act when their term ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from retention.rules import RetentionRule


class Group(StrEnum):
    permanent = "permanent"
    long_term = "long-term"
    temporary = "temporary"


# How each group's inventory is titled and how its cases are named in a sentence.
GROUP_TITLES: dict[Group, str] = {
    Group.permanent: "Nuolat saugomų bylų apyrašas",
    Group.long_term: "Ilgai saugomų bylų apyrašas",
    Group.temporary: "Laikinai saugomų bylų sąrašas",
}
GROUP_ADJECTIVES: dict[Group, str] = {
    Group.permanent: "nuolat saugomų",
    Group.long_term: "ilgai saugomų",
    Group.temporary: "laikinai saugomų",
}
INVENTORIED = (Group.permanent, Group.long_term)


@dataclass(frozen=True, slots=True)
class RecordsSettings:
    """``long_term_over_years``: a term longer than this many years makes a case long-term
    (Taisyklės: ilgai saugomos bylos – saugomos ilgiau nei 10 metų; the figure is data should
    an edition change it). ``pages_per_sheet``: 2 when the school prints double-sided, so a
    case's sheets (lapai) are its pages halved, rounded up per document. ``commission``: how
    the expert commission is named on inventories and acts."""

    long_term_over_years: int = 10
    pages_per_sheet: int = 1
    commission: str = "Dokumentų ekspertų komisija"

    def group(self, rule: RetentionRule) -> Group:
        """The retention group of a case kept under ``rule``. An event-bound term without a
        fixed number of years (e.g. "75 m. nuo ...") counts by its years; one with no years at
        all is long-term: nothing says it may be destroyed within the temporary span."""
        if rule.permanent:
            return Group.permanent
        if rule.years is None or rule.years > self.long_term_over_years:
            return Group.long_term
        return Group.temporary

    def sheets(self, pages: int) -> int:
        """Sheets a document of ``pages`` pages takes on paper."""
        return -(-pages // self.pages_per_sheet)
