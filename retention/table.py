"""Reading an official retention table's rows into rules, all row errors at once.

Pure: the caller hands over the table's rows (service/spreadsheets.py reads them from a CSV or
XLSX with every size bounded first) and gets rules or one ``RuleDataError`` that lists every
bad row, so an import either applies completely or changes nothing. Columns are matched by header
(English field names or their Lithuanian names); ``years``, ``permanent`` and ``trigger`` may be
left out and are then read from the term text ("50 m.", "P", "10 m. po mokinio išvykimo").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from retention.rules import RULE_FIELDS, RetentionRule, RuleDataError, parse_rule
from retention.terms import TermParseError, Trigger, parse_term

__all__ = ["parse_rows"]

_ALIASES: dict[str, str] = {
    "rodyklė": "index",
    "rodykle": "index",
    "punktas": "item",
    "straipsnis": "item",
    "pavadinimas": "title",
    "dokumentai": "title",
    "terminas": "term",
    "saugojimo terminas": "term",
    "metai": "years",
    "nuolat": "permanent",
    "įvykis": "event_name",
    "ivykis": "event_name",
    "šaltinis": "source",
    "saltinis": "source",
    "patikrinta": "verified",
    "pastaba": "note",
    "pastabos": "note",
}
_REQUIRED = ("id", "index", "item", "title", "term", "source")
_TRUE = {"true", "1", "taip", "t", "yes", "x"}
_FALSE = {"false", "0", "ne", "n", "no", ""}


def _column(header: object) -> str | None:
    name = " ".join(str(header or "").replace("\u00a0", " ").split()).casefold()
    if name in RULE_FIELDS:
        return name
    return _ALIASES.get(name)


def _flag(value: str, field: str) -> bool:
    folded = value.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError(f"laukas „{field}“ turi būti „taip“ arba „ne“; gauta „{value}“")


def _row_rule(cells: dict[str, str], *, default_verified: bool) -> RetentionRule:
    data: dict[str, Any] = {
        k: v.strip() for k, v in cells.items() if k not in ("years", "permanent", "verified")
    }
    if not data.get("event_name"):
        data.pop("event_name", None)
    if not data.get("trigger"):
        data.pop("trigger", None)
    term = data.get("term", "")
    parsed = None
    if term:
        try:
            parsed = parse_term(term)
        except TermParseError:
            parsed = None
    years_text = cells.get("years", "").strip()
    if years_text:
        try:
            data["years"] = int(float(years_text))
        except ValueError:
            raise ValueError(
                f"laukas „years“ turi būti sveikasis skaičius; gauta „{years_text}“"
            ) from None
    elif parsed is not None and parsed.years is not None:
        data["years"] = parsed.years
    if cells.get("permanent", "").strip():
        data["permanent"] = _flag(cells["permanent"], "permanent")
    elif parsed is not None:
        data["permanent"] = parsed.permanent
    if "trigger" not in data and parsed is not None:
        data["trigger"] = parsed.trigger.value
    if data.get("trigger") == Trigger.EVENT.value and "event_name" not in data and term:
        # The condition in the term text is the event ("10 m. po mokinio išvykimo").
        data["event_name"] = term
    verified = cells.get("verified")
    data["verified"] = default_verified if verified is None else _flag(verified, "verified")
    return parse_rule(data)


def parse_rows(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    default_verified: bool = True,
    first_row_number: int = 2,
) -> list[RetentionRule]:
    """Rules from a header and data rows; ``RuleDataError`` names every bad row.

    An imported official table is the archivist's verification, hence ``verified`` defaults to
    true when the table has no such column.
    """
    columns = [_column(h) for h in header]
    missing = [f for f in _REQUIRED if f not in columns]
    if missing:
        names = ", ".join(f"„{m}“" for m in missing)
        raise RuleDataError(f"Lentelėje trūksta stulpelių: {names}.")
    errors: list[str] = []
    rules: list[RetentionRule] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=first_row_number):
        cells = {
            col: "" if value is None else str(value)
            for col, value in zip(columns, row, strict=False)
            if col is not None
        }
        if not any(v.strip() for v in cells.values()):
            continue  # blank lines between sections of a pasted table
        try:
            rule = _row_rule(cells, default_verified=default_verified)
        except (RuleDataError, ValueError) as exc:
            message = str(exc).removeprefix("Netinkami saugojimo taisyklių duomenys: ")
            errors.append(f"{number} eilutė: {message.rstrip('.')}")
            continue
        if rule.id in seen:
            errors.append(f"{number} eilutė: id „{rule.id}“ jau buvo {seen[rule.id]} eilutėje")
            continue
        seen[rule.id] = number
        rules.append(rule)
    if errors:
        raise RuleDataError("Lentelė neimportuota, klaidos: " + "; ".join(errors) + ".")
    if not rules:
        raise RuleDataError("Lentelėje nėra nė vienos taisyklės.")
    return rules
