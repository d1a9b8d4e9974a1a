"""Whole-bucket work for backup and restore: every version with all it carries, and writing a
version back with a hash that is already known.

Kept beside ``objectstore.py`` rather than in it: the request paths never need these, and they
reach into the adapter's signed-PUT path and client deliberately (same package, same vendor).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO, Final, cast

from minio.error import S3Error

from storage.errors import IntegrityError, ObjectMissing, StorageError
from storage.hashing import HashingReader
from storage.objectstore import (
    MAX_SINGLE_PUT,
    POOL_SIZE,
    SHA256_META,
    ListedVersion,
    ObjectStore,
    ObjectStream,
    _lock_date,
    _parse_instant,
    _vendor_errors,
    lock_instant,
)

__all__ = [
    "VersionRecord",
    "add_delete_marker",
    "bucket_is_empty",
    "describe",
    "list_records",
    "open_version",
    "ordered_listing",
    "put_version",
]

_META_PREFIX: Final = "x-amz-meta-"
# HEAD requests are small and the server answers them in parallel; the listing of a school's
# archive (tens of thousands of versions) is bound by round trips, not bandwidth.
_HEAD_WORKERS: Final = POOL_SIZE
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_IN_MEMORY: Final = 8 << 20


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One version (or delete marker) of one key, as a backup must keep it."""

    key: str
    version_id: str
    size: int
    sha256: str | None  # what the store recorded at upload (x-amz-meta-sha256); None if absent
    content_type: str
    metadata: Mapping[str, str] = field(default_factory=dict)  # user metadata, without sha256
    retain_until: dt.date | None = None  # last UTC day under COMPLIANCE/GOVERNANCE retention
    mode: str | None = None
    legal_hold: bool = False
    last_modified: dt.datetime | None = None
    delete_marker: bool = False


def ordered_listing(store: ObjectStore) -> list[ListedVersion]:
    """Every version and delete marker in the bucket, each key's oldest first (one listing, no
    request per version).

    Restoring them in this order recreates the same "latest" version of every key (versions and
    delete markers of one key written within the same second cannot be ordered reliably from a
    listing; Bylos itself never writes a key twice).
    """
    by_key: dict[str, list[ListedVersion]] = {}
    for entry in store.list_entries():
        by_key.setdefault(entry.key, []).append(entry)
    return [e for entries in by_key.values() for e in sorted(entries, key=_oldest_first)]


def _oldest_first(entry: ListedVersion) -> tuple[dt.datetime, bool, int]:
    """Chronological order of one key's versions. S3 lists versions and delete markers in two
    separate sequences (SeaweedFS even oldest first), so the time decides; within one second
    (the listing's resolution) the latest is last and otherwise S3's newest-first order."""
    return (entry.last_modified or _EPOCH, entry.is_latest, -entry.position)


def _record(
    key: str,
    version_id: str,
    size: int,
    headers: Mapping[str, str],
    last_modified: dt.datetime | None,
) -> VersionRecord:
    """A version as the headers of a HEAD or GET answer describe it."""
    metadata: dict[str, str] = {}
    sha: str | None = None
    mode: str | None = None
    legal_hold = False
    until: dt.datetime | None = None
    content_type = "application/octet-stream"
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == "content-type":
            content_type = str(value) or content_type
        elif lowered == "x-amz-object-lock-mode":
            mode = str(value) or None
        elif lowered == "x-amz-object-lock-legal-hold":
            legal_hold = str(value).upper() == "ON"
        elif lowered == "x-amz-object-lock-retain-until-date":
            until = _parse_instant(str(value))
        elif lowered.startswith(_META_PREFIX):
            short = lowered[len(_META_PREFIX) :]
            if short == SHA256_META:
                sha = str(value).lower()
            else:
                metadata[short] = str(value)
    return VersionRecord(
        key=key,
        version_id=version_id,
        size=size,
        sha256=sha,
        content_type=content_type,
        metadata=metadata,
        retain_until=_lock_date(until) if until else None,
        mode=mode,
        legal_hold=legal_hold,
        last_modified=last_modified,
    )


def _delete_marker(entry: ListedVersion) -> VersionRecord:
    return VersionRecord(
        key=entry.key,
        version_id=entry.version_id,
        size=0,
        sha256=None,
        content_type="",
        last_modified=entry.last_modified,
        delete_marker=True,
    )


