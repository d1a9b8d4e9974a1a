"""The restore drill (issue 15 item 3): a school's year of records, backed up while the service
runs, restored onto a new data dir with a fresh embedded SeaweedFS, and compared piece by
piece. Runs on SQLite and, under `make test-postgres`, on PostgreSQL."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from service.app import create_app
from service.audit.log import Actor
from service.audit.models import AuditAnchor
from service.db import session_scope
from service.documents.models import Document, JournalFile
from service.operations.backup import run_backup
from service.operations.models import BackupRun, BackupStatus, RestoredVersion
from service.operations.restore import run_restore
from service.rendering.pdf import ConverterPool
from service.settings import Settings
from service.timeutil import today_vilnius
from service.users.models import Role
from storage.objectstore import ObjectStore
from storage.versions import list_records
from tests.conftest import EXAMPLE_CLASSES, Service, example
from tests.school import TEST_SCHOOL_SETTINGS
from tests.service.archive.helpers import (
    closed_case,
    person,
    runtime,
    stored_document,
    use_test_rules,
)
from tests.service.documents.seed_kinds import payload

pytestmark = pytest.mark.db

JOURNAL_URL = "/api/journal-transfers?filename=tamo-2025-2026.zip&school_year=2025-2026"


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


def _populate(service: Service) -> dict[str, Any]:
    """Documents of every kind, a corrected summary, a hold, a disposal, a journal transfer."""
    use_test_rules(service)
    client = service.client
    office = service.user(Role.office_manager)
    deputy = service.user(Role.deputy, name="Dalia Pavaduotoja")
    teacher = service.user(Role.class_teacher, name="Kęstutis Auklėtojas", leads=EXAMPLE_CLASSES)
    admin = service.user(Role.admin, name="Petras Administratorius")
    archivist_user, archivist = person(service, Role.archivist)
    _, director = person(service, Role.director, name="Vida Direktorė")

    certificate = _ok(
        client.post(
            "/api/documents/leaving-certificate",
            json=example("leaving-certificate"),
            headers=office,
        )
    )
    _ok(
        client.post(
            "/api/documents/confidentiality-pledge",
            json=payload("confidentiality-pledge"),
            headers=office,
        )
    )
    summary = _ok(
        client.post(
            "/api/documents/achievement-summary",
            json=payload("achievement-summary"),
            headers=deputy,
        )
    )
    corrected = payload("achievement-summary")
    corrected["students"][0]["marks"]["Matematika"] = 8
    _ok(
        client.post(
            f"/api/documents/{summary['id']}/versions",
            json={"reason": "Ištaisytas matematikos įvertinimas", "payload": corrected},
            headers=deputy,
        )
    )
    _ok(
        client.post(
            "/api/documents/change-act",
            json=payload("change-act", summary_id=summary["id"]),
            headers=deputy,
        )
    )
    _ok(
        client.post(
            "/api/documents/safety-briefing", json=payload("safety-briefing"), headers=teacher
        )
    )
    _ok(
        client.post(
            "/api/documents/progress-report", json=payload("progress-report"), headers=teacher
        )
    )
    # Closing the summaries' and the briefings' cases issues a case inventory (BA) for the
    # long-term group. The tests' rules keep both 10 years, which the rules' default makes
    # temporary (on no inventory): this school counts over 5 years as long-term.
    runtime(service).records = dataclasses.replace(runtime(service).records, long_term_over_years=5)
    year = today_vilnius().year
    _ok(
        client.post(
            "/api/cases/close", json={"year": year, "indexes": ["3.1", "3.2"]}, headers=archivist
        )
    )
    _ok(
        client.post(
            "/api/holds",
            json={"document_id": certificate["id"], "reason": "Teismo prašymas"},
            headers=archivist,
        )
    )
    journal = os.urandom(2 * 1024 * 1024 + 5)
    transfer = _ok(
        client.post(
            JOURNAL_URL, content=journal, headers=admin | {"Content-Type": "application/zip"}
        )
    )
    # An old case whose term is over (the tests' own rules): destroyed by an approved act.
    old = closed_case(service, 1990)
    doomed = [stored_document(service, old, archivist_user) for _ in range(2)]
    proposal = _ok(
        client.post(
            "/api/disposals", json={"case_indexes": ["3.3"], "year": 1990}, headers=archivist
        )
    )
    _ok(client.post(f"/api/disposals/{proposal['id']}/approve", headers=director))
    executed = _ok(client.post(f"/api/disposals/{proposal['id']}/execute", headers=archivist))
    assert sorted(d["document_id"] for d in executed["destroyed_now"]) == sorted(
        d.id for d in doomed
    )
    return {
        "archivist": archivist,
        "office": office,
        "certificate": certificate,
        "journal_id": transfer["document_id"],
        "journal_sha256": hashlib.sha256(journal).hexdigest(),
        "destroyed": sorted(d.id for d in doomed),
        "act_number": proposal["act"]["number"],
    }


def _versions(store: ObjectStore) -> dict[str, list[tuple[Any, ...]]]:
    """Each key's versions, oldest first: bytes, lock mode and date, legal hold, metadata."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for r in list_records(store):
        found.setdefault(r.key, []).append(
            (r.sha256, r.size, r.mode, r.retain_until, r.legal_hold, r.content_type, r.metadata)
        )
    return found


