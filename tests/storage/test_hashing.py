"""Streaming SHA-256 helpers (no server needed)."""

import hashlib
import io

from storage.hashing import HashingReader, sha256_hex, sha256_of_stream

ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_sha256_hex_matches_the_standard_test_vector() -> None:
    assert sha256_hex(b"abc") == ABC_SHA256


def test_sha256_of_stream_hashes_the_concatenated_chunks_and_counts_bytes() -> None:
    chunks = [b"a", b"", b"bc", b"\x00" * 1000]

    assert sha256_of_stream(iter(chunks)) == (sha256_hex(b"".join(chunks)), 1003)


def test_sha256_of_an_empty_stream_is_the_empty_digest() -> None:
    assert sha256_of_stream([]) == (hashlib.sha256(b"").hexdigest(), 0)


def test_hashing_reader_passes_bytes_through_and_hashes_what_was_read() -> None:
    data = bytes(range(256)) * 50
    reader = HashingReader(io.BytesIO(data))

    out = b"".join(iter(lambda: reader.read(777), b""))

    assert out == data
    assert reader.size == len(data)
    assert reader.hexdigest() == sha256_hex(data)
    assert reader.digest() == hashlib.sha256(data).digest()


def test_hashing_reader_read_all_returns_everything() -> None:
    reader = HashingReader(io.BytesIO(b"journal"))

    assert reader.read() == b"journal"
    assert reader.read() == b""
    assert reader.hexdigest() == sha256_hex(b"journal")


def test_hashing_reader_stops_at_its_limit() -> None:
    reader = HashingReader(io.BytesIO(b"0123456789"), limit=4)

    assert reader.read(3) == b"012"
    assert reader.read(100) == b"3"
    assert reader.read(100) == b""
    assert (reader.size, reader.hexdigest()) == (4, sha256_hex(b"0123"))
