"""Stopping a child that leads its own process group (``start_new_session=True``), written once
for the embedded SeaweedFS (storage/seaweed.py) and the LibreOffice workers
(service/rendering/pdf.py): signal the whole group, then reap the leader last.

The leader is never reaped before the end: while it is an unreaped zombie its pid, which is the
group id, cannot be given to a new process, so ``killpg`` stays safe. Once it is reaped the pid
can be reused within seconds on a busy machine (pids wrap at 32768) and a signal to the group
would hit a stranger: another service's SeaweedFS, say.

Lives in storage/ because storage/ may not import service/; the converter imports it from here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

_POLL_S = 0.05


def proc_stat(pid: int) -> tuple[str, str, int] | None:
    """(comm, state, process group) of ``pid`` from /proc, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # comm may contain spaces and parentheses; it ends at the last ')'.
    head, _, tail = raw.rpartition(")")
    fields = tail.split()
    return head.partition("(")[2], fields[0], int(fields[2])


def group_members(pgid: int) -> list[tuple[int, str]]:
    """(pid, comm) of every live (not zombie) process in group ``pgid``."""
    members: list[tuple[int, str]] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = proc_stat(int(entry.name))
        if stat is not None and stat[2] == pgid and stat[1] not in ("Z", "X"):
            members.append((int(entry.name), stat[0]))
    return members


def leader_exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether the group leader has exited, WITHOUT reaping it."""
    if process.returncode is not None:
        return True
    try:
        info = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True  # already reaped
    return info is not None


def signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    """Signal the leader's whole group; never once the leader is reaped (its pid may be reused)."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def reap_group(process: subprocess.Popen[bytes], timeout_s: float = 5.0) -> None:
    """SIGKILL the group, wait until no member runs, then reap the leader (last, see above)."""
    signal_group(process, signal.SIGKILL)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and (
        not leader_exited(process) or group_members(process.pid)
    ):
        time.sleep(_POLL_S)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=max(0.1, deadline - time.monotonic()))


def stop_group(process: subprocess.Popen[bytes], *, grace_s: float) -> None:
    """SIGTERM the group, give the leader ``grace_s`` to exit, then :func:`reap_group` (SIGKILL
    for any straggler either way)."""
    if grace_s > 0:
        signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while not leader_exited(process) and time.monotonic() < deadline:
            time.sleep(_POLL_S)
    reap_group(process)
