"""Fixity: re-read every stored object, recompute its SHA-256 and compare with the record; check
each version's Object Lock against the record; report what is missing and what the bucket holds
that no record knows (including a new version written over a registered key behind Bylos's back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import select

from service.archive.models import DestroyedDocument, FixityRun
from service.audit import log as audit
from service.audit.log import Actor
from service.audit.models import AuditAnchor
from service.db import session_scope
from service.documents.models import Document, JournalFile
from service.errors import StoreUnavailable
from service.timeutil import utcnow
from storage.errors import IntegrityError, ObjectMissing, StorageError
from storage.objectstore import POOL_SIZE, ListedVersion, ObjectInfo, ObjectStorePort

_READ_CHUNK = 1 << 20
# Reads of separate objects overlap: hashing releases the GIL, and a school's many small PDFs
# are bound by round trips, so several threads keep both the network and the CPU busy.
_WORKERS = POOL_SIZE // 2


@dataclass(frozen=True, slots=True)
class Expected:
    """One object version as the records describe it."""

    key: str
    version_id: str
    sha256: str
    size: int
    lock_until: dt.date | None
    legal_hold: bool
    document_id: str
    number: str
    part: str  # "pdf", "docx", "journal"


def expected_objects(engine: Any) -> list[Expected]:
    with session_scope(engine) as session:
        destroyed = set(session.exec(select(DestroyedDocument.document_id)).all())
        journals = {j.document_id: j for j in session.exec(select(JournalFile))}
        result: list[Expected] = []
        for doc in session.exec(select(Document)):
            if doc.id in destroyed:
                continue
            parts = [
                ("pdf", doc.object_key, doc.object_version_id, doc.sha256, doc.size),
                ("docx", doc.docx_key, doc.docx_version_id, doc.docx_sha256, doc.docx_size),
            ]
            journal = journals.get(doc.id)
            if journal is not None:
                parts.append(
                    (
                        "journal",
                        journal.object_key,
                        journal.object_version_id,
                        journal.sha256,
                        journal.size,
                    )
                )
            for part, key, version, sha, size in parts:
                result.append(
                    Expected(
                        key=key,
                        version_id=version,
                        sha256=sha,
                        size=size,
                        lock_until=doc.lock_until,
                        legal_hold=doc.legal_hold,
                        document_id=doc.id,
                        number=doc.number,
                        part=part,
                    )
                )
        # The audit chain's anchors are stored, locked objects too (service/audit/anchors.py).
        for anchor in session.exec(select(AuditAnchor)):
            result.append(
                Expected(
                    key=anchor.key,
                    version_id=anchor.version_id,
                    sha256=anchor.sha256,
                    size=anchor.size,
                    lock_until=anchor.lock_until,
                    legal_hold=False,
                    document_id="",
                    number=f"audito inkaras iki įvykio Nr. {anchor.event_id}",
                    part="audit-anchor",
                )
            )
    return result


def _read(store: ObjectStorePort, key: str, version_id: str) -> tuple[str, int, ObjectInfo]:
    """SHA-256 and size of the bytes a GET returns, and the version as its answer describes
    it (lock state, recorded hash): one request per version, no HEAD besides."""
    size = 0
    stream = store.get(key, version_id, chunk_size=_READ_CHUNK)
    try:
        while True:
            try:
                chunk = next(stream)
            except StopIteration:
                break
            size += len(chunk)
    except IntegrityError:
        # The store's own check (bytes vs. its stored hash) fails at the end of the stream;
        # the bytes were all read, so the stream's digest is still the answer.
        pass
    finally:
        stream.close()
    # The stream hashed every byte it handed out; hashing them here again would double the
    # CPU time of the run.
    return stream.hexdigest(), size, stream.info


def _describe(item: Expected) -> dict[str, Any]:
    return {
        "document_id": item.document_id,
        "number": item.number,
        "part": item.part,
        "key": item.key,
        "version_id": item.version_id,
    }


def check(
    store: ObjectStorePort,
    expected: list[Expected],
    *,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Compare the bucket with the records; ``progress`` gets the bytes of each object read.

    List the bucket once, read back every registered version found in it, then account for
    what the bucket holds that no record names."""
    listing = _list(store)
    by_version: dict[tuple[str, str], ListedVersion] = {
        (info.key, info.version_id): info for info in listing
    }
    known = {(e.key, e.version_id) for e in expected}
    known_keys = {e.key for e in expected}
    latest = _latest_versions(listing)
    found = _read_back(store, expected, by_version, progress)
    return {
        "checked": len(expected),
        "ok": len(found.ok),
        "bytes_read": found.bytes_read,
        "mismatched": found.mismatched,
        "missing": found.missing,
        "lock_problems": found.locks,
        "orphans": _orphans(listing, known, known_keys),
        "overwritten_keys": sorted(
            k for k, info in latest.items() if k in known_keys and (k, info.version_id) not in known
        ),
    }


def _list(store: ObjectStorePort) -> list[ListedVersion]:
    try:
        # The listing alone (no HEAD per version): each registered version is read below, and
        # its GET answer carries its lock state.
        return store.list_entries()
    except StorageError as exc:
        raise StoreUnavailable(
            "Objektų saugykla nepasiekiama: vientisumo patikra neatlikta."
        ) from exc


