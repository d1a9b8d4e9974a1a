"""Joined conversion (issue 14): for every document kind, documents converted in one batch are
the documents converted one by one, page by page; a document that fails inside a batch fails
alone; a converter killed in the middle of a batch costs no document."""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import signal
import threading
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from bench import large_documents as large
from service.books.register import rows as register_rows
from service.db import session_scope
from service.documents.models import Document
from service.errors import DocumentRejected, ServiceError
from service.registry import numbering
from service.registry.listing import LISTING_TEMPLATE, listing_context
from service.rendering.docx import TEMPLATES_DIR, render_docx
from service.rendering.joining import body_size, join_key
from service.rendering.pdf import ConverterPool
from service.rendering.pdfmeta import PdfMetadata, stamp_and_check
from service.rendering.queue import ConversionQueue
from service.users.models import Role
from storage.errors import ObjectMissing
from tests.conftest import EXAMPLE_CLASSES, Service
from tests.fixtures.converter import uno_bin
from tests.operations.test_restore_drill import _populate as populate_every_kind
from tests.rendering.compare import (
    assert_only_own_pages,
    assert_same_as_alone,
    assert_same_document,
)
from tests.rendering.samples import CERTIFICATE, certificate_context
from tests.school import TEST_SCHOOL

EVERY_KIND = {
    "leaving-certificate",
    "confidentiality-pledge",
    "achievement-summary",
    "change-act",
    "safety-briefing",
    "progress-report",
    "case-inventory",
    "journal-transfer",
    "destruction-act",
    "register-listing",
}


def _gate(pdf: bytes, label: str) -> bytes:
    """The issuing path's XMP stamp and PDF/A + font gate, on one part."""
    return stamp_and_check(
        pdf,
        PdfMetadata(
            title=label,
            creator=TEST_SCHOOL.name,
            subject=None,
            registration_number=label,
            registration_date=dt.date(2026, 11, 20),
            authors=["Rasa Raštinienė"],
        ),
    ).data


def _issue_large(service: Service) -> None:
    """Multi-page documents, so per-document page numbering and page counts are compared."""
    office = service.user(Role.office_manager, name="Onutė Raštinė")
    deputy = service.user(Role.deputy, name="Dainius Pavaduotojas")
    teacher = service.user(Role.class_teacher, name="Kornelija Auklėtoja", leads=EXAMPLE_CLASSES)
    for kind, data, who in (
        ("leaving-certificate", large.certificate(), office),
        ("achievement-summary", large.summary(pupils=30), deputy),
        ("safety-briefing", large.briefing(pupils=36), teacher),
        ("progress-report", large.report(), teacher),
    ):
        response = service.client.post(f"/api/documents/{kind}", json=data, headers=who)
        assert response.status_code == 201, response.text


def _listings(service: Service) -> list[bytes]:
    with session_scope(service.engine) as session:
        out = []
        for code in ("PZ", "SV"):
            register = numbering.get_register(session, code)
            entries = register_rows(session, register.code, dt.date.today().year)
            context = listing_context(
                register,
                dt.date.today().year,
                entries,
                TEST_SCHOOL,
                dt.date(2026, 11, 20),
                "Rasa Raštinienė",
            )
            out.append(render_docx(LISTING_TEMPLATE, context, title=register.title))
        return out


