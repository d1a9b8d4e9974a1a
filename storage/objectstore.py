"""The object-store port: write-once, versioned, Object Lock storage over the MinIO S3 client.

Every upload carries its SHA-256 twice: as ``x-amz-checksum-sha256`` (base64 of the digest), so
the server verifies the body and accepts Object Lock parameters (S3 refuses lock headers without
Content-MD5 or an x-amz-checksum-*), and as user metadata ``x-amz-meta-sha256`` (hex), so stat and
every read can return and re-check it. Retention is always COMPLIANCE.
"""

import base64
import dataclasses
import datetime as dt
import email.utils
import hashlib
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Final, Protocol
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.credentials.credentials import Credentials
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.helpers import BaseURL
from minio.retention import Retention
from minio.signer import sign_v4_s3
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from storage.errors import (
    IntegrityError,
    ObjectMissing,
    RetentionLocked,
    StorageError,
    StoreUnreachable,
)
from storage.hashing import HashingReader
from storage.lifecycle import Closing

__all__ = [
    "ListedVersion",
    "ObjectInfo",
    "ObjectStore",
    "ObjectStorePort",
    "ObjectStream",
    "StoredObject",
    "lock_instant",
]

SHA256_META: Final = "sha256"
_CHUNK: Final = 1 << 16
# A single S3 PUT may not exceed 5 GiB; neither put nor put_stream goes multipart (a
# whole-object checksum header is meaningless for a multipart upload).
MAX_SINGLE_PUT: Final = 5 * 1024**3

