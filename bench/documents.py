"""A synthetic school's documents end to end (issue 4): every class summary plus one monthly
report per pupil, through the real service over HTTP, against the converter pool's raw
throughput for the same documents and against one cold soffice per document.

Full scale is 40 classes x 28 pupils x 14 subjects: 40 summaries + 1,120 reports.
``--school-scale 0.1`` runs 4 classes (4 + 112 documents) for a quick look.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.cold import convert_cold
from bench.conversion import pool_rates
from bench.measure import CpuSampler, RssSampler, Run, run_clients
from bench.server import BENCH_SCHOOL, BIN, Server, lead_classes
from service.documents.issuing import build_context
from service.kinds import load_kinds
from service.rendering.docx import render_docx
from service.timeutil import today_vilnius
from service.validation import parse_payload

SUBJECTS = [
    "Lietuvių kalba ir literatūra", "Matematika", "Anglų kalba", "Vokiečių kalba", "Istorija",
    "Geografija", "Biologija", "Fizika", "Chemija", "Informatika", "Dailė", "Muzika",
    "Fizinis ugdymas", "Etika",
]  # fmt: skip
FIRST = ["Augustas", "Emilija", "Dominykas", "Gabija", "Ąžuolas", "Urtė", "Matas", "Kamilė",
         "Jonas", "Ugnė", "Lukas", "Austėja", "Nojus", "Saulė"]  # fmt: skip
LAST = ["Balčiūnas", "Šimkutė", "Ūselis", "Žukauskaitė", "Kazlauskas", "Petrauskaitė",
        "Jankauskas", "Vaitkevičiūtė", "Butkus", "Čepulytė", "Grigonis", "Navickaitė"]  # fmt: skip
PUPILS, CLASSES = 28, 40


def _school(classes: int, seed: int = 7) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(seed)
    summaries: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    for c in range(classes):
        class_name = f"{5 + c % 4}{'abcdefghij'[c // 4 % 10]}"
        pupils = []
        for p in range(PUPILS):
            first, last = FIRST[(p + c) % len(FIRST)], f"{LAST[p % len(LAST)]}-{c}-{p}"
            missed = rng.randint(0, 60)
            pupils.append({
                "first_name": first, "last_name": last,
                "marks": {s: rng.choice([4, 5, 6, 7, 8, 9, 10, 10]) for s in SUBJECTS},
                "missed_lessons": missed, "excused_lessons": rng.randint(0, missed),
            })  # fmt: skip
            marks = [
                {"subject": s, "date": f"2026-10-{rng.randint(1, 30):02d}",
                 "mark": rng.randint(4, 10)}
                for s in SUBJECTS for _ in range(rng.randint(1, 2))
            ]  # fmt: skip
            reports.append({
                "student": {"first_name": first, "last_name": last}, "class_name": class_name,
                "month": "2026-10", "marks": marks, "missed_lessons": missed % 12,
                "excused_lessons": missed % 12 // 2, "late": rng.randint(0, 3),
            })  # fmt: skip
        summaries.append({
            "class_name": class_name, "school_year": "2025-2026", "period": "I pusmetis",
            "class_teacher": {"name": "Jūratė Mockienė"}, "subjects": SUBJECTS,
            "students": pupils,
        })  # fmt: skip
    return summaries, reports


def _docx(kind: str, data: dict[str, Any]) -> bytes:
    spec = load_kinds()[kind]
    model: Any = parse_payload(spec.model, data)
    context = build_context(model, BENCH_SCHOOL, "X-1", today_vilnius(), "Bench", "vedėja")
    return render_docx(spec.template, context)


def _timed(n: int, parallel: int, job: Callable[[int], object]) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(job, range(n)))
    return time.perf_counter() - started


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--school-scale", type=float, default=1.0,
        help="share of the 40-class school to issue (1.0 = 40 summaries + 1,120 reports)",
    )  # fmt: skip
    parser.add_argument(
        "--school-pool-sample", type=int, default=120,
        help="reports converted for the pool's raw rate (all summaries are converted)",
    )  # fmt: skip
    parser.add_argument("--school-cold-docs", type=int, default=4, help="documents, cold soffice")


def _issue_school(
    tmp: Path,
    name: str,
    workers: int,
    clients: int,
    items: list[tuple[str, dict[str, Any]]],
    *,
    batching: bool,
) -> tuple[Run, int, dict[str, float]]:
    """(b) the real service over HTTP: validate, number, render, convert, stamp, store, record;
    with the run's peak RSS of the service, its workers and its store, and the CPU seconds each
    of them used per document."""
    env = {"BYLOS_CONVERTER_BATCHING": "true" if batching else "false"}
    server = Server(tmp / name, workers, env=env)
    (tmp / name).mkdir()
    added = subprocess.run(
        [str(BIN / "bylos"), "users", "add", "--name", "Jūratė Mockienė", "--position",
         "klasės vadovė", "--role", "class_teacher", "--with-pledge", "--token"],
        env=server.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    token = added.stdout.strip().splitlines()[-1]
    # She leads every class of the synthetic school (the calendar names her), so she may
    # issue their summaries and reports.
    teacher_id = int(re.search(r"\(Nr\. (\d+)\)", added.stderr).group(1))  # type: ignore[union-attr]
    lead_classes(
        server.database_url, teacher_id, *sorted({str(data["class_name"]) for _, data in items})
    )
    server.start()
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=300) as client:

            def issue(i: int) -> None:
                kind, data = items[i]
                r = client.post(f"/api/documents/{kind}", json=data)
                if r.status_code != 201:
                    raise RuntimeError(f"{r.status_code}: {r.text[:500]}")

            client.post("/api/documents/progress-report", json=items[-1][1])  # warm up
            assert server.proc is not None
            with RssSampler(server.proc.pid) as rss, CpuSampler(server.proc.pid) as cpu_used:
                done = run_clients(len(items), clients, issue)
    finally:
        server.stop()
    cpu = {role: seconds / len(items) for role, seconds in cpu_used.used().items()}
    return done, rss.peak, cpu


def _ended_by(run: Run, items: list[tuple[str, dict[str, Any]]]) -> str:
    """What was being issued when no document completed for longest: a class summary's joined
    conversion takes seconds by itself, a monthly report's does not."""
    job = run.longest_gap_ended_by()
    return "-" if job is None else items[job][0]


