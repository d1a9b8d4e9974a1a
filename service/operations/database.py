"""The database half of a backup: a consistent snapshot taken while the service writes, and its
restore into an empty database.

SQLite: the online backup API copies the database in one read transaction (WAL lets writers go
on meanwhile). PostgreSQL: ``pg_dump --format=custom`` run inside an exported snapshot of a
REPEATABLE READ transaction, so the dump and what Bylos reads from it (which object versions
the records name, the audit chain's head) are the same instant.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.engine import URL, Connection

from service.db import known_revisions
from service.timeutil import utcnow

SQLITE_FILE: Final = "bylos.sqlite3"
PG_FILE: Final = "bylos.pgdump"
# Where the records name an object version: (table, key column, version column, the column
# naming the document, if any). A table added later that keeps version ids gets one line here;
# backup and restore read this list. A destroyed document keeps its row but not its files.
VERSION_REFERENCES: Final[tuple[tuple[str, str, str, str | None], ...]] = (
    ("documents", "object_key", "object_version_id", "id"),
    ("documents", "docx_key", "docx_version_id", "id"),
    ("journal_files", "object_key", "object_version_id", "document_id"),
    ("audit_anchors", "key", "version_id", None),
)
_PG_TIMEOUT_S: Final = 6 * 3600


class DatabaseError(Exception):
    """A snapshot or a restore of the database failed; the message is Lithuanian."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    path: Path
    dialect: str
    schema: str | None
    revisions: tuple[str, ...]
    references: frozenset[tuple[str, str]]
    audit_events: int
    audit_head: str
    taken_at: dt.datetime
    tool: str  # "sqlite3 backup API 3.x" or pg_dump's version line


def database_revisions(conn: Connection) -> tuple[str, ...]:
    if not inspect(conn).has_table("alembic_version"):
        return ()
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return tuple(sorted(str(r) for r in rows))


def _existing_tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def referenced_versions(conn: Connection) -> frozenset[tuple[str, str]]:
    tables = _existing_tables(conn)
    found: set[tuple[str, str]] = set()
    for table, key, version, document in VERSION_REFERENCES:
        if table not in tables:
            continue
        # Names come from VERSION_REFERENCES above, never from input.
        query = f"SELECT {key}, {version} FROM {table}"
        if document is not None and "destroyed_documents" in tables:
            query += f" WHERE {document} NOT IN (SELECT document_id FROM destroyed_documents)"
        rows = conn.execute(text(query))
        found.update((str(k), str(v)) for k, v in rows)
    return frozenset(found)


def _audit_head(conn: Connection) -> tuple[int, str]:
    if "audit_head" not in _existing_tables(conn):
        return 0, ""
    row = conn.execute(text("SELECT count, last_hash FROM audit_head WHERE id = 1")).first()
    return (int(row[0]), str(row[1])) if row else (0, "")


def sqlite_path(url: str | URL) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DatabaseError("SQLite duomenų bazė be failo negali būti kopijuojama.")
    return Path(database)


# -- snapshot --------------------------------------------------------------------------------


