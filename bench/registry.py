"""Registry: gapless numbering under load, issuing through HTTP, and a fault run (issue 3).

On PostgreSQL (a fresh schema in the `test` database) and on SQLite:

(a) 32 threads each take 50 numbers through the registry itself (reserve + confirm, the two
    transactions the issuer uses; no rendering): numbers/s, duplicates, gaps.
(b) the real server (`bylos serve`) issuing leaving certificates over HTTP at the converter
    pool's parallelism: documents/s, and the register-year checked the same way.
(c) a fault run: while 16 clients issue documents, one LibreOffice worker is killed and the
    object store (the embedded SeaweedFS) is frozen with SIGSTOP for a few seconds. Afterwards
    every number of the register-year must be registered or void with a reason, every
    registered document's file must be readable and match its hash, and a new document must
    be issued without anyone restarting anything.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import signal
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.conversion import _payload
from bench.server import Server
from service.db import make_engine, migrate, session_scope, throwaway_schema
from service.registry import numbering
from service.registry.defaults import ensure_default_registers
from service.timeutil import today_vilnius

POSTGRES = os.environ.get(
    "BYLOS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CERT = "/api/documents/leaving-certificate"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("registry")
    group.add_argument("--registry-clients", type=int, default=32, help="threads taking numbers")
    group.add_argument("--registry-numbers", type=int, default=50, help="numbers per thread")
    group.add_argument("--registry-docs", type=int, default=24, help="documents for (b)")
    group.add_argument("--registry-fault-clients", type=int, default=16, help="clients in (c)")
    group.add_argument("--registry-fault-docs", type=int, default=3, help="documents per client")
    group.add_argument("--registry-store-pause", type=float, default=4.0, help="SIGSTOP seconds")
    group.add_argument(
        "--registry-databases",
        default="postgresql,sqlite",
        help="comma-separated: postgresql,sqlite",
    )


# -- databases -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _database(kind: str, tmp: Path) -> Iterator[str]:
    """A database nobody else uses: a fresh PostgreSQL schema or a new SQLite file."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    with throwaway_schema(POSTGRES, "bench") as url:
        yield url


@dataclass
class Audit:
    numbers: int = 0
    duplicates: int = 0
    gaps: int = 0
    void: int = 0
    void_without_reason: int = 0
    unresolved: int = 0  # still "reserved" once every request has finished
    void_reasons: Counter[str] = field(default_factory=Counter)


def _audit(entries: list[dict[str, Any]]) -> Audit:
    seqs = [e["seq"] for e in entries]
    numbers = [e["number"] for e in entries]
    result = Audit(numbers=len(entries))
    result.duplicates = (len(seqs) - len(set(seqs))) + (len(numbers) - len(set(numbers)))
    result.gaps = len(set(range(1, max(seqs, default=0) + 1)) - set(seqs))
    for e in entries:
        if e["status"] == "void":
            result.void += 1
            if not e.get("void_reason"):
                result.void_without_reason += 1
            # The reason's first words are enough to tell the faults apart in the table.
            result.void_reasons[" ".join(str(e.get("void_reason")).split()[3:7])] += 1
        elif e["status"] != "registered" or not e.get("document_id"):
            result.unresolved += 1
    return result


# -- (a) the registry function itself ------------------------------------------------------------


def _numbers(url: str, clients: int, per_client: int) -> tuple[float, Audit]:
    engine = make_engine(url)
    try:
        migrate(engine)
        with session_scope(engine) as session:
            ensure_default_registers(session)
        day = today_vilnius()

        def client(i: int) -> None:
            for n in range(per_client):
                with session_scope(engine) as session:
                    register = numbering.get_register(session, "PZ")
                    entry = numbering.reserve(
                        session, register, on=day, title="Pažyma", reserved_by=None
                    )
                assert entry.id is not None
                with session_scope(engine) as session:
                    numbering.confirm(session, entry.id, f"bench-{i}-{n}")

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(client, range(clients)))
        rate = clients * per_client / (time.perf_counter() - started)
        with session_scope(engine) as session:
            rows = numbering.entries(session, "PZ", day.year)
            entries = [
                {
                    "seq": r.seq,
                    "number": r.number,
                    "status": r.status.value,
                    "document_id": r.document_id,
                    "void_reason": r.void_reason,
                }
                for r in rows
            ]
        return rate, _audit(entries)
    finally:
        engine.dispose()


# -- (b) and (c): the real server ----------------------------------------------------------------


def _processes(name: str, marker: str) -> list[int]:
    """Pids whose command name is ``name`` and whose command line mentions ``marker``."""
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if comm == name and marker in cmdline:
            found.append(int(entry.name))
    return found


class _Issuer:
    def __init__(self, server: Server, token: str) -> None:
        self.client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=180
        )
        self.payload = _payload()
        self.statuses: Counter[int] = Counter()
        self._lock = threading.Lock()

    def issue(self, _i: int = 0) -> int:
        status = self.client.post(CERT, json=copy.deepcopy(self.payload)).status_code
        with self._lock:
            self.statuses[status] += 1
        return status

    def entries(self) -> list[dict[str, Any]]:
        year = today_vilnius().year
        response = self.client.get(f"/api/registers/PZ/entries?year={year}")
        response.raise_for_status()
        data: list[dict[str, Any]] = response.json()
        return data

    def unreadable(self, entries: list[dict[str, Any]]) -> int:
        """Registered documents whose file can't be read back intact (the API checks the hash)."""
        bad = 0
        for e in entries:
            if e["status"] == "registered":
                response = self.client.get(f"/api/documents/{e['document_id']}/file")
                bad += response.status_code != 200
        return bad

    def close(self) -> None:
        self.client.close()


