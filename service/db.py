"""Database engine, migrations and the per-request session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, Result
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

from service.errors import DependencyUnavailable, ServiceError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            # Requests run in a thread pool; SQLite serialises writers itself (busy timeout).
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


@contextmanager
def throwaway_schema(postgres_url: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL schema in the database at ``postgres_url``, dropped with all it
    holds on exit. Yields a URL whose connections see only that schema (``search_path``), so
    many test runs and benchmarks share one database without seeing each other's tables."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in postgres_url else "?"
        try:
            yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (listings, downloads) proceed while one request registers a number.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class SchemaTooNew(ServiceError):
    """The database was written by a newer Bylos: this version must not touch it."""

    status_code = 503


def known_revisions() -> set[str]:
    """Every schema revision this version of Bylos knows."""
    return {rev.revision for rev in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


def check_schema_not_newer(conn: Connection) -> None:
    """Refuse a database at a revision this version does not know (a newer Bylos migrated it):
    alembic would fail with "Can't locate revision", and code older than the schema could
    misread or damage what the newer one wrote."""
    if not inspect(conn).has_table("alembic_version"):
        return
    present = {
        str(r) for r in conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
    }
    unknown = sorted(present - known_revisions())
    if unknown:
        raise SchemaTooNew(
            "Duomenų bazės schema naujesnė nei ši Bylos versija (nežinomos schemos versijos: "
            f"{', '.join(unknown)}): ją atnaujino naujesnė Bylos versija. Paleiskite tą pačią "
            "ar naujesnę Bylos versiją; ši tarnyba nepaleista ir duomenų bazės nekeitė."
        )


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent); refuses a newer schema."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        check_schema_not_newer(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    except (OperationalError, PoolTimeout) as exc:
        raise DependencyUnavailable(
            "Duomenų bazė nepasiekiama arba užimta. Bandykite dar kartą po kelių sekundžių."
        ) from exc


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through a Session changed. Such a statement
    returns a CursorResult, typed as a plain Result, whose rowcount the database reports."""
    return int(getattr(result, "rowcount", 0) or 0)


def insert_ignoring_conflicts(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on either database, for rows two requests may race to
    create (a year's counters and cases)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(pg_insert(table).values(rows).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(table).values(rows).on_conflict_do_nothing())
