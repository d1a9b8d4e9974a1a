"""Operations (issue 15): backup and restore throughput of a school's store (2,000 documents, a
PDF and a DOCX each, plus a 1 GiB journal transfer) against plain `sha256sum` of the same bytes,
and what an incremental backup after 20 new documents moves.

The documents are stored and recorded directly (their bytes are real-sized random blobs), as in
the archive section: what is measured is copying, hashing and writing, not LibreOffice. Backup
and restore are the functions `bylos backup` and `bylos restore` run; the restore starts its own
embedded SeaweedFS on a new data dir, like an operator's restore onto a new machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from sqlmodel import select

from bench.seeding import add_report
from service.audit.log import Actor
from service.cases.models import Case, CaseStatus
from service.db import make_engine, migrate, session_scope
from service.documents.models import Document, JournalFile
from service.operations import manifest
from service.operations.backup import run_backup
from service.operations.restore import run_restore
from service.registry.defaults import ensure_default_registers
from service.settings import Settings
from service.users.accounts import create_user
from service.users.models import Role, User
from storage.objectstore import ObjectStore
from storage.seaweed import EmbeddedSeaweed

MiB = 1024 * 1024
DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("operations")
    group.add_argument("--ops-docs", type=int, default=2000, help="documents in the store")
    group.add_argument("--ops-pdf-kib", type=int, default=40, help="size of each PDF")
    group.add_argument("--ops-docx-kib", type=int, default=15, help="size of each DOCX")
    group.add_argument("--ops-journal-mib", type=int, default=1024, help="journal transfer size")
    group.add_argument(
        "--ops-new-docs", type=int, default=20, help="documents added before the incremental backup"
    )


class _Phases:
    """Wall time of each phase the backup or restore reports."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.order: list[str] = []

    def phase(self, name: str, total: int | None) -> None:
        self.started[name] = time.perf_counter()
        self.order.append(name)

    def advance(self, amount: int) -> None:
        return None

    def span(self, name: str, end: float) -> float:
        """From the start of ``name`` to the start of the next phase (or ``end``); NaN for a
        phase the run did not report (an older Bylos measured with this bench)."""
        if name not in self.order:
            return float("nan")
        at = self.order.index(name)
        stop = self.started[self.order[at + 1]] if at + 1 < len(self.order) else end
        return stop - self.started[name]


def _owner(database_url: str) -> int:
    engine = make_engine(database_url)
    migrate(engine)
    try:
        with session_scope(engine) as session:
            ensure_default_registers(session)
            user = create_user(
                session, name="Aldona Archyvarė", position="Archyvarė", roles=[Role.archivist]
            )
            return user.id or 1
    finally:
        engine.dispose()


def _seed(
    database_url: str, store: ObjectStore, docs: int, start: int, pdf_kib: int, docx_kib: int
) -> int:
    """``docs`` documents with their PDF and DOCX locked for a year; returns their bytes."""
    engine = make_engine(database_url)
    year = dt.date.today().year
    lock = dt.date(year + 1, 12, 31)
    pdf_blob, docx_blob = os.urandom(pdf_kib * 1024), os.urandom(docx_kib * 1024)
    stored = 0
    try:
        with session_scope(engine) as session:
            case = session.exec(select(Case).where(Case.year == year, Case.index == "3.3")).first()
            if case is None:
                case = Case(
                    year=year,
                    index="3.3",
                    title="Ataskaitos tėvams",
                    retention_rule="v1511-progress-report",
                    status=CaseStatus.open,
                )
                session.add(case)
                session.flush()
            owner = session.exec(select(User.id)).first() or 1
            for seq in range(start, start + docs):
                doc_id = str(uuid.uuid4())
                stem = f"{year}/TA/{seq:06d}-{doc_id}"
                # Each file differs (a counter up front): nothing is deduplicated.
                pdf = store.put(
                    f"{stem}.pdf", seq.to_bytes(8, "big") + pdf_blob[8:], retain_until=lock
                )
                docx = store.put(
                    f"{stem}.docx",
                    seq.to_bytes(8, "big") + docx_blob[8:],
                    retain_until=lock,
                    content_type=DOCX_MEDIA,
                )
                stored += pdf.size + docx.size
                add_report(
                    session,
                    doc_id,
                    seq=seq,
                    on=dt.date.today(),
                    case_id=case.id,
                    pdf=pdf,
                    docx=docx,
                    lock_until=lock,
                    created_by=owner,
                )
    finally:
        engine.dispose()
    return stored


def _journal(database_url: str, store: ObjectStore, tmp: Path, size_mib: int) -> int:
    """A journal transfer of ``size_mib`` MiB, stored locked and recorded beside a document."""
    path = tmp / "dienynas.zip"
    block = os.urandom(MiB)
    with path.open("wb") as handle:
        for i in range(size_mib):
            handle.write(i.to_bytes(8, "big") + block[8:])
    year = dt.date.today().year
    with path.open("rb") as handle:
        put = store.put_stream(
            f"{year}/DP/000001-journal.zip",
            handle,
            size_mib * MiB,
            retain_until=dt.date(year + 1, 12, 31),
            content_type="application/zip",
        )
    path.unlink()
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            doc = session.exec(select(Document).limit(1)).one()
            session.add(
                JournalFile(
                    document_id=doc.id,
                    file_name="dienynas.zip",
                    media_type="application/zip",
                    object_key=put.key,
                    object_version_id=put.version_id,
                    sha256=put.sha256,
                    size=put.size,
                )
            )
    finally:
        engine.dispose()
    return put.size


