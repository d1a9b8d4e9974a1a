"""The service supervises the embedded SeaweedFS it starts (issue 15 item 6, the store).

SIGKILL the store under a running `bylos serve`: while it is down (held down here by taking
its S3 port, so the outage lasts as long as the test needs), requests that need it answer 503
with Retry-After and change nothing: no registry number is taken or voided. Then the store
comes back by itself, on the same port and with the same keys, without a restart of Bylos;
the crash and the restart are logged.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from contextlib import suppress
from pathlib import Path

import httpx2 as httpx

from tests.conftest import example
from tests.web.serve import bylos_serve


def _weed_pid(data_dir: Path) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                cmdline = (entry / "cmdline").read_bytes()
                if b"weed" in cmdline.split(b"\0")[0] and str(data_dir).encode() in cmdline:
                    return int(entry.name)
    raise AssertionError("no weed process for the data dir")


def _take_port(port: int) -> socket.socket:
    """Bind ``port`` as soon as the killed weed has released it (well before any restart)."""
    deadline = time.monotonic() + 10
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # The killed weed's connections linger in TIME_WAIT on the port; weed (Go) binds with
        # SO_REUSEADDR too, so it finds the port taken only while this socket listens.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen(1)
            return sock
        except OSError:
            sock.close()
            assert time.monotonic() < deadline, f"port {port} never became free"
            time.sleep(0.005)


def test_a_killed_store_is_restarted_and_the_outage_changes_nothing(tmp_path: Path) -> None:
    with bylos_serve(tmp_path / "var") as server:
        data_dir = tmp_path / "var"
        token = server.add_user(
            name="Rasa Raštinienė",
            position="Raštinės vedėja",
            roles=["office_manager"],
            login="rasa",
            password="Ilgas-slaptazodis-2026",
        )
        server.register_pledge(token, name="Rasa Raštinienė", position="Raštinės vedėja")
        headers = {"Authorization": f"Bearer {token}"}
        client = httpx.Client(base_url=server.url, headers=headers, timeout=60)
        s3_port = json.loads((data_dir / "seaweedfs" / "ports.json").read_text())["s3"]
        first_weed = _weed_pid(data_dir)

        os.kill(first_weed, signal.SIGKILL)
        holder = _take_port(s3_port)
        try:
            health = client.get("/api/health")
            assert health.status_code == 503
            assert int(health.headers["Retry-After"]) > 0
            issued = client.post(
                "/api/documents/leaving-certificate",
                json=example("leaving-certificate"),
                headers={"Idempotency-Key": "per-gedima-1"},
            )
            assert issued.status_code == 503, issued.text
            assert int(issued.headers["Retry-After"]) > 0
            assert "saugykl" in issued.json()["detail"].lower()
            # No number taken, so none voided.
            assert client.get("/api/registers/PZ/entries").json() == []
            # The supervisor has tried (and failed) to restart meanwhile.
            deadline = time.monotonic() + 30
            while "restart attempt" not in server.log.read_text():
                assert time.monotonic() < deadline, server.log.read_text()
                time.sleep(0.2)
        finally:
            holder.close()

        deadline = time.monotonic() + 60
        while client.get("/api/health").status_code != 200:
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.3)
        second_weed = _weed_pid(data_dir)
        assert second_weed != first_weed
        # Same port, same keys: the same request now goes through, and takes number 1.
        issued = client.post(
            "/api/documents/leaving-certificate",
            json=example("leaving-certificate"),
            headers={"Idempotency-Key": "per-gedima-1"},
        )
        assert issued.status_code == 201, issued.text
        assert issued.json()["registration"]["number"] == "PZ-1"
        entries = client.get("/api/registers/PZ/entries").json()
        assert [(e["number"], e["status"]) for e in entries] == [("PZ-1", "registered")]
        log = server.log.read_text()
        assert f"SeaweedFS (pid {first_weed}) exited unexpectedly" in log
        assert f"SeaweedFS restarted (pid {second_weed}" in log
        client.close()
