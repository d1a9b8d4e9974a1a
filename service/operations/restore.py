"""`bylos restore --from DIR`: rebuild Bylos from a backup onto an empty data dir (or an empty
external bucket and database), then prove the result with fixity and the audit chain.

Nothing is written before the backup is proven whole (every file hashed against the manifest)
and the target is proven empty. A store gives every version written a new id, so the records
that name version ids are moved to the new ones; the old ids are kept in ``restored_versions``
(older audit events name them, and the audit chain cannot be rewritten).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from service.archive import fixity
from service.audit import log as audit
from service.audit.log import Actor
from service.audit.models import AuditHead
from service.bootstrap import open_store
from service.db import make_engine, migrate, rows_affected, session_scope
from service.errors import Conflict
from service.operations import database, manifest
from service.operations.backup import NoProgress, Progress
from service.operations.models import (
    BackupRun,
    BackupStatus,
    RestoredVersion,
    RestoreRun,
)
from service.registry.models import EntryStatus, Register, RegisterCounter, RegistryEntry
from service.settings import Components
from service.timeutil import utcnow
from storage.objectstore import POOL_SIZE, ObjectStore
from storage.versions import (
    VersionRecord,
    add_delete_marker,
    bucket_is_empty,
    put_version,
)

log = logging.getLogger("bylos.restore")

# Small versions are bound by round trips (and the server's work per request), so several go
# at once; the pool keeps one connection each.
_PUT_WORKERS: Final = POOL_SIZE // 2
VOID_REASON: Final = (
    "Numeris buvo rezervuotas darant atsarginę kopiją; dokumentas į kopiją nepateko, todėl "
    "atkūrus numeris anuliuotas (nenaudojamas pakartotinai)."
)


class RestoreRefused(Conflict):
    """The backup is not whole or the target is not empty: nothing was written."""

    def __init__(self, detail: str, differences: list[str] | None = None) -> None:
        super().__init__(detail)
        self.differences = differences or []


@dataclass
class RestoreReport:
    restore_id: int
    versions: int
    locks_applied: int
    locks_expired: int
    legal_holds: int
    delete_markers: int
    voided_reservations: int
    audit_head_matches: bool
    audit_ok: bool
    audit_events: int
    audit_first_broken: int | None
    fixity: dict[str, Any]
    next_numbers: dict[str, str] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return self.audit_ok and self.audit_head_matches and bool(self.fixity.get("clean"))


def _record(item: dict[str, Any]) -> VersionRecord:
    until = item.get("retain_until")
    return VersionRecord(
        key=str(item["key"]),
        version_id=str(item["version_id"]),
        size=int(item.get("size") or 0),
        sha256=item.get("sha256"),
        content_type=str(item.get("content_type") or "application/octet-stream"),
        metadata={str(k): str(v) for k, v in (item.get("metadata") or {}).items()},
        retain_until=dt.date.fromisoformat(until) if until else None,
        mode=item.get("mode"),
        legal_hold=bool(item.get("legal_hold")),
        delete_marker=bool(item.get("delete_marker")),
    )


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _shape_problem(found: dict[str, Any]) -> str | None:
    """What is malformed in a manifest whose seal is right (anyone can compute a seal: the
    manifest is checked like any input before a path or a date is taken from it)."""
    files = found.get("files")
    db = found.get("database")
    if not isinstance(files, dict) or not isinstance(db, dict):
        return "nėra failų sąrašo arba duomenų bazės aprašo"
    if db.get("dialect") not in ("sqlite", "postgresql"):
        return f"nežinomas duomenų bazės tipas {db.get('dialect')!r}"
    name = db.get("file")
    if not isinstance(name, str) or not name.startswith(f"{manifest.DATABASE_DIR}/"):
        return "duomenų bazės failas ne kopijos kataloge database/"
    if name not in files:
        return f"duomenų bazės failas {name} neįrašytas į failų sąrašą"
    if not isinstance(db.get("revisions"), list):
        return "nenurodytos schemos versijos"
    try:
        dt.datetime.fromisoformat(str(found.get("created_at")))
        for item in found.get("objects", []):
            if not isinstance(item.get("key"), str) or not item["key"]:
                return "versija be rakto"
            if item.get("delete_marker"):
                continue
            if not _SHA256.match(str(item.get("sha256"))):
                return f"versijos {item['key']} SHA-256 netinkamas"
            if not isinstance(item.get("size"), int) or item["size"] < 0:
                return f"versijos {item['key']} dydis netinkamas"
            if item.get("retain_until") is not None:
                dt.date.fromisoformat(str(item["retain_until"]))
            if not isinstance(item.get("metadata", {}), dict):
                return f"versijos {item['key']} metaduomenys netinkami"
    except (ValueError, TypeError, AttributeError) as exc:
        return f"netinkama reikšmė ({exc})"
    return None


def check_backup(source: Path, progress: Progress) -> dict[str, Any]:
    """The manifest of a whole, unchanged backup this Bylos can read; RestoreRefused if not."""
    progress.phase("verify", _manifest_bytes(source))
    result = manifest.verify(source, progress.advance)
    if result.manifest is None:
        raise RestoreRefused(" ".join(result.problems))
    if not result.ok:
        raise RestoreRefused(
            "Atsarginė kopija neatitinka savo aprašo: neatkurta nieko.", result.lines()
        )
    shape = _shape_problem(result.manifest)
    if shape:
        raise RestoreRefused(f"Atsarginės kopijos aprašas netinkamas: {shape}. Neatkurta nieko.")
    problem = database.revision_problem(result.manifest["database"]["revisions"])
    if problem:
        raise RestoreRefused(problem)
    return result.manifest


def _manifest_bytes(source: Path) -> int | None:
    found, _ = manifest.load_manifest(source)
    if found is None:
        return None
    return sum(int(f.get("size", 0)) for f in found.get("files", {}).values())


def _check_data_dir(config: Components) -> None:
    data_dir = config.data_dir
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise RestoreRefused(
            f"Duomenų katalogas „{data_dir}“ netuščias: atkurti galima tik į tuščią katalogą "
            "(nurodykite naują BYLOS_DATA_DIR)."
        )


@contextmanager
def _target_store(config: Components) -> Iterator[ObjectStore]:
    with ExitStack() as stack:
        store = open_store(config, stack, attach_to_running=False)
        if not bucket_is_empty(store):
            raise RestoreRefused(
                f"Objektų saugyklos kibire „{store.bucket}“ jau yra objektų: atkurti galima tik "
                "į tuščią kibirą."
            )
        yield store


def _put_all(
    store: ObjectStore, source: Path, records: list[VersionRecord], progress: Progress
) -> tuple[dict[tuple[str, str], str], int]:
    """Write every version again, each key's in their order; returns old → new ids and the
    number of locks applied."""
    by_key: dict[str, list[VersionRecord]] = {}
    for record in records:
        by_key.setdefault(record.key, []).append(record)
    progress.phase("objects", sum(r.size for r in records if not r.delete_marker))
    now = utcnow()

    def put_key(versions: list[VersionRecord]) -> tuple[list[tuple[str, str, str]], int]:
        done: list[tuple[str, str, str]] = []
        locks = 0
        for record in versions:
            if record.delete_marker:
                add_delete_marker(store, record.key)
                continue
            assert record.sha256 is not None
            with (source / manifest.blob_path(record.sha256)).open("rb") as handle:
                new_id, locked = put_version(store, record, handle, now=now)
            locks += int(locked)
            progress.advance(record.size)
            done.append((record.key, record.version_id, new_id))
        return done, locks

    mapping: dict[tuple[str, str], str] = {}
    locks = 0
    # Biggest keys first, so one large journal file does not start last and run alone.
    order = sorted(by_key.values(), key=lambda vs: sum(v.size for v in vs), reverse=True)
    with ThreadPoolExecutor(max_workers=_PUT_WORKERS) as pool:
        for done, applied in pool.map(put_key, order):
            locks += applied
            mapping.update({(key, old): new for key, old, new in done})
    return mapping, locks


def _remap(engine: Engine, mapping: dict[tuple[str, str], str]) -> None:
    with engine.begin() as conn:
        for table, key_col, version_col, _document in database.VERSION_REFERENCES:
            rows = [{"k": k, "old": old, "new": new} for (k, old), new in mapping.items()]
            if not rows:
                continue
            # Names come from VERSION_REFERENCES, never from input.
            conn.execute(
                text(
                    f"UPDATE {table} SET {version_col} = :new "
                    f"WHERE {key_col} = :k AND {version_col} = :old"
                ),
                rows,
            )


def _void_reservations(engine: Engine) -> int:
    with session_scope(engine) as session:
        result = session.execute(
            update(RegistryEntry)
            .where(col(RegistryEntry.status) == EntryStatus.reserved)
            .values(status=EntryStatus.void, void_reason=VOID_REASON, updated_at=utcnow())
        )
        return rows_affected(result)


def _audit_head(engine: Engine) -> str:
    with session_scope(engine) as session:
        head = session.get(AuditHead, 1)
        return head.last_hash if head else ""


def _record_restore(
    engine: Engine,
    source: Path,
    found: dict[str, Any],
    mapping: dict[tuple[str, str], str],
    voided: int,
    started: dt.datetime,
    actor: Actor,
) -> int:
    with session_scope(engine) as session:
        backup_id = found.get("backup_id")
        backup = session.get(BackupRun, backup_id) if isinstance(backup_id, int) else None
        if backup is not None:
            # The snapshot caught its own backup's row as running; it did complete.
            backup.status = BackupStatus.completed
            backup.finished_at = dt.datetime.fromisoformat(found["created_at"])
            backup.versions = len(found.get("objects", []))
            backup.files = len(found.get("files", {}))
            backup.manifest_sha256 = found["manifest_sha256"]
            session.add(backup)
        row = RestoreRun(
            source=str(source),
            backup_id=backup.id if backup else None,
            manifest_sha256=found["manifest_sha256"],
            backup_created_at=dt.datetime.fromisoformat(found["created_at"]),
            started_at=started,
            finished_at=utcnow(),
            versions=len(mapping),
            voided_reservations=voided,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add_all(
            RestoredVersion(restore_id=row.id, object_key=k, old_version_id=old, new_version_id=new)
            for (k, old), new in mapping.items()
        )
        audit.record(
            session,
            actor,
            "backup.restored",
            subject_type="restore",
            subject_id=str(row.id),
            detail={
                "source": str(source),
                "backup_created_at": found["created_at"],
                "manifest_sha256": found["manifest_sha256"],
                "versions": len(mapping),
                "voided_reservations": voided,
            },
        )
        return row.id


def _next_numbers(engine: Engine) -> dict[str, str]:
    """The number each register-year would give next, for the operator's eye."""
    with session_scope(engine) as session:
        formats = {r.code: r.number_format for r in session.exec(select(Register))}
        result: dict[str, str] = {}
        for counter in session.exec(select(RegisterCounter)):
            fmt = formats.get(counter.register_code, "{code}-{seq}")
            result[f"{counter.register_code} {counter.year}"] = fmt.format(
                code=counter.register_code, seq=counter.last_seq + 1, year=counter.year
            )
        return dict(sorted(result.items()))


