"""The scheduled fixity run starts with the service when BYLOS_FIXITY_INTERVAL_HOURS > 0."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from service.app import create_app
from service.archive.models import FixityRun
from service.db import make_engine, session_scope
from service.rendering.pdf import ConverterPool
from service.settings import Settings
from storage.seaweed import EmbeddedSeaweed

pytestmark = pytest.mark.db


def test_scheduled_run_is_recorded(
    tmp_path: Path, database_url: str, seaweed: EmbeddedSeaweed, converter_pool: ConverterPool
) -> None:
    bucket = f"t-{uuid.uuid4().hex[:16]}"
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        s3_bucket=bucket,
        fixity_interval_hours=0.5 / 3600,  # every half second
    )
    store = seaweed.object_store(bucket)
    app = create_app(settings, store=store, converter=converter_pool)
    engine = make_engine(database_url)
    try:
        with TestClient(app):
            deadline = time.monotonic() + 20
            runs: list[FixityRun] = []
            while time.monotonic() < deadline and not runs:
                time.sleep(0.2)
                with session_scope(engine) as session:
                    runs = list(session.exec(select(FixityRun)))
        assert runs, "no scheduled fixity run within 20 s"
        assert runs[0].started_by is None
    finally:
        engine.dispose()
        store.close()
