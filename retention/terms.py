"""Reading retention terms as written in the indexes and documentation plans ("50 m.", "P", ...)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple


class Trigger(StrEnum):
    """What the count of a retention term starts from."""

    # End of the calendar year in which the case was closed: the default (domain.md §2).
    CASE_CLOSED = "case_closed"
    # An event bound to the record (the pupil leaving, a contract ending): open until recorded.
    EVENT = "event"


class TermParseError(ValueError):
    """The text is not a term form this parser knows; the message is Lithuanian and quotes it."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"Nepavyko atpažinti saugojimo termino „{text}“: {reason}.")
        self.text = text


class ParsedTerm(NamedTuple):
    years: int | None
    permanent: bool
    trigger: Trigger


_YEARS = r"(?P<n>\d+)\s*(?:metų|metus|metai|m\.|m(?![^\W\d_]))"
_PERMANENT = re.compile(r"(?:p\.?|nuolat|nuolatinis|nuolatinis saugojimas)")
_UNTIL_PLUS = re.compile(rf"(?:iki|kol)\s+(?P<cond>.+?)\s*\+\s*{_YEARS}")
_YEARS_THEN = re.compile(rf"{_YEARS}\s*(?P<rest>.*)")
_LETTER = re.compile(r"[^\W\d_]")


def parse_term(text: str) -> ParsedTerm:
    """Parse a term as written: "50 m.", "P", "nuolat", "10 m. (pasibaigus sutarčiai)",
    "10 m. po mokinio išvykimo", "iki mokinio išvykimo + 10 m.".

    A condition after the years (in brackets or not) makes the term event-bound: it names what
    the count waits for. Raises ``TermParseError`` for anything else rather than guessing.
    """
    # Tables pasted from e-TAR carry non-breaking spaces and stray spacing.
    norm = " ".join(text.replace("\u00a0", " ").split()).casefold()
    if not norm:
        raise TermParseError(text, "terminas tuščias")
    if _PERMANENT.fullmatch(norm):
        return ParsedTerm(None, True, Trigger.CASE_CLOSED)
    if "mėn" in norm or "dien" in norm:
        raise TermParseError(text, "palaikomi tik metais nurodyti terminai")

    match = _UNTIL_PLUS.fullmatch(norm)
    if match is not None:
        return ParsedTerm(_years(text, match.group("n")), False, Trigger.EVENT)

    match = _YEARS_THEN.fullmatch(norm)
    if match is None:
        if norm.startswith(("iki ", "kol ")):
            raise TermParseError(
                text, "po įvykio trūksta metų skaičiaus (rašykite „iki ... + N m.“)"
            )
        raise TermParseError(text, "laukiama „N m.“, „P“, „nuolat“ arba „iki ... + N m.“")
    years = _years(text, match.group("n"))
    condition = match.group("rest").strip()
    if not condition:
        return ParsedTerm(years, False, Trigger.CASE_CLOSED)
    if condition.startswith("(") and condition.endswith(")"):
        condition = condition[1:-1].strip()
    # A footnote mark like "(1)" is not a condition; refuse it instead of inventing an event.
    if not _LETTER.search(condition):
        raise TermParseError(text, f"neatpažinta sąlyga „{condition}“")
    return ParsedTerm(years, False, Trigger.EVENT)


def _years(text: str, digits: str) -> int:
    years = int(digits)
    if years < 1:
        raise TermParseError(text, "terminas turi būti ne trumpesnis nei 1 metai")
    return years
