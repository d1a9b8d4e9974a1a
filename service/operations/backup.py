"""`bylos backup --to DIR`: a consistent, incremental, self-describing copy of everything Bylos
keeps, taken while the service runs.

The order is what makes it consistent: the database snapshot first (one instant), then the
store's listing. Every version the snapshot's records name was written before its record was
committed, so it is in the listing, unless a disposal deleted it in between; then the snapshot
is taken again. Versions no record names (audit anchors, anything written behind Bylos's back)
are kept if they existed at the snapshot's instant; later ones belong to the next backup.

Interruption: the marker file NEBAIGTA is written before anything else and removed after the
manifest, and the previous manifest is removed at the start, so a directory whose run broke
off never looks complete; whatever was fully copied stays and is not copied again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from service.audit import log as audit
from service.audit.log import Actor
from service.contract import InstantText
from service.db import session_scope
from service.errors import Conflict, DependencyUnavailable, ServiceError
from service.operations import database, manifest
from service.operations.models import BackupRun, BackupStatus
from service.timeutil import utcnow
from storage.errors import IntegrityError, ObjectMissing, StorageError
from storage.objectstore import POOL_SIZE, ListedVersion, ObjectStore, ObjectStream
from storage.versions import VersionRecord, describe, open_version, ordered_listing

log = logging.getLogger("bylos.backup")

_READ_CHUNK: Final = 1 << 20
# Requests in flight at once: small versions wait on round trips (the server's, and this
# process's turn on a busy machine), so several overlap; the pool keeps one connection each.
_FETCH_WORKERS: Final = POOL_SIZE // 2
_ATTEMPTS: Final = 3
PRIVATE_DIR: Final = 0o700
PRIVATE_FILE: Final = 0o600


class BackupRefused(Conflict):
    """The target cannot take a backup (not a backup directory, busy, inside the data dir)."""


class BackupFailed(DependencyUnavailable):
    """The database or the store failed during the backup; the target stays resumable."""


class Progress(Protocol):
    def phase(self, name: str, total: int | None) -> None: ...
    def advance(self, amount: int) -> None: ...


class NoProgress:
    def phase(self, name: str, total: int | None) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None


# The API publishes this report as it is, so its fields are written here once. It is an answer,
# named ``...Out`` as every answer model is: it carries only what Bylos wrote
# (tests/security/test_text_bounds.py checks the models that take input).
class BackupReportOut(BaseModel):
    """A finished backup: what it copied and sealed."""

    id: int
    target: str
    created_at: InstantText
    versions: int
    files: int
    bytes_total: int
    bytes_copied: int
    files_copied: int
    object_bytes_copied: int
    database_bytes: int
    manifest_sha256: str
    warnings: list[str]


# -- the target directory --------------------------------------------------------------------


def _check_target(target: Path, data_dir: Path | None) -> None:
    resolved = target.resolve()
    if data_dir is not None:
        home = data_dir.resolve()
        if resolved == home or home in resolved.parents:
            raise BackupRefused(
                f"Atsarginės kopijos katalogas „{target}“ yra Bylos duomenų kataloge: kopija "
                "turi būti kitame diske ar bent kitame kataloge."
            )
    if resolved.exists() and not resolved.is_dir():
        raise BackupRefused(f"„{target}“ yra failas, o ne katalogas.")
    if (
        resolved.is_dir()
        and any(p.name != manifest.LOCK for p in resolved.iterdir())
        and not (resolved / manifest.FORMAT_FILE).exists()
    ):
        raise BackupRefused(
            f"Katalogas „{target}“ netuščias ir nėra Bylos atsarginės kopijos katalogas: "
            "nurodykite tuščią katalogą arba ankstesnės kopijos katalogą."
        )


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    fd = os.open(target / manifest.LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupRefused(
                f"Į katalogą „{target}“ šiuo metu jau daroma kita atsarginė kopija."
            ) from None
        yield
    finally:
        os.close(fd)


def _begin(target: Path) -> None:
    """Mark the directory unfinished before anything changes in it."""
    if not (target / manifest.FORMAT_FILE).exists():
        manifest.write_atomically(
            target / manifest.FORMAT_FILE,
            json.dumps({"format": manifest.FORMAT, "version": manifest.FORMAT_VERSION}).encode(),
        )
    manifest.write_atomically(
        target / manifest.MARKER,
        (
            "Atsarginės kopijos darymas pradėtas "
            f"{utcnow().isoformat(timespec='seconds')} ir dar nebaigtas.\n"
        ).encode(),
    )
    (target / manifest.MANIFEST).unlink(missing_ok=True)
    shutil.rmtree(target / manifest.PARTIAL, ignore_errors=True)
    (target / manifest.PARTIAL).mkdir(mode=PRIVATE_DIR)
    for sub in (manifest.OBJECTS_DIR, manifest.DATABASE_DIR):
        (target / sub).mkdir(mode=PRIVATE_DIR, exist_ok=True)
    manifest.sync_dir(target)


def _finish(target: Path, files: dict[str, dict[str, Any]]) -> None:
    """After the manifest: drop what it does not list, then the marker."""
    shutil.rmtree(target / manifest.PARTIAL, ignore_errors=True)
    for top in (manifest.OBJECTS_DIR, manifest.DATABASE_DIR):
        base = target / top
        if not base.is_dir():
            continue
        for root, _dirs, names in os.walk(base, topdown=False):
            for name in names:
                path = Path(root) / name
                if path.relative_to(target).as_posix() not in files:
                    path.unlink()
            with contextlib.suppress(OSError):
                Path(root).rmdir()  # only succeeds when empty
    (target / manifest.MARKER).unlink(missing_ok=True)
    manifest.sync_dir(target)


# -- copying the store's versions ------------------------------------------------------------


@dataclass
class _Copied:
    sha256: str
    size: int
    damaged: bool = False  # the bytes read differ from the SHA-256 the store recorded


def _previous_hashes(target: Path) -> dict[tuple[str, str], str]:
    """Each version's SHA-256 as the target's last finished backup recorded it.

    Only a hint of which versions need no GET (a version's bytes never change, its lock state
    may): each is still asked for with a HEAD, and read if the store now says otherwise.
    """
    found, _ = manifest.load_manifest(target)
    if found is None:
        return {}
    hints: dict[tuple[str, str], str] = {}
    for item in found.get("objects") or []:
        if isinstance(item, dict) and not item.get("delete_marker"):
            sha = item.get("sha256")
            if isinstance(sha, str):
                hints[(str(item.get("key")), str(item.get("version_id")))] = sha
    return hints


def _present(target: Path, sha: str, size: int) -> bool:
    path = target / manifest.blob_path(sha)
    try:
        return path.stat().st_size == size
    except FileNotFoundError:
        return False


def _write(stream: ObjectStream, target: Path, progress: Progress) -> _Copied:
    """Copy one version's bytes into the target under their SHA-256.

    The store's stream hashes what it hands out and raises at the end if the bytes differ
    from the SHA-256 recorded at upload; its digest names the file, so nothing is hashed twice.
    """
    tmp = target / manifest.PARTIAL / uuid.uuid4().hex
    size = 0
    damaged = False
    try:
        # Owner-only: a backup holds every pupil's records.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as handle:
            try:
                for chunk in stream:
                    handle.write(chunk)
                    size += len(chunk)
                    progress.advance(len(chunk))
            except IntegrityError:
                # Every byte was read; they are not what the store recorded at upload. They
                # are kept as they are (under their own hash) and the version is reported.
                damaged = True
        # Durability comes from one sync of the file system before the manifest is written
        # (an fsync per file costs more than the copy for a school's many small PDFs).
        sha = stream.hexdigest()
        final = target / manifest.blob_path(sha)
        final.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return _Copied(sha, size, damaged)


def _copy_one(
    store: ObjectStore,
    entry: ListedVersion,
    hint: str | None,
    target: Path,
    progress: Progress,
) -> tuple[VersionRecord, _Copied | None, int]:
    """One version's record and where its bytes are in the target; the bytes copied now.

    A version the last backup copied costs a HEAD (its lock state may have changed); any other
    costs one GET, whose answer says what a HEAD would, and whose body is read only if the
    target does not hold those bytes yet (a run that broke off copied them already).
    """
    if entry.is_delete_marker:
        return describe(store, entry), None, 0
    if hint is not None and _present(target, hint, entry.size):
        record = describe(store, entry)
        if record.sha256 == hint and record.size == entry.size:
            return record, _Copied(hint, record.size), 0
    record, stream = open_version(store, entry, _READ_CHUNK)
    try:
        if record.sha256 is not None and _present(target, record.sha256, record.size):
            progress.advance(record.size)
            return record, _Copied(record.sha256, record.size), 0
        copied = _write(stream, target, progress)
    finally:
        stream.close()
    return record, copied, copied.size


def _copy_versions(
    store: ObjectStore,
    entries: list[ListedVersion],
    references: frozenset[tuple[str, str]] | set[tuple[str, str]],
    hints: dict[tuple[str, str], str],
    target: Path,
    progress: Progress,
) -> tuple[list[tuple[VersionRecord, _Copied | None]], int, int]:
    """Every listed version's record, in the listing's order, with its bytes in the target;
    returns them and the bytes and files copied now.

    Versions go several at a time, the largest first (a journal transfer does not start last
    and run alone); a school's many small PDFs are bound by round trips, not bandwidth.
    """
    known = {
        (e.key, e.version_id)
        for e in entries
        if (sha := hints.get((e.key, e.version_id))) is not None and _present(target, sha, e.size)
    }
    progress.phase(
        "objects",
        sum(e.size for e in entries if (e.key, e.version_id) not in known),
    )
    results: list[tuple[VersionRecord, _Copied | None] | None] = [None] * len(entries)
    copied_bytes = 0
    copied_files = 0
    order = sorted(range(len(entries)), key=lambda i: entries[i].size, reverse=True)
    pool = ThreadPoolExecutor(max_workers=_FETCH_WORKERS)
    try:
        futures = {
            pool.submit(
                _copy_one,
                store,
                entries[i],
                hints.get((entries[i].key, entries[i].version_id)),
                target,
                progress,
            ): i
            for i in order
        }
        for future in as_completed(futures):
            i = futures[future]
            entry = entries[i]
            try:
                record, copied, size = future.result()
            except ObjectMissing:
                if (entry.key, entry.version_id) in references:
                    raise  # the snapshot's records name it: start over from a new snapshot
                continue  # deleted since the listing and no record names it: not stored
            results[i] = (record, copied)
            if size:
                copied_bytes += size
                copied_files += 1
    except BaseException:
        # An interruption or a failure: what is under way finishes, nothing new starts.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [r for r in results if r is not None], copied_bytes, copied_files


def _version_entry(record: VersionRecord, copied: _Copied | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": record.key,
        "version_id": record.version_id,
        "delete_marker": record.delete_marker,
        "last_modified": record.last_modified.isoformat() if record.last_modified else None,
    }
    if record.delete_marker:
        return entry
    assert copied is not None
    entry |= {
        "sha256": copied.sha256,
        "size": copied.size,
        "content_type": record.content_type,
        "metadata": dict(sorted(record.metadata.items())),
        "retain_until": record.retain_until.isoformat() if record.retain_until else None,
        "mode": record.mode,
        "legal_hold": record.legal_hold,
    }
    if copied.damaged:
        entry["damaged"] = True
        entry["recorded_sha256"] = record.sha256
    return entry


# -- one run ---------------------------------------------------------------------------------


def _start_row(engine: Engine, target: Path, actor: Actor) -> int:
    with session_scope(engine) as session:
        # We hold the target's lock, so any other run still "running" on it has died.
        for stale in session.exec(
            select(BackupRun).where(
                BackupRun.target == str(target), BackupRun.status == BackupStatus.running
            )
        ):
            stale.status = BackupStatus.interrupted
            stale.error = "Nutrūko: procesas baigėsi nebaigęs kopijos."
            session.add(stale)
        row = BackupRun(target=str(target), started_by=actor.id, started_by_name=actor.name)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _fail_row(engine: Engine, row_id: int, actor: Actor, message: str) -> None:
    try:
        with session_scope(engine) as session:
            row = session.get(BackupRun, row_id)
            if row is None:
                return
            row.status = BackupStatus.failed
            row.finished_at = utcnow()
            row.error = message[:2000]
            session.add(row)
            audit.record(
                session,
                actor,
                "backup.failed",
                subject_type="backup",
                subject_id=str(row_id),
                detail={"target": row.target, "error": message[:500]},
            )
    except ServiceError:
        log.exception("could not record the failure of backup %s", row_id)


def _snapshot_and_list(
    database_url: str, store: ObjectStore, target: Path, progress: Progress
) -> tuple[database.Snapshot, list[ListedVersion]]:
    for _attempt in range(_ATTEMPTS):
        progress.phase("database", None)
        snap = database.snapshot(database_url, target / manifest.PARTIAL / "database")
        progress.phase("listing", None)
        entries = ordered_listing(store)
        stored = {(e.key, e.version_id) for e in entries if not e.is_delete_marker}
        if snap.references <= stored:
            chosen = [
                e
                for e in entries
                if (e.key, e.version_id) in snap.references
                or e.last_modified is None
                or e.last_modified <= snap.taken_at
            ]
            return snap, chosen
        # A disposal deleted files after the snapshot: its records moved on; take it again.
        log.info("backup: %d versions vanished after the snapshot", len(snap.references - stored))
    raise BackupFailed(
        "Įrašuose nurodytų failų saugykloje nėra net po pakartotinės duomenų bazės kopijos "
        "(paleiskite vientisumo patikrą): atsarginė kopija nebaigta."
    )


def run_backup(
    engine: Engine,
    store: ObjectStore,
    database_url: str,
    target: Path,
    actor: Actor,
    *,
    data_dir: Path | None = None,
    progress: Progress | None = None,
    on_started: Callable[[int], None] | None = None,
) -> BackupReportOut:
    """One backup run into ``target``; see the module's docstring."""
    progress = progress or NoProgress()
    _check_target(target, data_dir)
    target = target.resolve()
    if not target.exists():
        target.mkdir(mode=PRIVATE_DIR, parents=True)
    with _locked(target):
        hints = _previous_hashes(target)  # read before _begin removes the manifest
        _begin(target)
        row_id = _start_row(engine, target, actor)
        if on_started is not None:
            on_started(row_id)
        try:
            return _run(engine, store, database_url, target, actor, row_id, hints, progress)
        except ServiceError as exc:
            _fail_row(engine, row_id, actor, exc.detail)
            raise
        except database.DatabaseError as exc:
            _fail_row(engine, row_id, actor, str(exc))
            raise BackupFailed(f"Duomenų bazės kopija nepavyko: {exc}") from exc
        except (StorageError, OSError) as exc:
            message = f"{type(exc).__name__}: {exc}"
            _fail_row(engine, row_id, actor, message)
            if isinstance(exc, OSError):
                raise BackupFailed(
                    f"Nepavyko rašyti į atsarginės kopijos katalogą „{target}“: {exc.strerror}."
                ) from exc
            raise BackupFailed(
                "Objektų saugykla nepasiekiama arba atsisakė: atsarginė kopija nebaigta; "
                "paleidus dar kartą, jau nukopijuoti failai nebus kopijuojami iš naujo."
            ) from exc
        except BaseException as exc:
            _fail_row(engine, row_id, actor, f"{type(exc).__name__}: {exc}")
            raise


