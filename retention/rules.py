"""Retention rules as data: which index item governs a kind of record and how long it is kept.

Rules are never constants in code (domain.md §3): the shipped defaults are unverified and the
archivist imports the official table or edits a rule, so everything round-trips through JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from retention.terms import TermParseError, Trigger, parse_term

__all__ = [
    "INDEXES",
    "RULE_FIELDS",
    "RetentionRule",
    "RuleDataError",
    "RuleSet",
    "Trigger",
    "UnknownRule",
    "default_rules",
    "load_rules",
    "parse_rule",
]

IndexName = Literal["V-1511", "V-100"]
INDEXES: tuple[str, ...] = ("V-1511", "V-100")

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# Bounded: an imported table is a file from outside (a megabyte "title" is refused).
_Text = Annotated[str, Field(min_length=1, max_length=500)]


class RuleDataError(ValueError):
    """Rule data that cannot be accepted; the Lithuanian message names the rule and the field."""


class UnknownRule(KeyError):
    """No rule with this id in the set."""

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id
        self.message = f"Saugojimo taisyklė „{rule_id}“ nerasta."
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError would print the repr (quoted); people read this message.
        return self.message


class RetentionRule(BaseModel):
    """One item of a retention index as the school applies it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(max_length=100, pattern=_SLUG)
    index: IndexName
    item: _Text
    title: _Text
    term: _Text
    # Strict: "50" or true must not silently become a term in an imported table.
    years: StrictInt | None = Field(default=None, le=200)
    permanent: StrictBool = False
    trigger: Trigger = Trigger.CASE_CLOSED
    event_name: _Text | None = None
    source: _Text
    verified: StrictBool = False
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _consistent(self) -> RetentionRule:
        if self.permanent:
            if self.years is not None:
                raise ValueError("nuolat saugomai taisyklei metų skaičius (years) nenurodomas")
            if self.trigger is Trigger.EVENT:
                raise ValueError("nuolat saugomos taisyklės terminas negali priklausyti nuo įvykio")
        elif self.years is None or self.years < 1:
            raise ValueError(
                "terminuotai taisyklei metų skaičius (years) turi būti ne mažesnis nei 1"
            )
        if self.trigger is Trigger.EVENT and self.event_name is None:
            raise ValueError(
                "nuo įvykio skaičiuojamai taisyklei būtina nurodyti įvykį (event_name)"
            )
        if self.trigger is Trigger.CASE_CLOSED and self.event_name is not None:
            raise ValueError("įvykis (event_name) nurodomas tik nuo įvykio skaičiuojamai taisyklei")
        self._check_term_text()
        return self

    def _check_term_text(self) -> None:
        """Catch a term text that contradicts the parsed fields (a typo in an imported table)."""
        try:
            parsed = parse_term(self.term)
        except TermParseError:
            # Wording the parser does not know: the explicit fields are authoritative.
            return
        if parsed.permanent != self.permanent or parsed.years != self.years:
            raise ValueError(
                f"terminas „{self.term}“ reiškia {_describe(parsed.years, parsed.permanent)}, "
                f"o nurodyta {_describe(self.years, self.permanent)}"
            )
        # Only this direction is dangerous: counting from the case would end the term before
        # the event it waits for. A bare "5 m." with an event is fine (condition in a column).
        if parsed.trigger is Trigger.EVENT and self.trigger is not Trigger.EVENT:
            raise ValueError(
                f"terminas „{self.term}“ skaičiuojamas nuo įvykio, todėl trigger turi būti „event“"
            )


# A rule's fields in the model's order: the columns of an imported table, the fields of the
# archivist's form (all but the id, which names the rule being edited).
RULE_FIELDS: tuple[str, ...] = tuple(RetentionRule.model_fields)


def _describe(years: int | None, permanent: bool) -> str:
    return "nuolatinį saugojimą" if permanent else f"{years} m."


