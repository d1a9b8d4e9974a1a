"""Upgrades (issue 15 item 4): a database populated at each schema revision there is, from the
first, migrated to the newest with its rows intact, and the service starts on it and goes on
numbering. The revisions are read from the migrations directory, so a new migration is walked
the day it is added."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Integer, MetaData, and_, insert, select, text, update
from sqlalchemy.engine import Engine

from service.app import create_app
from service.db import MIGRATIONS_DIR, make_engine, migrate, throwaway_schema
from service.rendering.pdf import ConverterPool
from service.settings import Settings
from storage.objectstore import ObjectStore
from tests.conftest import POSTGRES_URL, auth, example
from tests.operations import upgrade_data as data
from tests.school import TEST_SCHOOL_SETTINGS

pytestmark = pytest.mark.db


def _revisions() -> list[str]:
    """Every revision, each after the ones it depends on."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@contextmanager
def _fresh_database(tmp_path: Path, name: str) -> Iterator[str]:
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return
    with throwaway_schema(POSTGRES_URL, "up") as url:
        yield url


def _upgrade_to(engine: Engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _populate(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Rows in every table the revision has; returns what was inserted."""
    meta = MetaData()
    meta.reflect(bind=engine)
    inserted: dict[str, list[dict[str, Any]]] = {}
    known: dict[str, Any] = {}
    with engine.begin() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version":
                continue
            if table.name == "audit_head":
                # Its one row exists from the first migration: the chain's tip moves.
                conn.execute(
                    update(table).values(last_hash=data.AUDIT_HEAD, count=len(data.AUDIT_EVENTS))
                )
                continue
            for raw in data.ROWS.get(table.name, [{}]):
                row = {k: v for k, v in raw.items() if k in table.c}
                for column in table.c:
                    needed = not column.nullable and column.server_default is None
                    if column.name not in row and needed:
                        row[column.name] = data.filler(table, column.name, row, known)
                result = conn.execute(insert(table).values(row))
                generated = result.inserted_primary_key or ()
                keys = zip(table.primary_key.columns, generated, strict=True)
                for column, value in keys:
                    row.setdefault(column.name, value)
                inserted.setdefault(table.name, []).append(row)
                for key, value in row.items():
                    known.setdefault(f"{table.name}.{key}", value)
            if engine.dialect.name == "postgresql":
                _advance_sequences(conn, table)
    return inserted


def _advance_sequences(conn: Any, table: Any) -> None:
    """Rows written with explicit ids leave PostgreSQL's sequences behind; the service's own
    inserts would have moved them (as a restored pg_dump does)."""
    for column in table.primary_key.columns:
        if not isinstance(column.type, Integer):
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar()
        if sequence:
            conn.execute(
                text(f'SELECT setval(:s, (SELECT max("{column.name}") FROM "{table.name}"))'),
                {"s": sequence},
            )


def _same(expected: Any, found: Any) -> bool:
    if isinstance(expected, dt.datetime) and isinstance(found, dt.datetime):
        aware = found if found.tzinfo else found.replace(tzinfo=dt.UTC)
        return aware == expected
    if isinstance(expected, dict | list):
        return bool(data.as_json(found) == json.loads(json.dumps(expected, default=str)))
    return bool(expected == found)


def _check_rows(engine: Engine, inserted: dict[str, list[dict[str, Any]]]) -> None:
    meta = MetaData()
    meta.reflect(bind=engine)
    with engine.connect() as conn:
        for name, rows in inserted.items():
            table = meta.tables[name]
            keys = [c.name for c in table.primary_key.columns]
            for row in rows:
                where = and_(*(table.c[k] == row[k] for k in keys))
                found = conn.execute(select(table).where(where)).mappings().one_or_none()
                assert found is not None, f"{name} {[row[k] for k in keys]} vanished"
                for column, value in row.items():
                    assert _same(value, found[column]), (name, column, value, found[column])


def _service_works(
    url: str, tmp_path: Path, store: ObjectStore, converter: ConverterPool, revision: str
) -> None:
    settings = Settings(
        data_dir=tmp_path / f"data-{revision}", database_url=url, **TEST_SCHOOL_SETTINGS
    )
    headers = auth(data.TOKEN)
    with TestClient(create_app(settings, store=store, converter=converter)) as client:
        assert client.get("/api/health").status_code == 200
        doc = client.get(f"/api/documents/{data.DOC}", headers=headers)
        assert doc.status_code == 200, (revision, doc.text)
        assert doc.json()["registration"]["number"] == f"PZ-{data.LAST_PZ}"
        chain = client.get("/api/audit/verify", headers=headers).json()
        assert chain["ok"] and chain["events"] == len(data.AUDIT_EVENTS), (revision, chain)
        issued = client.post(
            "/api/documents/leaving-certificate",
            json=example("leaving-certificate"),
            headers=headers,
        )
        assert issued.status_code == 201, (revision, issued.text)
        assert issued.json()["registration"]["number"] == f"PZ-{data.LAST_PZ + 1}"
        entries = client.get(f"/api/registers/PZ/entries?year={data.YEAR}", headers=headers).json()
        rows = entries["entries"] if isinstance(entries, dict) else entries
        assert [(e["seq"], e["status"]) for e in rows][-3:] == [
            (data.LAST_PZ - 1, "void"),
            (data.LAST_PZ, "registered"),
            (data.LAST_PZ + 1, "registered"),
        ]


def test_every_revision_with_data_upgrades_to_head_and_serves(
    tmp_path: Path, object_store: ObjectStore, converter_pool: ConverterPool
) -> None:
    revisions = _revisions()
    assert revisions[0] == "0001" and len(revisions) >= 8
    for revision in revisions:
        with _fresh_database(tmp_path, revision) as url:
            engine = make_engine(url)
            try:
                _upgrade_to(engine, revision)
                inserted = _populate(engine)
                assert "documents" in inserted and "users" in inserted
                migrate(engine)
                _check_rows(engine, inserted)
            finally:
                engine.dispose()
            _service_works(url, tmp_path, object_store, converter_pool, revision)


def test_filler_gives_every_required_column_a_value_of_its_type() -> None:
    """New tables and columns from later migrations get rows too (see upgrade_data)."""
    from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, String, Table

    meta = MetaData()
    Table("users", meta, Column("id", Integer, primary_key=True))
    table = Table(
        "naujiena",
        meta,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("users.id")),
        Column("flag", Boolean),
        Column("on", Date),
        Column("at", DateTime(timezone=True)),
        Column("name", String),
    )
    known = {"users.id": 42}
    values = {c: data.filler(table, c, {}, known) for c in [col.name for col in table.c]}
    assert values == {
        "id": 1,
        "user_id": 42,
        "flag": False,
        "on": data.AT.date(),
        "at": data.AT,
        "name": "naujiena.name",
    }
