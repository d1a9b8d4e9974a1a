"""Conversion pool vs. end-to-end HTTP issuing vs. cold soffice, side by side (issues 2, 14).

(a) is the pool's best rate for the same document: each converted alone, or joined by the
conversion queue. (b) issues over HTTP (validate, number, render, convert, stamp, hash, store,
record) with 1, 2, 4 and 8 clients, batching on, and with batching off (the per-document path).
Everything runs on this machine in one go, so the ratios compare like with like; absolute
figures move with the machine's load.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.cold import convert_cold
from bench.measure import RssSampler, Run, run_clients
from bench.server import BENCH_SCHOOL, Server
from service.documents.issuing import build_context
from service.documents.leaving_certificate import LeavingCertificate
from service.rendering.docx import render_docx
from service.rendering.pdf import ConverterPool
from service.rendering.queue import ConversionQueue
from service.timeutil import today_vilnius
from service.validation import parse_payload

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "leaving-certificate.json"


def _payload() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def _certificate_docx() -> bytes:
    cert = parse_payload(LeavingCertificate, _payload())
    school = BENCH_SCHOOL
    context = build_context(cert, school, "PZ-1", today_vilnius(), "Rasa Raštinienė", "vedėja")
    return render_docx(ROOT / "doc_templates" / "leaving-certificate.docx", context)


def _rate(n: int, parallel: int, job: Callable[[int], object]) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(job, range(n)))
    return n / (time.perf_counter() - started)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", type=int, default=40, help="documents per measurement")
    parser.add_argument("--latency-docs", type=int, default=20, help="documents at 1 client")
    parser.add_argument("--cold-docs", type=int, default=4, help="documents for cold soffice")
    parser.add_argument("--workers", type=int, default=2, help="LibreOffice workers")


@dataclass
class PoolRates:
    alone: float  # docs/s, each document its own conversion, ``workers`` at a time
    batched: float  # docs/s, the same documents joined by the conversion queue
    handoff_ms: float  # the queue's added wait for a lone document on an idle service

    @property
    def best(self) -> float:
        return max(self.alone, self.batched)


def pool_rates(documents: list[bytes], workers: int, work_dir: Path) -> PoolRates:
    """The converter pool's own rates for ``documents``: one by one, and joined."""
    with ConverterPool(size=workers, uno_venv=ROOT / ".venv-uno", work_dir=work_dir) as pool:
        for i in range(workers * 2):  # warm every worker once
            pool.convert_to_pdfa(documents[i % len(documents)])
        alone = _rate(len(documents), workers, lambda i: pool.convert_to_pdfa(documents[i]))
        with ConversionQueue(pool, max_batch=16) as queue:
            for document in documents[:10]:  # one at a time: the direct path
                queue.convert_to_pdfa(document)
            handoff_ms = 1000 * queue.stats.handoff_s / max(1, queue.stats.direct)
            started = time.perf_counter()
            queue.convert_many(documents)
            batched = len(documents) / (time.perf_counter() - started)
    return PoolRates(alone, batched, handoff_ms)


class Issuing:
    """A running `bylos serve` and one office manager's client issuing certificates."""

    def __init__(self, server: Server, token: str) -> None:
        self.server = server
        self.client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=300
        )
        self.payload = _payload()

    def issue(self, _i: int) -> None:
        r = self.client.post("/api/documents/leaving-certificate", json=copy.deepcopy(self.payload))
        if r.status_code != 201:
            raise RuntimeError(f"{r.status_code}: {r.text}")

    def runs(self, clients: list[int], docs: int, latency_docs: int) -> tuple[list[Run], int]:
        """One run per client count (1 client: ``latency_docs`` documents); peak RSS."""
        for i in range(4):
            self.issue(i)
        assert self.server.proc is not None
        with RssSampler(self.server.proc.pid) as rss:
            done = [run_clients(latency_docs if n == 1 else docs, n, self.issue) for n in clients]
        return done, rss.peak


@contextmanager
def serving(tmp: Path, name: str, workers: int, *, batching: bool = True) -> Iterator[Issuing]:
    env = {"BYLOS_CONVERTER_BATCHING": "true" if batching else "false"}
    server = Server(tmp / name, workers, env=env)
    token = server.token()
    server.start()
    issuing = Issuing(server, token)
    try:
        yield issuing
    finally:
        issuing.client.close()
        server.stop()


def run(args: argparse.Namespace) -> list[str]:
    docx = _certificate_docx()
    workers = args.workers
    with tempfile.TemporaryDirectory(prefix="bylos-bench-") as tmp_name:
        tmp = Path(tmp_name)
        rates = pool_rates([docx] * args.docs, workers, tmp / "pool")
        with serving(tmp, "on", workers) as issuing:
            on, rss_on = issuing.runs([1, 2, 4, 8], args.docs, args.latency_docs)
        with serving(tmp, "off", workers, batching=False) as issuing:
            off, rss_off = issuing.runs([1, 8], args.docs, args.latency_docs)
        c = _rate(args.cold_docs, workers, lambda i: convert_cold(docx, tmp / f"cold-{i}"))

    a = rates.best
    mib = 1024 * 1024
    lines = [
        f"Leaving certificate; {os.cpu_count()} cores, {workers} LibreOffice workers; "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}.",
        "",
        "| measurement | docs/s | b/a |",
        "|---|---:|---:|",
        f"| (a1) pool, each document converted alone, {workers} at a time | {rates.alone:.2f} | |",
        f"| (a2) pool through the queue, {args.docs} documents joined | {rates.batched:.2f} | |",
    ]
    for run_ in on:
        lines.append(
            f"| (b) HTTP issue end to end, batching on, {run_.clients} client(s) | "
            f"{run_.rate:.2f} | {run_.rate / a:.2f} |"
        )
    for run_ in off:
        lines.append(
            f"| (b) HTTP issue end to end, batching off, {run_.clients} client(s) | "
            f"{run_.rate:.2f} | {run_.rate / a:.2f} |"
        )
    lines.append(f"| (c) cold soffice --convert-to, {workers} at a time | {c:.2f} | |")
    one_on, one_off = on[0], off[0]
    lines += [
        "",
        "| at 1 client | batching on | batching off |",
        "|---|---:|---:|",
        f"| latency p50 | {1000 * one_on.percentile(0.5):.0f} ms | "
        f"{1000 * one_off.percentile(0.5):.0f} ms |",
        f"| latency p95 | {1000 * one_on.percentile(0.95):.0f} ms | "
        f"{1000 * one_off.percentile(0.95):.0f} ms |",
        f"| added wait of the queue's direct path (idle, mean) | {rates.handoff_ms:.2f} ms | |",
        f"| longest gap between completions, 8 clients | {on[-1].longest_gap:.2f} s | "
        f"{off[-1].longest_gap:.2f} s |",
        f"| peak RSS, service + workers + store | {rss_on / mib:.0f} MiB | "
        f"{rss_off / mib:.0f} MiB |",
    ]
    return lines