def _private_file(path: Path) -> None:
    """An empty owner-only file at ``path`` for the snapshot to be written into (SQLite and
    pg_dump keep the mode of a file that exists)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def snapshot(database_url: str, into: Path) -> Snapshot:
    """Write a consistent copy of the database to a file under ``into``."""
    into.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_snapshot(sqlite_path(url), into / SQLITE_FILE)
    if url.get_backend_name() == "postgresql":
        return _pg_snapshot(url, into / PG_FILE)
    raise DatabaseError(f"Duomenų bazės tipas „{url.get_backend_name()}“ nepalaikomas.")


def _sqlite_snapshot(source: Path, target: Path) -> Snapshot:
    _private_file(target)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        # One step (pages=-1): the whole copy is one read transaction, so it is one instant.
        src.backup(dst)
        taken_at = utcnow()
        # The copy is a standalone file: no WAL beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise DatabaseError(f"Duomenų bazės kopijos patikra nepavyko: {check}.")
    finally:
        dst.close()
        src.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            events, head = _audit_head(conn)
            return Snapshot(
                path=target,
                dialect="sqlite",
                schema=None,
                revisions=database_revisions(conn),
                references=referenced_versions(conn),
                audit_events=events,
                audit_head=head,
                taken_at=taken_at,
                tool=f"SQLite {sqlite3.sqlite_version} online backup API",
            )
    finally:
        engine.dispose()


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it (a
    password on a command line is visible to every user of the machine)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def pg_tool_version(tool: str) -> str:
    try:
        done = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise DatabaseError(
            f"Nerasta programa {tool} (Debian: apt-get install postgresql-client)."
        ) from exc
    return done.stdout.strip()


def pg_dump_command(uri: str, target: Path, schema: str, snapshot_id: str | None) -> list[str]:
    """The dump Bylos takes, and the one the README tells operators to take by hand."""
    command = [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--schema={schema}",
        f"--file={target}",
    ]
    if snapshot_id:
        command.append(f"--snapshot={snapshot_id}")
    return [*command, f"--dbname={uri}"]


def _pg_snapshot(url: URL, target: Path) -> Snapshot:
    version = pg_tool_version("pg_dump")
    uri, env = _libpq(url)
    engine = create_engine(url)
    try:
        with engine.connect() as raw:
            conn = raw.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                conn.execute(text("SET TRANSACTION READ ONLY"))
                snapshot_id = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
                schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
                revisions = database_revisions(conn)
                references = referenced_versions(conn)
                events, head = _audit_head(conn)
                _private_file(target)
                done = subprocess.run(
                    pg_dump_command(uri, target, schema, snapshot_id),
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=_PG_TIMEOUT_S,
                )
                taken_at = utcnow()
    finally:
        engine.dispose()
    if done.returncode != 0:
        raise DatabaseError(f"pg_dump nepavyko: {done.stderr.strip()[-2000:]}")
    return Snapshot(
        path=target,
        dialect="postgresql",
        schema=schema,
        revisions=revisions,
        references=references,
        audit_events=events,
        audit_head=head,
        taken_at=taken_at,
        tool=version,
    )


# -- restore ---------------------------------------------------------------------------------


def target_problem(database_url: str) -> str | None:
    """Why the database at ``database_url`` may not receive a restore (None: it is empty)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        if path.exists() and path.stat().st_size > 0:
            return f"duomenų bazės failas {path} jau yra"
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            if schema is None:
                return None
            tables = conn.execute(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            ).scalar_one()
    except Exception as exc:  # any driver error: the database cannot be used
        return f"duomenų bazė nepasiekiama ({type(exc).__name__})"
    finally:
        engine.dispose()
    if tables:
        return f"duomenų bazės schemoje „{schema}“ jau yra lentelių ({tables})"
    return None


def restore(dump: Path, dialect: str, schema: str | None, database_url: str) -> None:
    """Load the snapshot into the empty database at ``database_url``."""
    url = make_url(database_url)
    if url.get_backend_name() != dialect:
        raise DatabaseError(
            f"Atsarginėje kopijoje {dialect} duomenų bazė, o nurodyta "
            f"{url.get_backend_name()}: atkurti galima tik į tos pačios rūšies duomenų bazę."
        )
    if dialect == "sqlite":
        _sqlite_restore(dump, sqlite_path(url))
    else:
        _pg_restore(dump, schema or "public", url)


def _sqlite_restore(dump: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    _private_file(target)
    src = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@contextmanager
def _toc_without_schema(dump: Path, schema: str, workdir: Path) -> Iterator[Path]:
    """pg_restore's list of the archive minus the CREATE SCHEMA entry: the target schema exists
    already (``public`` always does), and only its tables are to be created."""
    listing = subprocess.run(
        ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise DatabaseError(f"pg_restore --list nepavyko: {listing.stderr.strip()[-2000:]}")
    own_schema = re.compile(rf"^\d+; \d+ \d+ (SCHEMA|COMMENT) - (SCHEMA )?{re.escape(schema)} ")
    kept = [line for line in listing.stdout.splitlines() if not own_schema.match(line)]
    path = workdir / "restore.list"
    path.write_text("\n".join(kept) + "\n")
    yield path


def _pg_restore(dump: Path, schema: str, url: URL) -> None:
    pg_tool_version("pg_restore")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            current = conn.execute(text("SELECT current_schema()")).scalar()
    finally:
        engine.dispose()
    if current != schema:
        raise DatabaseError(
            f"Atsarginės kopijos duomenys yra schemoje „{schema}“, o paskirties ryšys naudoja "
            f"„{current}“: nurodykite ryšį su ta pačia schema (search_path)."
        )
    uri, env = _libpq(url)
    with (
        tempfile.TemporaryDirectory() as workdir,
        _toc_without_schema(dump, schema, Path(workdir)) as toc,
    ):
        done = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--use-list={toc}",
                f"--dbname={uri}",
                str(dump),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=_PG_TIMEOUT_S,
        )
    if done.returncode != 0:
        raise DatabaseError(f"pg_restore nepavyko: {done.stderr.strip()[-2000:]}")


def revision_problem(revisions: Iterable[str]) -> str | None:
    """Why this version of Bylos cannot open a database at ``revisions`` (None: it can)."""
    unknown = sorted(set(revisions) - known_revisions())
    if unknown:
        return (
            "Duomenų bazės schema naujesnė nei ši Bylos versija (nežinomos schemos versijos: "
            f"{', '.join(unknown)}). Paleiskite tą pačią ar naujesnę Bylos versiją; "
            "senesnė jos nesugadins, bet ir neatidarys."
        )
    return None
