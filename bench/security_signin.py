"""`python -m bench security_signin`: sign-in under a guessing load (issue 10 item 5).

A real `bylos serve` behind a stand-in proxy (BYLOS_TRUSTED_PROXIES=127.0.0.1, each client's
address in X-Forwarded-For, as nginx would send it): 40 clients make 200 sign-ins with random
logins and passwords while an office manager's `GET /api/registers` is timed over and over. The
rows give the answers the guesses got (401 wrong, 429 throttled, 503 no verification slot),
the registers call's p50/p95 and the server's peak RSS growth. Goal: p95 ≤ 1 s and growth
≤ 256 MiB (before the change: 5-12 s a call and 1 GB).
"""

from __future__ import annotations

import argparse
import contextlib
import re
import secrets
import statistics
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx

from bench.measure import status_kib
from bench.seeding import pledged_token
from bench.server import Server
from service.users.models import Role

GOAL_P95_S = 1.0
GOAL_MIB = 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("security_signin")
    group.add_argument("--signins", type=int, default=200, help="sign-in attempts in all")
    group.add_argument("--signin-clients", type=int, default=40, help="concurrent clients")


def _reader_token(database_url: str) -> str:
    token, _ = pledged_token(
        database_url,
        name="Rasa Raštinienė",
        position="Raštinės vedėja",
        roles=[Role.office_manager],
    )
    return token


def _time_registers(client: httpx.Client, stop: threading.Event, out: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        response = client.get("/api/registers")
        out.append(time.perf_counter() - started)
        response.raise_for_status()
        time.sleep(0.05)


def _guess(url: str, address: str, attempts: int) -> list[int]:
    """One client: its own cookie jar and address; random login and password each time."""
    codes: list[int] = []
    headers = {"X-Forwarded-For": address}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        for _ in range(attempts):
            page = client.get("/prisijungti")
            found = re.search(r'name="csrf" value="([^"]+)"', page.text)
            csrf = found.group(1) if found else ""
            response = client.post(
                "/prisijungti",
                data={
                    "login": "spejimas-" + secrets.token_hex(4),
                    "password": secrets.token_urlsafe(12),
                    "csrf": csrf,
                },
            )
            codes.append(response.status_code)
    return codes


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed_phase(
    server: Server, token: str, guesses: int, clients: int
) -> tuple[list[float], Counter[int], float, float]:
    """(registers latencies, guess answers, RSS growth MiB, wall seconds)."""
    assert server.proc is not None
    pid = server.proc.pid
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = status_kib(pid, "VmRSS")
    latencies: list[float] = []
    stop = threading.Event()
    answers: Counter[int] = Counter()
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as reader:
        timer = threading.Thread(target=_time_registers, args=(reader, stop, latencies))
        timer.start()
        try:
            if guesses:
                per_client = [guesses // clients + (i < guesses % clients) for i in range(clients)]
                with ThreadPoolExecutor(max_workers=clients) as pool:
                    futures = [
                        pool.submit(_guess, server.url, f"203.0.113.{i + 1}", n)
                        for i, n in enumerate(per_client)
                    ]
                    for future in futures:
                        answers.update(future.result())
            else:
                time.sleep(5)
        finally:
            stop.set()
            timer.join()
    wall = time.perf_counter() - started
    growth = max(0, status_kib(pid, "VmHWM") - before) / 1024
    return latencies, answers, growth, wall


def run(args: argparse.Namespace) -> list[str]:
    out = [
        "| load | sign-ins (answers) | wall (s) | GET /api/registers p50 (s) | p95 (s) "
        "| peak RSS growth (MiB) | p95 ≤ 1 s, ≤ 256 MiB |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="bylos-bench-signin-") as tmp:
        server = Server(Path(tmp) / "server", workers=1, env={"BYLOS_TRUSTED_PROXIES": "127.0.0.1"})
        server.start()
        try:
            token = _reader_token(server.database_url)
            phases = [("be apkrovos", 0, 1), (None, args.signins, args.signin_clients)]
            for label, guesses, clients in phases:
                latencies, answers, growth, wall = _timed_phase(server, token, guesses, clients)
                p50, p95 = statistics.median(latencies), _percentile(latencies, 0.95)
                shown = ", ".join(f"{n} x {code}" for code, n in sorted(answers.items())) or "—"
                name = label or f"{guesses} spėjimų iš {clients} klientų"
                ok = p95 <= GOAL_P95_S and growth <= GOAL_MIB
                out.append(
                    f"| {name} | {shown} | {wall:.1f} | {p50:.3f} | {p95:.3f} | {growth:.0f} "
                    f"| {'taip' if ok else '**NE**'} |"
                )
        finally:
            server.stop()
    return out
