"""The archivist's work (issue 5): fixity throughput against plain `sha256sum` of the same bytes,
a streamed journal upload (MB/s and the server's peak RSS growth), a year-end export.

One SeaweedFS is started here and handed to a real `bylos serve` as its external store, so the
bench can put objects and records straight in (2,000 export documents are stored directly —
their bytes are one real-sized PDF-like blob each — rather than converted by LibreOffice).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
from sqlmodel import select

from bench.measure import reset_peak, status_kib
from bench.seeding import add_report, pledged_token
from bench.server import Server
from service.archive.fixity import Expected, check
from service.cases.models import Case, CaseStatus
from service.db import make_engine, migrate, session_scope
from service.users.models import Role, User
from storage.objectstore import ObjectStore
from storage.seaweed import EmbeddedSeaweed

MiB = 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("archive")
    group.add_argument("--fixity-mib", type=int, default=512, help="bytes checked by fixity")
    group.add_argument("--fixity-object-mib", type=int, default=8, help="size of each object")
    group.add_argument("--journal-mib", type=int, default=1024, help="journal upload size")
    group.add_argument("--export-docs", type=int, default=2000, help="documents in the year")
    group.add_argument("--export-doc-kib", type=int, default=40, help="size of each PDF")


def _status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM of a process in KiB (Linux /proc)."""
    return {name: status_kib(pid, name) for name in ("VmRSS", "VmHWM")}