_MISSING_CODES: Final = frozenset({"NoSuchKey", "NoSuchVersion", "NoSuchObject"})
_INTEGRITY_CODES: Final = frozenset(
    {"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "InvalidChecksum"}
)
# Codes S3 servers use when Object Lock refuses a delete or a retention change: AWS and
# SeaweedFS answer AccessDenied, MinIO uses ObjectLocked, some use InvalidRequest.
_LOCK_CODES: Final = frozenset({"AccessDenied", "ObjectLocked", "InvalidRequest"})
# How long an answered ping vouches for the store in ensure_available.
_AVAILABLE_FOR_S: Final = 5.0
# Connections kept per server: backup, restore and fixity run up to this many requests at once
# (small versions are bound by round trips, not bandwidth); a request beyond it would open a
# connection only to throw it away afterwards.
POOL_SIZE: Final = 16
# Request bodies read from a file go out in blocks this large (urllib3 reads 16 KiB at a time:
# 65,536 reads and sends for a 1 GiB journal transfer).
_SEND_BLOCK: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What a successful put wrote."""

    key: str
    version_id: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One version of an object, with its lock state.

    ``retain_until`` is the last UTC day covered by the COMPLIANCE lock (see :func:`lock_instant`).
    """

    key: str
    version_id: str
    size: int
    sha256: str | None
    retain_until: dt.date | None
    mode: str | None
    legal_hold: bool
    last_modified: dt.datetime | None
    is_delete_marker: bool = False


@dataclass(frozen=True, slots=True)
class ListedVersion:
    """One entry of a bucket listing: what S3 lists without a request per version (no SHA-256,
    no lock state; a GET or a HEAD of the version carries those)."""

    key: str
    version_id: str
    size: int
    last_modified: dt.datetime | None
    is_latest: bool
    is_delete_marker: bool
    position: int  # in the server's answer


class ObjectStream(Protocol):
    """What ``get`` returns: the bytes, and what the server said about the version."""

    def __iter__(self) -> Iterator[bytes]: ...
    def __next__(self) -> bytes: ...
    def close(self) -> None: ...
    @property
    def info(self) -> ObjectInfo: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    def hexdigest(self) -> str: ...


class ObjectStorePort(Protocol):
    """What the service needs from an object store; :class:`ObjectStore` is the S3 adapter."""

    def ensure_bucket(self) -> None: ...
    def ping(self) -> None: ...
    def ensure_available(self) -> None: ...
    def put(
        self,
        key: str,
        data: bytes,
        *,
        retain_until: dt.date | None,
        content_type: str = ...,
        metadata: Mapping[str, str] | None = ...,
    ) -> StoredObject: ...
    def put_stream(
        self,
        key: str,
        stream: BinaryIO,
        size: int,
        *,
        retain_until: dt.date | None,
        content_type: str = ...,
        metadata: Mapping[str, str] | None = ...,
    ) -> StoredObject: ...
    def get(
        self, key: str, version_id: str | None = ..., chunk_size: int = ...
    ) -> ObjectStream: ...
    def read(self, key: str, version_id: str | None = ...) -> bytes: ...
    def stat(self, key: str, version_id: str | None = ...) -> ObjectInfo: ...
    def list_versions(self, prefix: str = ...) -> list[ObjectInfo]: ...
    def list_entries(self, prefix: str = ...) -> list[ListedVersion]: ...
    def extend_retention(self, key: str, version_id: str, until: dt.date) -> None: ...
    def set_legal_hold(self, key: str, version_id: str, on: bool) -> None: ...
    def delete_version(self, key: str, version_id: str) -> None: ...
    def close(self) -> None: ...


def lock_instant(until: dt.date) -> dt.datetime:
    """The retain-until instant for "keep through ``until``": 00:00 UTC of the following day.

    Midnight of the next day covers the whole last day and is an exact instant: 23:59:59 would
    leave the final second unprotected and is rounded differently by servers that keep
    milliseconds.
    """
    return dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def _lock_date(instant: dt.datetime) -> dt.date:
    """Inverse of :func:`lock_instant`: the last UTC day (partly) covered by a lock instant."""
    return (instant.astimezone(dt.UTC) - dt.timedelta(microseconds=1)).date()


def _check_put_arguments(retain_until: dt.date | None, metadata: Mapping[str, str] | None) -> None:
    """Refuse, before any byte is sent, arguments the server would reject obscurely."""
    if retain_until is not None and lock_instant(retain_until) <= dt.datetime.now(dt.UTC):
        # S3 answers a past date with a bare InvalidRequest, which would read as a storage
        # failure; it is the caller's mistake (an expired term is stored with None).
        raise ValueError(f"retain_until {retain_until} is in the past")
    for name, value in (metadata or {}).items():
        # HTTP headers carry ASCII only; Lithuanian text must be encoded by the caller.
        if not (name.isascii() and value.isascii()):
            raise ValueError(f"metadata {name!r} is not ASCII")


def _parse_instant(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def info_from_headers(
    key: str, version_id: str | None, headers: Mapping[str, str], last_modified: dt.datetime | None
) -> ObjectInfo:
    """A version as a HEAD or a GET answer describes it (``headers`` case-insensitive)."""
    sha = headers.get(f"x-amz-meta-{SHA256_META}")
    if sha is None and (checksum := headers.get("x-amz-checksum-sha256")):
        sha = base64.b64decode(checksum).hex()
    until = _parse_instant(headers.get("x-amz-object-lock-retain-until-date"))
    return ObjectInfo(
        key=key,
        version_id=headers.get("x-amz-version-id") or version_id or "",
        size=int(headers.get("content-length") or 0),
        sha256=sha.lower() if sha else None,
        retain_until=_lock_date(until) if until else None,
        mode=headers.get("x-amz-object-lock-mode") or None,
        legal_hold=(headers.get("x-amz-object-lock-legal-hold") or "").upper() == "ON",
        last_modified=last_modified,
    )


def _http_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _translate(exc: Exception, what: str) -> StorageError:
    """Map a vendor exception to the storage hierarchy (lock refusals are decided by callers)."""
    if isinstance(exc, S3Error):
        code = exc.code or ""
        detail = f"{what}: {code}: {exc.message}"
        if code in _MISSING_CODES:
            return ObjectMissing(detail)
        if code in _INTEGRITY_CODES:
            return IntegrityError(detail)
        if exc.response.status >= 500:
            return StoreUnreachable(detail)
        return StorageError(detail)
    if isinstance(exc, ServerError):
        return StoreUnreachable(f"{what}: {exc}")
    if isinstance(exc, InvalidResponseError):
        # A non-XML answer means something other than a healthy S3 server answered
        # (a proxy error page, a wrong port): for the caller the store is not reachable.
        return StoreUnreachable(f"{what}: {exc}")
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return StoreUnreachable(f"{what}: {exc}")
    return StorageError(f"{what}: {exc}")


@contextmanager
def _vendor_errors(what: str) -> Iterator[None]:
    try:
        yield
    except (MinioException, urllib3.exceptions.HTTPError) as exc:
        raise _translate(exc, what) from exc


def _raise_for_put(response: BaseHTTPResponse) -> None:
    """Raise what minio's own request path raises for a failed PUT (its _url_open)."""
    if response.status in (200, 204, 206):
        return
    content_type = response.headers.get("content-type", "")
    if "application/xml" not in content_type.split(";"):
        # Not an S3 answer (a proxy's error page, another service on the port).
        raise InvalidResponseError(
            response.status, content_type, response.data.decode() if response.data else None
        )
    if not response.data:
        raise InvalidResponseError(response.status, content_type, None)
    raise S3Error.fromxml(response)


class _ObjectStream(Iterator[bytes], Closing):
    """Streams a GET body, checks it against the stored SHA-256 at the end, always releases.

    A class rather than a generator so that the request is made (and a missing key reported)
    when ``get`` is called, and so that the connection is released even if the caller never
    starts iterating (a generator's ``finally`` only runs once it has started).
    """

    def __init__(
        self,
        response: BaseHTTPResponse,
        what: str,
        chunk_size: int,
        key: str,
        version_id: str | None,
    ) -> None:
        self._response: BaseHTTPResponse | None = response
        self._what = what
        self._expected = response.headers.get(f"x-amz-meta-{SHA256_META}")
        self._chunks = response.stream(chunk_size)
        self._digest = hashlib.sha256()
        # The GET answer carries what a HEAD would (lock state, recorded hash, metadata):
        # callers that read the bytes anyway need no second request.
        self._headers = dict(response.headers.items())
        self._info = info_from_headers(
            key, version_id, response.headers, _http_date(response.headers.get("last-modified"))
        )

    def __next__(self) -> bytes:
        if self._response is None:
            raise StopIteration
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self.close()
            self._verify()
            raise
        except urllib3.exceptions.HTTPError as exc:
            self.close()
            raise _translate(exc, self._what) from exc
        self._digest.update(chunk)
        return chunk

    @property
    def info(self) -> ObjectInfo:
        """The version as the GET answer's headers describe it."""
        return self._info

    @property
    def headers(self) -> Mapping[str, str]:
        """The GET answer's headers, names as the server sent them."""
        return self._headers

    def hexdigest(self) -> str:
        """SHA-256 of the bytes handed out so far (of all of them once exhausted): a caller
        that needs the hash of what it read does not hash it a second time."""
        return self._digest.hexdigest()

    def _verify(self) -> None:
        if self._expected is not None and self._digest.hexdigest() != self._expected.lower():
            raise IntegrityError(
                f"{self._what}: SHA-256 of the bytes read ({self._digest.hexdigest()}) "
                f"differs from the stored one ({self._expected})"
            )

    def close(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            response.close()
            response.release_conn()

    def __del__(self) -> None:
        self.close()


class ObjectStore(Closing):
    """S3 adapter for one Object Lock bucket (SeaweedFS, MinIO, AWS)."""

    def __init__(
        self,
        *,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        region: str = "us-east-1",
        timeout_s: float = 10.0,
        health: Callable[[], None] | None = None,
    ) -> None:
        """``health``, when given, raises StoreUnreachable while the server is known to be down
        (the embedded SeaweedFS's supervisor knows without a request); see ensure_available."""
        if "://" in endpoint:
            parts = urlsplit(endpoint)
            secure = parts.scheme == "https"
            endpoint = parts.netloc
        self._bucket = bucket
        self._region = region
        self._endpoint = endpoint
        self._secure = secure
        self._credentials = Credentials(access_key, secret_key)
        # minio's default pool retries 5 times with a 5-minute timeout; a dead store must fail in
        # seconds. Only connection errors are retried: they happen before any byte is sent, while
        # retrying a PUT after a read error or a 5xx could write a second version.
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout_s, 3.0), read=timeout_s),
            maxsize=POOL_SIZE,
            blocksize=_SEND_BLOCK,
            retries=Retry(
                total=2, connect=2, read=0, redirect=0, status=0, other=0, backoff_factor=0.1
            ),
        )
        # The region is given so the client never issues a GetBucketLocation first.
        self._client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=self._http,
        )
        self._base_url = BaseURL(("https://" if secure else "http://") + endpoint, region)
        self._health = health
        # monotonic time of the last answered ping; ensure_available trusts it for a while.
        self._answered_at = float("-inf")

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def endpoint(self) -> str:
        return self._endpoint

    def close(self) -> None:
        """Close pooled connections (idempotent)."""
        self._http.clear()

    # -- bucket ------------------------------------------------------------------------------

    def ensure_bucket(self) -> None:
        """Create the bucket with Object Lock if missing; refuse a bucket that lacks it."""
        what = f"ensure bucket {self._bucket}"
        with _vendor_errors(what):
            if not self._client.bucket_exists(self._bucket):
                try:
                    self._client.make_bucket(self._bucket, object_lock=True)
                except S3Error as exc:
                    # Another process created it between the check and the create.
                    if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                        raise
            try:
                self._client.get_object_lock_config(self._bucket)
            except S3Error as exc:
                if exc.code == "ObjectLockConfigurationNotFoundError":
                    # Object Lock can only be chosen at creation; writing records into such a
                    # bucket would silently lose the write-once guarantee.
                    raise StorageError(f"bucket {self._bucket} exists without Object Lock") from exc
                raise

    def ping(self) -> None:
        """Raise StoreUnreachable unless the server answers an authenticated request (and,
        with a health callback, unless it is known to be up: a restarted store can answer
        before its supervisor has finished the restart)."""
        try:
            if self._health is not None:
                self._health()
            with _vendor_errors(f"ping {self._endpoint}"):
                self._client.bucket_exists(self._bucket)
        except StoreUnreachable:
            self._answered_at = float("-inf")
            raise
        self._answered_at = time.monotonic()

    def ensure_available(self) -> None:
        """Raise StoreUnreachable if the store is down, cheaply: for work that would spend
        something (a registry number) before its first store request.

        The health callback (a syscall for the embedded store) runs every time; a real request
        (ping) at most every few seconds.
        """
        if self._health is not None:
            self._health()
        if time.monotonic() - self._answered_at > _AVAILABLE_FOR_S:
            self.ping()

    # -- writing -----------------------------------------------------------------------------

    def _headers(
        self,
        digest: bytes,
        retain_until: dt.date | None,
        metadata: Mapping[str, str] | None,
        legal_hold: bool = False,
    ) -> dict[str, str]:
        headers = {f"x-amz-meta-{k}": v for k, v in (metadata or {}).items()}
        headers[f"x-amz-meta-{SHA256_META}"] = digest.hex()
        headers["x-amz-checksum-sha256"] = base64.b64encode(digest).decode("ascii")
        if retain_until is not None:
            headers["x-amz-object-lock-mode"] = COMPLIANCE
            headers["x-amz-object-lock-retain-until-date"] = lock_instant(retain_until).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        if legal_hold:
            # Placed by the same request that writes the version: no moment without the hold.
            headers["x-amz-object-lock-legal-hold"] = "ON"
        return headers

    def put(
        self,
        key: str,
        data: bytes,
        *,
        retain_until: dt.date | None,
        content_type: str = "application/pdf",
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        """Store ``data`` as a new version, COMPLIANCE-locked through ``retain_until`` if given.

        One signed PUT of the bytes as they are. minio's put_object would hash the body a second
        time for the signature (the digest is already known here) and copy it into a part
        buffer: ~0.3 ms of a request path that runs twice per issued document.
        """
        _check_put_arguments(retain_until, metadata)
        if len(data) > MAX_SINGLE_PUT:
            raise ValueError(f"size must be at most {MAX_SINGLE_PUT} bytes, got {len(data)}")
        digest = hashlib.sha256(data).digest()
        version_id = self._send_put(
            key, data, len(data), digest, retain_until, content_type, metadata
        )
        return StoredObject(key, version_id, digest.hex(), len(data))

    def put_stream(
        self,
        key: str,
        stream: BinaryIO,
        size: int,
        *,
        retain_until: dt.date | None,
        content_type: str = "application/pdf",
        metadata: Mapping[str, str] | None = None,
    ) -> StoredObject:
        """Store ``size`` bytes from ``stream`` in one streamed PUT, in constant memory.

        The checksum header must precede the body, so the stream is hashed in a first pass: a
        seekable stream is rewound (to where it was), any other stream is spooled to a temporary
        file while being hashed. The second pass hashes again while sending; if the bytes
        changed in between the server refuses them (SeaweedFS: BadDigest, as the body no longer
        matches the checksum header) and IntegrityError is raised either way.

        minio's put_object would buffer each part in memory and go multipart, where a
        whole-object SHA-256 header is impossible; so this request is signed with minio's
        signer and streamed on the same connection pool. Limited to 5 GiB, the S3 maximum for
        a single PUT.
        """
        _check_put_arguments(retain_until, metadata)
        if size < 0 or size > MAX_SINGLE_PUT:
            raise ValueError(f"size must be between 0 and {MAX_SINGLE_PUT} bytes, got {size}")
        spool: BinaryIO | None = None
        try:
            if stream.seekable():
                start = stream.tell()
                source = stream
            else:
                spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finally
                start = 0
                source = spool
            first = HashingReader(stream, limit=size)
            while chunk := first.read(_CHUNK):
                if spool is not None:
                    spool.write(chunk)
            if first.size != size:
                raise ValueError(f"stream ended after {first.size} of {size} bytes")
            source.seek(start)
            return self._signed_put(key, source, size, first, retain_until, content_type, metadata)
        finally:
            if spool is not None:
                spool.close()

    def _signed_put(
        self,
        key: str,
        source: BinaryIO,
        size: int,
        first: HashingReader,
        retain_until: dt.date | None,
        content_type: str,
        metadata: Mapping[str, str] | None,
    ) -> StoredObject:
        sha_hex = first.hexdigest()
        second = HashingReader(source, limit=size)
        version_id = self._send_put(
            key, second, size, first.digest(), retain_until, content_type, metadata
        )
        if second.hexdigest() != sha_hex:
            raise IntegrityError(
                f"put {self._bucket}/{key}: the stream changed while it was being uploaded"
            )
        return StoredObject(key, version_id, sha_hex, size)

    def _send_put(
        self,
        key: str,
        body: bytes | HashingReader,
        size: int,
        digest: bytes,
        retain_until: dt.date | None,
        content_type: str,
        metadata: Mapping[str, str] | None,
        legal_hold: bool = False,
    ) -> str:
        """One PUT signed with minio's signer on the shared pool; returns the version id.

        The signed payload hash is the body's SHA-256, which the caller has computed.
        """
        what = f"put {self._bucket}/{key}"
        sha_hex = digest.hex()
        headers = self._headers(digest, retain_until, metadata, legal_hold)
        url = self._base_url.build(
            method="PUT", region=self._region, bucket_name=self._bucket, object_name=key
        )
        now = dt.datetime.now(dt.UTC)
        headers |= {
            "Host": url.netloc,
            "Content-Type": content_type,
            "Content-Length": str(size),
            "x-amz-content-sha256": sha_hex,
            "x-amz-date": now.strftime("%Y%m%dT%H%M%SZ"),
        }
        signed = sign_v4_s3(
            method="PUT",
            url=url,
            region=self._region,
            headers=headers,  # type: ignore[arg-type]
            credentials=self._credentials,
            content_sha256=sha_hex,
            date=now,
        )
        with _vendor_errors(what):
            response = self._http.urlopen(
                "PUT", url.geturl(), body=body, headers=dict(signed), preload_content=True
            )
            _raise_for_put(response)
        version_id = response.headers.get("x-amz-version-id")
        if not version_id:
            raise StorageError(f"{what}: the bucket is not versioned (no version id returned)")
        return str(version_id)

    # -- reading -----------------------------------------------------------------------------

    def get(
        self, key: str, version_id: str | None = None, chunk_size: int = 1 << 16
    ) -> _ObjectStream:
        """Stream a version's bytes; raises IntegrityError at the end if they fail their hash.

        The request is made now (so ObjectMissing is raised here, and ``info`` is known before
        any byte is read); iterate to the end or call ``close()`` on the result — it is
        released on exhaustion, error, close or garbage collection.
        """
        what = f"get {self._bucket}/{key}" + (f"@{version_id}" if version_id else "")
        with _vendor_errors(what):
            response = self._client.get_object(self._bucket, key, version_id=version_id)
        return _ObjectStream(response, what, chunk_size, key, version_id)

    def read(self, key: str, version_id: str | None = None) -> bytes:
        """The whole version in memory, hash-checked."""
        return b"".join(self.get(key, version_id))

    def stat(self, key: str, version_id: str | None = None) -> ObjectInfo:
        """Size, stored SHA-256, retention and legal hold of a version (one HEAD request)."""
        what = f"stat {self._bucket}/{key}" + (f"@{version_id}" if version_id else "")
        with _vendor_errors(what):
            obj = self._client.stat_object(self._bucket, key, version_id=version_id)
        info = info_from_headers(key, version_id, obj.metadata or {}, obj.last_modified)
        return dataclasses.replace(
            info, version_id=obj.version_id or info.version_id, size=obj.size or 0
        )

    def list_entries(self, prefix: str = "") -> list[ListedVersion]:
        """Every version and delete marker under ``prefix`` as the listing gives them, in the
        server's order: one request per thousand versions, no lock state (see list_versions)."""
        with _vendor_errors(f"list versions {self._bucket}/{prefix}"):
            return [
                ListedVersion(
                    key=entry.object_name or "",
                    version_id=entry.version_id or "",
                    size=int(entry.size or 0),
                    last_modified=entry.last_modified,
                    is_latest=str(entry.is_latest).lower() == "true",
                    is_delete_marker=bool(entry.is_delete_marker),
                    position=position,
                )
                for position, entry in enumerate(
                    self._client.list_objects(
                        self._bucket, prefix=prefix or None, recursive=True, include_version=True
                    )
                )
            ]

    def list_versions(self, prefix: str = "") -> list[ObjectInfo]:
        """Every version and delete marker under ``prefix``, newest first per key.

        A listing carries no lock state, so each version is stat'ed (one HEAD each); this is for
        archive work (fixity, export, disposal), not for request paths.
        """
        what = f"list versions {self._bucket}/{prefix}"
        with _vendor_errors(what):
            entries = list(
                self._client.list_objects(
                    self._bucket, prefix=prefix or None, recursive=True, include_version=True
                )
            )
        result: list[ObjectInfo] = []
        for entry in entries:
            key = entry.object_name or ""
            if entry.is_delete_marker:
                result.append(
                    ObjectInfo(
                        key=key,
                        version_id=entry.version_id or "",
                        size=0,
                        sha256=None,
                        retain_until=None,
                        mode=None,
                        legal_hold=False,
                        last_modified=entry.last_modified,
                        is_delete_marker=True,
                    )
                )
            else:
                result.append(self.stat(key, entry.version_id))
        return result

    # -- lock management ---------------------------------------------------------------------

    def _is_locked(self, key: str, version_id: str) -> bool:
        info = self.stat(key, version_id)
        if info.legal_hold:
            return True
        return info.retain_until is not None and lock_instant(info.retain_until) > dt.datetime.now(
            dt.UTC
        )

    def extend_retention(self, key: str, version_id: str, until: dt.date) -> None:
        """Move the COMPLIANCE date of a version later; never earlier (RetentionLocked)."""
        what = f"extend retention of {self._bucket}/{key}@{version_id} to {until}"
        current = self.stat(key, version_id).retain_until
        if current is not None and until < current:
            raise RetentionLocked(f"{what}: it is locked until {current}; shortening is refused")
        if current == until:
            return
        try:
            self._client.set_object_retention(
                self._bucket, key, Retention(COMPLIANCE, lock_instant(until)), version_id
            )
        except S3Error as exc:
            # Lengthening is always allowed, so a refusal is a lock only if the date moved past
            # ``until`` since the check above (a concurrent extension); otherwise it is, e.g.,
            # a permission problem and is reported as such.
            if exc.code in _LOCK_CODES:
                now_until = self.stat(key, version_id).retain_until
                if now_until is not None and until < now_until:
                    raise RetentionLocked(f"{what}: {exc.code}: {exc.message}") from exc
            raise _translate(exc, what) from exc
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise _translate(exc, what) from exc

    def set_legal_hold(self, key: str, version_id: str, on: bool) -> None:
        """Place or lift a legal hold on one version."""
        what = f"legal hold {'on' if on else 'off'} {self._bucket}/{key}@{version_id}"
        with _vendor_errors(what):
            if on:
                self._client.enable_object_legal_hold(self._bucket, key, version_id)
            else:
                self._client.disable_object_legal_hold(self._bucket, key, version_id)

    def delete_version(self, key: str, version_id: str) -> None:
        """Permanently delete one version; RetentionLocked if Object Lock forbids it."""
        what = f"delete {self._bucket}/{key}@{version_id}"
        try:
            self._client.remove_object(self._bucket, key, version_id=version_id)
        except S3Error as exc:
            # AccessDenied is also what wrong permissions look like, so a refusal only counts as
            # a lock when the version really is under retention or a legal hold.
            if exc.code in _LOCK_CODES and self._is_locked(key, version_id):
                raise RetentionLocked(f"{what}: {exc.code}: {exc.message}") from exc
            raise _translate(exc, what) from exc
        except (MinioException, urllib3.exceptions.HTTPError) as exc:
            raise _translate(exc, what) from exc
