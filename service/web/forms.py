"""Web forms for document kinds: flat HTML fields <-> the kind's nested JSON payload.

A field's HTML name is its path in the payload (``student.first_name``, ``results.2.mark``), so
the payload model's own validation errors (pydantic locations) land next to the right field.
Nothing about a kind's rules lives here: the form only carries what the person typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from service.validation import _message

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
    # text | date | month | number | year | textarea | mark | lines (one list item a line) |
    # select | file | password: how templates/ui.html draws the control.
    type: str = "text"
    required: bool = True
    hint: str = ""
    width: str = ""  # css class: narrow | wide
    accept: str = ""  # a file field's accepted types
    autocomplete: str = ""


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


# Dates as typed in a Lithuanian office: 2026-09-01, 2026.09.01, 2026 9 1, 20260901. Anything
# else is left as typed, for the kind's model to refuse with its own message.
_DATE = re.compile(r"^(\d{4})[-./ ]\s*(\d{1,2})[-./ ]\s*(\d{1,2})\.?$|^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})[-./ ]\s*(\d{1,2})\.?$|^(\d{4})(\d{2})$")


def normalize_date(text: str) -> str:
    """The Lithuanian yyyy-mm-dd form of a date typed another usual way; else the text as is.

    Date fields are plain text inputs (a browser's date picker shows its locale's order, e.g.
    mm/dd/yyyy), so the server is what reads them."""
    text = text.strip()
    match = _DATE.match(text)
    if not match:
        return text
    year, month, day = (g for g in match.groups() if g is not None)
    return f"{year}-{int(month):02d}-{int(day):02d}"


def normalize_month(text: str) -> str:
    text = text.strip()
    match = _MONTH.match(text)
    if not match:
        return text
    year, month = (g for g in match.groups() if g is not None)
    return f"{year}-{int(month):02d}"


def _normal(f: Field, value: str) -> str:
    if f.type == "date":
        return normalize_date(value)
    if f.type == "month":
        return normalize_month(value)
    return value


def too_long(limit: int = MAX_FIELD_CHARS) -> str:
    """What is shown beside a field whose value is over ``limit`` characters."""
    return f"reikšmė per ilga (daugiausia {limit} simbolių)"


def read_fields(form: Mapping[str, object], names: Iterable[str]) -> dict[str, str]:
    """The named plain fields of a page's own form, trimmed. A value is cut one character past
    MAX_FIELD_CHARS: a pasted megabyte is not kept, and ``over_limit`` still sees it too long."""
    return {name: str(form.get(name, "")).strip()[: MAX_FIELD_CHARS + 1] for name in names}


def over_limit(values: Mapping[str, str]) -> dict[str, str]:
    """The refusal of each value over MAX_FIELD_CHARS, by field name."""
    return {name: too_long() for name, value in values.items() if len(value) > MAX_FIELD_CHARS}


def read_form(spec: FormSpec, form: Mapping[str, str]) -> Filled:
    """Take only the spec's fields; trim; drop rows left wholly empty (renumbering the rest)."""
    filled = Filled()
    for f in spec.fields():
        filled.values[f.name] = _normal(f, str(form.get(f.name, "")).strip())
    for rows in spec.row_sets():
        pattern = re.compile(rf"^{re.escape(rows.name)}\.(\d+)\.(\w+)$")
        found: dict[int, dict[str, str]] = {}
        columns = {c.name for c in rows.columns}
        for key, value in form.items():
            match = pattern.match(key)
            if match and match.group(2) in columns and int(match.group(1)) < 1000:
                found.setdefault(int(match.group(1)), {})[match.group(2)] = str(value).strip()
        kept = [found[i] for i in sorted(found) if any(found[i].values())]
        filled.rows[rows.name] = [
            {c.name: _normal(c, row.get(c.name, "")) for c in rows.columns} for row in kept
        ]
    limits = {
        f.name: MAX_LINES_CHARS if f.type in ("lines", "textarea") else MAX_FIELD_CHARS
        for f in spec.fields()
    }
    for name, value in _all_values(filled):
        if len(value) > limits.get(name, MAX_FIELD_CHARS):
            filled.add_error(name, too_long(limits.get(name, MAX_FIELD_CHARS)))
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


