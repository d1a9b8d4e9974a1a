"""`bylos issue` and `users add --with-pledge` against a real running server (`bylos serve`)
on the same data dir: the CLI attaches to the server's embedded store instead of fighting it."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.school_year.calendar import school_year_of
from service.timeutil import today_vilnius
from tests.conftest import calendar_body
from tests.school import TEST_SCHOOL_ENV
from tests.service.documents.seed_kinds import payload

pytestmark = pytest.mark.db

BYLOS = str(Path(sys.executable).parent / "bylos")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    port = _free_port()
    env = (
        os.environ
        | {
            "BYLOS_DATA_DIR": str(tmp_path / "data"),
            "BYLOS_DATABASE_URL": database_url,
            "BYLOS_HTTP_PORT": str(port),
            "BYLOS_CONVERTER_WORKERS": "1",
        }
        | TEST_SCHOOL_ENV
    )
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen([BYLOS, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail((tmp_path / "server.log").read_text()[-2000:])
        yield env | {"URL": url}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=90)
        log.close()


def _bylos(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BYLOS, *args], env=env, capture_output=True, text=True, timeout=240)


def test_pledged_user_added_while_serving_issues_a_folder(
    server: dict[str, str], tmp_path: Path
) -> None:
    added = _bylos(
        server, "users", "add", "--name", "Jūratė Mockienė", "--position", "klasės vadovė",
        "--role", "class_teacher", "--with-pledge", "--token",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    teacher_id = int(re.search(r"\(Nr\. (\d+)\)", added.stderr).group(1))  # type: ignore[union-attr]
    # The deputy names her the class's teacher in this school year's calendar, as a school does.
    deputy = _bylos(
        server, "users", "add", "--name", "Asta Pavaduotoja", "--position", "pavaduotoja",
        "--role", "deputy", "--token",
    )  # fmt: skip
    assert deputy.returncode == 0, deputy.stderr
    year = school_year_of(today_vilnius())
    named = httpx.put(
        f"{server['URL']}/api/school-calendar/{year}",
        json=calendar_body(year, {payload("progress-report")["class_name"]: teacher_id}),
        headers={"Authorization": f"Bearer {deputy.stdout.strip().splitlines()[-1]}"},
        timeout=60,
    )
    assert named.status_code == 200, named.text

    folder = tmp_path / "reports"
    folder.mkdir()
    good = payload("progress-report")
    (folder / "a.json").write_text(json.dumps([good, payload("progress-report", late=2)]))
    (folder / "b.json").write_text(json.dumps(payload("progress-report", excused_lessons=9)))
    # The token through the environment: never on a command line (`ps` shows it).
    as_teacher = server | {"BYLOS_TOKEN": token}
    literal = _bylos(
        as_teacher, "issue", "progress-report", "--from", str(folder), "--token", token
    )
    assert literal.returncode == 2 and "rakto komandų eilutėje rašyti negalima" in literal.stderr
    done = _bylos(
        as_teacher, "issue", "progress-report", "--from", str(folder), "--url", server["URL"]
    )
    assert done.returncode == 1, done.stderr
    assert "išduota 2 iš 3" in done.stderr
    assert "excused_lessons" in done.stderr

    again = _bylos(
        as_teacher, "issue", "progress-report", "--from", str(folder / "a.json"),
        "--url", server["URL"],
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "jau buvo išduotas" in again.stderr
    listed = httpx.get(
        f"{server['URL']}/api/documents?kind=progress-report",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert sorted(d["registration"]["number"] for d in listed) == ["TA-1", "TA-2"]
