"""Web forms for document kinds: flat HTML fields <-> the kind's nested JSON payload.

A field's HTML name is its path in the payload (``student.first_name``, ``results.2.mark``), so
the payload model's own validation errors (pydantic locations) land next to the right field.
Nothing about a kind's rules lives here: the form only carries what the person typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from service.documents.validation import _message

# Longer than any real value (a school's name, an order number, a reason); stops a pasted
# megabyte before it reaches validation, rendering or the database.
MAX_FIELD_CHARS = 500
# A list of names or a paragraph of prose: a few pages at most.
MAX_LINES_CHARS = 10_000
FORM_ERROR = "_form"


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # path in the payload, dots between parts
    label: str
    type: str = "text"  # text | date | number | textarea | mark | lines (one list item a line)
    required: bool = True
    hint: str = ""
    width: str = ""  # css class: narrow | wide


@dataclass(frozen=True, slots=True)
class Group:
    legend: str
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Rows:
    """A list in the payload, shown as a table of rows (``results``)."""

    name: str
    legend: str
    columns: tuple[Field, ...]
    # Rows shown without JavaScript; the page's script adds more.
    rows: int = 8
    hint: str = ""


@dataclass(frozen=True, slots=True)
class FormSpec:
    kind: str
    title: str
    menu_label: str
    intro: str
    sections: tuple[Group | Rows, ...]
    submit: str = "Išduoti ir įregistruoti"

    def fields(self) -> list[Field]:
        return [f for s in self.sections if isinstance(s, Group) for f in s.fields]

    def row_sets(self) -> list[Rows]:
        return [s for s in self.sections if isinstance(s, Rows)]


@dataclass
class Filled:
    """What the person typed: flat values by field name, and the rows of each list."""

    values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _set(target: dict[str, Any], path: str, value: object) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        nested = target.setdefault(part, {})
        assert isinstance(nested, dict)
        target = nested
    target[parts[-1]] = value


def read_form(spec: FormSpec, form: Mapping[str, str]) -> Filled:
    """Take only the spec's fields; trim; drop rows left wholly empty (renumbering the rest)."""
    filled = Filled()
    for f in spec.fields():
        filled.values[f.name] = str(form.get(f.name, "")).strip()
    for rows in spec.row_sets():
        pattern = re.compile(rf"^{re.escape(rows.name)}\.(\d+)\.(\w+)$")
        found: dict[int, dict[str, str]] = {}
        columns = {c.name for c in rows.columns}
        for key, value in form.items():
            match = pattern.match(key)
            if match and match.group(2) in columns and int(match.group(1)) < 1000:
                found.setdefault(int(match.group(1)), {})[match.group(2)] = str(value).strip()
        kept = [found[i] for i in sorted(found) if any(found[i].values())]
        filled.rows[rows.name] = [{c: row.get(c, "") for c in columns} for row in kept]
    limits = {
        f.name: MAX_LINES_CHARS if f.type in ("lines", "textarea") else MAX_FIELD_CHARS
        for f in spec.fields()
    }
    for name, value in _all_values(filled):
        if len(value) > limits.get(name, MAX_FIELD_CHARS):
            limit = limits.get(name, MAX_FIELD_CHARS)
            filled.add_error(name, f"reikšmė per ilga (daugiausia {limit} simbolių)")
    return filled


def _all_values(filled: Filled) -> list[tuple[str, str]]:
    pairs = list(filled.values.items())
    for list_name, rows in filled.rows.items():
        for i, row in enumerate(rows):
            pairs += [(f"{list_name}.{i}.{col}", v) for col, v in row.items()]
    return pairs


def to_payload(spec: FormSpec, filled: Filled) -> dict[str, Any]:
    """The JSON payload the API would receive; an empty field is an absent one."""
    payload: dict[str, Any] = {}
    for f in spec.fields():
        value = filled.values.get(f.name, "")
        if f.type == "lines":
            _set(payload, f.name, [line.strip() for line in value.splitlines() if line.strip()])
        elif value:
            _set(payload, f.name, value)
    for rows in spec.row_sets():
        items = [{k: v for k, v in row.items() if v} for row in filled.rows[rows.name]]
        _set(payload, rows.name, items)
    return payload


# Whole-model rules put the field they are about at the start of their message: "„left_on“: ..."
_NAMED = re.compile(r"^„([\w.\[\]]+)“:\s*(.*)$", re.S)


def _path(loc: Sequence[int | str]) -> str:
    return ".".join(str(p) for p in loc)


def attach_errors(spec: FormSpec, filled: Filled, errors: Sequence[ErrorDetails]) -> None:
    """Put each validation error next to its field; what fits no field goes above the form."""
    known = {f.name for f in spec.fields()} | {r.name for r in spec.row_sets()}
    for r in spec.row_sets():
        known |= {
            f"{r.name}.{i}.{c.name}" for i in range(len(filled.rows[r.name])) for c in r.columns
        }
    lines = {f.name for f in spec.fields() if f.type == "lines"}
    for error in errors:
        message = _message(error)
        loc = error["loc"]
        name = _path(loc)
        if len(loc) == 2 and loc[0] in lines and isinstance(loc[1], int):
            message = f"{loc[1] + 1} eilutė: {message}"
        if not name:
            named = _NAMED.match(message)
            if named:
                name = re.sub(r"\[(\d+)\]", r".\1", named.group(1))
                message = named.group(2)
        # A nested object's own error (``order``: missing) belongs to its first field.
        while name and name not in known:
            prefix = name + "."
            child = next((k for k in sorted(known) if k.startswith(prefix)), None)
            if child is not None:
                name = child
                break
            name = name.rpartition(".")[0]
        filled.add_error(name or FORM_ERROR, message)


def validate(spec: FormSpec, model: type[BaseModel], filled: Filled) -> dict[str, Any] | None:
    """The payload when the kind's own model accepts it; otherwise None with errors attached."""
    too_long = set(filled.errors)
    payload = to_payload(spec, filled)
    try:
        model.model_validate(payload)
    except ValidationError as exc:
        # All problems at once, except a second message for a field already refused as too long.
        found = Filled(values=filled.values, rows=filled.rows)
        attach_errors(spec, found, exc.errors(include_url=False))
        for name, messages in found.errors.items():
            if name not in too_long:
                filled.errors.setdefault(name, []).extend(messages)
    return None if filled.errors else payload


def _get(payload: Mapping[str, Any], path: str) -> object:
    value: object = payload
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def from_payload(spec: FormSpec, payload: Mapping[str, Any]) -> Filled:
    """The form as it was filled for an issued document: the start of its next version."""
    filled = Filled()
    for f in spec.fields():
        value = _get(payload, f.name)
        if isinstance(value, list):
            filled.values[f.name] = "\n".join(str(v) for v in value)
        else:
            filled.values[f.name] = "" if value is None else str(value)
    for rows in spec.row_sets():
        items = _get(payload, rows.name)
        filled.rows[rows.name] = [
            {c.name: str(item.get(c.name, "")) for c in rows.columns}
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, Mapping)
        ]
    return filled
