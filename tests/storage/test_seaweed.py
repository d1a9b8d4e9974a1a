"""The embedded SeaweedFS launcher: real weed processes, started and stopped by the tests."""

import datetime as dt
import os
from pathlib import Path

import pytest

from storage.errors import LaunchFailed, StorageError, StoreUnreachable
from storage.objectstore import ObjectStore
from storage.seaweed import EmbeddedSeaweed


def assert_gone(pid: int) -> None:
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # the process group (weed leads its own session)


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
    assert_gone(pid)


def test_stop_twice_is_harmless(tmp_path: Path) -> None:
    with EmbeddedSeaweed(tmp_path) as server:
        pid = server.pid
        assert pid is not None
        server.stop()

    server.stop()
    assert_gone(pid)


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