def _latest_versions(listing: list[ListedVersion]) -> dict[str, ListedVersion]:
    """Each key's newest version."""
    latest: dict[str, ListedVersion] = {}
    for info in listing:
        current = latest.get(info.key)
        if current is None or (info.last_modified or dt.datetime.min.replace(tzinfo=dt.UTC)) > (
            current.last_modified or dt.datetime.min.replace(tzinfo=dt.UTC)
        ):
            latest[info.key] = info
    return latest


@dataclass
class _ReadBack:
    missing: list[dict[str, Any]] = field(default_factory=list)
    mismatched: list[dict[str, Any]] = field(default_factory=list)
    locks: list[dict[str, Any]] = field(default_factory=list)
    ok: set[tuple[str, str]] = field(default_factory=set)
    bytes_read: int = 0


def _read_back(
    store: ObjectStorePort,
    expected: list[Expected],
    by_version: dict[tuple[str, str], ListedVersion],
    progress: Callable[[int], None] | None,
) -> _ReadBack:
    """Read every registered version the listing holds (in parallel) and compare it with its
    record: its hash, its size, its lock."""
    out = _ReadBack()
    present = [e for e in expected if (e.key, e.version_id) in by_version]
    for item in expected:
        if (item.key, item.version_id) not in by_version:
            out.missing.append(_describe(item))

    def read(item: Expected) -> tuple[Expected, str | None, int, ObjectInfo | None]:
        try:
            sha, size, info = _read(store, item.key, item.version_id)
        except ObjectMissing:
            return item, None, 0, None
        return item, sha, size, info

    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        # Started largest first (a journal transfer does not start last and run alone),
        # reported in the records' order.
        started = {
            i: pool.submit(read, present[i])
            for i in sorted(range(len(present)), key=lambda i: present[i].size, reverse=True)
        }
        for i in range(len(present)):
            item, sha, size, found = started[i].result()
            out.bytes_read += size
            if progress is not None:
                progress(size)
            if sha is None or found is None:
                out.missing.append(_describe(item))
                continue
            if sha != item.sha256 or size != item.size:
                out.mismatched.append(
                    _describe(item)
                    | {"expected_sha256": item.sha256, "actual_sha256": sha, "size": size}
                )
                continue
            problem = _lock_problem(item, found)
            if problem is not None:
                out.locks.append(_describe(item) | {"problem": problem})
                continue
            out.ok.add((item.key, item.version_id))
    return out


def _orphans(
    listing: list[ListedVersion], known: set[tuple[str, str]], known_keys: set[str]
) -> list[dict[str, Any]]:
    """What the bucket holds that no record names (a version over a registered key is called
    out: something wrote it outside Bylos)."""
    orphans: list[dict[str, Any]] = []
    for info in listing:
        if (info.key, info.version_id) in known:
            continue
        entry: dict[str, Any] = {
            "key": info.key,
            "version_id": info.version_id,
            "size": info.size,
            "delete_marker": info.is_delete_marker,
        }
        if info.key in known_keys:
            entry["reason"] = (
                "Ant užregistruoto rakto įrašyta nauja versija (ar trynimo žymė) ne per Bylas."
            )
            entry["overwrites_registered_key"] = True
        else:
            entry["reason"] = "Objektas saugykloje, bet be įrašo registre."
        orphans.append(entry)
    return orphans


def _lock_problem(item: Expected, info: ObjectInfo) -> str | None:
    if item.lock_until is not None and item.lock_until < dt.datetime.now(dt.UTC).date():
        # The recorded lock is over: the store owes nothing more (a longer lock is fine).
        return _hold_problem(item, info)
    if info.mode != "COMPLIANCE" and item.lock_until is not None:
        return f"Užrakto režimas „{info.mode or 'nėra'}“, o turi būti COMPLIANCE."
    if item.lock_until is not None and (
        info.retain_until is None or info.retain_until < item.lock_until
    ):
        found = info.retain_until.isoformat() if info.retain_until else "nėra"
        return f"Saugyklos užraktas iki {found}, o įraše — iki {item.lock_until.isoformat()}."
    return _hold_problem(item, info)


def _hold_problem(item: Expected, info: ObjectInfo) -> str | None:
    if item.legal_hold and not info.legal_hold:
        return "Įraše dokumentas sulaikytas, bet saugykloje teisinio sulaikymo nėra."
    return None


def run(
    engine: Any,
    store: ObjectStorePort,
    actor: Actor,
    *,
    user_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """One recorded fixity run (API, CLI and the scheduler all come here)."""
    started = utcnow()
    expected = expected_objects(engine)
    if on_start is not None:
        on_start(len(expected), sum(e.size for e in expected))
    report = check(store, expected, progress=progress)
    with session_scope(engine) as session:
        row = FixityRun(
            started_at=started,
            finished_at=utcnow(),
            started_by=user_id,
            checked=report["checked"],
            ok=report["ok"],
            bytes_read=report["bytes_read"],
            report=report,
        )
        session.add(row)
        session.flush()
        clean = not (
            report["mismatched"]
            or report["missing"]
            or report["orphans"]
            or report["lock_problems"]
        )
        audit.record(
            session,
            actor,
            "fixity.run",
            subject_type="fixity_run",
            subject_id=str(row.id),
            detail={
                "checked": report["checked"],
                "ok": report["ok"],
                "mismatched": len(report["mismatched"]),
                "missing": len(report["missing"]),
                "orphans": len(report["orphans"]),
                "lock_problems": len(report["lock_problems"]),
                "clean": clean,
            },
        )
        report = {"id": row.id, "clean": clean, **report}
    return report
