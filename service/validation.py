"""Payload validation with Lithuanian messages that name the offending field.

Every string a person or a client sends goes through one of the types here (``Text`` for a
line, ``Prose`` for paragraphs, ``OptionalText``/``OptionalProse`` where empty means "none"),
never a bare ``str``: each has an upper length bound (a 1.5 MB "reason" would otherwise hold a
converter for half a minute) and refuses characters that do not mean what they show — C0/C1
control characters (a BEL opens a paragraph in the DOCX, a form feed a page break), bidi
overrides and isolates, zero-width and other invisible format characters, line and paragraph
separators and lone surrogates. Tab and newline are prose: allowed only in ``Prose``.
tests/security/test_text_bounds.py walks every model and fails on a string without them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, ErrorDetails

from service.errors import InvalidPayload
from service.lt import normalize_mark

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Dates a school record can carry: anything else is a typo (0337-01-27) or a probe (9999-12-31)
# whose retention date would not fit the calendar. Checked before a number is taken.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)

# One line on paper: a name, a title, an order number, a school's address.
LINE_MAX = 500
# A reason, a note, a briefing's content: a few pages at most.
PROSE_MAX = 10_000
_PROSE_EXTRA = frozenset("\t\n")
# Unicode categories of characters that print as nothing or as something else: controls (Cc),
# format characters (Cf: bidi controls U+202A-202E/2066-2069, zero-width U+200B-200D, U+2060,
# U+FEFF, the soft hyphen), surrogates (Cs), line and paragraph separators (Zl, Zp).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_KIND_OF = {
    "Cc": "valdymo simbolis",
    "Cf": "nematomas formatavimo simbolis (teksto krypties keitimas ar nulinio pločio ženklas)",
    "Cs": "pavienis surogatas (sugadintas simbolis)",
    "Zl": "eilutės skirtukas",
    "Zp": "pastraipos skirtukas",
}


def hidden_character(value: str, *, prose: bool = False) -> str | None:
    """What is wrong with ``value``'s first character that does not mean what it shows, if any."""
    for position, char in enumerate(value, start=1):
        if prose and char in _PROSE_EXTRA:
            continue
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES or _is_noncharacter(char):
            if char in "\t\n\r":
                what = "tabuliacija ar nauja eilutė šiame lauke neleidžiama"
            else:
                what = _KIND_OF.get(category, "neleistinas simbolis")
            # The character itself is never echoed: a lone surrogate cannot even be encoded.
            return f"yra neleistinas simbolis U+{ord(char):04X} ({what}), {position} pozicijoje"
    return None


def _is_noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _clean(value: str, *, prose: bool, empty_ok: bool) -> str:
    if prose:
        # Browsers send a textarea's line breaks as CRLF: one newline is what the person typed.
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    problem = hidden_character(value, prose=prose)
    if problem:
        raise ValueError(problem)
    value = value.strip()
    if not value and not empty_ok:
        raise ValueError("reikšmė negali būti tuščia")
    return value


def clean_line(value: str) -> str:
    return _clean(value, prose=False, empty_ok=False)


def clean_prose(value: str) -> str:
    return _clean(value, prose=True, empty_ok=False)


def clean_optional_line(value: str) -> str:
    return _clean(value, prose=False, empty_ok=True)


def clean_optional_prose(value: str) -> str:
    return _clean(value, prose=True, empty_ok=True)


def clean_mark(value: object) -> str:
    """A mark is one of a closed set of words and numbers: nothing else gets through."""
    if isinstance(value, str):
        problem = hidden_character(value)
        if problem:
            raise ValueError(problem)
    return normalize_mark(value)


def clean_secret(value: str) -> str:
    """A password: exactly as typed (spaces count), but no control or invisible characters
    (one typed by accident could never be typed again at sign-in)."""
    problem = hidden_character(value)
    if problem:
        raise ValueError(problem)
    if not value:
        raise ValueError("reikšmė negali būti tuščia")
    return value


