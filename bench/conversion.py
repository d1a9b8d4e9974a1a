"""Conversion pool vs. end-to-end HTTP issuing vs. cold soffice, side by side (issue 2).

Everything runs on this machine in one go, so the ratios compare like with like; absolute
figures move with the machine's load.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.cold import convert_cold
from bench.server import BENCH_SCHOOL, Server
from service.documents.issuing import build_context
from service.documents.leaving_certificate import LeavingCertificate
from service.documents.validation import parse_payload
from service.rendering.docx import render_docx
from service.rendering.pdf import ConverterPool
from service.timeutil import today_vilnius

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
    parser.add_argument("--docs", type=int, default=60, help="documents per warm measurement")
    parser.add_argument("--cold-docs", type=int, default=6, help="documents for cold soffice")
    parser.add_argument("--workers", type=int, default=2, help="LibreOffice workers")


def run(args: argparse.Namespace) -> list[str]:
    docx = _certificate_docx()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bylos-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with ConverterPool(
            size=args.workers, uno_venv=ROOT / ".venv-uno", work_dir=tmp / "pool"
        ) as pool:
            for _ in range(args.workers * 2):  # warm every worker once
                pool.convert_to_pdfa(docx)
            a = _rate(args.docs, args.workers, lambda _i: pool.convert_to_pdfa(docx))
        rows.append((f"(a) pool conversion, {args.workers} workers", a))

        server = Server(tmp / "server", args.workers)
        token = server.token()
        server.start()
        try:
            headers = {"Authorization": f"Bearer {token}"}
            payload = _payload()
            with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:

                def issue(_i: int) -> None:
                    r = client.post(
                        "/api/documents/leaving-certificate", json=copy.deepcopy(payload)
                    )
                    if r.status_code != 201:
                        raise RuntimeError(f"{r.status_code}: {r.text}")

                for i in range(args.workers * 2):
                    issue(i)
                b = _rate(args.docs, args.workers, issue)
                b2 = _rate(args.docs, args.workers * 2, issue)
        finally:
            server.stop()
        rows.append((f"(b) HTTP issue end to end, {args.workers} clients", b))
        rows.append((f"(b') HTTP issue end to end, {args.workers * 2} clients", b2))

        c = _rate(args.cold_docs, args.workers, lambda i: convert_cold(docx, tmp / f"cold-{i}"))
        rows.append((f"(c) cold soffice --convert-to, {args.workers} at a time", c))

    lines = [f"| measurement ({os.cpu_count()} cores) | docs/s |", "|---|---:|"]
    lines += [f"| {name} | {value:.2f} |" for name, value in rows]
    lines += [
        f"| ratio b/a | {b / a:.2f} |",
        f"| ratio b'/a | {b2 / a:.2f} |",
        f"| ratio b/c | {b / c:.1f} |",
    ]
    return lines
