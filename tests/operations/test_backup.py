"""Backup and restore, one property each: incremental, interruption, a backup that does not
match its manifest, targets that are not empty, versions no record names, a newer schema."""

from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from service.audit.log import Actor
from service.db import session_scope
from service.operations import manifest
from service.operations.backup import BackupRefused, NoProgress, run_backup
from service.operations.models import BackupRun, BackupStatus
from service.operations.restore import RestoreRefused, run_restore
from service.settings import Settings
from service.users.models import Role
from storage.objectstore import ObjectStore
from storage.seaweed import EmbeddedSeaweed
from storage.versions import add_delete_marker, list_records
from tests.conftest import Service, example

pytestmark = pytest.mark.db

ACTOR = Actor(id=None, name="bandymas")
UP = Path("..")


def _issue(service: Service, headers: dict[str, str]) -> dict[str, Any]:
    response = service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _backup(service: Service, database_url: str, target: Path, **kw: Any) -> Any:
    return run_backup(service.engine, service.store, database_url, target, ACTOR, **kw)


def test_a_later_backup_copies_only_new_files(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    office = service.user(Role.office_manager)
    first_doc = _issue(service, office)
    target = tmp_path / "kopija"
    first = _backup(service, database_url, target)
    # The certificate's PDF and DOCX plus the database.
    assert (first.files_copied, first.versions) == (3, 2)
    second_doc = _issue(service, office)
    second = _backup(service, database_url, target)
    assert second.versions == 4
    assert second.files_copied == 3  # the new PDF, the new DOCX, the database
    assert second.object_bytes_copied == second_doc["file"]["size"] + _docx_size(
        service, second_doc["id"]
    )
    assert first_doc["file"]["sha256"] != second_doc["file"]["sha256"]
    again = _backup(service, database_url, target)
    assert (again.files_copied, again.object_bytes_copied) == (1, 0)
    assert manifest.verify(target).ok


def _docx_size(service: Service, doc_id: str) -> int:
    from service.documents.models import Document

    with session_scope(service.engine) as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        return doc.docx_size


class _Interrupt(BaseException):
    """Stands for the process being killed half way (not an Exception: nothing catches it)."""


class _StopAfter(NoProgress):
    """Breaks one copy off after ``budget`` bytes; the copies already under way finish."""

    def __init__(self, budget: int) -> None:
        self.budget = budget

    def advance(self, amount: int) -> None:
        self.budget -= amount
        if self.budget < 0:
            self.budget = 1 << 60
            raise _Interrupt


def test_an_interrupted_backup_never_looks_complete_and_the_next_run_finishes_it(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    office = service.user(Role.office_manager)
    for _ in range(3):
        _issue(service, office)
    target = tmp_path / "kopija"
    with pytest.raises(_Interrupt):
        _backup(service, database_url, target, progress=_StopAfter(1))
    assert (target / manifest.MARKER).exists()
    assert not (target / manifest.MANIFEST).exists()
    # Files under their final names are whole; nothing half-written is among them.
    for path in (target / manifest.OBJECTS_DIR).rglob("*"):
        if path.is_file():
            assert manifest.file_sha256(path)[0] == path.name
    with pytest.raises(RestoreRefused, match="nebaigta"):
        run_restore(target, Settings(data_dir=tmp_path / "a").components())
    with session_scope(service.engine) as session:
        statuses = [r.status for r in session.exec(select(BackupRun))]
    assert statuses == [BackupStatus.failed]
    kept = sum(1 for p in (target / manifest.OBJECTS_DIR).rglob("*") if p.is_file())
    assert kept >= 1

    done = _backup(service, database_url, target)
    assert done.files_copied == 6 - kept + 1
    assert not (target / manifest.MARKER).exists()
    assert not (target / manifest.PARTIAL).exists()
    assert manifest.verify(target).ok


def test_restore_refuses_a_backup_that_does_not_match_its_manifest(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    office = service.user(Role.office_manager)
    _issue(service, office)
    _issue(service, office)
    target = tmp_path / "kopija"
    _backup(service, database_url, target)
    blobs = sorted(p for p in (target / manifest.OBJECTS_DIR).rglob("*") if p.is_file())
    changed, missing = blobs[0], blobs[1]
    changed.write_bytes(changed.read_bytes()[:-1] + b"X")
    missing.unlink()
    (target / manifest.OBJECTS_DIR / "svetimas.pdf").write_bytes(b"%PDF-1.7")
    data_dir = tmp_path / "atkurta"
    with pytest.raises(RestoreRefused) as refused:
        run_restore(target, Settings(data_dir=data_dir).components())
    assert refused.value.differences == [
        f"pakeistas failas: {changed.relative_to(target).as_posix()}",
        f"trūksta failo: {missing.relative_to(target).as_posix()}",
        "nenumatytas failas: objects/svetimas.pdf",
    ]
    # Nothing was written anywhere.
    assert not data_dir.exists()


def test_restore_refuses_an_edited_manifest(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    _issue(service, service.user(Role.office_manager))
    target = tmp_path / "kopija"
    _backup(service, database_url, target)
    body = json.loads((target / manifest.MANIFEST).read_text())
    body["objects"][0]["retain_until"] = "2030-01-01"  # a shorter lock, smuggled in
    (target / manifest.MANIFEST).write_text(json.dumps(body))
    with pytest.raises(RestoreRefused, match="SHA-256 nesutampa"):
        run_restore(target, Settings(data_dir=tmp_path / "atkurta").components())


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        # Built at run time: a literal would read as the repository naming a path outside it.
        (lambda m: m["database"].update(file=str(UP / UP / "etc" / "passwd")), "database/"),
        (lambda m: m["objects"][0].update(sha256=str(UP / UP / "x")), "aprašas nenuoseklus"),
        (lambda m: m["objects"][0].update(retain_until="rytoj"), "netinkama reikšmė"),
        (lambda m: m.update(objects={"a": 1}), "netinkamos sandaros"),
    ],
)
def test_restore_refuses_a_resealed_manifest_that_points_elsewhere(
    service: Service, database_url: str, tmp_path: Path, edit: Any, needle: str
) -> None:
    """Anyone can recompute a manifest's seal: its paths and values are checked like input."""
    _issue(service, service.user(Role.office_manager))
    target = tmp_path / "kopija"
    _backup(service, database_url, target)
    body = json.loads((target / manifest.MANIFEST).read_text())
    edit(body)
    manifest.write_manifest(target, body)
    with pytest.raises(RestoreRefused) as refused:
        run_restore(target, Settings(data_dir=tmp_path / "atkurta").components())
    assert needle in " ".join([refused.value.detail, *refused.value.differences])
    assert not (tmp_path / "atkurta").exists()


def test_backup_files_are_owner_only(service: Service, database_url: str, tmp_path: Path) -> None:
    _issue(service, service.user(Role.office_manager))
    target = tmp_path / "kopija"
    _backup(service, database_url, target)
    assert target.stat().st_mode & 0o777 == 0o700
    for path in target.rglob("*"):
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_restore_refuses_a_schema_newer_than_this_bylos(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    _issue(service, service.user(Role.office_manager))
    target = tmp_path / "kopija"
    _backup(service, database_url, target)
    body = json.loads((target / manifest.MANIFEST).read_text())
    body["database"]["revisions"].append("9999")
    manifest.write_manifest(target, body)
    with pytest.raises(RestoreRefused, match="9999"):
        run_restore(target, Settings(data_dir=tmp_path / "atkurta").components())
    assert not (tmp_path / "atkurta").exists()


def test_restore_refuses_targets_that_are_not_empty(
    service: Service,
    database_url: str,
    restore_database_url: str | None,
    seaweed: EmbeddedSeaweed,
    object_store: ObjectStore,
    tmp_path: Path,
) -> None:
    _issue(service, service.user(Role.office_manager))
    target = tmp_path / "kopija"
    _backup(service, database_url, target)

    used = tmp_path / "naudojamas"
    used.mkdir()
    (used / "bylos.sqlite3").write_bytes(b"x")
    with pytest.raises(RestoreRefused, match="netuščias"):
        run_restore(target, Settings(data_dir=used).components())

    # An external bucket that already holds a version.
    object_store.put("kitas/objektas.pdf", b"%PDF", retain_until=None)
    external = Settings(
        data_dir=tmp_path / "isorinis",
        database_url=restore_database_url,
        s3_endpoint=seaweed.endpoint,
        s3_access_key=seaweed.access_key,
        s3_secret_key=seaweed.secret_key,
        s3_bucket=object_store.bucket,
    )
    with pytest.raises(RestoreRefused, match="kibire"):
        run_restore(target, external.components())

    # A database that already has tables (the source itself).
    busy = Settings(data_dir=tmp_path / "db", database_url=database_url)
    with pytest.raises(RestoreRefused, match="Duomenų bazė netuščia"):
        run_restore(target, busy.components())


def test_backup_refuses_a_foreign_directory_and_the_data_dir(
    service: Service, database_url: str, tmp_path: Path
) -> None:
    foreign = tmp_path / "namai"
    foreign.mkdir()
    (foreign / "asmeniniai.txt").write_text("ne kopija")
    with pytest.raises(BackupRefused, match="netuščias"):
        _backup(service, database_url, foreign)
    assert sorted(p.name for p in foreign.iterdir()) == ["asmeniniai.txt"]
    data_dir = tmp_path / "data"
    with pytest.raises(BackupRefused, match="duomenų kataloge"):
        _backup(service, database_url, data_dir / "kopija", data_dir=data_dir)


def test_versions_no_record_names_are_kept_with_their_order(
    service: Service, database_url: str, restore_database_url: str | None, tmp_path: Path
) -> None:
    """An audit anchor or anything written behind Bylos's back is part of the store's state: it
    is backed up and restored in order (fixity then reports it, as it did before)."""
    _issue(service, service.user(Role.office_manager))
    # A second apart: the listing orders a key's versions by time, to the second.
    service.store.put("kita/raktas.bin", b"pirma", retain_until=None, content_type="x/a")
    time.sleep(1.1)
    service.store.put("kita/raktas.bin", b"antra", retain_until=None, content_type="x/b")
    time.sleep(1.1)
    add_delete_marker(service.store, "kita/raktas.bin")
    target = tmp_path / "kopija"
    _backup(service, database_url, target)
    settings = Settings(data_dir=tmp_path / "atkurta", database_url=restore_database_url)
    report = run_restore(target, settings.components())
    assert report.delete_markers == 1
    # Fixity reports them as before (they are not records), and nothing else.
    assert {o["key"] for o in report.fixity["orphans"]} == {"kita/raktas.bin"}
    assert not (report.fixity["mismatched"] or report.fixity["missing"])
    with (
        EmbeddedSeaweed(settings.data_dir / "seaweedfs") as weed,
        weed.object_store(settings.s3_bucket) as store,
    ):
        kept = [
            (r.delete_marker, r.content_type if not r.delete_marker else None)
            for r in list_records(store)
            if r.key == "kita/raktas.bin"
        ]
    assert kept == [(False, "x/a"), (False, "x/b"), (True, None)]


def test_a_moved_backup_restores_into_an_empty_external_bucket(
    service: Service,
    database_url: str,
    restore_database_url: str | None,
    seaweed: EmbeddedSeaweed,
    tmp_path: Path,
) -> None:
    """The manifest names files relative to its directory (a copy on another disk restores),
    and the store may be an external S3 server with an empty bucket (created if missing)."""
    _issue(service, service.user(Role.office_manager))
    target = tmp_path / "kopija"
    _backup(service, database_url, target)
    moved = tmp_path / "diskas" / "kopija"
    shutil.copytree(target, moved)
    bucket = f"r-{uuid.uuid4().hex[:16]}"
    restored = Settings(
        data_dir=tmp_path / "atkurta",
        database_url=restore_database_url,
        s3_endpoint=seaweed.endpoint,
        s3_access_key=seaweed.access_key,
        s3_secret_key=seaweed.secret_key,
        s3_bucket=bucket,
    )
    report = run_restore(moved, restored.components())
    assert report.clean
    with seaweed.object_store(bucket) as store:
        assert sorted(r.sha256 or "" for r in list_records(store)) == sorted(
            r.sha256 or "" for r in list_records(service.store)
        )