@pytest.mark.db
def test_every_kind_converts_in_a_batch_exactly_as_alone(
    service: Service, converter_pool: ConverterPool
) -> None:
    _issue_large(service)  # first: populating closes the briefings' case
    populate_every_kind(service)
    by_kind: dict[str, list[bytes]] = defaultdict(list)
    with session_scope(service.engine) as session:
        for document in session.exec(select(Document).order_by(col(Document.created_at))):
            if not document.docx_key:
                continue
            try:
                docx = service.store.read(document.docx_key, document.docx_version_id)
            except ObjectMissing:
                continue  # destroyed by the disposal (its stub stays)
            by_kind[document.kind].append(docx)
    by_kind["register-listing"] = _listings(service)
    assert set(by_kind) >= EVERY_KIND, f"kinds not issued: {EVERY_KIND - set(by_kind)}"

    convert = converter_pool.convert_to_pdfa
    with ConversionQueue(converter_pool, max_batch=16) as queue:
        for kind in sorted(by_kind):
            documents = by_kind[kind]
            # At least three in each batch: a document between two others is the hard case.
            while len(documents) < 3:
                documents = [*documents, documents[0]]
            assert join_key(documents[0]) is not None, f"{kind}: cannot be joined"
            before = queue.stats.batched_documents
            parts = queue.convert_many(documents)
            assert queue.stats.batched_documents == before + len(documents), (
                f"{kind}: not converted as one batch"
            )
            for index, (docx, part) in enumerate(zip(documents, parts, strict=True)):
                label = f"{kind}[{index}]"
                assert isinstance(part, bytes), f"{label}: {part}"
                assert_same_as_alone(part, functools.partial(convert, docx), label)
                assert_only_own_pages(part, label)
                _gate(part, label)
            _assert_dropped_styles_change_nothing(kind, documents[0], convert)
        assert queue.stats.batch_failures == 0


def _assert_dropped_styles_change_nothing(
    kind: str, docx: bytes, convert: Callable[[bytes], bytes]
) -> None:
    """The document as issued (the styles nothing uses dropped, service/rendering/styles.py)
    looks exactly as it does with every style of its template put back."""
    with zipfile.ZipFile(TEMPLATES_DIR / f"{kind}.docx") as template:
        every_style = template.read("word/styles.xml")
    with zipfile.ZipFile(io.BytesIO(docx)) as issued:
        kept = issued.read("word/styles.xml")
    assert kept.count(b"<w:style ") < every_style.count(b"<w:style ") / 4, kind
    whole = convert(_replace_member(docx, "word/styles.xml", every_style))
    assert_same_as_alone(whole, functools.partial(convert, docx), f"{kind}-every-style")


# -- failure isolation -------------------------------------------------------------------------


