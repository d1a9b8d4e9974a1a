"""DOCX -> PDF/A-2b conversion with a pool of long-lived LibreOffice workers.

Each worker is one ``unoserver`` process (run from ``.venv-uno``, the venv on Debian's system
Python that can import ``uno``) with its own soffice child, ports and user profile. We talk to
it over XML-RPC with our own socket timeout, so a hung or crashed LibreOffice costs one request
(``ConverterUnavailable``), never the service: the worker's whole process group is killed and a
fresh one started in the background.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import io
import logging
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
import xmlrpc.client
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from service.errors import ConverterUnavailable, DocumentRejected
from storage.lifecycle import Running
from storage.process_group import (
    group_members,
    leader_exited,
    proc_stat,
    reap_group,
    signal_group,
)

log = logging.getLogger(__name__)

PDF_EXPORT_FILTER = "writer_pdf_Export"
_UNOSERVER_HIDDEN = Path(__file__).with_name("unoserver_hidden.py")

# writer_pdf_Export FilterData. SelectPdfVersion: 0 = PDF 1.x, 1 = PDF/A-1b, 2 = PDF/A-2b,
# 3 = PDF/A-3b, 15/16/17 = PDF 1.5/1.6/1.7 (LibreOffice 7.4; checked against the pdfaid:part=2,
# conformance=B it writes). PDF/A mode embeds every font by itself; EmbedStandardFonts also covers
# the base-14 names a template might ask for.
PDFA_FILTER_DATA: dict[str, bool | int] = {
    "SelectPdfVersion": 2,
    "UseTaggedPDF": True,
    "EmbedStandardFonts": True,
    "ExportBookmarks": False,
    "ExportNotes": False,
    "ExportFormFields": False,
}

# unoserver turns "Name=Value" into PropertyValue(Name, Value), mapping "true"/"false" to
# booleans and decimal strings to ints.


def _filter_options(data: dict[str, bool | int]) -> tuple[str, ...]:
    return tuple(
        f"{name}={str(value).lower() if isinstance(value, bool) else value}"
        for name, value in data.items()
    )


PDFA_FILTER_OPTIONS: tuple[str, ...] = _filter_options(PDFA_FILTER_DATA)
# A joined document (service/rendering/joining.py): its bookmarks become named destinations,
# the markers that split the PDF back into documents. Nothing else differs from a single one.
JOINED_FILTER_OPTIONS: tuple[str, ...] = _filter_options(
    PDFA_FILTER_DATA | {"ExportBookmarksToPDFDestination": True}
)

_RETRY_HINT = "Bandykite dar kartą."


def _unavailable(reason: str) -> ConverterUnavailable:
    return ConverterUnavailable(f"Dokumento nepavyko konvertuoti į PDF: {reason}. {_RETRY_HINT}")


class _TimeoutTransport(xmlrpc.client.Transport):
    """XML-RPC transport whose socket gives up after ``timeout`` seconds of silence."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: tuple[str, dict[str, str]] | str) -> http.client.HTTPConnection:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _is_running(pid: int) -> bool:
    stat = proc_stat(pid)
    return stat is not None and stat[1] not in ("Z", "X")


@dataclass(eq=False)
class _Worker:
    slot: int
    key: int
    directory: Path
    port: int
    uno_port: int
    proc: subprocess.Popen[bytes]
    soffice_pids: list[int] = field(default_factory=list)
    conversions: int = 0
    # Replaced: never handed out again (a crash, or its successor is ready).
    retired: bool = False
    # Its conversion quota is used up and a successor is starting.
    succeeding: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        if leader_exited(self.proc):
            return False
        return all(_is_running(pid) for pid in self.soffice_pids)


