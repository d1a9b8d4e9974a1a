"""Payload validation with Lithuanian messages that name the offending field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError
from pydantic_core import ErrorDetails

from service.errors import InvalidPayload
from service.lt import normalize_mark

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    # Pydantic's lax mode would also take a number as a Unix timestamp; the contract says
    # dates are YYYY-MM-DD and nothing else.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError(f"data turi būti formatu MMMM-MM-DD, gauta „{value}“")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"tokios datos nėra: „{value}“") from None


def _strip_nonempty(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("reikšmė negali būti tuščia")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Text = Annotated[str, AfterValidator(_strip_nonempty)]
Mark = Annotated[str, BeforeValidator(normalize_mark)]

_MESSAGES: dict[str, str] = {
    "missing": "privalomas laukas nepateiktas",
    "string_type": "turi būti tekstas",
    "int_type": "turi būti sveikasis skaičius",
    "int_parsing": "turi būti sveikasis skaičius",
    "int_from_float": "turi būti sveikasis skaičius",
    "bool_type": "turi būti true arba false",
    "list_type": "turi būti sąrašas",
    "dict_type": "turi būti objektas",
    "model_type": "turi būti objektas",
    "model_attributes_type": "turi būti objektas",
    "json_invalid": "užklausos turinys nėra galiojantis JSON",
    "string_too_short": "reikšmė per trumpa",
    "string_too_long": "reikšmė per ilga",
    "too_short": "sąraše per mažai elementų",
    "too_long": "sąraše per daug elementų",
    "extra_forbidden": "toks laukas nenumatytas",
}


def _location(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "užklausos turinys"


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind == "greater_than_equal":
        return f"turi būti ne mažiau kaip {ctx['ge']}"
    if kind == "less_than_equal":
        return f"turi būti ne daugiau kaip {ctx['le']}"
    if kind == "greater_than":
        return f"turi būti daugiau kaip {ctx['gt']}"
    return _MESSAGES.get(kind, "netinkama reikšmė")


def describe(errors: Sequence[ErrorDetails]) -> str:
    # Whole-model rules name their fields in the message itself, so they carry no location.
    parts = [f"„{_location(e['loc'])}“: {_message(e)}" if e["loc"] else _message(e) for e in errors]
    return "Netinkami duomenys. " + "; ".join(parts) + "."


M = TypeVar("M", bound=BaseModel)


def parse_payload(model: type[M], data: object) -> M:
    """Validate ``data`` or raise InvalidPayload (422) whose detail names every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(describe(exc.errors(include_url=False))) from exc
