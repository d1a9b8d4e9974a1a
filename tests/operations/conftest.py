"""Fixtures of the operations tests: an empty database to restore into, on either engine."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import POSTGRES_URL


@pytest.fixture
def restore_database_url(database_url: str) -> Iterator[str | None]:
    """Where a restore writes its database: None means the default SQLite file of the new data
    dir; on PostgreSQL a new, empty database whose connections use the same schema name as the
    source's (``search_path``), as an operator's second server would."""
    if not POSTGRES_URL:
        yield None
        return
    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        options = make_url(database_url).query.get("options")
        url = make_url(POSTGRES_URL).set(database=name)
        if isinstance(options, str):
            url = url.update_query_dict({"options": options})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
