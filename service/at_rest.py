"""Bylos's files at rest are the service account's alone: the data dir 0700, files 0600.

The data dir holds pupils' records (SQLite, the store's volumes, spooled uploads, exports)
and the keys that open them (the web session key, the store's S3 and JWT keys). Every process
Bylos runs (``bylos serve``, each CLI command, weed, LibreOffice) creates files under umask
077, and at start what an older install left readable is tightened.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import Final

__all__ = ["PRIVATE_UMASK", "private_umask", "tighten"]

PRIVATE_UMASK: Final = 0o077
# Files directly in the data dir that Bylos writes; only these are touched at the top level,
# so a data dir set by mistake to a home directory does not have its other files rewritten.
_TOP_LEVEL: Final = (
    "bylos.sqlite3",
    "bylos.sqlite3-wal",
    "bylos.sqlite3-shm",
    "bylos.sqlite3-journal",
    "*.key",
)
# Directories Bylos creates in the data dir, tightened through their whole depth.
_SUBTREES: Final = ("seaweedfs", "converter", "converter-cli", "exports", "uploads")


def private_umask() -> None:
    """Make every file and directory this process creates from now on owner-only."""
    os.umask(PRIVATE_UMASK)


def _restrict(path: Path, *, directory: bool) -> None:
    try:
        mode = path.lstat().st_mode
    except OSError:
        return  # removed meanwhile
    if stat.S_ISLNK(mode):
        return  # a link's own mode means nothing; what it points to is not ours to change
    wanted = 0o700 if directory else stat.S_IMODE(mode) & ~PRIVATE_UMASK
    if stat.S_IMODE(mode) != wanted and (directory or stat.S_IMODE(mode) & PRIVATE_UMASK):
        with contextlib.suppress(OSError):
            path.chmod(wanted)


def tighten(data_dir: Path) -> None:
    """Create ``data_dir`` 0700 if missing; take group and other bits from what it holds."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    _restrict(data_dir, directory=True)
    for pattern in _TOP_LEVEL:
        for path in data_dir.glob(pattern):
            if path.is_file():
                _restrict(path, directory=False)
    for name in _SUBTREES:
        root = data_dir / name
        if not root.is_dir() or root.is_symlink():
            continue
        _restrict(root, directory=True)
        for current, dirs, files in os.walk(root):
            base = Path(current)
            for child in dirs:
                _restrict(base / child, directory=True)
            for child in files:
                _restrict(base / child, directory=False)
