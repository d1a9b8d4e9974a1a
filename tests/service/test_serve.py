"""`bylos serve` as `make run` starts it: answers health, and leaves no process behind when
stopped with SIGTERM or Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest

BYLOS = Path(sys.executable).parent / "bylos"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_health_and_leaves_no_process(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    port = _free_port()
    env = os.environ | {
        "BYLOS_DATA_DIR": str(tmp_path),
        "BYLOS_HTTP_PORT": str(port),
        "BYLOS_CONVERTER_WORKERS": "1",
    }
    env.pop("BYLOS_DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([str(BYLOS), "serve"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                if health.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        assert health is not None and health.status_code == 200, (
            tmp_path / "serve.log"
        ).read_text()
        assert health.json()["status"] == "ok"
        children = _descendants(server.pid)
        names = {Path(f"/proc/{p}/comm").read_text().strip() for p in children if _running(p)}
        assert "weed" in names
        assert any(n.startswith("soffice") for n in names)
        server.send_signal(stop_signal)
        # Uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert server.wait(timeout=90) in (0, -stop_signal, 128 + stop_signal)
        assert "Application shutdown complete." in (tmp_path / "serve.log").read_text()
        time.sleep(0.5)
        assert [p for p in children if _running(p)] == []
    finally:
        if server.poll() is None:
            server.kill()
        log.close()
