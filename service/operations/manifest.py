"""The backup directory's layout, its manifest, and the check that a directory is exactly what
its manifest says.

    DIR/bylos-backup.json      says "this directory holds a Bylos backup" (never pruned)
    DIR/NEBAIGTA               present while a run is under way or after it was interrupted
    DIR/manifest.json          written last, atomically: the directory's complete description
    DIR/database/...           the database snapshot (SQLite file or pg_dump archive)
    DIR/objects/ab/abcdef...   every stored version's bytes, named by their SHA-256
    DIR/.partial/              files being written; renamed into place only once complete

Object bytes are content-addressed, so a later run copies only what is not there yet, and a
file that has its final name is always whole (it was written and hashed under a temporary one).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

FORMAT: Final = "bylos-backup"
FORMAT_VERSION: Final = 1
FORMAT_FILE: Final = "bylos-backup.json"
MANIFEST: Final = "manifest.json"
MARKER: Final = "NEBAIGTA"
LOCK: Final = ".lock"
PARTIAL: Final = ".partial"
DATABASE_DIR: Final = "database"
OBJECTS_DIR: Final = "objects"
# Files of the directory itself, not of the backup: the check neither expects nor refuses them.
CONTROL_FILES: Final = frozenset({FORMAT_FILE, MANIFEST, LOCK})

_CHUNK: Final = 1 << 20
_HASH_WORKERS: Final = 4


def blob_path(sha256: str) -> str:
    """Where the bytes with this SHA-256 live, relative to the backup directory."""
    return f"{OBJECTS_DIR}/{sha256[:2]}/{sha256}"


def file_sha256(path: Path, progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if progress is not None:
                progress(len(chunk))
    return digest.hexdigest(), size


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal(body: dict[str, Any]) -> dict[str, Any]:
    """The manifest with its own SHA-256 (over everything else), so damage to it is found."""
    content = {k: v for k, v in body.items() if k != "manifest_sha256"}
    return content | {"manifest_sha256": hashlib.sha256(_canonical(content)).hexdigest()}


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_dir(path.parent)


def sync_dir(path: Path) -> None:
    """fsync a directory, so a rename in it survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_filesystem(path: Path) -> None:
    """Flush everything written to the file system holding ``path`` (Linux syncfs; else sync):
    the manifest, written after this, only ever describes files that are on the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = getattr(libc, "syncfs", None)
        if syncfs is None or syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def write_manifest(directory: Path, body: dict[str, Any]) -> dict[str, Any]:
    sealed = seal(body)
    write_atomically(
        directory / MANIFEST, json.dumps(sealed, ensure_ascii=False, indent=1).encode()
    )
    return sealed


@dataclass
class Verification:
    """What a backup directory holds compared with its manifest; ``ok`` when all agree."""

    manifest: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)  # the directory as a whole
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    bytes_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not (
            self.problems or self.changed or self.missing or self.extra
        )

    def lines(self) -> list[str]:
        """Every difference, one Lithuanian line each."""
        return (
            self.problems
            + [f"pakeistas failas: {p}" for p in self.changed]
            + [f"trūksta failo: {p}" for p in self.missing]
            + [f"nenumatytas failas: {p}" for p in self.extra]
        )


def load_manifest(directory: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """The manifest if the directory holds a finished backup, else the reasons it does not."""
    if not directory.is_dir():
        return None, [f"Katalogo „{directory}“ nėra."]
    if (directory / MARKER).exists():
        return None, [
            "Atsarginė kopija nebaigta (rastas failas NEBAIGTA): jos darymas nutrūko. "
            "Paleiskite „bylos backup“ į tą patį katalogą dar kartą."
        ]
    path = directory / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [f"Kataloge „{directory}“ nėra atsarginės kopijos aprašo ({MANIFEST})."]
    except (OSError, ValueError) as exc:
        return None, [f"Aprašas {MANIFEST} neperskaitomas: {exc}."]
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        return None, [f"{MANIFEST} nėra Bylos atsarginės kopijos aprašas."]
    if raw.get("version") != FORMAT_VERSION:
        return None, [
            f"Atsarginės kopijos formato versija {raw.get('version')} nežinoma "
            f"(ši Bylos versija skaito {FORMAT_VERSION})."
        ]
    if seal(raw).get("manifest_sha256") != raw.get("manifest_sha256"):
        return None, [f"Aprašas {MANIFEST} pakeistas arba sugadintas (jo SHA-256 nesutampa)."]
    return raw, []


def _walk(directory: Path) -> Iterable[str]:
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            rel = (Path(root) / name).relative_to(directory).as_posix()
            if rel not in CONTROL_FILES:
                yield rel


def verify(directory: Path, progress: Callable[[int], None] | None = None) -> Verification:
    """Hash every file and compare the directory with its manifest: changed, missing, extra."""
    manifest, problems = load_manifest(directory)
    if manifest is None:
        return Verification(manifest=None, problems=problems)
    files = manifest.get("files")
    objects = manifest.get("objects")
    if not (
        isinstance(files, dict)
        and all(isinstance(v, dict) for v in files.values())
        and isinstance(objects, list)
        and all(isinstance(o, dict) for o in objects)
    ):
        return Verification(manifest=None, problems=[f"{MANIFEST} netinkamos sandaros."])
    result = Verification(manifest=manifest)
    for item in objects:
        if item.get("delete_marker"):
            continue
        # The manifest must be consistent with itself: every version's bytes are a listed file.
        path = blob_path(str(item.get("sha256")))
        if files.get(path, {}).get("sha256") != item.get("sha256"):
            result.problems.append(
                f"aprašas nenuoseklus: versijos {item.get('key')} failas {path} neaprašytas"
            )
    present = set(_walk(directory))
    result.extra = sorted(present - set(files))
    result.missing = sorted(set(files) - present)

    def check(rel: str) -> tuple[str, bool, int]:
        expected = files[rel]
        sha, size = file_sha256(directory / rel, progress)
        return rel, sha == expected.get("sha256") and size == expected.get("size"), size

    with ThreadPoolExecutor(max_workers=_HASH_WORKERS) as pool:
        for rel, same, size in pool.map(check, sorted(present & set(files))):
            result.bytes_checked += size
            if not same:
                result.changed.append(rel)
    result.changed.sort()
    return result
