"""The real service (`bylos serve`) as a subprocess, for the benchmark sections that measure
through HTTP: started on a free port, waited for, and stopped with SIGTERM like `make run`."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx2 as httpx

from service.settings import SchoolProfile

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 120) -> bool:
    """Whether the `bylos serve` ``proc`` at ``url`` answered its health check before it exited
    or ``timeout_s`` passed (start-up includes LibreOffice and SeaweedFS)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return True
        time.sleep(0.3)
    return False


# Bylos refuses official documents until the school sets its profile; the benches issue as this
# explicitly named bench school.
BENCH_SCHOOL = SchoolProfile(
    name="Bandomoji Šilutės Žalgirio progimnazija",
    code="190000001",
    address="Bandomoji g. 1, LT-99100 Šilutė",
    city="Šilutė",
    director_name="Ona Bandomoji",
    director_title="Direktorė",
)
BENCH_SCHOOL_ENV: dict[str, str] = {
    f"BYLOS_SCHOOL_{field.upper()}": str(value)
    for field, value in BENCH_SCHOOL.model_dump().items()
}


class Server:
    """`bylos serve` on ``data_dir`` with ``workers`` LibreOffice workers; ``env`` adds settings
    (an external S3 endpoint, a PostgreSQL URL)."""

    def __init__(self, data_dir: Path, workers: int, env: Mapping[str, str] | None = None) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.env = (
            os.environ
            | {
                "BYLOS_DATA_DIR": str(data_dir),
                "BYLOS_HTTP_PORT": str(self.port),
                "BYLOS_CONVERTER_WORKERS": str(workers),
            }
            | BENCH_SCHOOL_ENV
            | dict(env or {})
        )
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return self.env.get(
            "BYLOS_DATABASE_URL", f"sqlite:///{(self.data_dir / 'bylos.sqlite3').resolve()}"
        )

    def token(self) -> str:
        """A pledged office manager's API token, made with the real CLI."""
        done = subprocess.run(
            [str(BIN / "bylos"), "users", "add", "--name", "Rasa Raštinienė",
             "--position", "Raštinės vedėja", "--role", "office_manager", "--with-pledge",
             "--token"],
            env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return done.stdout.strip().splitlines()[-1]

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [str(BIN / "bylos"), "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        if not wait_healthy(self.url, self.proc):
            raise RuntimeError(f"server did not start; see {self.log}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            tail = self.log.read_text(errors="replace")[-3000:]
            self.proc.kill()
            raise RuntimeError(f"server ignored SIGTERM for 90 s; log tail:\n{tail}") from None


def lead_classes(database_url: str, user_id: int, *class_names: str) -> None:
    """Name the person the teacher of these classes in this and last school year's calendars:
    a class teacher issues only for the classes the calendar names them to lead."""
    import dataclasses

    from service.db import make_engine, session_scope
    from service.school_year import calendars
    from service.school_year.calendar import (
        previous_school_year,
        school_year_of,
        suggested_calendar,
    )
    from service.timeutil import today_vilnius
    from service.users.models import User

    current = school_year_of(today_vilnius())
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            user = session.get(User, user_id)
            assert user is not None
            for year in (current, previous_school_year(current)):
                base = calendars.get(session, year) or suggested_calendar(year)
                names = list(base.classes) + [c for c in class_names if c not in base.classes]
                teachers = dict(base.class_teachers) | dict.fromkeys(class_names, user_id)
                calendars.save(
                    session,
                    dataclasses.replace(
                        base, classes=tuple(names), class_teachers=tuple(sorted(teachers.items()))
                    ),
                    user,
                )
    finally:
        engine.dispose()