# The validators every string passes (tests/security/test_text_bounds.py looks for them).
TEXT_VALIDATORS = frozenset(
    {clean_line, clean_prose, clean_optional_line, clean_optional_prose, clean_mark, clean_secret}
)


def _iso_date(value: object) -> object:
    # Pydantic's lax mode would also take a number as a Unix timestamp; the contract says
    # dates are YYYY-MM-DD and nothing else.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        date = value
    elif not isinstance(value, str) or not _ISO_DATE.match(value):
        shown = value[:40] if isinstance(value, str) else value
        raise ValueError(f"data turi būti formatu MMMM-MM-DD, gauta „{shown}“")
    else:
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"tokios datos nėra: „{value}“") from None
    return date


def sane_date(value: dt.date) -> dt.date:
    """``value`` when a school record can carry it; a ValueError naming the range otherwise."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        first, last = EARLIEST_DATE.year, LATEST_DATE.year
        raise ValueError(f"data {value.isoformat()} už leistinų ribų ({first}–{last} m.)")
    return value


@dataclass(frozen=True, slots=True)
class Published:
    """What the OpenAPI document adds to a type's schema: the rules its validators enforce
    that pydantic cannot derive (a format named below, a pattern, a lower bound)."""

    extra: tuple[tuple[str, object], ...]

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        if "pattern" in schema or "enum" in schema:
            return schema  # the field's own, narrower rule (see exactly()) says it all
        # A narrower rule of the field itself (its own minimum length) stays.
        for key, value in self.extra:
            schema.setdefault(key, value)
        return schema


def published(**extra: object) -> Published:
    return Published(tuple(extra.items()))


def exactly(**schema: object) -> Callable[[dict[str, Any]], None]:
    """``json_schema_extra=`` for a field whose own check is narrower than its type's (a case
    index, a register code): the schema published instead of the type's format and pattern.
    The check itself stays where it is, with its own message."""

    def apply(target: dict[str, Any]) -> None:
        target.pop("format", None)
        target.pop("pattern", None)
        target.update(schema)

    return apply


# Formats of the published strings (OpenAPI lets an API name its own). A client checks what it
# can: the length, the pattern; the format's description says the rest.
LINE_FORMAT = "bylos-line"  # one line: no control, invisible or bidi characters (see above)
PROSE_FORMAT = "bylos-prose"  # the same, tabs and newlines allowed
# Not blank: something other than white space (the value is stored stripped).
NOT_BLANK = r"\S"
# yyyy-mm-dd within EARLIEST_DATE..LATEST_DATE (the calendar check is the format's).
DATE_PATTERN = r"^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$"

IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date),
    AfterValidator(sane_date),
    published(pattern=DATE_PATTERN),
]
# A line: stripped, not empty, no control or invisible characters, at most LINE_MAX characters.
# Narrow it where the paper is narrower: ``Annotated[Text, Field(max_length=200)]``.
Text = Annotated[
    str,
    StringConstraints(max_length=LINE_MAX),
    AfterValidator(clean_line),
    published(format=LINE_FORMAT, minLength=1, pattern=NOT_BLANK),
]
Prose = Annotated[
    str,
    StringConstraints(max_length=PROSE_MAX),
    AfterValidator(clean_prose),
    published(format=PROSE_FORMAT, minLength=1, pattern=NOT_BLANK),
]
# A password in a request body: not stripped, not echoed back in errors (see users/routes.py).
Secret = Annotated[
    str,
    StringConstraints(max_length=200),
    AfterValidator(clean_secret),
    published(format=LINE_FORMAT, minLength=1),
]
OptionalText = Annotated[
    str,
    StringConstraints(max_length=LINE_MAX),
    AfterValidator(clean_optional_line),
    published(format=LINE_FORMAT),
]
OptionalProse = Annotated[
    str,
    StringConstraints(max_length=PROSE_MAX),
    AfterValidator(clean_optional_prose),
    published(format=PROSE_FORMAT),
]
Mark = Annotated[str, StringConstraints(max_length=20), BeforeValidator(clean_mark)]

_MESSAGES: dict[str, str] = {
    "missing": "privalomas laukas nepateiktas",
    "string_type": "turi būti tekstas",
    "string_unicode": "tekstas turi būti galiojančio Unicode",
    "int_type": "turi būti sveikasis skaičius",
    "int_parsing": "turi būti sveikasis skaičius",
    "int_parsing_size": "skaičius per didelis",
    "int_from_float": "turi būti sveikasis skaičius",
    "bool_type": "turi būti true arba false",
    "bool_parsing": "turi būti true arba false",
    "list_type": "turi būti sąrašas",
    "dict_type": "turi būti objektas",
    "model_type": "turi būti objektas",
    "model_attributes_type": "turi būti objektas",
    "json_invalid": "užklausos turinys nėra galiojantis JSON",
    "string_too_short": "reikšmė per trumpa",
    "too_short": "sąraše per mažai elementų",
    "extra_forbidden": "toks laukas nenumatytas",
    "date_type": "data turi būti formatu MMMM-MM-DD",
    "date_parsing": "data turi būti formatu MMMM-MM-DD",
    "date_from_datetime_parsing": "data turi būti formatu MMMM-MM-DD",
    "enum": "netinkama reikšmė",
    "literal_error": "netinkama reikšmė",
    "string_pattern_mismatch": "netinkamas formatas",
}


def _location(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "užklausos turinys"


def _too_long(error: ErrorDetails, ctx: dict[str, Any]) -> str:
    limit = ctx.get("max_length")
    if isinstance(error.get("input"), str):
        return f"reikšmė per ilga (daugiausia {limit} simbolių)" if limit else "reikšmė per ilga"
    return f"sąraše per daug elementų (daugiausia {limit})" if limit else "sąraše per daug elementų"


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind in ("string_too_long", "too_long"):
        return _too_long(error, ctx)
    if kind == "greater_than_equal":
        return f"turi būti ne mažiau kaip {ctx['ge']}"
    if kind == "less_than_equal":
        return f"turi būti ne daugiau kaip {ctx['le']}"
    if kind == "greater_than":
        return f"turi būti daugiau kaip {ctx['gt']}"
    if kind == "less_than":
        return f"turi būti mažiau kaip {ctx['lt']}"
    return _MESSAGES.get(kind, "netinkama reikšmė")


def describe(errors: Sequence[ErrorDetails]) -> str:
    # Whole-model rules name their fields in the message itself, so they carry no location.
    parts = [f"„{_location(e['loc'])}“: {_message(e)}" if e["loc"] else _message(e) for e in errors]
    return "Netinkami duomenys. " + "; ".join(parts) + "."


M = TypeVar("M", bound=BaseModel)


def _surrogates(value: object, loc: tuple[int | str, ...] = ()) -> Iterator[str]:
    """„field“: what is wrong, for each text of ``value`` holding a lone surrogate.

    JSON may carry one (``"\\ud800"``), and pydantic cannot even read such a string: it
    raises UnicodeEncodeError instead of a validation error, so they are found first."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            yield f"„{_location(loc)}“: {hidden_character(value)}"
    elif isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str) and _SURROGATE.search(key):
                yield f"„{_location(loc)}“: lauko pavadinime yra pavienis surogatas"
            else:
                yield from _surrogates(child, (*loc, str(key)))
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            yield from _surrogates(child, (*loc, index))


_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_payload(model: type[M], data: object) -> M:
    """Validate ``data`` or raise InvalidPayload (422) whose detail names every bad field."""
    broken = list(_surrogates(data))
    if broken:
        raise InvalidPayload("Netinkami duomenys. " + "; ".join(broken) + ".")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(describe(exc.errors(include_url=False))) from exc