def _downloads(client: TestClient, headers: dict[str, str], ids: list[str]) -> dict[str, str]:
    hashes = {}
    for doc_id in ids:
        for fmt in ("pdf", "docx"):
            response = client.get(f"/api/documents/{doc_id}/file?format={fmt}", headers=headers)
            assert response.status_code == 200, (doc_id, fmt, response.text)
            hashes[f"{doc_id}.{fmt}"] = hashlib.sha256(response.content).hexdigest()
    return hashes


def test_backup_then_restore_on_a_new_data_dir_loses_nothing(
    service: Service,
    database_url: str,
    restore_database_url: str | None,
    converter_pool: ConverterPool,
    tmp_path: Path,
) -> None:
    school = _populate(service)
    archivist = school["archivist"]
    with session_scope(service.engine) as session:
        living = sorted(
            d.id for d in session.exec(select(Document)) if d.id not in school["destroyed"]
        )
        kinds = {d.kind for d in session.exec(select(Document))}
        last_pz = max(d.seq for d in session.exec(select(Document)) if d.register_code == "PZ")
        # Audit anchors are locked objects like any record (issue 10): backed up and restored.
        anchors = len(session.exec(select(AuditAnchor)).all())
    assert kinds >= {
        "leaving-certificate",
        "confidentiality-pledge",
        "achievement-summary",
        "change-act",
        "safety-briefing",
        "progress-report",
        "case-inventory",
        "journal-transfer",
        "destruction-act",
    }
    before_files = _downloads(service.client, archivist, living)
    before_versions = _versions(service.store)
    assert any(v[4] for vs in before_versions.values() for v in vs)  # the hold is there

    backup_dir = tmp_path / "atsargine"
    report = run_backup(
        service.engine, service.store, database_url, backup_dir, Actor(id=None, name="drill")
    )
    assert report.warnings == []
    assert report.versions == sum(len(v) for v in before_versions.values())

    restored_dir = tmp_path / "atkurta"
    settings = Settings(
        data_dir=restored_dir,
        database_url=restore_database_url,
        converter_workers=1,
        **TEST_SCHOOL_SETTINGS,
    )
    restored = run_restore(backup_dir, settings.components())
    assert restored.clean, restored.fixity
    # PDF and DOCX of each document, the journal file, the anchors.
    assert restored.fixity["checked"] == len(living) * 2 + 1 + anchors
    assert restored.audit_ok and restored.audit_head_matches

    app = create_app(settings, converter=converter_pool)
    with TestClient(app) as client:
        store = app.state.runtime.store
        engine = app.state.runtime.engine
        assert isinstance(store, ObjectStore)
        # Every file, byte for byte, through the API.
        assert _downloads(client, archivist, living) == before_files
        journal = client.get(
            f"/api/journal-transfers/{school['journal_id']}/file", headers=archivist
        )
        assert hashlib.sha256(journal.content).hexdigest() == school["journal_sha256"]
        # Every version under its key, in order, with the same lock date, mode and hold.
        assert _versions(store) == before_versions
        # The records point at the new versions; the old ids are kept for the audit trail.
        with session_scope(engine) as session:
            for doc in session.exec(select(Document)):
                if doc.id in school["destroyed"]:
                    continue
                assert store.stat(doc.object_key, doc.object_version_id).sha256 == doc.sha256
            for record in session.exec(select(JournalFile)):
                assert store.stat(record.object_key, record.object_version_id).size == record.size
            remapped = session.exec(select(RestoredVersion)).all()
            assert len(remapped) == report.versions
            # The backup restored from is known to the restored service as completed.
            backup_row = session.get(BackupRun, report.id)
            assert backup_row is not None and backup_row.status == BackupStatus.completed
        # Destroyed documents: their stubs and the act are there, the files answer 410.
        stubs = client.get("/api/retention/destroyed?year=1990", headers=archivist).json()
        assert sorted(s["document_id"] for s in stubs) == school["destroyed"]
        gone = client.get(f"/api/documents/{school['destroyed'][0]}/file", headers=archivist)
        assert gone.status_code == 410
        assert school["act_number"] in gone.json()["detail"]
        # The audit chain is whole, including the restore's own event.
        chain = client.get("/api/audit/verify", headers=archivist).json()
        assert chain["ok"], chain
        # Numbering continues after the last number; nothing is reused.
        held = client.get(f"/api/documents/{school['certificate']['id']}", headers=archivist)
        assert held.json()["retention"]["legal_hold"] is True
        nxt = client.post(
            "/api/documents/leaving-certificate",
            json=example("leaving-certificate"),
            headers=school["office"],
        )
        assert nxt.status_code == 201, nxt.text
        assert nxt.json()["registration"]["number"] == f"PZ-{last_pz + 1}"
