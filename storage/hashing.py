"""Streaming SHA-256 helpers: hash bytes, iterables of chunks, or a stream while it is read."""

import hashlib
from collections.abc import Iterable
from typing import BinaryIO

__all__ = ["HashingReader", "sha256_hex", "sha256_of_stream"]


def sha256_hex(data: bytes) -> str:
    """Return the lowercase hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_of_stream(chunks: Iterable[bytes]) -> tuple[str, int]:
    """Hash an iterable of chunks without holding them; return (hex digest, total size)."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class HashingReader:
    """A read-only file-like wrapper that hashes every byte handed out by ``read``.

    ``limit`` caps how much is read from the underlying stream, so an HTTP client sending
    it as a request body stops exactly at the declared Content-Length even if the stream
    holds more.
    """

    def __init__(self, raw: BinaryIO, limit: int | None = None) -> None:
        self._raw = raw
        self._remaining = limit
        self._digest = hashlib.sha256()
        self._size = 0

    def read(self, n: int = -1) -> bytes:
        if self._remaining is not None:
            if self._remaining <= 0:
                return b""
            n = self._remaining if n is None or n < 0 else min(n, self._remaining)
        chunk = self._raw.read(n)
        if chunk:
            self._digest.update(chunk)
            self._size += len(chunk)
            if self._remaining is not None:
                self._remaining -= len(chunk)
        return chunk

    def readable(self) -> bool:
        return True

    @property
    def size(self) -> int:
        """Bytes read so far."""
        return self._size

    def hexdigest(self) -> str:
        """Hex SHA-256 of the bytes read so far."""
        return self._digest.hexdigest()

    def digest(self) -> bytes:
        """Raw SHA-256 of the bytes read so far (for base64 checksum headers)."""
        return self._digest.digest()