def run(args: argparse.Namespace) -> list[str]:
    workers: int = getattr(args, "workers", 2)
    clients = 8
    classes = max(1, round(CLASSES * args.school_scale))
    summaries, reports = _school(classes)
    n_sum, n_rep = len(summaries), len(reports)
    total = n_sum + n_rep
    sum_docx = [_docx("achievement-summary", s) for s in summaries]
    sample = min(n_rep, args.school_pool_sample)
    rep_docx = [_docx("progress-report", r) for r in reports[:sample]]
    items = [("achievement-summary", s) for s in summaries]
    items += [("progress-report", r) for r in reports]

    with tempfile.TemporaryDirectory(prefix="bylos-bench-docs-") as tmp_name:
        tmp = Path(tmp_name)
        # (a) the pool alone, same documents: summaries all, reports sampled, then weighted;
        # each document alone, and joined by the conversion queue. a = the better.
        summaries_rate = pool_rates(sum_docx, workers, tmp / "pool-sum")
        reports_rate = pool_rates(rep_docx, workers, tmp / "pool-rep")

        def weighted(sum_rate: float, rep_rate: float) -> float:
            return total / (n_sum / sum_rate + n_rep / rep_rate)

        pool_alone = weighted(summaries_rate.alone, reports_rate.alone)
        pool_best = weighted(summaries_rate.best, reports_rate.best)

        on, rss_on, cpu_on = _issue_school(tmp, "on", workers, clients, items, batching=True)
        off, rss_off, cpu_off = _issue_school(tmp, "off", workers, clients, items, batching=False)

        # (c) one cold soffice per document, the same mix.
        cold_n = max(2, args.school_cold_docs)
        half = cold_n // 2
        cold_docs = sum_docx[:1] * half + rep_docx[: cold_n - half]
        t_cold_sum = _timed(half, 1, lambda i: convert_cold(cold_docs[i], tmp / f"c{i}")) / half
        t_cold_rep = _timed(
            cold_n - half, 1, lambda i: convert_cold(cold_docs[half + i], tmp / f"d{i}")
        ) / (cold_n - half)
        # Cold conversions run `workers` at a time, as the pool does.
        cold_rate = total / ((n_sum * t_cold_sum + n_rep * t_cold_rep) / workers)

    mib = 1024 * 1024
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        [
            f"School: {classes} classes x {PUPILS} pupils x {len(SUBJECTS)} subjects = "
            f"{n_sum} summaries + {n_rep} monthly reports (scale {args.school_scale:g} of the "
            f"40-class school); {os.cpu_count()} cores, {workers} LibreOffice workers, "
            f"{clients} clients; {when}.",
            "",
            "| measurement | batching on | batching off |",
            "|---|---:|---:|",
            f"| (a) converter pool, same documents (docs/s; off: each alone) | {pool_best:.2f} | "
            f"{pool_alone:.2f} |",
            f"| (b) end to end over HTTP, {total} documents (docs/s) | {on.rate:.2f} | "
            f"{off.rate:.2f} |",
            f"| wall time of (b) | {on.seconds:.0f} s | {off.seconds:.0f} s |",
            f"| speed-up of the whole run, on vs off (goal >= 4) | "
            f"{off.seconds / on.seconds:.2f} | |",
            f"| ratio b/a, a = the pool's best rate (goal >= 0.85) | {on.rate / pool_best:.2f} | "
            f"{off.rate / pool_best:.2f} |",
            f"| longest gap between completions | {on.longest_gap:.2f} s | "
            f"{off.longest_gap:.2f} s |",
            f"| the kind whose completion ended it | {_ended_by(on, items)} | "
            f"{_ended_by(off, items)} |",
            f"| peak RSS, service + workers + store (goal < 1536 MiB) | {rss_on / mib:.0f} MiB | "
            f"{rss_off / mib:.0f} MiB |",
            f"| (c) cold soffice per document, {workers} at a time ({cold_n} sampled) | "
            f"{cold_rate:.2f} | |",
            f"| ratio b/c | {on.rate / cold_rate:.1f} | {off.rate / cold_rate:.1f} |",
        ]
        + [
            f"| CPU per document: {role} | {1000 * cpu_on.get(role, 0):.1f} ms | "
            f"{1000 * cpu_off.get(role, 0):.1f} ms |"
            for role in ("service", "libreoffice", "unoserver", "store")
        ]
        + [
            f"| physical limit at {os.cpu_count()} cores, all CPU per document | "
            f"{(os.cpu_count() or 1) / max(1e-9, sum(cpu_on.values())):.1f} docs/s | "
            f"{(os.cpu_count() or 1) / max(1e-9, sum(cpu_off.values())):.1f} docs/s |",
        ]
    )