# Several whole-model problems in one message: "„marks[0].date“: ...; „marks[2].date“: ...".
_NEXT_NAMED = re.compile(r";\s+(?=„[\w.\[\]]+“:)")


def _known(spec: FormSpec, filled: Filled) -> list[str]:
    """Every field name of the form as filled, in the order the page shows them."""
    names: list[str] = []
    for section in spec.sections:
        if isinstance(section, Group):
            names += [f.name for f in section.fields]
        else:
            names.append(section.name)
            names += [
                f"{section.name}.{i}.{c.name}"
                for i in range(len(filled.rows.get(section.name, [])))
                for c in section.columns
            ]
    return names


def attach_errors(spec: FormSpec, filled: Filled, errors: Sequence[ErrorDetails]) -> None:
    """Put each validation error next to its field; what fits no field goes above the form."""
    known = _known(spec, filled)
    required = {f.name for f in spec.fields() if f.required}
    lines = {f.name for f in spec.fields() if f.type == "lines"}
    for error in errors:
        message = _message(error)
        loc = error["loc"]
        name = _path(loc)
        if len(loc) == 2 and loc[0] in lines and isinstance(loc[1], int):
            message = f"{loc[1] + 1} eilutė: {message}"
        parts = [(name, message)]
        if not name:
            parts = []
            for part in _NEXT_NAMED.split(message):
                named = _NAMED.match(part)
                if named:
                    parts.append((re.sub(r"\[(\d+)\]", r".\1", named.group(1)), named.group(2)))
                else:
                    parts.append(("", part))
        for part_name, part_message in parts:
            line = re.fullmatch(r"(\w+)\.(\d+)", part_name)
            if line and line.group(1) in lines:
                part_name = line.group(1)
                part_message = f"{int(line.group(2)) + 1} eilutė: {part_message}"
            for target in _targets(part_name, known, required, filled):
                filled.add_error(target, humanize(spec, part_message))


def _targets(name: str, known: list[str], required: set[str], filled: Filled) -> list[str]:
    """The fields an error is shown at. A nested object's own error (``order``: missing, when
    every field of the group was left empty) marks each of its required fields still empty,
    not only one of them; failing that, its first field."""
    while name and name not in known:
        prefix = name + "."
        children = [k for k in known if k.startswith(prefix)]
        if children:
            empty = [k for k in children if k in required and not filled.values.get(k)]
            return empty or children[:1]
        name = name.rpartition(".")[0]
    return [name or FORM_ERROR]


# -- the words people read: Lithuanian labels, never the payload's keys ---------------------

_QUOTED_KEY = re.compile(r"„([A-Za-z_][\w.\[\]]*)“")
_INDEXED_KEY = re.compile(r"\b([a-z_][a-z_.]*)\[(\d+)\]((?:\.[a-z_]+)*)")


def labels_of(spec: FormSpec) -> dict[str, str]:
    """Each field's name -> how a person knows it: its label, with the group's legend where
    two fields share a label (the change act's two "Įvertinimas")."""
    fields = [(g.legend, f) for g in spec.sections if isinstance(g, Group) for f in g.fields]
    counts: dict[str, int] = {}
    for _, f in fields:
        counts[f.label] = counts.get(f.label, 0) + 1
    labels = {
        f.name: f"{legend} – {f.label}" if counts[f.label] > 1 else f.label for legend, f in fields
    }
    for rows in spec.row_sets():
        labels[rows.name] = rows.legend
        for c in rows.columns:
            labels[f"{rows.name}.{c.name}"] = c.label
    return labels


def _label_of(labels: Mapping[str, str], path: str) -> str | None:
    """``marks.2.date`` -> "Mėnesio įvertinimai, 3 eilutė, data"; None for an unknown key."""
    match = re.fullmatch(r"([\w.]+?)\.(\d+)(?:\.(\w+))?", path)
    if match and match.group(1) in labels:
        text = f"{labels[match.group(1)]}, {int(match.group(2)) + 1} eilutė"
        column = labels.get(f"{match.group(1)}.{match.group(3)}") if match.group(3) else None
        return f"{text}, {column.lower()}" if column else text
    return labels.get(path)