def _fixity(store: ObjectStore, tmp: Path, total_mib: int, object_mib: int) -> list[str]:
    count = max(1, total_mib // object_mib)
    block = os.urandom(object_mib * MiB)
    expected: list[Expected] = []
    files = tmp / "sha256sum"
    files.mkdir()
    for i in range(count):
        # Each object differs (a counter up front) so nothing can be deduplicated.
        data = i.to_bytes(8, "big") + block[8:]
        put = store.put(f"fixity/{i:05d}.bin", data, retain_until=None)
        (files / f"{i:05d}.bin").write_bytes(data)
        expected.append(
            Expected(
                key=put.key,
                version_id=put.version_id,
                sha256=put.sha256,
                size=put.size,
                lock_until=None,
                legal_hold=False,
                document_id=str(i),
                number=str(i),
                part="pdf",
            )
        )
    total = count * object_mib * MiB
    check(store, expected)  # warm: connections, SeaweedFS's caches
    started = time.perf_counter()
    report = check(store, expected)
    fixity_s = time.perf_counter() - started
    assert report["ok"] == count, report
    paths = sorted(str(p) for p in files.iterdir())
    subprocess.run(["sha256sum", *paths], check=True, capture_output=True)  # page cache warm
    started = time.perf_counter()
    subprocess.run(["sha256sum", *paths], check=True, capture_output=True)
    plain_s = time.perf_counter() - started
    fixity_rate, plain_rate = total / MiB / fixity_s, total / MiB / plain_s
    return [
        f"| fixity: {count} objects x {object_mib} MiB (S3 read + SHA-256) | "
        f"{fixity_rate:.0f} MiB/s |",
        f"| plain `sha256sum` of the same bytes (page cache) | {plain_rate:.0f} MiB/s |",
        f"| fixity / sha256sum (goal >= 0.5) | {fixity_rate / plain_rate:.2f} |",
    ]


def _journal(server: Server, headers: dict[str, str], size_mib: int) -> list[str]:
    assert server.proc is not None
    block = os.urandom(MiB)

    def body(mib: int) -> Iterator[bytes]:
        for i in range(mib):
            yield i.to_bytes(8, "big") + block[8:]

    def upload(mib: int) -> tuple[float, float, dict[str, int], dict[str, int]]:
        assert server.proc is not None
        reset_peak(server.proc.pid)
        before = _status(server.proc.pid)
        started = time.perf_counter()
        response = httpx.post(
            f"{server.url}/api/journal-transfers?filename=dienynas.zip&school_year=2025-2026",
            content=body(mib),
            headers=headers | {"Content-Type": "application/zip", "Content-Length": str(mib * MiB)},
            timeout=600,
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"journal upload: {response.status_code} {response.text}")
        after = _status(server.proc.pid)
        return elapsed, (after["VmHWM"] - before["VmRSS"]) / 1024, before, after

    # The first upload also loads the code paths once (issuing, PDF/A cover, S3 signing);
    # that one-off cost is shown apart from what the big upload adds.
    _, first_growth, _, _ = upload(1)
    elapsed, growth, before, after = upload(size_mib)
    return [
        f"| journal upload {size_mib} MiB (stream, spool, hash, S3 PUT, cover PDF/A) | "
        f"{size_mib / elapsed:.0f} MiB/s ({elapsed:.1f} s) |",
        f"| server peak RSS growth during the {size_mib} MiB upload (goal <= 64 MiB) | "
        f"{growth:.1f} MiB (RSS {before['VmRSS'] / 1024:.0f} -> peak "
        f"{after['VmHWM'] / 1024:.0f} MiB) |",
        f"| (first 1 MiB upload on a fresh server: one-off warm-up growth) | "
        f"{first_growth:.1f} MiB |",
    ]


def _seed_year(server: Server, store: ObjectStore, year: int, docs: int, doc_kib: int) -> None:
    """A closed year of ``docs`` documents, stored and recorded directly (no conversion)."""
    engine = make_engine(server.database_url)
    migrate(engine)
    blob = os.urandom(doc_kib * 1024)
    indexes = ["3.1", "3.2", "3.3", "3.4"]
    try:
        with session_scope(engine) as session:
            cases = [
                Case(
                    year=year,
                    index=index,
                    title=f"Bandomoji byla {index}",
                    retention_rule="v1511-progress-report",
                    status=CaseStatus.closed,
                    closed_on=dt.date(year, 12, 31),
                )
                for index in indexes
            ]
            session.add_all(cases)
            session.flush()
            owner = session.exec(select(User.id)).first() or 1
            for seq in range(1, docs + 1):
                doc_id = str(uuid.uuid4())
                pdf = store.put(
                    f"{year}/TA/{seq:06d}-{doc_id}.pdf",
                    seq.to_bytes(8, "big") + blob[8:],
                    retain_until=None,
                )
                # No DOCX is stored: the PDF's object stands for it.
                add_report(
                    session,
                    doc_id,
                    seq=seq,
                    on=dt.date(year, 6, 1),
                    case_id=cases[seq % len(cases)].id,
                    pdf=pdf,
                    docx=pdf,
                    lock_until=dt.date(year + 1, 12, 31),
                    created_by=owner,
                )
    finally:
        engine.dispose()


def _export(server: Server, headers: dict[str, str], year: int, docs: int) -> list[str]:
    started = time.perf_counter()
    size = 0
    with httpx.stream(
        "POST", f"{server.url}/api/exports", json={"year": year}, headers=headers, timeout=900
    ) as response:
        if response.status_code != 200:
            response.read()
            raise RuntimeError(f"export: {response.status_code} {response.text}")
        for chunk in response.iter_bytes():
            size += len(chunk)
    elapsed = time.perf_counter() - started
    return [
        f"| year-end export, {docs} documents (BagIt zip, SHA-256 + SHA-512, streamed) | "
        f"{elapsed:.1f} s ({size / MiB:.0f} MiB) |"
    ]


def run(args: argparse.Namespace) -> list[str]:
    rows = ["| measurement | result |", "|---|---:|"]
    with tempfile.TemporaryDirectory(prefix="bylos-bench-archive-") as tmp_name:
        tmp = Path(tmp_name)
        with EmbeddedSeaweed(tmp / "seaweed") as seaweed:
            bench_store = seaweed.object_store("bench-fixity")
            bench_store.ensure_bucket()
            rows += _fixity(bench_store, tmp, args.fixity_mib, args.fixity_object_mib)
            shutil.rmtree(tmp / "sha256sum", ignore_errors=True)

            bucket = "bench-bylos"
            (tmp / "server").mkdir()
            server = Server(
                tmp / "server",
                workers=1,
                env={
                    "BYLOS_S3_ENDPOINT": f"http://{seaweed.endpoint}",
                    "BYLOS_S3_ACCESS_KEY": seaweed.access_key,
                    "BYLOS_S3_SECRET_KEY": seaweed.secret_key,
                    "BYLOS_S3_BUCKET": bucket,
                },
            )
            server.start()
            try:
                token, _ = pledged_token(
                    server.database_url,
                    name="Aldona Archyvarė",
                    position="Archyvarė",
                    roles=[Role.archivist, Role.admin],
                )
                headers = {"Authorization": f"Bearer {token}"}
                rows += _journal(server, headers, args.journal_mib)
                store = seaweed.object_store(bucket)
                _seed_year(server, store, 2001, args.export_docs, args.export_doc_kib)
                rows += _export(server, headers, 2001, args.export_docs)
            finally:
                server.stop()
    return rows
