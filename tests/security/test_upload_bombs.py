"""Issue 10 item 2: every spreadsheet or CSV Bylos reads is bounded before it is parsed.

Each hostile file (bench/upload_bombs.py) goes through every real door: the API's summary
upload, plan import and retention table import, the summary preview page and the CLI's
``bylos issue --from``. Each gets a Lithuanian 422 and changes nothing. How long and how much
memory each refusal takes is measured by ``python -m bench security_uploads``, not here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bench.upload_bombs import BOMBS, Bomb
from service.archive.models import RuleSetVersion
from service.cases.models import Case
from service.db import session_scope
from service.documents.bulk_client import collect
from service.errors import InvalidPayload
from service.registry.models import RegistryEntry
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import EXAMPLE_CLASSES, Service
from tests.web.conftest import MakeStaff, csrf_of, sign_in
from tests.web.conftest import staff as staff  # the fixture, shared with the page tests

XLSX_BOMBS = [b for b in BOMBS if b.filename.endswith(".xlsx")]
REFUSED = "atmestas"

# Database-facing (numbers taken or not, ids that overflow): run again on PostgreSQL.
pytestmark = pytest.mark.db


def _entries(service: Service) -> int:
    with session_scope(service.engine) as session:
        return len(session.exec(select(RegistryEntry)).all())


def _refusals(responses: dict[str, tuple[int, str]]) -> dict[str, str]:
    """The bombs that did not get a Lithuanian 422 naming the refusal, with what they got."""
    return {
        name: f"{status}: {text[:300]}"
        for name, (status, text) in responses.items()
        if status != 422 or REFUSED not in text
    }


def test_summary_upload_refuses_every_bomb_and_takes_no_number(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES)
    answers: dict[str, tuple[int, str]] = {}
    for bomb in BOMBS:
        response = service.client.post(
            "/api/documents/achievement-summary/upload",
            files={"file": (bomb.filename, bomb.build(), "application/octet-stream")},
            headers=teacher,
        )
        answers[bomb.name] = (response.status_code, response.json().get("detail", ""))
    assert _refusals(answers) == {}
    assert _entries(service) == 0


def test_plan_import_refuses_every_xlsx_bomb_and_keeps_the_plan(service: Service) -> None:
    archivist = service.user(Role.archivist)
    year = today_vilnius().year
    assert service.client.get(f"/api/plans/{year}", headers=archivist).status_code == 200
    with session_scope(service.engine) as session:
        before = sorted((c.index, c.title) for c in session.exec(select(Case)))
    answers: dict[str, tuple[int, str]] = {}
    for bomb in XLSX_BOMBS:
        response = service.client.post(
            f"/api/plans/{year}/import",
            content=bomb.build(),
            headers=archivist
            | {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        )
        answers[bomb.name] = (response.status_code, response.json().get("detail", ""))
    assert _refusals(answers) == {}
    with session_scope(service.engine) as session:
        assert sorted((c.index, c.title) for c in session.exec(select(Case))) == before


def test_retention_table_import_refuses_every_bomb_and_keeps_the_rules(service: Service) -> None:
    archivist = service.user(Role.archivist)
    before = service.client.get("/api/retention/rules", headers=archivist).json()
    answers: dict[str, tuple[int, str]] = {}
    for bomb in BOMBS:
        response = service.client.post(
            "/api/retention/rules/import", content=bomb.build(), headers=archivist
        )
        answers[bomb.name] = (response.status_code, response.json().get("detail", ""))
    assert _refusals(answers) == {}
    assert service.client.get("/api/retention/rules", headers=archivist).json() == before
    with session_scope(service.engine) as session:
        assert session.exec(select(RuleSetVersion)).all() == []


def test_summary_preview_page_refuses_every_bomb(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, login="jurate", name="Jūratė Mockienė")
    sign_in(service.client, "jurate")
    token = csrf_of(service.client.get("/isduoti/achievement-summary").text)
    numbers = _entries(service)  # the teacher's own pledge
    answers: dict[str, tuple[int, str]] = {}
    for bomb in BOMBS:
        response = service.client.post(
            "/isduoti/achievement-summary/perziura",
            params={"csrf": token},
            data={"csrf": token},
            files={"file": (bomb.filename, bomb.build(), "application/octet-stream")},
        )
        answers[bomb.name] = (response.status_code, response.text)
    assert _refusals(answers) == {}
    assert _entries(service) == numbers


@pytest.mark.parametrize("bomb", XLSX_BOMBS, ids=lambda b: b.name)
def test_cli_xlsx_input_refuses_every_bomb(bomb: Bomb, tmp_path: Path) -> None:
    source = tmp_path / bomb.filename
    source.write_bytes(bomb.build())
    with pytest.raises(InvalidPayload, match=REFUSED):
        collect("leaving-certificate", source)


def test_cli_refuses_a_file_over_the_limit_without_reading_it(tmp_path: Path) -> None:
    source = tmp_path / "didelis.xlsx"
    with source.open("wb") as handle:
        handle.truncate(17 * 1024 * 1024)  # sparse: nothing is written, nothing need be read
    with pytest.raises(InvalidPayload, match="per didelis"):
        collect("leaving-certificate", source)
