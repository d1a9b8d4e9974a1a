"""The LibreOffice pool against real soffice processes: output, crashes, hangs, shutdown."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pikepdf
import pytest

from bench.cold import convert_cold
from service.errors import ConverterUnavailable
from service.rendering.docx import render_docx
from service.rendering.joining import join_docx
from service.rendering.pdf import ConverterPool
from service.rendering.pdfmeta import check_pdfa, pdfa_claim
from tests.fixtures.converter import uno_bin
from tests.rendering.samples import CERTIFICATE, certificate_context


def _pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def _wait_for(pool: ConverterPool, predicate_timeout_s: float = 60.0) -> list[int]:
    """Wait until every worker of ``pool`` is ready again; return their soffice pids."""
    deadline = time.monotonic() + predicate_timeout_s
    while time.monotonic() < deadline:
        pids = pool.worker_pids()
        if len(pids) == pool.size:
            return pids
        time.sleep(0.2)
    raise AssertionError(f"pool did not recover: {pool.worker_pids()}")


def _pool_processes(work_dir: Path) -> list[int]:
    """Pids whose command line names ``work_dir`` (unoserver and soffice both carry it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if str(work_dir) in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


@pytest.fixture
def certificate_docx() -> bytes:
    return render_docx(CERTIFICATE, certificate_context())


@pytest.fixture
def own_pool(tmp_path: Path) -> Iterator[ConverterPool]:
    """A one-worker pool with a short timeout, for tests that break their worker."""
    with ConverterPool(
        size=1, uno_python_bin=uno_bin(), work_dir=tmp_path / "pool", timeout_s=4.0
    ) as pool:
        yield pool


def test_certificate_converts_to_accepted_pdfa(
    converter_pool: ConverterPool, certificate_docx: bytes
) -> None:
    pdf = converter_pool.convert_to_pdfa(certificate_docx)

    assert pdfa_claim(pdf) == ("2", "B")
    check_pdfa(pdf)
    text = _pdf_text(pdf)
    assert "Žukauskaitė" in text
    assert "Nr. PZ-1" in text


def test_pdf_text_keeps_escaped_characters_and_lithuanian_letters(
    converter_pool: ConverterPool,
) -> None:
    name = 'Ąžuolė Čiurlionytė-Šėmaitė & <Ūla> "Įža" O\'Brien'
    data = render_docx(CERTIFICATE, certificate_context(student={"full_name": name}))

    text = " ".join(_pdf_text(converter_pool.convert_to_pdfa(data)).split())

    assert name in text


def test_certificate_fits_on_one_page(
    converter_pool: ConverterPool, certificate_docx: bytes
) -> None:
    pdf = converter_pool.convert_to_pdfa(certificate_docx)

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 1


def test_conversion_leaves_no_document_in_the_work_dir(
    tmp_path: Path, own_pool: ConverterPool, certificate_docx: bytes
) -> None:
    # The DOCX and the PDF pass through files in the worker's directory; they carry personal
    # data and must not stay there.
    for _ in range(2):
        check_pdfa(own_pool.convert_to_pdfa(certificate_docx))

    left = [p for p in (tmp_path / "pool").rglob("*") if p.suffix in (".docx", ".pdf")]
    assert left == []


def test_ping_passes_while_workers_run(converter_pool: ConverterPool) -> None:
    converter_pool.ping()


def test_killed_worker_is_replaced_and_next_conversions_succeed(
    converter_pool: ConverterPool, certificate_docx: bytes
) -> None:
    before = _wait_for(converter_pool)
    os.kill(before[0], signal.SIGKILL)

    # The first call may land on the dead worker (503) or the live one (a PDF); never hang.
    try:
        converter_pool.convert_to_pdfa(certificate_docx)
    except ConverterUnavailable as exc:
        assert "Bandykite dar kartą" in exc.detail
    for _ in range(3):
        check_pdfa(converter_pool.convert_to_pdfa(certificate_docx))

    after = _wait_for(converter_pool)
    assert before[0] not in after
    check_pdfa(converter_pool.convert_to_pdfa(certificate_docx))


def test_hung_worker_times_out_and_pool_recovers(
    own_pool: ConverterPool, certificate_docx: bytes
) -> None:
    own_pool.convert_to_pdfa(certificate_docx)
    [soffice] = own_pool.worker_pids()
    os.killpg(os.getpgid(soffice), signal.SIGSTOP)

    started = time.monotonic()
    with pytest.raises(ConverterUnavailable, match="neatsakė per 4 s"):
        own_pool.convert_to_pdfa(certificate_docx)
    elapsed = time.monotonic() - started

    assert 3.5 < elapsed < 10
    assert _wait_for(own_pool) != [soffice]
    check_pdfa(own_pool.convert_to_pdfa(certificate_docx))


def test_stop_leaves_no_pool_process_alive(tmp_path: Path) -> None:
    work_dir = tmp_path / "pool"
    pool = ConverterPool(size=1, uno_python_bin=uno_bin(), work_dir=work_dir)
    pool.start()
    assert _pool_processes(work_dir)

    pool.stop()
    pool.stop()  # idempotent

    assert _pool_processes(work_dir) == []
    with pytest.raises(ConverterUnavailable):
        pool.ping()


def test_cold_conversion_produces_pdfa(tmp_path: Path) -> None:
    doc = docx.Document()
    doc.add_paragraph("Žukauskaitė")
    out = io.BytesIO()
    doc.save(out)

    pdf = convert_cold(out.getvalue(), tmp_path)

    check_pdfa(pdf)
    assert "Žukauskaitė" in _pdf_text(pdf)


def test_worker_is_recycled_after_max_conversions(tmp_path: Path, certificate_docx: bytes) -> None:
    with ConverterPool(
        size=1, uno_python_bin=uno_bin(), work_dir=tmp_path / "pool", max_conversions=2
    ) as pool:
        [first] = pool.worker_pids()
        pool.convert_to_pdfa(certificate_docx)
        assert pool.worker_pids() == [first]
        pool.convert_to_pdfa(certificate_docx)

        # The worker keeps converting while its successor starts and warms up: no gap, every
        # conversion in between succeeds, and then the successor takes over.
        deadline = time.monotonic() + 90
        while pool.worker_pids() in ([first], []) and time.monotonic() < deadline:
            check_pdfa(pool.convert_to_pdfa(certificate_docx))
        [second] = pool.worker_pids()
        assert second != first
        assert pool.restarts == 1
        check_pdfa(pool.convert_to_pdfa(certificate_docx))


def _libreoffice_workers(work_dir: Path) -> int:
    """Worker generations with a live soffice.bin, by their profile under ``work_dir`` (a fresh
    profile's first start restarts soffice.bin once: two processes, one worker)."""
    running: set[bytes] = set()
    for pid in _pool_processes(work_dir):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        found = re.search(rb"/(worker-\d+-\d+)/", cmdline)
        if b"soffice.bin" in cmdline and found:
            running.add(found.group(1))
    return len(running)


def test_workers_reaching_their_quota_together_are_replaced_one_at_a_time(
    tmp_path: Path, certificate_docx: bytes
) -> None:
    work_dir = tmp_path / "pool"
    with ConverterPool(
        size=2, uno_python_bin=uno_bin(), work_dir=work_dir, max_conversions=1
    ) as pool:
        peak = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _libreoffice_workers(work_dir))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            # Both workers reach their quota of one in the same moment.
            with ThreadPoolExecutor(max_workers=2) as both:
                list(both.map(pool.convert_to_pdfa, [certificate_docx] * 2))
            deadline = time.monotonic() + 120
            while pool.restarts < 2 and time.monotonic() < deadline:
                check_pdfa(pool.convert_to_pdfa(certificate_docx))
        finally:
            stop.set()
            sampler.join()
        assert pool.restarts >= 2
        # Two working workers and one successor starting: never two successors at once.
        assert peak <= 3, f"{peak} LibreOffice workers at once"


def test_a_joined_conversion_counts_its_documents_towards_recycling(
    tmp_path: Path, certificate_docx: bytes
) -> None:
    """LibreOffice's memory grows with what it lays out: two conversions of two joined
    documents each bring a worker that may convert three to its recycling (counted as files,
    they would be two of three and it would never be replaced)."""
    with ConverterPool(
        size=1, uno_python_bin=uno_bin(), work_dir=tmp_path / "pool", max_conversions=3
    ) as pool:
        [first] = pool.worker_pids()
        for _ in range(2):
            pool.convert_joined(join_docx([certificate_docx] * 2), documents=2)

        # Nothing more is converted: the successor starts, warms up and takes over on its own.
        deadline = time.monotonic() + 90
        while pool.restarts == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pool.restarts == 1
        [second] = pool.worker_pids()
        assert second != first
        check_pdfa(pool.convert_to_pdfa(certificate_docx))
