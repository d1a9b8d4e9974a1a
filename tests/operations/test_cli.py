"""The operator's path, as the README gives it: `bylos backup` while `bylos serve` runs (JSON
logs on), `/metrics` from the same machine, then `bylos restore` onto a new data dir."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import example
from tests.school import TEST_SCHOOL_ENV

BYLOS = Path(sys.executable).parent / "bylos"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = (
        os.environ
        | {"BYLOS_DATA_DIR": str(data_dir), "BYLOS_CONVERTER_WORKERS": "1"}
        | TEST_SCHOOL_ENV
        | extra
    )
    env.pop("BYLOS_DATABASE_URL", None)
    return env


def _bylos(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BYLOS), *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    data_dir = tmp_path / "var"
    port = _free_port()
    env = _env(data_dir, BYLOS_HTTP_PORT=str(port), BYLOS_LOG_FORMAT="json")
    data_dir.mkdir()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen([str(BYLOS), "serve"], env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
                try:
                    if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            yield url, env, log_path
        finally:
            server.terminate()
            server.wait(timeout=90)


def test_backup_while_serving_then_restore_on_a_new_data_dir(
    serving: tuple[str, dict[str, str], Path], tmp_path: Path
) -> None:
    url, env, log_path = serving
    added = _bylos(
        "users", "add", "--name", "Rasa Raštinienė", "--position", "Raštinės vedėja",
        "--role", "office_manager", "--with-pledge", "--token", env=env,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    headers = {"Authorization": f"Bearer {added.stdout.strip().splitlines()[-1]}"}
    issued = httpx.post(
        f"{url}/api/documents/leaving-certificate",
        json=example("leaving-certificate"),
        headers=headers,
        timeout=60,
    )
    assert issued.status_code == 201, issued.text

    target = tmp_path / "kopija"
    backup = _bylos("backup", "--to", str(target), env=env)
    assert backup.returncode == 0, backup.stderr
    assert "Atsarginė kopija baigta" in backup.stdout
    # The server went on serving meanwhile, and its metrics know the backup.
    metrics = httpx.get(f"{url}/metrics", timeout=10)
    assert metrics.status_code == 200
    age = next(
        float(line.split()[-1])
        for line in metrics.text.splitlines()
        if line.startswith("bylos_backup_age_seconds ")
    )
    assert 0 <= age < 600
    again = httpx.post(
        f"{url}/api/documents/leaving-certificate",
        json=example("leaving-certificate"),
        headers=headers,
        timeout=60,
    )
    assert again.json()["registration"]["number"] == "PZ-2"
    access = [json.loads(line) for line in log_path.read_text().splitlines() if '"path"' in line]
    assert any(entry.get("path") == "/api/documents/leaving-certificate" for entry in access)

    restored = _env(tmp_path / "naujas")
    done = _bylos("restore", "--from", str(target), env=restored)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Atkūrimas patikrintas" in done.stdout
    # PZ-2 was issued after the backup: the restored registry continues from PZ-1.
    assert "PZ 20" in done.stdout and "PZ-2" in done.stdout

    twice = _bylos("restore", "--from", str(target), env=restored)
    assert twice.returncode == 2
    assert "netuščias" in twice.stderr

    database = next((target / "database").iterdir())
    database.write_bytes(database.read_bytes() + b"\0")
    damaged = _bylos("restore", "--from", str(target), env=_env(tmp_path / "trecias"))
    assert damaged.returncode == 2
    assert f"pakeistas failas: database/{database.name}" in damaged.stderr
    assert not (tmp_path / "trecias").exists()
