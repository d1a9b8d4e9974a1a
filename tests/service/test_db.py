"""The throwaway PostgreSQL schema that the tests and the benchmarks each get."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from service.db import throwaway_schema
from tests.conftest import POSTGRES_URL

pytestmark = [
    pytest.mark.db,
    pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only (BYLOS_TEST_POSTGRES_URL)"),
]


def _schema_exists(url: str, name: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :n"),
                {"n": name},
            ).scalar_one()
    finally:
        engine.dispose()
    return bool(found)


def test_a_throwaway_schema_holds_the_tables_and_is_dropped_afterwards() -> None:
    assert POSTGRES_URL is not None
    with throwaway_schema(POSTGRES_URL, "t") as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE probe (x integer)"))
                schema = conn.execute(text("SELECT current_schema()")).scalar_one()
                homes = conn.execute(
                    text(
                        "SELECT table_schema FROM information_schema.tables WHERE table_name = :t"
                    ),
                    {"t": "probe"},
                ).scalars()
                table_schemas = list(homes)
        finally:
            engine.dispose()
        assert schema.startswith("t_") and table_schemas == [schema]
        assert _schema_exists(POSTGRES_URL, schema)
    assert not _schema_exists(POSTGRES_URL, schema)