def run_restore(
    source: Path,
    config: Components,
    *,
    actor: Actor | None = None,
    progress: Progress | None = None,
) -> RestoreReport:
    """Restore the backup in ``source`` onto the (empty) targets that ``config`` names."""
    progress = progress or NoProgress()
    actor = actor or Actor(id=None, name="bylos restore")
    started = utcnow()
    source = source.resolve()
    found, records = _checked_source(source, config, progress)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    progress.phase("store", None)
    with _target_store(config) as store:
        progress.phase("database", None)
        _restore_database(source, found, config)
        engine = make_engine(config.database_url)
        try:
            report = _restore_onto(engine, store, source, found, records, started, actor, progress)
        finally:
            engine.dispose()
        # Leaving the block stops the embedded store; a restored data dir is only ready for
        # Bylos once its SeaweedFS has shut down cleanly.
        progress.phase("stop", None)
    return report


def _checked_source(
    source: Path, config: Components, progress: Progress
) -> tuple[dict[str, Any], list[VersionRecord]]:
    """The backup's manifest and versions, refused before anything is written: a changed
    backup, a target that is not empty, metadata the store can't carry."""
    found = check_backup(source, progress)
    _check_data_dir(config)
    problem = database.target_problem(config.database_url)
    if problem:
        raise RestoreRefused(f"Duomenų bazė netuščia: {problem}. Atkurti galima tik į tuščią.")
    records = [_record(item) for item in found.get("objects", [])]
    for record in records:
        for name, value in record.metadata.items():
            if not (name.isascii() and value.isascii()):
                raise RestoreRefused(f"Versijos {record.key} metaduomenys ne ASCII: „{name}“.")
    return found, records


