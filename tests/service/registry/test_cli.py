"""`bylos registers list|add|rename` as the administrator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from service.db import make_engine, session_scope
from service.registry.models import Register

pytestmark = pytest.mark.db

BYLOS = Path(sys.executable).parent / "bylos"


def _run(database_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "BYLOS_DATA_DIR": str(tmp_path / "data"),
        "BYLOS_DATABASE_URL": database_url,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [str(BYLOS), "registers", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _registers(database_url: str) -> dict[str, tuple[str, str, str]]:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return {
                r.code: (r.title, r.case_index, r.number_format)
                for r in session.exec(select(Register))
            }
    finally:
        engine.dispose()


def test_list_shows_the_default_registers(database_url: str, tmp_path: Path) -> None:
    done = _run(database_url, tmp_path, "list")
    assert done.returncode == 0, done.stderr
    assert "PZ" in done.stdout and "Mokinių pasiekimų pažymų registras" in done.stdout


def test_add_then_rename(database_url: str, tmp_path: Path) -> None:
    added = _run(
        database_url, tmp_path,
        "add", "--code", "ĮS", "--title", "Įsakymų registras", "--case-index", "1.2",
        "--number-format", "{code}-{seq}/{year}",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Pridėtas registras „ĮS“" in added.stderr
    renamed = _run(
        database_url, tmp_path, "rename", "ĮS", "--title", "Direktoriaus įsakymų registras"
    )
    assert renamed.returncode == 0, renamed.stderr
    assert _registers(database_url)["ĮS"] == (
        "Direktoriaus įsakymų registras",
        "1.2",
        "{code}-{seq}/{year}",
    )


def test_bad_placeholder_fails_in_lithuanian_and_adds_nothing(
    database_url: str, tmp_path: Path
) -> None:
    done = _run(
        database_url, tmp_path,
        "add", "--code", "AB", "--title", "X", "--case-index", "1.2", "--number-format", "{nr}",
    )  # fmt: skip
    assert done.returncode == 2
    assert "nežinomi laukai {nr}" in done.stderr
    assert "AB" not in _registers(database_url)


def test_rename_of_an_unknown_register_fails(database_url: str, tmp_path: Path) -> None:
    done = _run(database_url, tmp_path, "rename", "XX", "--title", "Y")
    assert done.returncode == 2
    assert "Registras „XX“ nerastas" in done.stderr
