"""/metrics, /api/health, JSON logs, and the refusal to start on a newer schema."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import logging.config
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from service.app import create_app
from service.audit.log import Actor
from service.db import SchemaTooNew, make_engine, migrate
from service.operations.backup import run_backup
from service.operations.logs import logging_config
from service.operations.metrics import InstrumentedConverter, Metrics
from service.settings import Settings
from service.users.models import Role
from storage.objectstore import ObjectStore
from tests.conftest import Service, example
from tests.web.conftest import csrf_of

pytestmark = pytest.mark.db

REMOTE = {"X-Forwarded-For": "203.0.113.9"}


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _local(service: Service) -> TestClient:
    """A client whose requests come from 127.0.0.1, on the running app."""
    return TestClient(service.client.app, client=("127.0.0.1", 40000))


def test_metrics_are_for_the_admin_or_this_machine(service: Service) -> None:
    client = service.client  # Starlette's test peer "testclient": not loopback
    assert client.get("/metrics").status_code == 401
    office = service.user(Role.office_manager)
    refused = client.get("/metrics", headers=office)
    assert refused.status_code == 403
    assert "administratoriui" in refused.json()["detail"]
    admin = service.user(Role.admin, name="Petras Administratorius")
    allowed = client.get("/metrics", headers=admin)
    assert allowed.status_code == 200
    assert allowed.headers["content-type"].startswith("text/plain")
    local = _local(service)
    assert local.get("/metrics").status_code == 200
    # Through a proxy on this machine the caller is someone else.
    assert local.get("/metrics", headers=REMOTE).status_code == 401


def test_metrics_count_documents_conversions_backups_fixity_and_refusals(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    local = _local(service)
    before = _samples(local.get("/metrics").text)
    assert before[("bylos_backup_age_seconds", ())] == float("inf")
    assert before[("bylos_fixity_last_clean_age_seconds", ())] == float("inf")

    office = service.user(Role.office_manager)
    for _ in range(2):
        response = service.client.post(
            "/api/documents/leaving-certificate",
            json=example("leaving-certificate"),
            headers=office,
        )
        assert response.status_code == 201
    assert service.client.get("/api/documents", headers={"Authorization": "Bearer x"}).status_code
    archivist = service.user(Role.archivist, name="Aldona Archyvarė")
    assert service.client.post("/api/fixity/runs", headers=archivist).status_code in (200, 201)
    run_backup(service.engine, service.store, database_url, tmp_path / "k", Actor(None, "t"))
    page = service.client.get("/prisijungti")
    service.client.post(
        "/prisijungti",
        data={"login": "nera", "password": "blogas", "csrf": csrf_of(page.text)},
    )

    after = _samples(local.get("/metrics").text)
    assert after[("bylos_documents_issued_total", (("kind", "leaving-certificate"),))] == 2
    assert after[("bylos_conversion_seconds_count", ())] == 2
    assert after[("bylos_conversion_seconds_sum", ())] > 0
    assert after[("bylos_converter_queue_depth", ())] == 0
    assert after[("bylos_signin_failures_total", (("method", "token"),))] == 1
    assert after[("bylos_signin_failures_total", (("method", "password"),))] == 1
    assert after[("bylos_fixity_last_run_clean", ())] == 1
    assert after[("bylos_fixity_last_run_objects", (("result", "ok"),))] == 4
    assert 0 <= after[("bylos_fixity_last_clean_age_seconds", ())] < 600
    assert 0 <= after[("bylos_backup_age_seconds", ())] < 600


def test_a_dead_store_is_named_by_health_and_counted(service: Service) -> None:
    office = service.user(Role.office_manager)
    doc = service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    ).json()
    runtime = service.client.app.state.runtime  # type: ignore[attr-defined]
    live = runtime.store
    # A port nothing listens on: the store is "down" as far as Bylos can tell.
    runtime.store = ObjectStore(
        endpoint="127.0.0.1:9", access_key="a", secret_key="b", bucket="bylos", timeout_s=1
    )
    try:
        anonymous = service.client.get("/api/health")
        assert anonymous.status_code == 503
        body = anonymous.json()
        assert (body["status"], body["store"], body["database"]) == ("unavailable", "down", "ok")
        assert "saugykla" in body["detail"]
        # Why, and versions, only for the admin or this machine.
        assert "details" not in body and "127.0.0.1:9" not in anonymous.text
        admin = service.user(Role.admin, name="Petras Administratorius")
        detailed = service.client.get("/api/health", headers=admin).json()
        assert "127.0.0.1:9" in detailed["details"]["store"]
        assert detailed["schema_revisions"]
        local = _local(service).get("/api/health").json()
        assert local["details"]["store"]
        download = service.client.get(f"/api/documents/{doc['id']}/file", headers=office)
        assert download.status_code == 503
        counted = _samples(_local(service).get("/metrics").text)
        assert counted[("bylos_dependency_errors_total", (("dependency", "store"),))] == 1
    finally:
        runtime.store = live
    healthy = service.client.get("/api/health")
    assert healthy.status_code == 200
    assert healthy.json() == {"status": "ok", "database": "ok", "store": "ok", "converter": "ok"}


class _Blocking:
    """Stands in for the pool in a test of the wrapper's own arithmetic (how many wait)."""

    size = 1

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)

    def convert_to_pdfa(self, docx: bytes) -> bytes:
        self.entered.release()
        self.release.wait(10)
        return b"%PDF-"

    def ping(self) -> None:
        return None

    def reserve(self, owner: str) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()


