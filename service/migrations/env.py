"""Alembic environment: runs on the connection handed over by service.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import service.models  # noqa: F401  (registers every table on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        # `alembic revision --autogenerate` from the command line: URL given with -x url=...
        url = context.get_x_argument(as_dictionary=True)["url"]
        engine = engine_from_config({"sqlalchemy.url": url}, poolclass=pool.NullPool)
        with engine.connect() as conn:
            _run_with(conn)
        return
    _run_with(connection)


def _run_with(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only alter tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


run()
