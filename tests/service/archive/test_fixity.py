"""Fixity runs against the real bucket: clean, tampered record, overwritten key, orphan,
missing version, lock weaker than recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text

from service.archive.models import FixityRun
from service.db import session_scope
from service.documents.models import Document
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import closed_case, person, stored_document, use_test_rules

pytestmark = pytest.mark.db

Setup = tuple[list[Document], dict[str, str]]
LOCK = dt.date.today() + dt.timedelta(days=400)


@pytest.fixture
def setup(service: Service) -> Setup:
    use_test_rules(service)
    user, headers = person(service, Role.archivist)
    case = closed_case(service, 2020)
    docs = [stored_document(service, case, user, lock_until=LOCK) for _ in range(3)]
    return docs, headers


def _run(service: Service, headers: dict[str, str]) -> dict[str, Any]:
    response = service.client.post("/api/fixity/runs", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_clean_store_passes_and_the_run_is_recorded(service: Service, setup: Setup) -> None:
    _, headers = setup
    report = _run(service, headers)
    assert (report["checked"], report["ok"]) == (6, 6)
    assert report["mismatched"] == report["missing"] == report["orphans"] == []
    assert report["lock_problems"] == []
    assert report["clean"] is True
    with session_scope(service.engine) as session:
        assert session.get(FixityRun, report["id"]) is not None


def test_a_new_version_written_over_a_registered_key_is_detected(
    service: Service, setup: Setup
) -> None:
    docs, headers = setup
    service.store.put(docs[0].object_key, b"%PDF forged", retain_until=None)
    report = _run(service, headers)
    assert report["overwritten_keys"] == [docs[0].object_key]
    [orphan] = report["orphans"]
    assert orphan["key"] == docs[0].object_key
    assert orphan["overwrites_registered_key"] is True
    # The registered version itself is intact.
    assert report["ok"] == 6
    assert report["clean"] is False


def test_orphan_missing_mismatch_and_weak_lock_are_reported(service: Service, setup: Setup) -> None:
    docs, headers = setup
    service.store.put("1999/XX/stray.pdf", b"nobody registered me", retain_until=None)
    with session_scope(service.engine) as session:
        session.execute(
            text("UPDATE documents SET sha256 = :sha WHERE id = :id"),
            {"sha": "0" * 64, "id": docs[0].id},
        )
        session.execute(
            text("UPDATE documents SET object_version_id = 'no-such-version' WHERE id = :id"),
            {"id": docs[1].id},
        )
        session.execute(
            text("UPDATE documents SET lock_until = :d WHERE id = :id"),
            {"d": LOCK + dt.timedelta(days=30), "id": docs[2].id},
        )
    report = _run(service, headers)
    assert [(m["document_id"], m["part"]) for m in report["mismatched"]] == [(docs[0].id, "pdf")]
    assert report["mismatched"][0]["actual_sha256"] == docs[0].sha256
    assert [(m["document_id"], m["part"]) for m in report["missing"]] == [(docs[1].id, "pdf")]
    assert {(p["document_id"], p["part"]) for p in report["lock_problems"]} == {
        (docs[2].id, "pdf"),
        (docs[2].id, "docx"),
    }
    orphan_keys = {o["key"] for o in report["orphans"]}
    # docs[1]'s real version is now unknown to the records too.
    assert orphan_keys == {"1999/XX/stray.pdf", docs[1].object_key}
    # What is left intact: the DOCX of the first two documents.
    assert report["ok"] == 2


def test_only_the_archivist_runs_fixity(service: Service) -> None:
    _, teacher = person(service, Role.class_teacher, name="Klasės Vadovė")
    assert service.client.post("/api/fixity/runs", headers=teacher).status_code == 403