def _run(
    engine: Engine,
    store: ObjectStore,
    database_url: str,
    target: Path,
    actor: Actor,
    row_id: int,
    hints: dict[tuple[str, str], str],
    progress: Progress,
) -> BackupReportOut:
    """Snapshot the database and copy the store's versions (again from a new snapshot when a
    version vanished meanwhile), seal the manifest, record the run."""
    for _attempt in range(_ATTEMPTS):
        snap, entries = _snapshot_and_list(database_url, store, target, progress)
        try:
            copied, object_bytes, object_files = _copy_versions(
                store, entries, snap.references, hints, target, progress
            )
            break
        except ObjectMissing:
            continue  # deleted between the listing and the copy: start over from a new snapshot
    else:
        raise BackupFailed("Saugykloje failai vis dingsta kopijuojant: atsarginė kopija nebaigta.")
    report, damaged = _seal(
        store, target, row_id, snap, copied, object_bytes, object_files, progress
    )
    _record_completed(engine, actor, row_id, target, report, snap.audit_head, damaged)
    return report


def _seal(
    store: ObjectStore,
    target: Path,
    row_id: int,
    snap: database.Snapshot,
    copied: list[tuple[VersionRecord, _Copied | None]],
    object_bytes: int,
    object_files: int,
    progress: Progress,
) -> tuple[BackupReportOut, int]:
    """Move the snapshot in, write and seal the manifest; the report and how many versions the
    store gave back damaged."""
    db_rel, db_sha, db_size = _move_snapshot(target, snap)
    files: dict[str, dict[str, Any]] = {db_rel: {"sha256": db_sha, "size": db_size}}
    for _record, item in copied:
        if item is not None:
            files[manifest.blob_path(item.sha256)] = {"sha256": item.sha256, "size": item.size}
    versions = [_version_entry(record, item) for record, item in copied]
    damaged = [v for v in versions if v.get("damaged")]
    warnings = _damage_warnings(damaged)
    created_at = utcnow()
    body = _manifest_body(store, row_id, created_at, snap, db_rel, versions, files)
    progress.phase("manifest", None)
    manifest.sync_filesystem(target)
    sealed = manifest.write_manifest(target, body)
    _finish(target, files)

    total = sum(f["size"] for f in files.values())
    report = BackupReportOut(
        id=row_id,
        target=str(target),
        created_at=created_at.isoformat(),
        versions=len(versions),
        files=len(files),
        bytes_total=total,
        bytes_copied=object_bytes + db_size,
        files_copied=object_files + 1,
        object_bytes_copied=object_bytes,
        database_bytes=db_size,
        manifest_sha256=sealed["manifest_sha256"],
        warnings=warnings,
    )
    return report, len(damaged)