class _RuleFile(BaseModel):
    """The JSON document shape shared by the shipped file and the archivist's import/export."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = ""
    rules: list[RetentionRule]


class RuleSet:
    """An immutable set of rules keyed by id; edits return a new set."""

    __slots__ = ("_by_id", "description")

    def __init__(self, rules: Iterable[RetentionRule], *, description: str = "") -> None:
        by_id: dict[str, RetentionRule] = {}
        for rule in rules:
            if rule.id in by_id:
                raise RuleDataError(f"Saugojimo taisyklės id „{rule.id}“ kartojasi.")
            by_id[rule.id] = rule
        self._by_id = by_id
        self.description = description

    @property
    def rules(self) -> tuple[RetentionRule, ...]:
        return tuple(self._by_id.values())

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def get(self, rule_id: str) -> RetentionRule:
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise UnknownRule(rule_id) from None

    def __getitem__(self, rule_id: str) -> RetentionRule:
        return self.get(rule_id)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._by_id

    def __iter__(self) -> Iterator[RetentionRule]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleSet):
            return NotImplemented
        return self.description == other.description and self.rules == other.rules

    __hash__ = None  # type: ignore[assignment]  # equality by content, like a list

    def __repr__(self) -> str:
        return f"RuleSet({len(self)} rules)"

    def with_rule(self, rule: RetentionRule) -> RuleSet:
        """Replace the rule with the same id (keeping its position) or append a new one."""
        by_id = dict(self._by_id)
        by_id[rule.id] = rule
        return RuleSet(by_id.values(), description=self.description)

    def unverified(self) -> tuple[RetentionRule, ...]:
        """Rules the archivist has not yet checked against the official table."""
        return tuple(rule for rule in self if not rule.verified)

    def to_json(self) -> str:
        document = _RuleFile(description=self.description, rules=list(self.rules))
        # Non-ASCII stays readable: the archivist edits this file by hand.
        return document.model_dump_json(indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> RuleSet:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RuleDataError(
                f"Taisyklių failas nėra tinkamas JSON: {exc.lineno} eilutė, {exc.colno} stulpelis."
            ) from exc
        except (ValueError, RecursionError) as exc:
            # Bytes that are not UTF-8, or nesting deeper than any rule table has.
            raise RuleDataError("Taisyklių failas nėra tinkamas UTF-8 JSON.") from exc
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: object) -> RuleSet:
        if not isinstance(data, Mapping):
            raise RuleDataError("Taisyklių failo šaknis turi būti objektas su sąrašu „rules“.")
        try:
            document = _RuleFile.model_validate(data)
        except ValidationError as exc:
            raise RuleDataError(_explain(exc, data)) from exc
        return cls(document.rules, description=document.description)


def parse_rule(data: Mapping[str, Any]) -> RetentionRule:
    """Validate one rule (e.g. an archivist's edit); errors are ``RuleDataError`` in Lithuanian."""
    try:
        return RetentionRule.model_validate(data)
    except ValidationError as exc:
        raise RuleDataError(_explain(exc, {"rules": [data]}, single=True)) from exc


def load_rules(path: str | os.PathLike[str]) -> RuleSet:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise RuleDataError(f"Nepavyko perskaityti taisyklių failo „{os.fspath(path)}“.") from exc
    return RuleSet.from_json(text)


@cache
def default_rules() -> RuleSet:
    """The shipped, unverified defaults (``retention/rules.json``)."""
    text = resources.files("retention").joinpath("rules.json").read_text(encoding="utf-8")
    return RuleSet.from_json(text)


# --- Lithuanian error messages -------------------------------------------------------------

_ALLOWED: dict[str, Sequence[str]] = {
    "index": INDEXES,
    "trigger": tuple(trigger.value for trigger in Trigger),
}


def _explain(exc: ValidationError, data: Mapping[str, Any], *, single: bool = False) -> str:
    lines = [_explain_one(error, data, single) for error in exc.errors()]
    return "Netinkami saugojimo taisyklių duomenys: " + "; ".join(lines) + "."


def _explain_one(error: ErrorDetails, data: Mapping[str, Any], single: bool) -> str:
    loc = list(error["loc"])
    where: list[str] = []
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        position = loc[1]
        rule_id = _rule_id(data, position)
        if single:
            where.append(f"taisyklė „{rule_id}“" if rule_id else "taisyklė")
        else:
            label = f"taisyklė Nr. {position + 1}"
            where.append(f"{label} („{rule_id}“)" if rule_id else label)
        loc = loc[2:]
    if loc:
        where.append("laukas „" + ".".join(str(part) for part in loc) + "“")
    field = str(loc[0]) if loc else ""
    message = _message(error, field)
    return f"{', '.join(where)}: {message}" if where else message


def _rule_id(data: Mapping[str, Any], position: int) -> str | None:
    rules = data.get("rules")
    if isinstance(rules, list) and position < len(rules) and isinstance(rules[position], Mapping):
        rule_id = rules[position].get("id")
        if isinstance(rule_id, str) and rule_id:
            return rule_id
    return None


class _Shown:
    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        text = repr(self.value)
        return text if len(text) <= 60 else text[:57] + "..."


def _message(error: ErrorDetails, field: str) -> str:
    kind = error["type"]
    ctx = error.get("ctx", {})
    # What was given, shortened: a refused megabyte is not echoed back.
    given = _Shown(error.get("input"))
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind == "missing":
        return "privalomas laukas nenurodytas"
    if kind == "extra_forbidden":
        return "nežinomas laukas"
    if kind in ("literal_error", "enum") and field in _ALLOWED:
        allowed = ", ".join(f"„{value}“" for value in _ALLOWED[field])
        return f"leistinos reikšmės: {allowed}; gauta {given!r}"
    if kind == "string_pattern_mismatch":
        return (
            "leidžiamos tik mažosios lotyniškos raidės, skaitmenys ir brūkšneliai "
            f"(pvz., „v1511-pupil-file“); gauta {given!r}"
        )
    if kind == "string_too_short":
        return "negali būti tuščias"
    if kind == "string_too_long":
        return f"per ilgas (daugiausia {ctx.get('max_length')} simbolių)"
    if kind == "less_than_equal":
        return f"turi būti ne daugiau kaip {ctx.get('le')}; gauta {given!r}"
    if kind == "greater_than_equal":
        return f"turi būti ne mažiau kaip {ctx.get('ge')}; gauta {given!r}"
    if kind.startswith("int"):
        return f"turi būti sveikasis skaičius; gauta {given!r}"
    if kind.startswith("bool"):
        return f"turi būti true arba false; gauta {given!r}"
    if kind.startswith("string"):
        return f"turi būti tekstas; gauta {given!r}"
    if kind in ("list_type", "tuple_type"):
        return "turi būti sąrašas"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "turi būti objektas"
    return f"netinkama reikšmė {given!r}"
