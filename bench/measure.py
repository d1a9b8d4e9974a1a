"""Shared measuring for the conversion benchmarks: clients issuing over HTTP with per-request
latencies and completion times, and the memory of the service with its LibreOffice workers."""

from __future__ import annotations

import contextlib
import itertools
import os
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def status_kib(pid: int, field: str) -> int:
    """One line of /proc/<pid>/status in KiB (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name == field:
            return int(rest.split()[0])
    raise RuntimeError(f"no {field} for {pid}")


def reset_peak(pid: int) -> None:
    """Reset VmHWM to the current RSS (Linux: "5" to clear_refs), so a peak is per request."""
    # Not permitted: the peak then spans the process's life (an upper bound).
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and every descendant (unoserver, soffice, weed)."""
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += tree.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class RssSampler:
    """The largest :func:`tree_rss` of ``pid`` seen while the block runs (sampled every 0.5 s)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(0.5)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    """What ``clients`` concurrent clients saw issuing ``docs`` documents."""

    docs: int
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)  # completion times from the start
    # The job (its index) each completion in ``finished`` was, in the same order.
    finished_jobs: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.docs / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if len(ordered) < 2:
            return ordered[0] if ordered else float("nan")
        return statistics.quantiles(ordered, n=100, method="inclusive")[round(share * 100) - 1]

    @property
    def longest_gap(self) -> float:
        """The longest time no document completed (from the start, between completions)."""
        times = sorted(self.finished)
        return max((b - a for a, b in itertools.pairwise([0.0, *times])), default=0.0)

    def longest_gap_ended_by(self) -> int | None:
        """The job whose completion ended the longest gap: what was being converted then."""
        ordered = sorted(zip(self.finished, self.finished_jobs, strict=True))
        best: tuple[float, int] | None = None
        previous = 0.0
        for end, job in ordered:
            if best is None or end - previous > best[0]:
                best = (end - previous, job)
            previous = end
        return None if best is None else best[1]


def run_clients(docs: int, clients: int, job: Callable[[int], None]) -> Run:
    started = time.perf_counter()
    latencies: list[float] = []
    finished: list[float] = []
    finished_jobs: list[int] = []
    lock = threading.Lock()

    def timed(i: int) -> None:
        begin = time.perf_counter()
        job(i)
        end = time.perf_counter()
        with lock:
            latencies.append(end - begin)
            finished.append(end - started)
            finished_jobs.append(i)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(timed, range(docs)))
    return Run(docs, clients, time.perf_counter() - started, latencies, finished, finished_jobs)


_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_by_pid(pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) used so far by ``pid`` and each descendant, with its role:
    ``service`` (the Python process), ``libreoffice`` (soffice), ``unoserver``, ``store``."""
    tree = _children()
    found: dict[int, tuple[str, float]] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        todo += tree.get(current, [])
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            cmdline = Path(f"/proc/{current}/cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        seconds = (int(fields[11]) + int(fields[12])) / _TICKS
        if current == pid:
            role = "service"
        elif b"soffice" in cmdline:
            role = "libreoffice"
        elif b"unoserver" in cmdline:
            role = "unoserver"
        elif b"weed" in cmdline:
            role = "store"
        else:
            role = "other"
        found[current] = (role, seconds)
    return found


class CpuSampler:
    """CPU seconds by role used by ``pid`` and its descendants while the block runs.

    Sampled every 0.5 s per process, so a LibreOffice worker recycled during the run still
    counts (up to its last sample): a before/after difference of the tree's CPU loses every
    process that left, and recycling made it under-count LibreOffice several times over."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._first: dict[int, float] = {}
        self._last: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        self._last.update(tree_cpu_by_pid(self.pid))

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self._first = {pid: seconds for pid, (_, seconds) in tree_cpu_by_pid(self.pid).items()}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def used(self) -> dict[str, float]:
        found: dict[str, float] = {}
        for pid, (role, seconds) in self._last.items():
            found[role] = found.get(role, 0.0) + seconds - self._first.get(pid, 0.0)
        return found
