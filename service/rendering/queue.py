"""The one queue in front of the LibreOffice pool: fair admission, then batched conversion.

Two steps, both fair per user (round-robin over the users who are waiting, so a 500-item batch
from one user cannot starve another user's single request):

1. **Admission** (:meth:`ConversionQueue.reserve`). Issuing holds a converter place *before* it
   takes a registration number. The places are bounded (``capacity``); a request that cannot
   get one within ``wait_s`` (or finds ``max_waiting`` requests already waiting) is refused with
   :class:`ConverterBusy` (503, Retry-After) and nothing is spent: no number reserved, none
   voided.
2. **Conversion** (:meth:`ConversionQueue.convert_to_pdfa`). One dispatcher per worker takes
   the next document (round-robin over users) and, when others of the same template are
   waiting, up to ``max_batch`` of them whose bodies add up to at most ``max_batch_bytes`` (a
   joined conversion's time grows with what it lays out: the bound keeps one conversion of
   sixteen class summaries from holding every document in it for seconds); they are joined into
   one DOCX, converted once and split by their named destinations
   (service/rendering/joining.py). A lone document is converted directly: on an idle service
   the only added wait is one thread hand-off. A batch that fails for any reason (join,
   LibreOffice, split) is converted again document by document, so only a document that fails
   alone fails.

   A dispatcher whose worker is free while admitted requests are still on their way to the
   queue (taking their number, rendering) waits for them, at most ``linger_s``, before it
   converts what it holds: under concurrent requests a free worker otherwise took the first
   document alone, paid LibreOffice's fixed cost (~90 ms here) for it, and left the next ones
   to the next conversion. With no other request admitted, nothing is waited for.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Final, Generic, Protocol, TypeVar

from service.errors import ConverterBusy, ConverterUnavailable, ServiceError
from service.rendering.joining import body_size, join_docx, join_key, split_pdf
from storage.lifecycle import Closing

log = logging.getLogger(__name__)

ANONYMOUS: Final = "-"
_OWNER: contextvars.ContextVar[str] = contextvars.ContextVar(
    "bylos_converter_owner", default=ANONYMOUS
)


class Pool(Protocol):
    """What the queue needs of service/rendering/pdf.py's ConverterPool."""

    @property
    def size(self) -> int: ...
    @property
    def restarts(self) -> int: ...
    @property
    def crashes(self) -> int: ...
    def convert_to_pdfa(self, docx: bytes) -> bytes: ...
    def convert_joined(self, docx: bytes, documents: int = 1) -> bytes: ...
    def ping(self) -> None: ...
    def check_available(self) -> None: ...


@dataclass(eq=False)
class _Waiter:
    owner: str
    event: threading.Event = field(default_factory=threading.Event)
    granted: bool = False


@dataclass(eq=False)
class _Coming:
    """A reservation that has not queued a conversion yet (counted in ``_coming``)."""

    pending: bool = True


# The reservation held by this request while its first conversion is still to come.
_COMING: contextvars.ContextVar[_Coming | None] = contextvars.ContextVar(
    "bylos_converter_coming", default=None
)


@dataclass(eq=False)
class _Job:
    owner: str
    docx: bytes
    key: str | None
    future: Future[bytes] = field(default_factory=Future)
    queued_at: float = field(default_factory=time.perf_counter)
    retried: bool = False  # put back after its batch failed
    weight: int = 0  # the body's size: what the batch bound counts


T = TypeVar("T")


