"""When a dependency fails mid-way: a clear 503, the number void with its reason, nothing half
stored, and the next request succeeds."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlmodel import col, select

from service.audit.models import AuditEvent
from service.db import session_scope
from service.registry.models import EntryStatus, RegistryEntry
from service.rendering.pdf import ConverterPool
from service.users.models import Role
from storage.objectstore import ObjectStore
from storage.seaweed import EmbeddedSeaweed
from tests.conftest import Service, example
from tests.fixtures.converter import uno_bin

pytestmark = pytest.mark.db

URL = "/api/documents/leaving-certificate"


@pytest.fixture
def lone_worker(tmp_path: Path) -> Iterator[ConverterPool]:
    """A pool of one worker with a short timeout, so a hang is seen quickly."""
    with ConverterPool(
        size=1, uno_python_bin=uno_bin(), work_dir=tmp_path / "lone", timeout_s=8.0
    ) as pool:
        yield pool


def _entries(service: Service) -> list[RegistryEntry]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(RegistryEntry).order_by(col(RegistryEntry.seq))))


def _failed_events(service: Service) -> list[AuditEvent]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "document.failed")))


def _use_converter(service: Service, pool: ConverterPool) -> None:
    service.client.app.state.runtime.converter = pool  # type: ignore[attr-defined]


def test_hung_converter_gives_503_and_voids_the_number(
    service: Service, lone_worker: ConverterPool
) -> None:
    _use_converter(service, lone_worker)
    office = service.user(Role.office_manager)
    soffice = lone_worker.worker_pids()[0]
    os.killpg(os.getpgid(soffice), signal.SIGSTOP)
    response = service.client.post(URL, json=example("leaving-certificate"), headers=office)
    assert response.status_code == 503
    assert response.json()["error"] == "ConverterUnavailable"
    [entry] = _entries(service)
    assert entry.status == EntryStatus.void
    assert entry.void_reason is not None and "konverteris" in entry.void_reason
    assert service.store.list_versions() == []
    assert len(_failed_events(service)) == 1
    retry = service.client.post(URL, json=example("leaving-certificate"), headers=office)
    assert retry.status_code == 201, retry.text
    assert retry.json()["registration"]["number"] == "PZ-2"


def test_worker_killed_during_a_request_gives_503_then_recovers(
    service: Service, lone_worker: ConverterPool
) -> None:
    _use_converter(service, lone_worker)
    office = service.user(Role.office_manager)
    soffice = lone_worker.worker_pids()[0]
    # Freeze the worker first so the kill lands while the request is inside the conversion.
    os.kill(soffice, signal.SIGSTOP)
    result: dict[str, httpx.Response] = {}
    request = threading.Thread(
        target=lambda: result.setdefault(
            "r", service.client.post(URL, json=example("leaving-certificate"), headers=office)
        )
    )
    request.start()
    time.sleep(1.5)
    os.kill(soffice, signal.SIGKILL)
    request.join(timeout=60)
    assert result["r"].status_code == 503
    assert _entries(service)[0].status == EntryStatus.void
    after = [
        service.client.post(URL, json=example("leaving-certificate"), headers=office)
        for _ in range(2)
    ]
    assert [r.status_code for r in after] == [201, 201]
    assert soffice not in lone_worker.worker_pids()


def test_unreachable_store_gives_503_before_a_number_is_taken(service: Service) -> None:
    """A store that is down when the request comes (crashed, being restarted) is found before
    the number is reserved: 503 with Retry-After, and nothing in the register."""
    office = service.user(Role.office_manager)
    runtime = service.client.app.state.runtime  # type: ignore[attr-defined]
    working = runtime.store
    # Nothing listens on port 9 (discard) on loopback here: connections are refused at once.
    runtime.store = ObjectStore(
        endpoint="127.0.0.1:9", access_key="k", secret_key="s", bucket="nepasiekiama", timeout_s=2.0
    )
    try:
        response = service.client.post(URL, json=example("leaving-certificate"), headers=office)
    finally:
        runtime.store = working
    assert response.status_code == 503
    assert response.json()["error"] == "StoreUnavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert _entries(service) == []
    retry = service.client.post(URL, json=example("leaving-certificate"), headers=office)
    assert retry.status_code == 201
    assert retry.json()["registration"]["number"] == "PZ-1"


def test_store_failing_after_the_number_was_taken_voids_it(
    service: Service, seaweed: EmbeddedSeaweed
) -> None:
    """The same store answers the pre-check but refuses the write (here: its bucket is gone):
    the number taken meanwhile is void with its reason."""
    office = service.user(Role.office_manager)
    runtime = service.client.app.state.runtime  # type: ignore[attr-defined]
    working = runtime.store
    runtime.store = seaweed.object_store(f"{working.bucket}-nera")
    try:
        response = service.client.post(URL, json=example("leaving-certificate"), headers=office)
    finally:
        runtime.store = working
    assert response.status_code == 503
    assert response.json()["error"] == "StoreUnavailable"
    [entry] = _entries(service)
    assert entry.status == EntryStatus.void
    assert entry.void_reason is not None and "saugykla" in entry.void_reason.lower()
    retry = service.client.post(URL, json=example("leaving-certificate"), headers=office)
    assert retry.status_code == 201