def humanize(spec: FormSpec | Mapping[str, str], message: str) -> str:
    """A message with the payload's keys (``„excused_lessons“``, ``students[3]``) replaced by
    the form's own words, so nobody reads an internal name."""
    labels = labels_of(spec) if isinstance(spec, FormSpec) else spec

    def quoted(match: re.Match[str]) -> str:
        path = re.sub(r"\[(\d+)\]", r".\1", match.group(1))
        label = _label_of(labels, path)
        return f"„{label}“" if label else match.group(0)

    def indexed(match: re.Match[str]) -> str:
        label = _label_of(labels, f"{match.group(1)}.{match.group(2)}{match.group(3)}")
        return label if label else match.group(0)

    def bracketed(match: re.Match[str]) -> str:
        # "metų skaičius (years)": the words already say it; the key goes.
        return "" if match.group(1) in labels else match.group(0)

    message = _BRACKETED_KEY.sub(bracketed, message)
    return _INDEXED_KEY.sub(indexed, _QUOTED_KEY.sub(quoted, message))


_BRACKETED_KEY = re.compile(r"\s*\(([a-z_]+)\)")
_REFUSAL_PART = re.compile(r"^„([\w.\[\]]+)“:\s*(.*)$", re.S)


def split_refusal(
    detail: str,
    labels: Mapping[str, str],
    by_words: Callable[[str], str] = lambda _: FORM_ERROR,
) -> dict[str, list[str]]:
    """A service's refusal ("Netinkami duomenys. „code“: ...; „title“: ...") as errors by field
    of this form, each in the form's words; a part naming no field goes to ``by_words``, which
    may tell it by its wording (FORM_ERROR: above the form)."""
    errors: dict[str, list[str]] = {}
    body = detail.removeprefix("Netinkami duomenys. ")
    parts = [p.strip() for p in body.rstrip(".").split("; ")] if body.startswith("„") else [detail]
    for part in parts:
        match = _REFUSAL_PART.match(part)
        name = match.group(1).split(".")[0].split("[")[0] if match else by_words(part)
        if name not in labels:
            name = FORM_ERROR
        message = match.group(2) if match and name != FORM_ERROR else part
        errors.setdefault(name, []).append(humanize(labels, message))
    return errors


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One line of a form's error summary: the field's id to link to ("" for the whole form)
    and the text, which names the field by its label."""

    target: str
    text: str


def field_id(name: str, prefix: str = "f") -> str:
    """The id of a field's control: ``f-order-number``; without a prefix ``case-index``."""
    plain = name.replace(".", "-")
    return f"{prefix}-{plain}" if prefix else plain


def spec_error_items(
    spec: FormSpec, filled: Filled, extra: Sequence[Field] = ()
) -> list[ErrorItem]:
    """The summary of a kind's form, in the order the page shows its fields."""
    labels = labels_of(spec) | {f.name: f.label for f in extra}
    order = [f.name for f in extra] + _known(spec, filled)
    names = [n for n in order if n in filled.errors]
    names += [n for n in filled.errors if n not in names]
    items: list[ErrorItem] = []
    for name in names:
        for message in filled.errors[name]:
            if name == FORM_ERROR:
                items.append(ErrorItem("", message))
                continue
            label = _label_of(labels, name) or name
            target = field_id(name)
            if name in {r.name for r in spec.row_sets()}:
                target = f"sekcija-{name}"
            items.append(ErrorItem(target, f"{label}: {message}"))
    return items


def error_items(
    fields: Sequence[Field], errors: Mapping[str, str | Sequence[str]], prefix: str = "f"
) -> list[ErrorItem]:
    """The summary of any other form: ``errors`` by field name (FORM_ERROR for the form)."""
    items: list[ErrorItem] = []
    names = [f.name for f in fields if f.name in errors]
    names += [n for n in errors if n not in names]
    labels = {f.name: f.label for f in fields}
    for name in names:
        value = errors[name]
        for message in [value] if isinstance(value, str) else value:
            if name in labels:
                items.append(ErrorItem(field_id(name, prefix), f"{labels[name]}: {message}"))
            else:
                items.append(ErrorItem("", message))
    return items


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