class _RoundRobin(Generic[T]):
    """Items queued per owner; ``take`` serves owners in turn (FIFO within an owner)."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[T]] = {}
        self._turn: deque[str] = deque()

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def put(self, owner: str, item: T, *, front: bool = False) -> None:
        queue = self._queues.get(owner)
        if queue is None:
            queue = self._queues[owner] = deque()
            # A newcomer is served next: it has had no turn yet.
            self._turn.appendleft(owner)
        if front:
            queue.appendleft(item)
        else:
            queue.append(item)

    def take(self) -> T | None:
        if not self._turn:
            return None
        owner = self._turn.popleft()
        queue = self._queues[owner]
        item = queue.popleft()
        if queue:
            self._turn.append(owner)
        else:
            del self._queues[owner]
        return item

    def take_matching(
        self,
        match: object,
        limit: int,
        key_of: Callable[[T], object],
        *,
        budget: int | None = None,
        weight_of: Callable[[T], int] = lambda _item: 0,
    ) -> list[T]:
        """Up to ``limit`` items whose key equals ``match`` and whose weights add up to at most
        ``budget``, owners in turn (one per owner per round), each owner's items in order; an
        item too heavy for what is left of the budget stays queued for a later batch."""
        taken: list[T] = []
        left = budget
        progress = True
        while len(taken) < limit and progress:
            progress = False
            for owner in list(self._turn):
                if len(taken) >= limit:
                    break
                queue = self._queues[owner]
                for position, item in enumerate(queue):
                    if key_of(item) != match:
                        continue
                    if left is not None and weight_of(item) > left:
                        # Items of one owner and key are alike in size: the next would not fit
                        # either, so this owner's turn ends here.
                        break
                    del queue[position]
                    taken.append(item)
                    if left is not None:
                        left -= weight_of(item)
                    progress = True
                    break
                if not queue:
                    del self._queues[owner]
                    self._turn.remove(owner)
        return taken

    def remove(self, owner: str, item: T) -> bool:
        queue = self._queues.get(owner)
        if queue is None or item not in queue:
            return False
        queue.remove(item)
        if not queue:
            del self._queues[owner]
            self._turn.remove(owner)
        return True


@dataclass
class QueueStats:
    """What the queue has done (for /metrics and the benchmarks)."""

    direct: int = 0  # documents converted alone because nothing else was waiting
    batches: int = 0  # joined conversions that succeeded
    batched_documents: int = 0  # documents those batches held
    batch_failures: int = 0  # joined conversions that failed: their documents went alone
    refused: int = 0  # requests refused with 503: no place within the wait
    handoff_s: float = 0.0  # total time from queueing to a dispatcher's pick-up (direct ones)


class ConversionQueue(Closing):
    """Fair admission and batched conversion over a :class:`Pool`."""

    def __init__(
        self,
        pool: Pool,
        *,
        batching: bool = True,
        max_batch: int = 16,
        max_batch_bytes: int = 448 * 1024,
        capacity: int | None = None,
        wait_s: float = 20.0,
        max_waiting: int = 256,
        linger_s: float = 0.05,
    ) -> None:
        self._pool = pool
        self.batching = batching
        self.max_batch = max(1, max_batch)
        self.max_batch_bytes = max(1, max_batch_bytes)
        # Enough places that documents wait for each worker to join a batch; without
        # batching, one in conversion and one being prepared per worker.
        per_worker = self.max_batch + 1 if batching else 2
        self.capacity = capacity if capacity is not None else pool.size * per_worker
        self.wait_s = wait_s
        self.max_waiting = max_waiting
        self.linger_s = max(0.0, linger_s)
        self.stats = QueueStats()
        self._lock = threading.Lock()
        self._admitted = 0
        self._coming = 0  # admitted reservations whose first conversion is not queued yet
        self._lingering = False  # a dispatcher is waiting for them: the others leave it the jobs
        self._waiters: _RoundRobin[_Waiter] = _RoundRobin()
        self._jobs: _RoundRobin[_Job] = _RoundRobin()
        self._work = threading.Condition(self._lock)
        self._closed = False
        self._dispatchers = [
            threading.Thread(target=self._dispatch, name=f"bylos-convert-{i}", daemon=True)
            for i in range(pool.size)
        ]
        for thread in self._dispatchers:
            thread.start()

    # -- the pool's face ---------------------------------------------------------------------

    @property
    def size(self) -> int:
        return self._pool.size

    @property
    def pool(self) -> Pool:
        return self._pool

    @property
    def restarts(self) -> int:
        return self._pool.restarts

    @property
    def crashes(self) -> int:
        return self._pool.crashes

    @property
    def waiting(self) -> int:
        """Requests waiting for a place plus documents waiting for a worker (one of them may be
        held by a dispatcher waiting for the requests on their way)."""
        with self._lock:
            return len(self._waiters) + len(self._jobs) + int(self._lingering)

    def ping(self) -> None:
        self._pool.ping()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pending: list[_Job] = []
            while (job := self._jobs.take()) is not None:
                pending.append(job)
            self._work.notify_all()
        for job in pending:
            job.future.set_exception(
                ConverterUnavailable("Konverteris sustabdytas. Bandykite dar kartą.")
            )
        for thread in self._dispatchers:
            thread.join(timeout=5)

    # -- admission -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def reserve(self, owner: str) -> Iterator[None]:
        """Hold a converter place for ``owner`` (a user) while the body runs.

        Raises :class:`ConverterBusy` when no place frees within ``wait_s``; places are handed
        to waiting users in turn. Conversions inside the body are queued under ``owner``.
        """
        self._admit(owner)
        try:
            # No worker running nor starting (LibreOffice cannot start at all): 503 now, before
            # the caller takes a number that the conversion's timeout would void.
            self._pool.check_available()
        except BaseException:
            self._leave()
            raise
        coming = _Coming()
        with self._lock:
            self._coming += 1
        token, coming_token = _OWNER.set(owner), _COMING.set(coming)
        try:
            yield
        finally:
            _COMING.reset(coming_token)
            _OWNER.reset(token)
            with self._lock:
                self._arrived(coming)
            self._leave()

    def _admit(self, owner: str) -> None:
        with self._lock:
            if self._closed:
                raise ConverterUnavailable("Konverteris sustabdytas. Bandykite dar kartą.")
            if self._admitted < self.capacity and not len(self._waiters):
                self._admitted += 1
                return
            if len(self._waiters) >= self.max_waiting:
                self.stats.refused += 1
                raise self._busy()
            waiter = _Waiter(owner)
            self._waiters.put(owner, waiter)
        if waiter.event.wait(self.wait_s):
            return
        with self._lock:
            if waiter.granted:
                return
            self._waiters.remove(owner, waiter)
            self.stats.refused += 1
        raise self._busy()

    def _arrived(self, coming: _Coming | None) -> None:
        """The reservation's first conversion is queued (or it left without one); under the
        lock. A dispatcher waiting for it may go on."""
        if coming is None or not coming.pending:
            return
        coming.pending = False
        self._coming -= 1
        self._work.notify_all()

    def _busy(self) -> ConverterBusy:
        return ConverterBusy(
            "Visi dokumentų konverteriai užimti: dokumentas neišduotas ir numeris nepanaudotas. "
            f"Bandykite dar kartą po {ConverterBusy.retry_after_s} s."
        )

    def _leave(self) -> None:
        with self._lock:
            waiter = self._waiters.take()
            if waiter is None:
                self._admitted -= 1
                return
            # The place passes straight to the next user in turn.
            waiter.granted = True
            waiter.event.set()

    # -- conversion ----------------------------------------------------------------------------

    def convert_to_pdfa(self, docx: bytes) -> bytes:
        """Convert ``docx`` (joined with others of its template when they wait); blocks."""
        job = self._job(_OWNER.get(), docx)
        with self._lock:
            if self._closed:
                raise ConverterUnavailable("Konverteris sustabdytas. Bandykite dar kartą.")
            self._jobs.put(job.owner, job)
            self._work.notify_all()
            self._arrived(_COMING.get())
        return job.future.result()

    def convert_many(self, documents: list[bytes]) -> list[bytes | ServiceError]:
        """Queue ``documents`` together (one owner) and wait for all; each result is its PDF
        or the error it alone failed with."""
        owner = _OWNER.get()
        jobs = [self._job(owner, d) for d in documents]
        with self._lock:
            if self._closed:
                raise ConverterUnavailable("Konverteris sustabdytas. Bandykite dar kartą.")
            for job in jobs:
                self._jobs.put(owner, job)
            self._work.notify_all()
            self._arrived(_COMING.get())
        results: list[bytes | ServiceError] = []
        for job in jobs:
            try:
                results.append(job.future.result())
            except ServiceError as exc:
                results.append(exc)
        return results

    def _job(self, owner: str, docx: bytes) -> _Job:
        if not self.batching:
            return _Job(owner=owner, docx=docx, key=None)
        key, weight = join_key(docx), body_size(docx)
        # A body over the whole budget is converted alone: joining saves LibreOffice's fixed
        # cost per conversion, which is small beside the layout of such a document.
        return _Job(
            owner=owner,
            docx=docx,
            key=key if weight <= self.max_batch_bytes else None,
            weight=weight,
        )

    def _next(self) -> list[_Job] | None:
        with self._lock:
            while not len(self._jobs) or self._lingering:
                if self._closed:
                    return None
                self._work.wait()
            lead = self._jobs.take()
            assert lead is not None
            batch = [lead]
            if lead.key is not None and self.batching:
                self._linger()
                batch += self._jobs.take_matching(
                    lead.key,
                    self.max_batch - 1,
                    lambda job: job.key,
                    budget=self.max_batch_bytes - lead.weight,
                    weight_of=lambda job: job.weight,
                )
            return batch

    def _linger(self) -> None:
        """Wait (under the lock) while admitted requests are still coming and the batch is not
        full, at most ``linger_s``."""
        deadline = time.perf_counter() + self.linger_s
        self._lingering = True
        try:
            while self._coming > 0 and len(self._jobs) < self.max_batch - 1 and not self._closed:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return
                self._work.wait(left)
        finally:
            self._lingering = False
            self._work.notify_all()

    def _dispatch(self) -> None:
        while (batch := self._next()) is not None:
            if len(batch) == 1:
                job = batch[0]
                if not job.retried:
                    with self._lock:
                        self.stats.direct += 1
                        self.stats.handoff_s += time.perf_counter() - job.queued_at
                self._alone(job)
            else:
                self._joined(batch)

    def _alone(self, job: _Job) -> None:
        try:
            pdf = self._pool.convert_to_pdfa(job.docx)
        except BaseException as exc:
            job.future.set_exception(exc)
        else:
            job.future.set_result(pdf)

    def _joined(self, batch: list[_Job]) -> None:
        try:
            joined = join_docx([job.docx for job in batch])
            pdf = self._pool.convert_joined(joined, len(batch))
            parts = split_pdf(pdf, len(batch))
        except Exception as exc:  # any failure of the join, the conversion or the split
            log.warning(
                "joined conversion of %d documents failed (%s: %s): converting them alone",
                len(batch),
                type(exc).__name__,
                exc,
            )
            with self._lock:
                self.stats.batch_failures += 1
                # Back to the front of their owners' queues, never to be joined again: any
                # free dispatcher takes them, one by one.
                for job in reversed(batch):
                    job.key = None
                    job.retried = True
                    self._jobs.put(job.owner, job, front=True)
                self._work.notify_all()
            return
        with self._lock:
            self.stats.batches += 1
            self.stats.batched_documents += len(batch)
        for job, part in zip(batch, parts, strict=True):
            job.future.set_result(part)