class ConverterPool(Running):
    """A fixed number of warm LibreOffice workers converting DOCX to PDF/A-2b.

    ``uno_python_bin`` is the ``bin`` directory of the venv made by ``setup_uno.sh``
    (``.venv-uno/bin``); the pool runs ``unoserver`` with its Python, through
    ``unoserver_hidden.py`` (every document opened hidden). ``uno_venv`` (the venv root,
    ``.venv-uno``) may be given instead. ``soffice`` is the LibreOffice executable handed to
    unoserver (None: unoserver finds ``soffice`` on PATH).
    A worker is replaced after ``max_conversions`` conversions to bound LibreOffice's memory:
    its successor is started and warmed while it keeps converting, and only then does it leave,
    so recycling leaves no gap. A worker that dies (killed, crashed) is noticed by a supervisor
    thread within ``watch_interval_s`` (or by the request that finds it dead) and replaced in
    the background while the others take its load. ``restarts`` counts every replacement.
    """

    def __init__(
        self,
        *,
        size: int,
        work_dir: Path,
        uno_python_bin: Path | None = None,
        uno_venv: Path | None = None,
        timeout_s: float = 30.0,
        start_timeout_s: float = 60.0,
        max_conversions: int = 200,
        soffice: Path | None = None,
        watch_interval_s: float = 1.0,
        open_hidden: bool = True,
    ) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        if (uno_python_bin is None) == (uno_venv is None):
            raise ValueError("give exactly one of uno_python_bin and uno_venv")
        bin_dir = uno_python_bin if uno_python_bin is not None else Path(str(uno_venv)) / "bin"
        self._size = size
        # unoserver run through service/rendering/unoserver_hidden.py (documents opened hidden)
        # by the venv's own Python, the one that can import uno; -I: the script's folder (this
        # package: queue.py, docx.py) must not shadow the standard library and unoserver's
        # imports, nor PYTHONPATH reach the worker. open_hidden=False: plain unoserver, what
        # the tests compare the hidden conversions with.
        self._unoserver_command = (
            [str(bin_dir / "python"), "-I", str(_UNOSERVER_HIDDEN)]
            if open_hidden
            else [str(bin_dir / "unoserver")]
        )
        self._work_dir = work_dir
        self._timeout_s = timeout_s
        self._start_timeout_s = start_timeout_s
        self._max_conversions = max_conversions
        self._soffice = soffice
        self._watch_interval_s = watch_interval_s
        self._watch_stop = threading.Event()
        self.restarts = 0
        self.crashes = 0
        self._restarting = 0
        # Successors starting now: one at a time. Workers share the load evenly, so they reach
        # their quota together; two successors starting beside two working workers made four
        # LibreOffice processes and the whole-school run's peak RSS.
        self._successions = 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        # Every worker process we own, ready or starting, by generation (a successor runs
        # beside the worker it replaces); stop() kills all of them.
        self._workers: dict[int, _Worker] = {}
        self._ready: set[int] = set()
        self._generation = 0
        self._started = False
        self._stopped = False

    @property
    def size(self) -> int:
        return self._size

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Launch every worker and wait until each answers ``info()``."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self._work_dir.mkdir(parents=True, exist_ok=True)
        atexit.register(self.stop)
        # Launch all first so the LibreOffice start-ups overlap.
        launched = [self._launch(slot) for slot in range(self._size)]
        ready: list[_Worker] = []
        try:
            for worker in launched:
                try:
                    self._wait_ready(worker)
                except ConverterUnavailable:
                    # A port seen free may have been taken before unoserver bound it: one more
                    # try on fresh ports before giving up.
                    self._discard(worker)
                    worker = self._launch(worker.slot)
                    self._wait_ready(worker)
                ready.append(worker)
        except BaseException:
            self.stop()
            raise
        for worker in ready:
            self._mark_ready(worker)
        threading.Thread(target=self._watch, name="bylos-converter-watch", daemon=True).start()

    def _watch(self) -> None:
        """Replace workers that died while nobody was converting with them."""
        while not self._watch_stop.wait(self._watch_interval_s):
            with self._lock:
                ready = [self._workers[key] for key in self._ready if key in self._workers]
            for worker in ready:
                if not worker.retired and not worker.alive():
                    log.warning("converter worker %d died; starting a replacement", worker.slot)
                    self.crashes += 1
                    self._retire(worker)

    def stop(self) -> None:
        """Terminate every worker's process group; SIGKILL what is left after a grace period."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            self._watch_stop.set()
            workers = list(self._workers.values())
            self._workers.clear()
            self._ready.clear()
        atexit.unregister(self.stop)
        for worker in workers:
            signal_group(worker.proc, signal.SIGTERM)
        deadline = time.monotonic() + 5.0
        for worker in workers:
            while time.monotonic() < deadline and not leader_exited(worker.proc):
                time.sleep(0.05)
            # unoserver may be gone while soffice lingers in its group: always sweep it.
            reap_group(worker.proc)
            shutil.rmtree(worker.directory, ignore_errors=True)

    def _launch(self, slot: int) -> _Worker:
        with self._lock:
            if self._stopped:
                raise _unavailable("konverteris sustabdytas")
            self._generation += 1
            generation = self._generation
        # A fresh profile per worker generation: a killed soffice may leave its profile locked.
        directory = self._work_dir / f"worker-{slot}-{generation}"
        (directory / "tmp").mkdir(parents=True, exist_ok=True)
        port, uno_port = _free_port(), _free_port()
        while uno_port == port:
            uno_port = _free_port()
        cmd = [
            *self._unoserver_command,
            "--interface", "127.0.0.1",
            "--uno-interface", "127.0.0.1",
            "--port", str(port),
            "--uno-port", str(uno_port),
            # unoserver turns this path into the file:// URL itself (Path.as_uri()).
            "--user-installation", str(directory / "profile"),
            "--temp-dir", str(directory / "tmp"),
        ]  # fmt: skip
        if self._soffice is not None:
            cmd += ["--executable", str(self._soffice)]
        with (directory / "unoserver.log").open("ab") as logfile:
            try:
                proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=logfile,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as exc:
                raise _unavailable("nepavyko paleisti LibreOffice") from exc
        worker = _Worker(
            slot=slot,
            directory=directory,
            port=port,
            uno_port=uno_port,
            proc=proc,
            key=generation,
        )
        with self._lock:
            stopped = self._stopped
            if not stopped:
                self._workers[generation] = worker
        if stopped:
            reap_group(proc)
            raise _unavailable("konverteris sustabdytas")
        return worker

    def _wait_ready(self, worker: _Worker) -> None:
        deadline = time.monotonic() + self._start_timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if leader_exited(worker.proc):
                raise _unavailable("LibreOffice nepasileido") from last_error
            proxy = xmlrpc.client.ServerProxy(
                worker.url, transport=_TimeoutTransport(2.0), allow_none=True
            )
            try:
                proxy.info()
            except (OSError, http.client.HTTPException, xmlrpc.client.Error) as exc:
                last_error = exc
                time.sleep(0.25)
                continue
            worker.soffice_pids = [
                pid for pid, comm in group_members(worker.proc.pid) if comm == "soffice.bin"
            ]
            return
        raise _unavailable(
            f"LibreOffice nepasileido per {self._start_timeout_s:g} s"
        ) from last_error

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            if self._workers.get(worker.key) is worker:
                del self._workers[worker.key]
            self._ready.discard(worker.key)
        reap_group(worker.proc)
        shutil.rmtree(worker.directory, ignore_errors=True)

    def _mark_ready(self, worker: _Worker) -> None:
        with self._lock:
            if self._stopped or self._workers.get(worker.key) is not worker:
                return
            self._ready.add(worker.key)
        self._idle.put(worker)

    def _retire(self, worker: _Worker) -> None:
        """Kill ``worker`` and start its replacement in the background (once per worker)."""
        with self._lock:
            if worker.retired:
                return
            worker.retired = True
            self._ready.discard(worker.key)
            stopped = self._stopped
            if not stopped:
                self._restarting += 1
        self._discard(worker)
        if not stopped:
            threading.Thread(
                target=self._replace,
                args=(worker.slot,),
                name="bylos-converter-restart",
                daemon=True,
            ).start()

    def _replace(self, slot: int) -> None:
        try:
            self._replace_slot(slot)
        finally:
            with self._lock:
                self._restarting -= 1

    def _replace_slot(self, slot: int) -> None:
        for attempt in range(1, 4):
            try:
                worker = self._launch(slot)
            except ConverterUnavailable:
                return  # stopped, or LibreOffice cannot be executed at all
            try:
                # Ready as soon as it answers (no warm-up conversion): requests are waiting.
                self._wait_ready(worker)
            except ConverterUnavailable:
                log.warning("converter worker %d failed to start (attempt %d)", slot, attempt)
                self._discard(worker)
                continue
            self.restarts += 1
            self._mark_ready(worker)
            return
        log.error("converter worker %d could not be restarted; the pool is smaller", slot)

    def _succeed(self, worker: _Worker) -> None:
        """Start and warm ``worker``'s successor; then ``worker`` leaves (at once when idle,
        else when its conversion ends). Until then it keeps converting: no gap."""
        try:
            self._start_successor(worker)
        finally:
            with self._lock:
                self._successions -= 1

    def _begin_succession(self) -> bool:
        with self._lock:
            if self._successions:
                return False  # the worker keeps converting and asks again after its next one
            self._successions += 1
            return True

    def _start_successor(self, worker: _Worker) -> None:
        try:
            successor = self._launch(worker.slot)
        except ConverterUnavailable:
            worker.succeeding = False  # tried again after its next conversion
            return
        try:
            self._wait_ready(successor)
            # One throwaway conversion loads Writer and the PDF export, so the successor's
            # first document costs what any other does.
            self._convert(successor, warm_up_docx(), PDFA_FILTER_OPTIONS)
        except (ConverterUnavailable, DocumentRejected) as exc:
            log.warning("successor of converter worker %d failed to start: %s", worker.slot, exc)
            self._discard(successor)
            worker.succeeding = False
            return
        with self._lock:
            worker.retired = True
            self._ready.discard(worker.key)
        self.restarts += 1
        self._mark_ready(successor)
        # If it is idle, the next _acquire finds it retired and lets it go.

    # -- use ---------------------------------------------------------------------------------

    def ping(self) -> None:
        """Raise ConverterUnavailable unless at least one worker is alive (for health checks)."""
        with self._lock:
            workers = [self._workers[key] for key in self._ready if key in self._workers]
        if not any(worker.alive() for worker in workers):
            raise ConverterUnavailable("PDF konverteris neveikia: nė vienas LibreOffice neatsako.")

    def check_available(self) -> None:
        """Raise ConverterUnavailable unless a worker is running or being started: a request
        that passes will get a worker within the timeout (a replacement takes seconds)."""
        with self._lock:
            if self._stopped:
                raise _unavailable("konverteris sustabdytas")
            if self._restarting or any(not w.retired for w in self._workers.values()):
                return
        raise ConverterUnavailable(
            "PDF konverteris neveikia: nė vienas LibreOffice neveikia ir nepaleidžiamas. "
            + _RETRY_HINT
        )

    def reserve(self, owner: str) -> contextlib.AbstractContextManager[None]:
        """No admission of its own: service/rendering/queue.py is the queue in front of it."""
        return contextlib.nullcontext()

    def worker_pids(self) -> list[int]:
        """The soffice.bin pids of the ready workers."""
        with self._lock:
            workers = [self._workers[key] for key in sorted(self._ready) if key in self._workers]
        return [pid for worker in workers for pid in worker.soffice_pids]

    def convert_to_pdfa(self, docx: bytes) -> bytes:
        """Convert DOCX bytes to PDF/A-2b bytes; blocks, safe to call from many threads."""
        return self.convert_with(docx, PDFA_FILTER_OPTIONS)

    def convert_joined(self, docx: bytes, documents: int = 1) -> bytes:
        """Convert a joined DOCX (service/rendering/joining.py) of ``documents`` documents:
        bookmarks become named destinations, the markers its split needs."""
        return self.convert_with(docx, JOINED_FILTER_OPTIONS, documents=documents)

    def convert_with(self, docx: bytes, options: tuple[str, ...], *, documents: int = 1) -> bytes:
        """Convert on a free worker; ``documents`` is how many documents the file holds, what
        the worker's recycling counts."""
        worker = self._acquire()
        try:
            pdf = self._convert(worker, docx, options)
        except ConverterUnavailable:
            self.crashes += 1
            self._retire(worker)
            raise
        except BaseException:
            self._release(worker, documents)
            raise
        self._release(worker, documents)
        return pdf

    def _acquire(self) -> _Worker:
        deadline = time.monotonic() + self._timeout_s
        while True:
            if self._stopped:
                raise _unavailable("konverteris sustabdytas")
            remaining = deadline - time.monotonic()
            try:
                worker = self._idle.get(timeout=max(0.0, remaining))
            except queue.Empty:
                raise _unavailable(
                    f"visi konverteriai užimti arba neveikia (laukta {self._timeout_s:g} s)"
                ) from None
            if worker.retired:
                # Replaced while idle (its successor is ready, or the supervisor saw it die).
                self._let_go(worker)
                continue
            if worker.alive():
                return worker
            # Died while idle (killed, crashed): replace it and try the next one.
            self.crashes += 1
            self._retire(worker)

    def _let_go(self, worker: _Worker) -> None:
        threading.Thread(
            target=self._discard, args=(worker,), name="bylos-converter-leave", daemon=True
        ).start()

    def _release(self, worker: _Worker, documents: int = 1) -> None:
        # LibreOffice's memory grows with what it has laid out, not with how many files it
        # opened: a joined conversion of sixteen documents counts sixteen (counted as one, a
        # worker laid out 3,200 documents before it was recycled and the whole-school run's
        # RSS passed 1.5 GiB).
        worker.conversions += documents
        if worker.retired:
            self._let_go(worker)
            return
        if (
            worker.conversions >= self._max_conversions
            and not worker.succeeding
            and self._begin_succession()
        ):
            worker.succeeding = True
            threading.Thread(
                target=self._succeed,
                args=(worker,),
                name="bylos-converter-successor",
                daemon=True,
            ).start()
        self._idle.put(worker)

    def _convert(self, worker: _Worker, docx: bytes, options: tuple[str, ...]) -> bytes:
        # The document travels as files in the worker's own temp directory, not as XML-RPC
        # base64: encoding, parsing and decoding ~100 kB of base64 each way cost ~1 ms here and
        # ~2.5 ms in unoserver per document, CPU that LibreOffice needs on a 2-core machine.
        # unoserver, soffice and this process are the same user on the same machine.
        stem = worker.directory / "tmp" / f"convert-{uuid.uuid4().hex}"
        source, target = stem.with_suffix(".docx"), stem.with_suffix(".pdf")
        proxy = xmlrpc.client.ServerProxy(
            worker.url, transport=_TimeoutTransport(self._timeout_s), allow_none=True
        )
        try:
            try:
                source.write_bytes(docx)
            except OSError as exc:
                raise _unavailable("nepavyko perduoti dokumento konverteriui") from exc
            try:
                # unoserver 3.7 server.convert(inpath, indata, outpath, convert_to, filtername,
                # filter_options, update_index, infiltername, password). update_index=False: no
                # refresh, so LibreOffice does not recompute date fields to today's date.
                proxy.convert(
                    str(source),
                    None,
                    str(target),
                    None,
                    PDF_EXPORT_FILTER,
                    list(options),
                    False,
                    None,
                    None,
                )
            except TimeoutError as exc:
                raise _unavailable(f"konverteris neatsakė per {self._timeout_s:g} s") from exc
            except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError) as exc:
                raise _unavailable("nutrūko ryšys su konverteriu") from exc
            except xmlrpc.client.Fault as exc:
                if not self._still_alive(worker):
                    raise _unavailable("konverteris nustojo veikti") from exc
                raise DocumentRejected(
                    "LibreOffice nepavyko konvertuoti dokumento į PDF/A "
                    "(sugadintas DOCX šablonas?)."
                ) from exc
            try:
                data = target.read_bytes()
            except FileNotFoundError:
                data = b""
        finally:
            source.unlink(missing_ok=True)
            target.unlink(missing_ok=True)
        if not data.startswith(b"%PDF-"):
            raise DocumentRejected("Konverteris grąžino ne PDF failą.")
        return data

    @staticmethod
    def _still_alive(worker: _Worker) -> bool:
        # After soffice dies, unoserver answers with a UNO DisposedException fault and exits a
        # moment later; give it that moment before calling the worker healthy.
        for _ in range(5):
            if not worker.alive():
                return False
            time.sleep(0.1)
        return True


_WARM_UP_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_WARM_UP_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_WARM_UP_BODY = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Bylos</w:t></w:r></w:p></w:body></w:document>"
)


def warm_up_docx() -> bytes:
    """A one-paragraph DOCX that makes a fresh LibreOffice load Writer and the PDF export."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _WARM_UP_TYPES)
        archive.writestr("_rels/.rels", _WARM_UP_RELS)
        archive.writestr("word/document.xml", _WARM_UP_BODY)
    return out.getvalue()