def _replace_member(docx: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(
                info.filename, data if info.filename == name else source.read(info.filename)
            )
    return out.getvalue()


def _certificates(count: int) -> list[bytes]:
    return [
        render_docx(
            CERTIFICATE,
            certificate_context(
                registration={
                    "number": f"PZ-{100 + i}",
                    "date": "2026-11-20",
                    "date_long": "2026 m. lapkričio 20 d.",
                }
            ),
        )
        for i in range(count)
    ]


def test_a_bad_document_in_a_batch_fails_alone_and_the_others_convert(
    converter_pool: ConverterPool,
) -> None:
    good = _certificates(3)
    body = zipfile.ZipFile(io.BytesIO(good[0])).read("word/document.xml")
    # Same template, so it is joined with the others; its body breaks off before its end.
    bad = _replace_member(good[0], "word/document.xml", body[:-30])
    assert join_key(bad) == join_key(good[0])

    with ConversionQueue(converter_pool, max_batch=16) as queue:
        results = queue.convert_many([good[0], bad, good[1], good[2]])
        assert queue.stats.batch_failures == 1

    assert isinstance(results[1], DocumentRejected)
    for index, docx in ((0, good[0]), (2, good[1]), (3, good[2])):
        part = results[index]
        assert isinstance(part, bytes), part
        assert_same_document(part, converter_pool.convert_to_pdfa(docx), f"good[{index}]")


@pytest.fixture
def lone_worker(tmp_path: Path) -> Iterator[ConverterPool]:
    with ConverterPool(size=1, uno_python_bin=uno_bin(), work_dir=tmp_path / "lone") as pool:
        yield pool


def test_a_converter_killed_inside_a_batch_costs_no_document(
    lone_worker: ConverterPool, tmp_path: Path
) -> None:
    documents = _certificates(4)
    [soffice] = lone_worker.worker_pids()
    # Frozen, so the joined document is handed over and then the worker dies under it.
    os.killpg(os.getpgid(soffice), signal.SIGSTOP)
    results: list[bytes | ServiceError] = []
    with ConversionQueue(lone_worker, max_batch=16) as queue:
        thread = threading.Thread(target=lambda: results.extend(queue.convert_many(documents)))
        thread.start()
        deadline = time.monotonic() + 60
        while not list((tmp_path / "lone").glob("worker-*/tmp/convert-*.docx")):
            assert time.monotonic() < deadline, "the batch never reached the worker"
            time.sleep(0.05)
        os.killpg(os.getpgid(soffice), signal.SIGKILL)
        thread.join(timeout=120)
        assert not thread.is_alive()
        assert queue.stats.batch_failures == 1

    assert all(isinstance(r, bytes) for r in results), results
    assert lone_worker.restarts >= 1
    for index, (docx, part) in enumerate(zip(documents, results, strict=True)):
        assert isinstance(part, bytes)
        assert_same_document(part, lone_worker.convert_to_pdfa(docx), f"certificate[{index}]")


def test_a_batch_holds_no_more_body_than_its_bound(converter_pool: ConverterPool) -> None:
    """A joined conversion's time grows with the bodies it lays out: the queue stops joining at
    ``max_batch_bytes`` (two certificates' bodies here), and a body over the whole bound is
    converted alone, so no batch holds its documents for seconds."""
    documents = _certificates(6)
    body = body_size(documents[0])
    with ConversionQueue(converter_pool, max_batch=16, max_batch_bytes=body * 5 // 2) as queue:
        parts = queue.convert_many(documents)
        assert (queue.stats.batches, queue.stats.batched_documents) == (3, 6)
        assert queue.stats.direct == 0
    assert all(isinstance(part, bytes) for part in parts), parts

    with ConversionQueue(converter_pool, max_batch=16, max_batch_bytes=body - 1) as queue:
        alone = queue.convert_many(documents[:3])
        assert (queue.stats.batches, queue.stats.direct) == (0, 3)
    assert all(isinstance(part, bytes) for part in alone), alone


# -- waiting for requests on their way -----------------------------------------------------------


def _convert_in_thread(queue: ConversionQueue, owner: str, docx: bytes) -> threading.Thread:
    def run() -> None:
        with queue.reserve(owner):
            queue.convert_to_pdfa(docx)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, "the queue never got there"
        time.sleep(0.005)


def test_a_free_worker_waits_for_a_request_on_its_way_and_joins_both(
    converter_pool: ConverterPool,
) -> None:
    first, second = _certificates(2)
    with ConversionQueue(converter_pool, max_batch=16, linger_s=20) as queue:
        with queue.reserve("rasa"):  # admitted: taking its number, rendering
            converting = _convert_in_thread(queue, "ona", first)
            _wait_for(lambda: queue.waiting == 1)  # queued, and held for the one coming
            time.sleep(0.2)
            assert (queue.stats.direct, queue.stats.batches) == (0, 0)
            queue.convert_to_pdfa(second)
        converting.join(60)
        assert (queue.stats.direct, queue.stats.batches, queue.stats.batched_documents) == (0, 1, 2)


def test_a_lone_request_waits_for_nobody(converter_pool: ConverterPool) -> None:
    (certificate,) = _certificates(1)
    # Were it to wait for requests that are not there, it would take the whole 60 s.
    with ConversionQueue(converter_pool, max_batch=16, linger_s=60) as queue:
        converting = _convert_in_thread(queue, "ona", certificate)
        converting.join(30)
        assert not converting.is_alive()
        assert (queue.stats.direct, queue.stats.batches) == (1, 0)


def test_a_request_that_leaves_without_converting_ends_the_wait(
    converter_pool: ConverterPool,
) -> None:
    (certificate,) = _certificates(1)
    with ConversionQueue(converter_pool, max_batch=16, linger_s=60) as queue:
        with queue.reserve("rasa"):  # will fail before it converts (say, a bad payload)
            converting = _convert_in_thread(queue, "ona", certificate)
            _wait_for(lambda: queue.waiting == 1)
        converting.join(30)
        assert not converting.is_alive()
        assert (queue.stats.direct, queue.stats.batches) == (1, 0)
