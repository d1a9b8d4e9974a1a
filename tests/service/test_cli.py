"""The `bylos` command as an administrator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from service.db import make_engine, migrate, session_scope
from service.school_year import calendars
from service.school_year.calendars import CalendarIn
from service.users.accounts import create_user, user_for_token
from service.users.models import Role, User

pytestmark = pytest.mark.db

BYLOS = Path(sys.executable).parent / "bylos"


def _run(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"BYLOS_DATA_DIR": str(tmp_path), "BYLOS_DATABASE_URL": database_url}
    return subprocess.run([str(BYLOS), *args], env=env, capture_output=True, text=True, timeout=120)


def test_users_add_prints_a_working_token_last(database_url: str, tmp_path: Path) -> None:
    done = _run(
        database_url,
        tmp_path,
        "users", "add", "--name", "Rasa Raštinienė", "--position", "Raštinės vedėja",
        "--role", "office_manager", "--role", "archivist", "--token",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        user = user_for_token(session, token)
    engine.dispose()
    assert user.name == "Rasa Raštinienė"
    assert user.roles == "archivist office_manager"


def test_users_add_with_unknown_role_fails_in_lithuanian_and_creates_nobody(
    database_url: str, tmp_path: Path
) -> None:
    done = _run(
        database_url, tmp_path,
        "users", "add", "--name", "X", "--position", "Y", "--role", "direktorius", "--token",
    )  # fmt: skip
    assert done.returncode == 2
    assert "Nežinomas vaidmuo „direktorius“" in done.stderr
    assert done.stdout == ""
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        assert session.exec(select(User)).all() == []
    engine.dispose()


def test_duties_lists_the_missing_summaries_of_the_calendar(
    database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with session_scope(engine) as session:
        deputy = create_user(
            session, name="Asta Pavaduotoja", position="Pavaduotoja", roles=[Role.deputy]
        )
        calendars.save(
            session,
            CalendarIn.model_validate(
                {
                    "school_year": "2026-2027",
                    "periods": [{"name": "I pusmetis", "ends_on": "2027-01-29"}],
                    "classes": ["5a", "6b"],
                }
            ).calendar(),
            deputy,
        )
    engine.dispose()
    done = _run(database_url, tmp_path, "duties", "--on", "2027-02-10")
    assert done.returncode == 0, done.stderr
    assert "5a" in done.stdout and "6b" in done.stdout and "vėluoja" in done.stdout
    assert "2027-02-05" in done.stdout

    bad = _run(database_url, tmp_path, "duties", "--on", "2027-02-30")
    assert bad.returncode == 2
    assert "data rašoma MMMM-MM-DD, gauta „2027-02-30“" in bad.stderr


def test_school_set_saves_the_profile_and_show_prints_it(database_url: str, tmp_path: Path) -> None:
    from service.school_profile.profile import saved
    from tests.school import TEST_SCHOOL

    before = _run(database_url, tmp_path, "school", "show")
    assert before.returncode == 0, before.stderr
    assert "Dokumentai neišduodami, kol trūksta" in " ".join(before.stderr.split())
    done = _run(
        database_url,
        tmp_path,
        "school", "set", "--name", TEST_SCHOOL.name, "--code", TEST_SCHOOL.code,
        "--address", TEST_SCHOOL.address, "--city", TEST_SCHOOL.city,
        "--director", TEST_SCHOOL.director_name, "--director-title", "Direktorė",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        profile = saved(session)
    engine.dispose()
    assert profile is not None and profile.director_name == TEST_SCHOOL.director_name
    shown = _run(database_url, tmp_path, "school", "show")
    assert TEST_SCHOOL.name in shown.stdout and "trūksta" not in shown.stderr


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [("--code", "12345", "9 skaitmenys"), ("--director", "Vardenis Pavardenis", "tikras")],
)
def test_school_set_refuses_a_bad_or_placeholder_profile(
    database_url: str, tmp_path: Path, option: str, value: str, named: str
) -> None:
    args = {
        "--name": "Kauno Milikonių progimnazija",
        "--code": "190148134",
        "--address": "Sodžiaus g. 1",
        "--city": "Kaunas",
        "--director": "Ona Direktorė",
    } | {option: value}
    done = _run(database_url, tmp_path, "school", "set", *[p for kv in args.items() for p in kv])
    assert done.returncode == 2
    assert named in " ".join(done.stderr.split())
    engine = make_engine(database_url)
    migrate(engine)
    from service.school_profile.profile import saved

    with session_scope(engine) as session:
        assert saved(session) is None
    engine.dispose()
