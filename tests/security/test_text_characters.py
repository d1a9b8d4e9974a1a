"""Issue 10 item 3: every character means what it shows, and every text is bounded.

Through the real API with the real kinds registry: each string of each kind's example payload
gets a control character, a bidi override, a zero-width character or a lone surrogate in
turn; each is a 422 naming that field, and no number is taken. Tab and newline pass only in
prose. A 1.5 MB reason is refused before it reaches the converter.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select

from service.db import session_scope
from service.registry.models import RegistryEntry
from service.users.models import Role
from tests.conftest import EXAMPLES, Service, example
from tests.web.conftest import MakeStaff, csrf_of, sign_in
from tests.web.conftest import staff as staff  # the fixture, shared with the page tests

KINDS = sorted(p.stem for p in EXAMPLES.glob("*.json"))
# One of each class the issue names: C0, C1, bidi override and isolate, zero-width, surrogate,
# and the separators that start a new line on paper.
HIDDEN = {
    "BEL": "\u0007",
    "form feed": "\u000c",
    "C1 NEL": "\u0085",
    "RLO": "\u202e",
    "RLI": "\u2067",
    "ZWSP": "\u200b",
    "BOM": "\ufeff",
    "lone surrogate": "\ud800",
    "line separator": "\u2028",
}
# Who may issue each kind in one request (the kinds registry's issue roles).
ISSUER = [Role.admin, Role.deputy, Role.office_manager, Role.class_teacher]
# The kinds' prose fields: paragraphs, where a newline and a tab are what the person typed.
PROSE = {
    ("change-act", "reason"),
    ("change-act", "other"),
    ("safety-briefing", "content"),
    ("achievement-summary", "note"),
}

# Database-facing (numbers taken or not, ids that overflow): run again on PostgreSQL.
pytestmark = pytest.mark.db


def _strings(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _strings(child, (*path, i))
    elif isinstance(value, str) and not value[:4].isdigit():  # dates are not text
        yield path


def _with(payload: dict[str, Any], path: tuple[str | int, ...], text: str) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    target: Any = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = text
    return changed


def _location(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _numbers(service: Service) -> int:
    with session_scope(service.engine) as session:
        return len(session.exec(select(RegistryEntry)).all())


def _post(service: Service, kind: str, payload: dict[str, Any], headers: dict[str, str]) -> Any:
    # ensure_ascii: a lone surrogate travels as the JSON escape \ud800, as an attacker sends it.
    return service.client.post(
        f"/api/documents/{kind}",
        content=json.dumps(payload, ensure_ascii=True),
        headers=headers | {"Content-Type": "application/json"},
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_hidden_character_in_every_field_is_a_422_naming_it(
    service: Service, kind: str
) -> None:
    headers = service.user(*ISSUER)
    payload = example(kind)
    before = _numbers(service)
    wrong: dict[str, str] = {}
    fields = list(_strings(payload))
    assert fields, kind
    for path in fields:
        original = payload_value(payload, path)
        for name, char in HIDDEN.items():
            text = original[:2] + char + original[2:]
            response = _post(service, kind, _with(payload, path, text), headers)
            detail = response.json().get("detail", "")
            where = _location(path)
            code = f"U+{ord(char):04X}"
            if response.status_code != 422 or f"„{where}“" not in detail or code not in detail:
                wrong[f"{where} {name}"] = f"{response.status_code}: {detail[:200]}"
    assert wrong == {}
    assert _numbers(service) == before


def payload_value(payload: dict[str, Any], path: tuple[str | int, ...]) -> str:
    value: Any = payload
    for part in path:
        value = value[part]
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize("kind", KINDS)
def test_newline_and_tab_pass_only_in_prose(service: Service, kind: str) -> None:
    headers = service.user(*ISSUER)
    payload = example(kind)
    wrong: dict[str, str] = {}
    for path in _strings(payload):
        original = payload_value(payload, path)
        # A field the kind does not read (``extra="ignore"``) is not tried.
        text = original + "\n\tantra eilutė"
        response = _post(service, kind, _with(payload, path, text), headers)
        prose = (kind, str(path[-1])) in PROSE
        expected = {201} if prose else {422}
        if response.status_code not in expected:
            wrong[_location(path)] = f"{response.status_code}: {response.text[:200]}"
    assert wrong == {}


def test_a_megabyte_reason_is_refused_and_takes_no_number(service: Service) -> None:
    headers = service.user(Role.office_manager)
    payload = example("leaving-certificate") | {"reason": "Isvyksta. " * 150_000}
    before = _numbers(service)
    response = _post(service, "leaving-certificate", payload, headers)
    assert response.status_code == 422
    assert "„reason“: reikšmė per ilga (daugiausia 500 simbolių)" in response.json()["detail"]
    assert _numbers(service) == before


def test_a_case_title_is_bounded_and_clean(service: Service) -> None:
    archivist = service.user(Role.archivist)
    year = 2031
    long = service.client.post(
        f"/api/plans/{year}/cases",
        json={"index": "3.9", "title": "A" * 5000, "retention_rule": "v1511-class-summaries"},
        headers=archivist,
    )
    assert long.status_code == 422 and "„title“" in long.json()["detail"]
    hidden = service.client.post(
        f"/api/plans/{year}/cases",
        json={"index": "3.9", "title": "Byla\u202e", "retention_rule": "v1511-class-summaries"},
        headers=archivist,
    )
    assert hidden.status_code == 422 and "U+202E" in hidden.json()["detail"]


def test_the_form_shows_the_refusal_beside_the_field(service: Service, staff: MakeStaff) -> None:
    staff(Role.office_manager, login="rasa")
    sign_in(service.client, "rasa")
    form_url = "/isduoti/leaving-certificate"
    token = csrf_of(service.client.get(form_url).text)
    data = {"csrf": token, "student.first_name": "Ga\u0007bija", "student.last_name": "Žukauskaitė"}
    response = service.client.post(form_url, data=data)
    assert response.status_code == 422
    field = response.text.split('name="student.first_name"', 1)[1][:2000]
    assert "U+0007" in field
