"""ObjectStore against the real SeaweedFS of the session (fixtures in tests/fixtures/)."""

import datetime as dt
import io
import os
import socket
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import urllib3
from minio import Minio

from storage.errors import (
    IntegrityError,
    ObjectMissing,
    RetentionLocked,
    StorageError,
    StoreUnreachable,
)
from storage.hashing import sha256_hex
from storage.objectstore import ObjectStore, ObjectStorePort, lock_instant
from storage.seaweed import EmbeddedSeaweed

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

PDF = b"%PDF-1.7\n" + b"Pazyma apie mokymosi pasiekimus\n" * 64


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def in_days(days: int) -> dt.date:
    return today() + dt.timedelta(days=days)


@pytest.fixture
def raw_client(seaweed: EmbeddedSeaweed) -> Iterator[Minio]:
    """The vendor client, for setting up states ObjectStore deliberately cannot produce."""
    http = urllib3.PoolManager()
    yield Minio(
        seaweed.endpoint,
        access_key=seaweed.access_key,
        secret_key=seaweed.secret_key,
        secure=False,
        region="us-east-1",
        http_client=http,
    )
    http.clear()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OneShotStream(io.RawIOBase):
    """A non-seekable stream, like a pipe or an HTTP request body."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "WriteableBuffer") -> int:
        view = memoryview(buffer).cast("B")
        chunk = self._data.read(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)


class ChangingStream(io.BytesIO):
    """Seekable, but its bytes change after the first rewind (a file rewritten mid-upload)."""

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = super().seek(offset, whence)
        self.getbuffer()[0] ^= 0xFF
        return position


def test_object_store_implements_the_port(object_store: ObjectStore) -> None:
    port: ObjectStorePort = object_store  # mypy checks the signatures; this checks the wiring
    port.ping()


def test_lock_instant_covers_the_whole_retain_until_day() -> None:
    assert lock_instant(dt.date(2030, 6, 30)) == dt.datetime(2030, 7, 1, tzinfo=dt.UTC)


def test_put_returns_version_id_sha256_and_size(object_store: ObjectStore) -> None:
    stored = object_store.put("docs/a.pdf", PDF, retain_until=in_days(3))

    assert stored.key == "docs/a.pdf"
    assert stored.version_id
    assert stored.sha256 == sha256_hex(PDF)
    assert stored.size == len(PDF)


def test_stat_returns_sha256_retain_until_and_compliance_mode(object_store: ObjectStore) -> None:
    stored = object_store.put("docs/a.pdf", PDF, retain_until=in_days(3))

    info = object_store.stat("docs/a.pdf", stored.version_id)

    assert info.version_id == stored.version_id
    assert info.size == len(PDF)
    assert info.sha256 == sha256_hex(PDF)
    assert info.retain_until == in_days(3)
    assert info.mode == "COMPLIANCE"
    assert info.legal_hold is False
    assert info.last_modified is not None


def test_put_without_retention_stores_an_unlocked_version(object_store: ObjectStore) -> None:
    stored = object_store.put("drafts/a.pdf", PDF, retain_until=None)

    info = object_store.stat("drafts/a.pdf", stored.version_id)

    assert (info.retain_until, info.mode, info.legal_hold) == (None, None, False)


def test_put_refuses_a_retain_until_date_in_the_past(object_store: ObjectStore) -> None:
    with pytest.raises(ValueError, match="in the past"):
        object_store.put("docs/a.pdf", PDF, retain_until=in_days(-1))

    assert object_store.list_versions() == []


def test_put_refuses_non_ascii_metadata(object_store: ObjectStore) -> None:
    with pytest.raises(ValueError, match="not ASCII"):
        object_store.put("docs/a.pdf", PDF, retain_until=None, metadata={"title": "Pažyma"})


def test_get_streams_back_the_exact_bytes(object_store: ObjectStore) -> None:
    data = os.urandom(200_000)
    stored = object_store.put("docs/big.pdf", data, retain_until=in_days(1))

    chunks = list(object_store.get("docs/big.pdf", stored.version_id, chunk_size=16_384))

    assert len(chunks) > 1
    assert b"".join(chunks) == data


def test_read_returns_the_latest_version_without_a_version_id(object_store: ObjectStore) -> None:
    object_store.put("docs/a.pdf", b"first", retain_until=None)
    object_store.put("docs/a.pdf", b"second", retain_until=None)

    assert object_store.read("docs/a.pdf") == b"second"


def test_deleting_a_locked_version_raises_retention_locked(object_store: ObjectStore) -> None:
    stored = object_store.put("docs/a.pdf", PDF, retain_until=in_days(3))

    with pytest.raises(RetentionLocked):
        object_store.delete_version("docs/a.pdf", stored.version_id)

    assert object_store.read("docs/a.pdf", stored.version_id) == PDF


def test_put_over_a_locked_key_adds_a_version_and_keeps_the_old_one(
    object_store: ObjectStore,
) -> None:
    old = object_store.put("docs/a.pdf", b"version 1", retain_until=in_days(3))
    new = object_store.put("docs/a.pdf", b"version 2", retain_until=in_days(3))

    versions = object_store.list_versions("docs/")

    assert new.version_id != old.version_id
    assert {v.version_id for v in versions} == {old.version_id, new.version_id}
    assert object_store.read("docs/a.pdf", old.version_id) == b"version 1"
    assert object_store.read("docs/a.pdf", new.version_id) == b"version 2"


def test_list_versions_reports_lock_state_and_respects_the_prefix(
    object_store: ObjectStore,
) -> None:
    kept = object_store.put("docs/a.pdf", PDF, retain_until=in_days(2))
    object_store.put("other/b.pdf", PDF, retain_until=None)

    [info] = object_store.list_versions("docs/")

    assert info.version_id == kept.version_id
    assert (info.retain_until, info.mode, info.sha256) == (in_days(2), "COMPLIANCE", kept.sha256)
    assert info.is_delete_marker is False


def test_extend_retention_moves_the_date_later(object_store: ObjectStore) -> None:
    stored = object_store.put("docs/a.pdf", PDF, retain_until=in_days(2))

    object_store.extend_retention("docs/a.pdf", stored.version_id, in_days(30))

    assert object_store.stat("docs/a.pdf", stored.version_id).retain_until == in_days(30)


def test_extend_retention_locks_a_version_that_had_none(object_store: ObjectStore) -> None:
    stored = object_store.put("docs/a.pdf", PDF, retain_until=None)

    object_store.extend_retention("docs/a.pdf", stored.version_id, in_days(5))

    with pytest.raises(RetentionLocked):
        object_store.delete_version("docs/a.pdf", stored.version_id)


def test_shortening_retention_raises_retention_locked_and_keeps_the_date(
    object_store: ObjectStore,
) -> None:
    stored = object_store.put("docs/a.pdf", PDF, retain_until=in_days(10))

    with pytest.raises(RetentionLocked):
        object_store.extend_retention("docs/a.pdf", stored.version_id, in_days(2))

    assert object_store.stat("docs/a.pdf", stored.version_id).retain_until == in_days(10)


def test_legal_hold_blocks_deleting_a_version_without_retention(
    object_store: ObjectStore,
) -> None:
    stored = object_store.put("docs/a.pdf", PDF, retain_until=None)
    object_store.set_legal_hold("docs/a.pdf", stored.version_id, on=True)

    with pytest.raises(RetentionLocked):
        object_store.delete_version("docs/a.pdf", stored.version_id)

    assert object_store.stat("docs/a.pdf", stored.version_id).legal_hold is True


def test_delete_works_once_the_legal_hold_is_lifted(object_store: ObjectStore) -> None:
    stored = object_store.put("docs/a.pdf", PDF, retain_until=None)
    object_store.set_legal_hold("docs/a.pdf", stored.version_id, on=True)

    object_store.set_legal_hold("docs/a.pdf", stored.version_id, on=False)
    object_store.delete_version("docs/a.pdf", stored.version_id)

    with pytest.raises(ObjectMissing):
        object_store.stat("docs/a.pdf", stored.version_id)


def test_reading_a_missing_key_raises_object_missing(object_store: ObjectStore) -> None:
    with pytest.raises(ObjectMissing):
        object_store.read("docs/never-stored.pdf")


def test_reading_a_missing_version_raises_object_missing(object_store: ObjectStore) -> None:
    object_store.put("docs/a.pdf", PDF, retain_until=None)

    with pytest.raises(ObjectMissing):
        object_store.read("docs/a.pdf", uuid.uuid4().hex)


def test_stat_of_a_missing_key_raises_object_missing(object_store: ObjectStore) -> None:
    with pytest.raises(ObjectMissing):
        object_store.stat("docs/never-stored.pdf")


def test_read_raises_integrity_error_when_bytes_differ_from_the_stored_sha256(
    object_store: ObjectStore, raw_client: Minio
) -> None:
    # Simulates silent corruption: the recorded hash no longer matches the bytes served.
    raw_client.put_object(
        object_store.bucket, "docs/rot.pdf", io.BytesIO(PDF), len(PDF),
        metadata={"sha256": sha256_hex(b"something else")},
    )  # fmt: skip

    with pytest.raises(IntegrityError):
        object_store.read("docs/rot.pdf")


def test_put_stream_stores_a_seekable_stream_beyond_the_multipart_size(
    object_store: ObjectStore,
) -> None:
    data = os.urandom(6 * 1024 * 1024 + 3)
    stream = io.BytesIO(b"header" + data)
    stream.seek(6)  # starts where the caller left the stream, not at 0

    stored = object_store.put_stream("exports/2025.zip", stream, len(data), retain_until=in_days(1))

    info = object_store.stat("exports/2025.zip", stored.version_id)
    assert (stored.sha256, stored.size) == (sha256_hex(data), len(data))
    assert (info.sha256, info.size, info.mode) == (sha256_hex(data), len(data), "COMPLIANCE")
    assert object_store.read("exports/2025.zip", stored.version_id) == data


def test_put_stream_accepts_a_non_seekable_stream(object_store: ObjectStore) -> None:
    data = os.urandom(300_000)

    stored = object_store.put_stream(
        "exports/pipe.zip", io.BufferedReader(OneShotStream(data)), len(data), retain_until=None
    )

    assert stored.sha256 == sha256_hex(data)
    assert object_store.read("exports/pipe.zip", stored.version_id) == data


def test_put_stream_refuses_a_stream_shorter_than_its_size(object_store: ObjectStore) -> None:
    with pytest.raises(ValueError, match="ended after 3 of 10"):
        object_store.put_stream("exports/short.zip", io.BytesIO(b"abc"), 10, retain_until=None)

    assert object_store.list_versions("exports/") == []


def test_put_stream_raises_integrity_error_when_the_stream_changes_during_upload(
    object_store: ObjectStore,
) -> None:
    with pytest.raises(IntegrityError):
        object_store.put_stream(
            "exports/changing.zip", ChangingStream(PDF), len(PDF), retain_until=None
        )

    assert object_store.list_versions("exports/") == []


def test_ensure_bucket_is_idempotent(object_store: ObjectStore) -> None:
    object_store.ensure_bucket()
    object_store.ensure_bucket()


def test_ensure_bucket_refuses_an_existing_bucket_without_object_lock(
    seaweed: EmbeddedSeaweed, raw_client: Minio
) -> None:
    bucket = f"t-nolock-{uuid.uuid4().hex[:12]}"
    raw_client.make_bucket(bucket)

    with seaweed.object_store(bucket) as store, pytest.raises(StorageError, match="Object Lock"):
        store.ensure_bucket()


def test_ping_succeeds_against_the_running_store(object_store: ObjectStore) -> None:
    object_store.ping()


def test_ping_of_an_unreachable_endpoint_raises_store_unreachable_quickly() -> None:
    store = ObjectStore(
        endpoint=f"127.0.0.1:{closed_port()}", access_key="k", secret_key="s", bucket="records"
    )
    started = time.monotonic()

    with store, pytest.raises(StoreUnreachable):
        store.ping()

    assert time.monotonic() - started < 3.0


def test_put_to_an_unreachable_endpoint_raises_store_unreachable() -> None:
    with (
        ObjectStore(
            endpoint=f"http://127.0.0.1:{closed_port()}",
            access_key="k",
            secret_key="s",
            bucket="records",
        ) as store,
        pytest.raises(StoreUnreachable),
    ):
        store.put("docs/a.pdf", PDF, retain_until=in_days(1))
