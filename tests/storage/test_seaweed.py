"""The embedded SeaweedFS launcher: real weed processes, started and stopped by the tests."""

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage.errors import LaunchFailed, StorageError, StoreUnreachable
from storage.objectstore import ObjectStore
from storage.seaweed import EmbeddedSeaweed


def assert_gone(pid: int, data_dir: Path) -> None:
    """Neither the process nor its group is alive (tolerating a reuse of the pid by another)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        pass
    else:
        assert str(data_dir).encode() not in cmdline, f"weed {pid} still runs"
        return
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # weed leads its own group; the group must be empty too


def processes_mentioning(path: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue  # exited while we looked
            if str(path).encode() in cmdline:
                found.append(int(entry.name))
    return found


def test_stop_leaves_no_weed_process_alive(tmp_path: Path) -> None:
    server = EmbeddedSeaweed(tmp_path)
    server.start()
    pid = server.pid
    assert pid is not None

    server.stop()

    assert server.pid is None
    assert processes_mentioning(tmp_path) == []
    assert_gone(pid, tmp_path)


def test_stop_twice_is_harmless(tmp_path: Path) -> None:
    with EmbeddedSeaweed(tmp_path) as server:
        pid = server.pid
        assert pid is not None
        server.stop()

    server.stop()
    assert_gone(pid, tmp_path)


def test_weed_does_not_outlive_a_python_process_that_forgot_to_stop_it(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from storage.seaweed import EmbeddedSeaweed
        server = EmbeddedSeaweed(Path({str(tmp_path)!r}))
        server.start()
        print(server.pid)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert_gone(int(done.stdout), tmp_path)
    assert processes_mentioning(tmp_path) == []


def test_data_survives_a_restart_on_the_same_data_dir(tmp_path: Path) -> None:
    server = EmbeddedSeaweed(tmp_path, secret_key="restart-secret-1")
    with server, server.object_store("records") as store:
        store.ensure_bucket()
        stored = store.put(
            "docs/a.pdf", b"%PDF kept", retain_until=dt.date.today() + dt.timedelta(days=1)
        )

    with server, server.object_store("records") as store:
        assert store.read("docs/a.pdf", stored.version_id) == b"%PDF kept"
        assert store.stat("docs/a.pdf", stored.version_id).mode == "COMPLIANCE"


def test_the_server_refuses_wrong_credentials(seaweed: EmbeddedSeaweed) -> None:
    with ObjectStore(
        endpoint=seaweed.endpoint,
        access_key=seaweed.access_key,
        secret_key="not-the-secret",
        bucket="records",
    ) as store:
        with pytest.raises(StorageError) as caught:
            store.ensure_bucket()
        assert not isinstance(caught.value, StoreUnreachable)


def test_a_second_server_on_the_same_data_dir_is_refused(seaweed: EmbeddedSeaweed) -> None:
    with pytest.raises(LaunchFailed, match="already using"):
        EmbeddedSeaweed(seaweed.data_dir).start()


def test_start_raises_launch_failed_when_the_binary_is_missing(tmp_path: Path) -> None:
    server = EmbeddedSeaweed(tmp_path, weed_binary=tmp_path / "no-such-weed")

    with pytest.raises(LaunchFailed, match="no-such-weed"):
        server.start()


def test_start_gives_up_at_the_deadline_with_the_log_tail_and_kills_weed(
    tmp_path: Path,
) -> None:
    server = EmbeddedSeaweed(tmp_path, start_timeout_s=0.0)

    with pytest.raises(LaunchFailed, match="not ready") as caught:
        server.start()

    assert "bylos: starting" in str(caught.value)  # the log tail is part of the message
    assert server.pid is None
    assert processes_mentioning(tmp_path) == []
