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
    SHA256_META,
    ObjectStore,
    _lock_date,
    _parse_instant,
    _vendor_errors,
    lock_instant,
)

__all__ = ["VersionRecord", "add_delete_marker", "bucket_is_empty", "list_records", "put_version"]

_META_PREFIX: Final = "x-amz-meta-"
# HEAD requests are small and the server answers them in parallel; the listing of a school's
# archive (tens of thousands of versions) is bound by round trips, not bandwidth.
_HEAD_WORKERS: Final = 8
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


@dataclass(frozen=True, slots=True)
class _Listed:
    key: str
    version_id: str
    delete_marker: bool
    last_modified: dt.datetime | None
    is_latest: bool
    position: int  # in the server's answer


def _listing(store: ObjectStore) -> list[_Listed]:
    client = store._client
    with _vendor_errors(f"list versions {store.bucket}"):
        return [
            _Listed(
                key=entry.object_name or "",
                version_id=entry.version_id or "",
                delete_marker=bool(entry.is_delete_marker),
                last_modified=entry.last_modified,
                is_latest=str(entry.is_latest).lower() == "true",
                position=position,
            )
            for position, entry in enumerate(
                client.list_objects(store.bucket, recursive=True, include_version=True)
            )
        ]


def _oldest_first(entry: _Listed) -> tuple[dt.datetime, bool, int]:
    """Chronological order of one key's versions. S3 lists versions and delete markers in two
    separate sequences (SeaweedFS even oldest first), so the time decides; within one second
    (the listing's resolution) the latest is last and otherwise S3's newest-first order."""
    return (entry.last_modified or _EPOCH, entry.is_latest, -entry.position)


def _head(store: ObjectStore, key: str, version_id: str) -> VersionRecord:
    with _vendor_errors(f"stat {store.bucket}/{key}@{version_id}"):
        obj = store._client.stat_object(store.bucket, key, version_id=version_id)
    headers = obj.metadata or {}
    metadata: dict[str, str] = {}
    sha: str | None = None
    for name, value in headers.items():
        lowered = name.lower()
        if not lowered.startswith(_META_PREFIX):
            continue
        short = lowered[len(_META_PREFIX) :]
        if short == SHA256_META:
            sha = str(value).lower()
        else:
            metadata[short] = str(value)
    until = _parse_instant(headers.get("x-amz-object-lock-retain-until-date"))
    return VersionRecord(
        key=key,
        version_id=obj.version_id or version_id,
        size=obj.size or 0,
        sha256=sha,
        content_type=obj.content_type or "application/octet-stream",
        metadata=metadata,
        retain_until=_lock_date(until) if until else None,
        mode=headers.get("x-amz-object-lock-mode") or None,
        legal_hold=(headers.get("x-amz-object-lock-legal-hold") or "").upper() == "ON",
        last_modified=obj.last_modified,
    )


def list_records(store: ObjectStore) -> list[VersionRecord]:
    """Every version and delete marker in the bucket, each key's oldest first.

    Restoring them in this order recreates the same "latest" version of every key (versions and
    delete markers of one key written within the same second cannot be ordered reliably from a
    listing; Bylos itself never writes a key twice). A listing carries no lock state, so each
    version gets one HEAD, several at a time.
    """
    by_key: dict[str, list[_Listed]] = {}
    for entry in _listing(store):
        by_key.setdefault(entry.key, []).append(entry)

    def describe(entry: _Listed) -> VersionRecord | None:
        if entry.delete_marker:
            return VersionRecord(
                key=entry.key,
                version_id=entry.version_id,
                size=0,
                sha256=None,
                content_type="",
                last_modified=entry.last_modified,
                delete_marker=True,
            )
        try:
            return _head(store, entry.key, entry.version_id)
        except ObjectMissing:
            return None  # deleted since the listing (a disposal): it is no longer stored

    flat = [e for entries in by_key.values() for e in sorted(entries, key=_oldest_first)]
    with ThreadPoolExecutor(max_workers=_HEAD_WORKERS) as pool:
        return [record for record in pool.map(describe, flat) if record is not None]


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
    and such a version may be deleted anyway); a legal hold is placed after the write.
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
    )
    if record.legal_hold:
        store.set_legal_hold(record.key, version_id, True)
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