def _sha256sum(directory: Path) -> tuple[float, float]:
    """Seconds `sha256sum` takes over every file of the backup (page cache warm), and the CPU
    seconds it used."""
    files = sorted(
        str(p) for p in directory.rglob("*") if p.is_file() and p.name not in manifest.CONTROL_FILES
    )
    subprocess.run(["sha256sum", *files], check=True, capture_output=True)
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(["sha256sum", *files], check=True, capture_output=True)
    return time.perf_counter() - started, _children_cpu() - cpu


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu() -> float:
    """CPU seconds of the child processes that have exited (sha256sum, a stopped SeaweedFS)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _process_cpu(pid: int | None) -> float:
    """CPU seconds a running process has used so far (Linux /proc)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(args: argparse.Namespace) -> list[str]:
    rows = ["| measurement | result |", "|---|---:|"]
    # 2 shared cores: the load says how much of the machine the run had.
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bylos-bench-ops-") as tmp_name:
        tmp = Path(tmp_name)
        database_url = f"sqlite:///{tmp / 'bylos.sqlite3'}"
        with EmbeddedSeaweed(tmp / "seaweed") as weed, weed.object_store("bylos") as store:
            store.ensure_bucket()
            _owner(database_url)
            doc_bytes = _seed(
                database_url, store, args.ops_docs, 1, args.ops_pdf_kib, args.ops_docx_kib
            )
            journal_bytes = _journal(database_url, store, tmp, args.ops_journal_mib)
            engine = make_engine(database_url)
            target = tmp / "kopija"
            actor = Actor(id=None, name="bench")
            phases = _Phases()
            own_cpu, weed_cpu = _own_cpu(), _process_cpu(weed.pid)
            started = time.perf_counter()
            full = run_backup(engine, store, database_url, target, actor, progress=phases)
            backup_end = time.perf_counter()
            backup_s = backup_end - started
            backup_cpu = (_own_cpu() - own_cpu, _process_cpu(weed.pid) - weed_cpu)
            plain_s, plain_cpu = _sha256sum(target)
            total_mib = full.bytes_total / MiB

            new_bytes = _seed(
                database_url,
                store,
                args.ops_new_docs,
                args.ops_docs + 1,
                args.ops_pdf_kib,
                args.ops_docx_kib,
            )
            started = time.perf_counter()
            incremental = run_backup(engine, store, database_url, target, actor)
            incremental_s = time.perf_counter() - started
            engine.dispose()

        restored = Settings(data_dir=tmp / "atkurta")
        rphases = _Phases()
        own_cpu, weed_cpu = _own_cpu(), _children_cpu()
        started = time.perf_counter()
        report = run_restore(target, restored.components(), progress=rphases)
        restore_end = time.perf_counter()
        # The restore's SeaweedFS is its child and has exited (been waited for) by now.
        restore_cpu = (_own_cpu() - own_cpu, _children_cpu() - weed_cpu)
        restore_s = restore_end - started
        if not report.clean:
            raise RuntimeError(f"restore not clean: {report.fixity}")
        plain_rate = total_mib / plain_s
        write_s = rphases.span("objects", restore_end)
        rows += [
            f"| store: {args.ops_docs} documents (PDF {args.ops_pdf_kib} KiB + DOCX "
            f"{args.ops_docx_kib} KiB) + a {args.ops_journal_mib} MiB journal transfer | "
            f"{full.versions} versions, {total_mib:.0f} MiB with the database |",
            f"| plain `sha256sum` of the backup's files (page cache) | "
            f"{plain_rate:.0f} MiB/s ({plain_s:.1f} s; CPU {plain_cpu:.1f} s) |",
            f"| full backup (snapshot, listing, a GET per version, copy, manifest) | "
            f"{total_mib / backup_s:.0f} MiB/s ({backup_s:.1f} s: listing "
            f"{phases.span('listing', backup_end):.1f} s, sync and manifest "
            f"{phases.span('manifest', backup_end):.1f} s) |",
            f"| full backup CPU: Bylos / SeaweedFS | {backup_cpu[0]:.1f} s / "
            f"{backup_cpu[1]:.1f} s |",
            f"| backup / sha256sum (goal >= 0.5) | {total_mib / backup_s / plain_rate:.2f} |",
            f"| restore: verify every file, write every version locked, fixity, audit | "
            f"{total_mib / restore_s:.0f} MiB/s ({restore_s:.1f} s: verify "
            f"{rphases.span('verify', restore_end):.1f} s, store start "
            f"{rphases.span('store', restore_end):.1f} s, database "
            f"{rphases.span('database', restore_end):.1f} s, write "
            f"{write_s:.1f} s, fixity {rphases.span('fixity', restore_end):.1f} s, store stop "
            f"{rphases.span('stop', restore_end):.1f} s) |",
            f"| restore / sha256sum (goal >= 0.5) | {total_mib / restore_s / plain_rate:.2f} |",
            f"| restore CPU: Bylos / SeaweedFS | {restore_cpu[0]:.1f} s / {restore_cpu[1]:.1f} s |",
            f"| restore without its proof (verify + write only) / sha256sum | "
            f"{total_mib / (rphases.span('verify', restore_end) + write_s) / plain_rate:.2f} |",
            f"| incremental backup after {args.ops_new_docs} new documents "
            f"({new_bytes / 1024:.0f} KiB) | {incremental.files_copied - 1} files, "
            f"{incremental.object_bytes_copied / 1024:.0f} KiB of objects "
            f"({incremental.object_bytes_copied / new_bytes:.2f}x their size, goal <= 2), "
            f"+ database {incremental.database_bytes / MiB:.1f} MiB, {incremental_s:.1f} s |",
            f"| machine load (1-minute average) at the start / the end | "
            f"{load_before:.1f} / {os.getloadavg()[0]:.1f} |",
        ]
        del doc_bytes, journal_bytes
    return rows
