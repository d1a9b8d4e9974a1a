"""A real `bylos serve` for browser tests: its own data dir and port, staff made with the CLI."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

from bench.seeding import document_row
from bench.server import free_port, wait_healthy
from service.bootstrap import open_store
from service.cases.models import Case, CaseStatus
from service.db import make_engine, session_scope
from service.registry import numbering
from service.school_year.calendar import previous_school_year, school_year_of
from service.settings import Settings
from service.timeutil import today_vilnius
from tests.school import TEST_SCHOOL_ENV

BYLOS = Path(sys.executable).parent / "bylos"


@dataclass
class Server:
    url: str
    env: dict[str, str]
    log: Path
    # Each person's API token by login (the browser tests' fixture fills it).
    tokens: dict[str, str] = field(default_factory=dict)

    def add_user(
        self, *, name: str, position: str, roles: list[str], login: str, password: str
    ) -> str:
        """`bylos users add` as the admin runs it; returns the person's API token."""
        args = [str(BYLOS), "users", "add", "--name", name, "--position", position]
        for role in roles:
            args += ["--role", role]
        # The password through standard input: never on a command line (`ps` shows it).
        args += ["--login", login, "--password", "-", "--token"]
        done = subprocess.run(
            args, env=self.env, input=password + "\n", capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    def name_class_teacher(self, *, deputy: str, teacher: str, classes: tuple[str, ...]) -> None:
        """The deputy names the teacher these classes' teacher in last school year's calendar
        (PUT /api/school-calendar), the year the browser tests' summaries are for; this year's
        calendar is left for the test that sets it on its page."""
        from tests.conftest import calendar_body

        me = httpx.get(
            f"{self.url}/api/me", headers={"Authorization": f"Bearer {teacher}"}, timeout=60
        )
        assert me.status_code == 200, me.text
        for year in (previous_school_year(school_year_of(today_vilnius())),):
            body = calendar_body(year, dict.fromkeys(classes, me.json()["id"]))
            put = httpx.put(
                f"{self.url}/api/school-calendar/{year}",
                json=body,
                headers={"Authorization": f"Bearer {deputy}"},
                timeout=60,
            )
            assert put.status_code == 200, put.text

    def register_pledge(self, token: str, *, name: str, position: str) -> None:
        """The person registers their own pledge through the API (the gate allows only that)."""
        me = httpx.post(
            f"{self.url}/api/documents/confidentiality-pledge",
            json={
                "person": {"name": name, "position": position},
                "date": today_vilnius().isoformat(),
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        assert me.status_code == 201, me.text

    def seed_expired_case(self, *, year: int, index: str, created_by: int = 1) -> str:
        """An old closed case whose one document's term is over, written straight into the
        server's database (as tests/service/archive/helpers.py does for a TestClient app), with
        its two files put unlocked into the server's own store, so the archivist can propose,
        the director approve and the archivist execute its destruction."""
        data_dir = Path(self.env["BYLOS_DATA_DIR"])
        engine = make_engine(f"sqlite:///{data_dir / 'bylos.sqlite3'}")
        doc_id = str(uuid.uuid4())
        pdf = b"%PDF-1.7\n" + doc_id.encode() + b"\n%%EOF\n"
        docx = b"PK\x03\x04" + doc_id.encode()
        try:
            with ExitStack() as stack, session_scope(engine) as session:
                # The running server holds the embedded SeaweedFS; this attaches to it.
                store = open_store(
                    Settings(data_dir=data_dir).components(), stack, attach_to_running=True
                )
                case = Case(
                    year=year,
                    index=index,
                    title=f"Pažangos ataskaitos tėvams ({year} m.)",
                    retention_rule="v1511-progress-report",
                    status=CaseStatus.closed,
                    closed_on=dt.date(year, 12, 31),
                )
                session.add(case)
                session.flush()
                on = dt.date(year, 6, 1)
                reg = numbering.get_register(session, "TA")
                entry = numbering.reserve(
                    session, reg, on=on, title="Pažangos ataskaita", reserved_by=created_by
                )
                stem = f"{year}/TA/{entry.seq:06d}-{doc_id}"
                put_pdf = store.put(f"{stem}.pdf", pdf, retain_until=None)
                put_docx = store.put(f"{stem}.docx", docx, retain_until=None)
                session.add(
                    document_row(
                        doc_id,
                        entry,
                        case.id,
                        put_pdf,
                        put_docx,
                        title="Pažangos ataskaita",
                        retain_until=dt.date(year + 1, 12, 31),
                        lock_until=on,
                        payload={"seeded": True},
                        created_by=created_by,
                    )
                )
                session.flush()
                numbering.confirm(session, entry.id or 0, doc_id)
        finally:
            engine.dispose()
        return doc_id


# The port is free when picked but may be taken before uvicorn binds it (the server's own
# SeaweedFS picks free ports too, and other suites run beside this one): then start again.
START_ATTEMPTS = 5


def _start(data_dir: Path) -> tuple[subprocess.Popen[bytes], dict[str, str], str]:
    log_path = data_dir / "serve.log"
    for _ in range(START_ATTEMPTS):
        port = free_port()
        env = (
            os.environ
            | {
                "BYLOS_DATA_DIR": str(data_dir),
                "BYLOS_HTTP_PORT": str(port),
                "BYLOS_CONVERTER_WORKERS": "1",
            }
            | TEST_SCHOOL_ENV
        )
        env.pop("BYLOS_DATABASE_URL", None)
        with log_path.open("wb") as log:
            server = subprocess.Popen([str(BYLOS), "serve"], env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        if wait_healthy(url, server):
            return server, env, url
        _stop(server)
        if "address already in use" not in log_path.read_text():
            break
    raise AssertionError(log_path.read_text())


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextmanager
def bylos_serve(data_dir: Path) -> Iterator[Server]:
    data_dir.mkdir(parents=True, exist_ok=True)
    server, env, url = _start(data_dir)
    try:
        yield Server(url=url, env=env, log=data_dir / "serve.log")
    finally:
        _stop(server)