def _restore_database(source: Path, found: dict[str, Any], config: Components) -> None:
    """Load the backup's database dump into the empty target database."""
    db = found["database"]
    try:
        database.restore(source / db["file"], db["dialect"], db.get("schema"), config.database_url)
    except database.DatabaseError as exc:
        raise RestoreRefused(str(exc)) from exc


def _restore_onto(
    engine: Engine,
    store: ObjectStore,
    source: Path,
    found: dict[str, Any],
    records: list[VersionRecord],
    started: dt.datetime,
    actor: Actor,
    progress: Progress,
) -> RestoreReport:
    """Bring the restored database up to date, write the versions again, remap and record
    them, then check fixity and the audit chain for the report."""
    head_matches = _audit_head(engine) == found["audit"]["head"]
    # A backup of an older Bylos is brought up to this version's schema.
    migrate(engine)
    mapping, locks = _put_all(store, source, records, progress)
    _remap(engine, mapping)
    voided = _void_reservations(engine)
    restore_id = _record_restore(engine, source, found, mapping, voided, started, actor)
    progress.phase("fixity", None)
    checked = fixity.run(engine, store, actor)
    with session_scope(engine) as session:
        chain = audit.verify(session)
    data = [r for r in records if not r.delete_marker]
    return RestoreReport(
        restore_id=restore_id,
        versions=len(mapping),
        locks_applied=locks,
        locks_expired=sum(1 for r in data if r.retain_until is not None) - locks,
        legal_holds=sum(1 for r in data if r.legal_hold),
        delete_markers=len(records) - len(data),
        voided_reservations=voided,
        audit_head_matches=head_matches,
        audit_ok=chain.ok,
        audit_events=chain.events,
        audit_first_broken=chain.first_broken,
        fixity=checked,
        next_numbers=_next_numbers(engine),
    )