def _move_snapshot(target: Path, snap: database.Snapshot) -> tuple[str, str, int]:
    """Hash the database snapshot and move it into the backup; its path there, hash, size."""
    db_rel = f"{manifest.DATABASE_DIR}/{snap.path.name}"
    db_sha, db_size = manifest.file_sha256(snap.path)
    (target / manifest.DATABASE_DIR).mkdir(mode=PRIVATE_DIR, exist_ok=True)
    os.replace(snap.path, target / db_rel)
    return db_rel, db_sha, db_size


def _damage_warnings(damaged: list[dict[str, Any]]) -> list[str]:
    """One warning per version the store gave back with another hash than recorded."""
    return [
        f"Saugykloje sugadinta versija {v['key']} ({v['version_id']}): jos SHA-256 "
        f"{v['sha256']}, o įrašytas {v['recorded_sha256']}. Paleiskite vientisumo patikrą."
        for v in damaged
    ]


def _manifest_body(
    store: ObjectStore,
    row_id: int,
    created_at: dt.datetime,
    snap: database.Snapshot,
    db_rel: str,
    versions: list[dict[str, Any]],
    files: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """What the manifest says: the database, the audit head, every version and file."""
    return {
        "format": manifest.FORMAT,
        "version": manifest.FORMAT_VERSION,
        "backup_id": row_id,
        "created_at": created_at.isoformat(),
        "snapshot_at": snap.taken_at.isoformat(),
        "bucket": store.bucket,
        "database": {
            "dialect": snap.dialect,
            "file": db_rel,
            "schema": snap.schema,
            "revisions": list(snap.revisions),
            "tool": snap.tool,
        },
        "audit": {"events": snap.audit_events, "head": snap.audit_head},
        "objects": versions,
        "files": dict(sorted(files.items())),
    }


def _record_completed(
    engine: Engine,
    actor: Actor,
    row_id: int,
    target: Path,
    report: BackupReportOut,
    audit_head: str,
    damaged: int,
) -> None:
    with session_scope(engine) as session:
        row = session.get(BackupRun, row_id)
        assert row is not None
        row.status = BackupStatus.completed
        row.finished_at = utcnow()
        row.versions = report.versions
        row.files = report.files
        row.bytes_total = report.bytes_total
        row.bytes_copied = report.bytes_copied
        row.files_copied = report.files_copied
        row.manifest_sha256 = report.manifest_sha256
        row.error = "; ".join(report.warnings)[:2000] or None
        session.add(row)
        audit.record(
            session,
            actor,
            "backup.completed",
            subject_type="backup",
            subject_id=str(row_id),
            detail={
                "target": str(target),
                "versions": report.versions,
                "bytes_copied": report.bytes_copied,
                "manifest_sha256": report.manifest_sha256,
                "audit_head": audit_head,
                "damaged": damaged,
            },
        )


def last_completed(engine: Engine) -> BackupRun | None:
    with session_scope(engine) as session:
        return session.exec(
            select(BackupRun)
            .where(BackupRun.status == BackupStatus.completed)
            .order_by(col(BackupRun.finished_at).desc())
            .limit(1)
        ).first()


def age_of(row: BackupRun | None, now: dt.datetime) -> dt.timedelta | None:
    if row is None or row.finished_at is None:
        return None
    return now - row.finished_at