def describe(store: ObjectStore, entry: ListedVersion) -> VersionRecord:
    """The whole record of one listed version (one HEAD; none for a delete marker)."""
    if entry.is_delete_marker:
        return _delete_marker(entry)
    with _vendor_errors(f"stat {store.bucket}/{entry.key}@{entry.version_id}"):
        obj = store._client.stat_object(store.bucket, entry.key, version_id=entry.version_id)
    return _record(
        entry.key,
        obj.version_id or entry.version_id,
        obj.size or 0,
        obj.metadata or {},
        obj.last_modified,
    )


def open_version(
    store: ObjectStore, entry: ListedVersion, chunk_size: int
) -> tuple[VersionRecord, ObjectStream]:
    """The record of one listed version and its bytes, from one GET (the answer's headers say
    what a HEAD would). Close the stream, or read it to its end (then it checks the bytes
    against the recorded SHA-256)."""
    stream = store.get(entry.key, entry.version_id, chunk_size=chunk_size)
    info = stream.info
    return (
        _record(entry.key, entry.version_id, info.size, stream.headers, info.last_modified),
        stream,
    )


def list_records(store: ObjectStore) -> list[VersionRecord]:
    """Every version and delete marker in the bucket with all it carries, each key's oldest
    first (see ordered_listing). A listing carries no lock state, so each version gets one
    HEAD, several at a time: the time goes into round trips, not bandwidth."""

    def one(entry: ListedVersion) -> VersionRecord | None:
        try:
            return describe(store, entry)
        except ObjectMissing:
            return None  # deleted since the listing (a disposal): it is no longer stored

    with ThreadPoolExecutor(max_workers=_HEAD_WORKERS) as pool:
        return [r for r in pool.map(one, ordered_listing(store)) if r is not None]


def bucket_is_empty(store: ObjectStore) -> bool:
    """True when the bucket holds no version and no delete marker at all."""
    client = store._client
    with _vendor_errors(f"list versions {store.bucket}"):
        entries: Iterator[object] = iter(
            client.list_objects(store.bucket, recursive=True, include_version=True)
        )
        return next(entries, None) is None


def put_version(
    store: ObjectStore,
    record: VersionRecord,
    source: BinaryIO,
    *,
    now: dt.datetime | None = None,
) -> tuple[str, bool]:
    """Write ``record`` again from ``source`` (its bytes, already verified against
    ``record.sha256``) in one pass; returns (new version id, whether a lock was applied).

    The store checks the body against the checksum header, so bytes that changed since they were
    verified are refused. A retention date already past is not applied (S3 refuses past dates,
    and such a version may be deleted anyway). Retention and legal hold go in the PUT's own
    headers: one request, and no moment in which the version exists unprotected.
    """
    if record.sha256 is None:
        raise ValueError(f"{record.key}@{record.version_id}: no SHA-256 to write with")
    if record.size > MAX_SINGLE_PUT:
        raise ValueError(f"{record.key}: larger than a single PUT allows")
    moment = now or dt.datetime.now(dt.UTC)
    until = record.retain_until
    if until is not None and lock_instant(until) <= moment:
        until = None
    for name, value in record.metadata.items():
        if not (name.isascii() and value.isascii()):
            raise ValueError(f"metadata {name!r} of {record.key} is not ASCII")
    # Small versions go as bytes (one write); a large one streams. Either way the body is not
    # hashed again here: the server checks it against the checksum header and refuses bytes
    # that changed since they were verified (BadDigest, raised as IntegrityError).
    body: bytes | HashingReader
    if record.size <= _IN_MEMORY:
        body = source.read(record.size + 1)
        if len(body) != record.size:
            raise IntegrityError(f"put {record.key}: the source is not {record.size} bytes long")
    else:
        body = cast(HashingReader, _Limited(source, record.size))
    version_id = store._send_put(
        record.key,
        body,
        record.size,
        bytes.fromhex(record.sha256),
        until,
        record.content_type,
        dict(record.metadata),
        legal_hold=record.legal_hold,
    )
    return version_id, until is not None


class _Limited:
    """At most ``size`` bytes of ``raw``, for a request body of that Content-Length."""

    def __init__(self, raw: BinaryIO, size: int) -> None:
        self._raw = raw
        self._remaining = size

    def read(self, n: int = -1) -> bytes:
        if self._remaining <= 0:
            return b""
        n = self._remaining if n is None or n < 0 else min(n, self._remaining)
        chunk = self._raw.read(n)
        self._remaining -= len(chunk)
        return chunk

    def readable(self) -> bool:
        return True


def add_delete_marker(store: ObjectStore, key: str) -> None:
    """Recreate a delete marker: a DELETE without a version id on a versioned bucket."""
    try:
        store._client.remove_object(store.bucket, key)
    except S3Error as exc:
        raise StorageError(f"delete marker {store.bucket}/{key}: {exc.code}") from exc