def test_queue_depth_counts_conversions_beyond_the_workers() -> None:
    inner = _Blocking()
    metrics = Metrics()
    converter = InstrumentedConverter(inner, metrics)
    threads = [threading.Thread(target=converter.convert_to_pdfa, args=(b"",)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert inner.entered.acquire(timeout=10)
    assert converter.waiting == 2
    inner.release.set()
    for thread in threads:
        thread.join(10)
    assert converter.waiting == 0
    assert converter.size == 1  # the pool's own attributes pass through


def _newer_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('9999')"))
    engine.dispose()


def test_the_service_refuses_a_database_newer_than_itself(
    database_url: str, tmp_path: Path
) -> None:
    _newer_schema(database_url)
    app = create_app(Settings(data_dir=tmp_path / "data", database_url=database_url))
    with pytest.raises(SchemaTooNew, match="9999"), TestClient(app):
        pass
    env = os.environ | {
        "BYLOS_DATA_DIR": str(tmp_path / "data"),
        "BYLOS_DATABASE_URL": database_url,
    }
    bylos = Path(sys.executable).parent / "bylos"
    for command in (["serve"], ["migrate"]):
        done = subprocess.run(
            [str(bylos), *command], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 3, done.stderr
        assert "naujesnė nei ši Bylos versija" in done.stderr
        assert "9999" in done.stderr


def _emit(config: dict[str, Any], record: logging.LogRecord) -> str:
    stream = io.StringIO()
    config["handlers"]["default"]["stream"] = stream
    config["handlers"]["access"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        logging.getLogger(record.name).handle(record)
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    return stream.getvalue()


def _access(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def test_json_logs_are_one_object_per_line_without_query_strings() -> None:
    out = _emit(logging_config("json"), _access("/api/documents?q=Jonaitis"))
    [line] = out.splitlines()
    entry = json.loads(line)
    assert entry["logger"] == "uvicorn.access"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/api/documents", 200)
    assert "Jonaitis" not in line
    plain = logging.LogRecord("bylos", logging.WARNING, __file__, 1, "saugykla: %s", ("ą",), None)
    entry = json.loads(_emit(logging_config("json"), plain))
    assert (entry["level"], entry["message"]) == ("WARNING", "saugykla: ą")
    text_line = _emit(logging_config("text"), _access("/api/documents?q=Jonaitis"))
    assert "GET /api/documents 200" in text_line and "Jonaitis" not in text_line
