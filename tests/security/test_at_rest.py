"""At rest and in logs: the data dir and everything Bylos and its store keep there are the
service account's alone, an older install is tightened at start, and the access log never
carries a query string (pupils' names travel in ``q=``)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx2 as httpx

from service.bootstrap import open_store
from service.settings import Settings
from tests.web.serve import bylos_serve

BYLOS = Path(sys.executable).parent / "bylos"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _open_to_others(root: Path) -> list[str]:
    """Paths under ``root`` (itself included) that group or others may use."""
    found = [str(root)] if _mode(root) & 0o077 else []
    for current, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(current) / name
            if not path.is_symlink() and _mode(path) & 0o077:
                found.append(f"{path} {oct(_mode(path))}")
    return found


def test_a_cli_command_creates_the_data_dir_and_database_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = os.environ | {"BYLOS_DATA_DIR": str(data_dir)}
    env.pop("BYLOS_DATABASE_URL", None)
    done = subprocess.run(
        [str(BYLOS), "migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "bylos.sqlite3") == 0o600


def test_an_old_install_is_tightened_and_the_access_log_drops_queries(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    # What an install from before this change left: readable by everyone on the machine.
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    with sqlite3.connect(data_dir / "bylos.sqlite3") as db:
        db.execute("PRAGMA user_version = 0")
    (data_dir / "web-session.key").write_text("0" * 64)
    (data_dir / "uploads").mkdir()
    (data_dir / "uploads" / "left-over.part").write_bytes(b"Jonas Jonaitis")
    for path, mode in (
        (data_dir / "bylos.sqlite3", 0o644),
        (data_dir / "web-session.key", 0o644),
        (data_dir / "uploads", 0o755),
        (data_dir / "uploads" / "left-over.part", 0o644),
    ):
        path.chmod(mode)

    with bylos_serve(data_dir) as server:
        anonymous = httpx.get(f"{server.url}/api/documents?q=Jonaitis&class=5a", timeout=30)
        assert anonymous.status_code == 401
        health = httpx.get(f"{server.url}/api/health?q=Petraitis", timeout=30)
        assert health.status_code == 200
        forged = httpx.get(f"{server.url}/api/x%0AINFO:%20%20%20%20%20forged", timeout=30)
        assert forged.status_code == 404

        # A second process (as the CLI does) attaches to the server's sealed store over S3.
        with ExitStack() as stack:
            attached = open_store(
                Settings(data_dir=data_dir).components(), stack, attach_to_running=True
            )
            attached.put("at-rest/probe.pdf", b"%PDF probe", retain_until=None)

        assert _mode(data_dir) == 0o700
        for name in ("bylos.sqlite3", "web-session.key", "uploads/left-over.part"):
            assert _mode(data_dir / name) == 0o600, name
        assert _mode(data_dir / "uploads") == 0o700
        # What the running service and its store created since: database journal files, the
        # store's volumes, keys, certificates, logs and sockets.
        for name in ("bylos.sqlite3-wal", "bylos.sqlite3-shm"):
            if (data_dir / name).exists():
                assert _mode(data_dir / name) == 0o600, name
        store = data_dir / "seaweedfs"
        assert list((store / "data").glob("*.dat")), "the store has volume files"
        assert (store / "security" / "security.toml").is_file()
        # weed writes a new volume's .vif 0644; its supervisor tightens it within seconds.
        deadline = time.monotonic() + 30
        while _open_to_others(store) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _open_to_others(store) == []
        # weed's gRPC sockets in the temporary directory, named by this store's ports.
        ports = json.loads((store / "ports.json").read_text())
        sockets = [
            sock
            for port in ports.values()
            for sock in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port + 10000}.sock")
        ]
        assert sockets
        assert [str(s) for s in sockets if _mode(s) & 0o077] == []

    log = server.log.read_text()
    assert "GET /api/documents 401" in log
    assert "GET /api/health 200" in log
    for secret in ("Jonaitis", "Petraitis", "q=", "class=5a"):
        assert secret not in log, secret
    # A decoded newline in the path stays on the access line, re-encoded.
    assert "GET /api/x%0AINFO:%20%20%20%20%20forged 404" in log
    assert not any(line.startswith("INFO:     forged") for line in log.splitlines())
