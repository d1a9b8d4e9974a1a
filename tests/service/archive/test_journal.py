"""Journal transfer: a streamed upload is hashed, stored locked and registered in DP; a broken
upload leaves nothing behind (no number, no object)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import pytest
from sqlmodel import select

from service.db import session_scope
from service.documents.models import JournalFile
from service.registry.models import RegistryEntry
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import person, use_test_rules

pytestmark = pytest.mark.db

URL = "/api/journal-transfers?filename=tamo-2025-2026.zip&school_year=2025-2026"


def _chunks(data: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _nothing_registered(service: Service) -> None:
    with session_scope(service.engine) as session:
        assert session.exec(select(RegistryEntry)).all() == []
        assert session.exec(select(JournalFile)).all() == []
    assert [v for v in service.store.list_versions() if "journal" in v.key] == []


def test_streamed_upload_is_registered_and_locked(service: Service) -> None:
    use_test_rules(service)
    _, headers = person(service, Role.admin, name="Petras Administratorius")
    data = os.urandom(3 * 1024 * 1024 + 17)
    response = service.client.post(
        URL,
        content=_chunks(data),
        headers=headers | {"Content-Type": "application/zip"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == "DP-1"
    assert body["file"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["file"]["size"] == len(data)
    with session_scope(service.engine) as session:
        record = session.get(JournalFile, body["document_id"])
        assert record is not None
    info = service.store.stat(record.object_key, record.object_version_id)
    assert info.mode == "COMPLIANCE"
    assert info.retain_until is not None
    assert info.retain_until.isoformat() == body["retention"]["locked_until"]
    # The cover record is a registered document in case 3.5 E.
    _, archivist = person(service, Role.archivist)
    cover = service.client.get(f"/api/documents/{body['document_id']}", headers=archivist).json()
    assert (cover["kind"], cover["case"]["index"]) == ("journal-transfer", "3.5 E")
    download = service.client.get(
        f"/api/journal-transfers/{body['document_id']}/file", headers=archivist
    )
    assert download.status_code == 200
    assert download.content == data


def test_truncated_upload_leaves_nothing(service: Service) -> None:
    use_test_rules(service)
    _, headers = person(service, Role.admin, name="Petras Administratorius")
    data = os.urandom(500_000)
    response = service.client.post(
        URL, content=data, headers=headers | {"Content-Length": "1000000"}
    )
    assert response.status_code == 422
    assert "500000 iš 1000000" in response.json()["detail"]
    _nothing_registered(service)


def test_damaged_upload_leaves_nothing(service: Service) -> None:
    use_test_rules(service)
    _, headers = person(service, Role.admin, name="Petras Administratorius")
    response = service.client.post(
        URL, content=b"journal bytes", headers=headers | {"X-Content-SHA256": "0" * 64}
    )
    assert response.status_code == 422
    empty = service.client.post(URL, content=b"", headers=headers)
    assert empty.status_code == 422
    unnamed = service.client.post("/api/journal-transfers", content=b"x", headers=headers)
    assert unnamed.status_code == 422
    _, teacher = person(service, Role.class_teacher, name="Klasės Vadovė")
    assert service.client.post(URL, content=b"x", headers=teacher).status_code == 403
    _nothing_registered(service)