def _serve(kind: str, url: str, tmp: Path, workers: int) -> tuple[Server, str, Path]:
    data_dir = tmp / f"server-{kind}"
    data_dir.mkdir()
    server = Server(data_dir, workers, env={"BYLOS_DATABASE_URL": url})
    token = server.token()
    server.start()
    return server, token, data_dir


def _throughput(issuer: _Issuer, docs: int, parallel: int) -> float:
    for _ in range(parallel):  # warm every worker once
        issuer.issue()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        statuses = list(pool.map(issuer.issue, range(docs)))
    rate = docs / (time.perf_counter() - started)
    if any(s != 201 for s in statuses):
        raise RuntimeError(f"issuing failed without a fault: {Counter(statuses)}")
    return rate


@dataclass
class FaultRun:
    statuses: Counter[int]
    killed_soffice: int | None
    frozen_weed: int
    store_paused_s: float
    audit: Audit
    unreadable: int
    recovered_after_s: float | None


def _fault_run(issuer: _Issuer, data_dir: Path, args: argparse.Namespace) -> FaultRun:
    issuer.statuses.clear()
    clients, per_client = args.registry_fault_clients, args.registry_fault_docs
    converter_dir = str(data_dir / "converter")
    weed = _processes("weed", str(data_dir / "seaweedfs"))
    killed: int | None = None

    def faults() -> None:
        nonlocal killed
        time.sleep(1.5)
        soffice = _processes("soffice.bin", converter_dir)
        if soffice:
            killed = soffice[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(1.0)
        # `weed mini` leads its own session (start_new_session), so its group is only itself;
        # check anyway before freezing a whole group.
        groups = {os.getpgid(pid) for pid in weed}
        own = os.getpgid(0)
        targets = [(g, True) for g in groups if g != own] or [(p, False) for p in weed]
        for target, is_group in targets:
            (os.killpg if is_group else os.kill)(target, signal.SIGSTOP)
        try:
            time.sleep(args.registry_store_pause)
        finally:
            for target, is_group in targets:
                (os.killpg if is_group else os.kill)(target, signal.SIGCONT)

    fault = threading.Thread(target=faults, name="bench-faults")
    with ThreadPoolExecutor(max_workers=clients) as pool:
        fault.start()
        list(pool.map(issuer.issue, range(clients * per_client)))
    fault.join()
    statuses = Counter(issuer.statuses)

    # Recovery: nobody restarts anything; the next issue must succeed (the pool replaces the
    # killed worker in the background, the store answers again).
    recovered: float | None = None
    started = time.monotonic()
    while time.monotonic() - started < 60:
        if issuer.issue() == 201:
            recovered = time.monotonic() - started
            break
        time.sleep(1)
    entries = issuer.entries()
    return FaultRun(
        statuses=statuses,
        killed_soffice=killed,
        frozen_weed=len(weed),
        store_paused_s=args.registry_store_pause,
        audit=_audit(entries),
        unreadable=issuer.unreadable(entries),
        recovered_after_s=recovered,
    )


# -- the table -----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> list[str]:
    kinds = [k.strip() for k in args.registry_databases.split(",") if k.strip()]
    workers = getattr(args, "workers", None) or os.cpu_count() or 2
    lines = [
        f"| measurement ({os.cpu_count()} cores, {today_vilnius().isoformat()}) | database "
        "| rate | numbers | duplicates | gaps | void (with reason) | unresolved | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="bylos-bench-registry-") as tmp_name:
            tmp = Path(tmp_name)
            with _database(kind, tmp) as url:
                rate, a = _numbers(url, args.registry_clients, args.registry_numbers)
            lines.append(
                f"| (a) registry only: {args.registry_clients} threads x "
                f"{args.registry_numbers} numbers | {kind} | {rate:.0f} numbers/s | {a.numbers} "
                f"| {a.duplicates} | {a.gaps} | {a.void} ({a.void - a.void_without_reason}) "
                f"| {a.unresolved} | reserve + confirm, no rendering |"
            )
            with _database(kind, tmp) as url:
                server, token, data_dir = _serve(kind, url, tmp, workers)
                issuer = _Issuer(server, token)
                try:
                    docs_rate = _throughput(issuer, args.registry_docs, workers)
                    b = _audit(issuer.entries())
                    lines.append(
                        f"| (b) HTTP issue, {workers} clients = pool size | {kind} "
                        f"| {docs_rate:.2f} docs/s | {b.numbers} | {b.duplicates} | {b.gaps} "
                        f"| {b.void} ({b.void - b.void_without_reason}) | {b.unresolved} "
                        f"| leaving certificates, PDF/A, locked store |"
                    )
                    f = _fault_run(issuer, data_dir, args)
                finally:
                    issuer.close()
                    server.stop()
            c = f.audit
            outcome = ", ".join(f"{n}x{s}" for s, n in sorted(f.statuses.items()))
            recovered = (
                f"next issue OK after {f.recovered_after_s:.1f} s"
                if f.recovered_after_s is not None
                else "NOT recovered in 60 s"
            )
            reasons = "; ".join(f"{n}x „{r}…“" for r, n in c.void_reasons.most_common())
            lines.append(
                f"| (c) fault: {args.registry_fault_clients} clients x "
                f"{args.registry_fault_docs}, soffice {f.killed_soffice} killed, store "
                f"({f.frozen_weed} weed process) frozen {f.store_paused_s:g} s | {kind} "
                f"| {outcome} | {c.numbers} | {c.duplicates} "
                f"| {c.gaps} | {c.void} ({c.void - c.void_without_reason}) | {c.unresolved} "
                f"| files unreadable: {f.unreadable}; {recovered}; {reasons} |"
            )
    return lines
