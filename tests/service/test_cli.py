"""The `bylos` command as an administrator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from service.db import make_engine, session_scope
from service.users.accounts import user_for_token
from service.users.models import User

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
