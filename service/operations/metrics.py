"""`/metrics` in the Prometheus text format.

Two kinds of figures. Events that happen in this process (a conversion and how long it took, a
request that failed because the store or converter was down, a refused sign-in) are counted as
they happen. Everything the records already know (documents issued per kind, the last fixity
run, the last backup, void numbers) is read from the database at scrape time, so it is right
after a restart and counts what CLI commands did too.

Counters kept by a component itself (a supervisor's restarts) are sampled at scrape time from
the ``SAMPLED`` table: one line per counter.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Final, Literal

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import col, select

from service.archive.models import FixityRun
from service.db import session_scope
from service.documents.issuing import Converter
from service.documents.models import Document
from service.errors import ConverterUnavailable, DependencyUnavailable, StoreUnavailable
from service.operations.models import BackupRun, BackupStatus
from service.registry.models import EntryStatus, RegistryEntry
from service.runtime import Runtime
from service.timeutil import utcnow

# Conversions take ~0.1 s warm, seconds when a worker is being replaced, up to the timeout.
_LATENCY_BUCKETS: Final = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 60)
_FIXITY_RESULTS: Final = ("mismatched", "missing", "orphans", "lock_problems")


@dataclass(frozen=True, slots=True)
class Sampled:
    """A number a component keeps itself, read when Prometheus scrapes."""

    name: str
    kind: Literal["counter", "gauge"]
    help: str
    read: Callable[[Any], float | int | None]  # None: the component does not keep it


def _attribute(path: str) -> Callable[[Any], float | int | None]:
    """Reads ``app.state.<path>`` (dotted), or None when any part is missing."""

    def read(state: Any) -> float | int | None:
        value: Any = state
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value if isinstance(value, int | float) else None

    return read


SAMPLED: tuple[Sampled, ...] = (
    Sampled(
        "bylos_converter_restarts_total",
        "counter",
        "LibreOffice workers replaced after a crash, a hang or their conversion quota.",
        _attribute("runtime.converter.restarts"),
    ),
    Sampled(
        "bylos_converter_crashes_total",
        "counter",
        "LibreOffice workers found dead (killed, crashed, hung) and replaced.",
        _attribute("runtime.converter.crashes"),
    ),
    Sampled(
        "bylos_converter_batches_total",
        "counter",
        "Joined conversions: several waiting documents converted as one and split again.",
        _attribute("runtime.converter.stats.batches"),
    ),
    Sampled(
        "bylos_converter_batched_documents_total",
        "counter",
        "Documents converted inside joined conversions.",
        _attribute("runtime.converter.stats.batched_documents"),
    ),
    Sampled(
        "bylos_converter_batch_failures_total",
        "counter",
        "Joined conversions that failed; their documents were converted one by one.",
        _attribute("runtime.converter.stats.batch_failures"),
    ),
    Sampled(
        "bylos_converter_refused_total",
        "counter",
        "Requests refused with 503 because no converter place freed in time (no number taken).",
        _attribute("runtime.converter.stats.refused"),
    ),
    Sampled(
        "bylos_store_restarts_total",
        "counter",
        "Restarts of the embedded SeaweedFS by its supervisor.",
        _attribute("store_launcher.restarts"),
    ),
    Sampled(
        "bylos_store_crashes_total",
        "counter",
        "Exits of the embedded SeaweedFS that nobody asked for.",
        _attribute("store_launcher.crashes"),
    ),
)


class Metrics:
    """The service's registry and its event counters (one per app, so tests do not share)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.conversion_seconds = Histogram(
            "bylos_conversion_seconds",
            "Time from asking for a PDF/A conversion to getting it (waiting for a worker "
            "included).",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.conversion_failures = Counter(
            "bylos_conversion_failures",
            "Conversions that failed (worker down, timeout, rejected document).",
            registry=self.registry,
        )
        self.dependency_errors = Counter(
            "bylos_dependency_errors",
            "Requests answered 503 because a dependency was down.",
            ["dependency"],
            registry=self.registry,
        )
        self.signin_failures = Counter(
            "bylos_signin_failures",
            "Refused sign-ins: a wrong password or an unknown or revoked API token; busy: no "
            "password-check slot freed (a sign-in or a password change).",
            ["method"],
            registry=self.registry,
        )
        self._state: Any = None
        self.registry.register(_RecordsCollector(self))

    def bind(self, state: Any) -> None:
        """``state``: the app's state, holding the runtime and the store's launcher."""
        self._state = state

    @property
    def state(self) -> Any:
        return self._state

    @property
    def runtime(self) -> Runtime | None:
        return getattr(self._state, "runtime", None)

    def dependency_failed(self, exc: DependencyUnavailable) -> None:
        if isinstance(exc, StoreUnavailable):
            name = "store"
        elif isinstance(exc, ConverterUnavailable):
            name = "converter"
        else:
            name = "database"
        self.dependency_errors.labels(name).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


class InstrumentedConverter:
    """Times every conversion and counts those waiting for a worker; otherwise the pool itself
    (its other attributes pass through)."""

    def __init__(self, inner: Converter, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics
        self._lock = threading.Lock()
        self._in_flight = 0

    def convert_to_pdfa(self, docx: bytes) -> bytes:
        with self._lock:
            self._in_flight += 1
        started = time.perf_counter()
        try:
            pdf = self._inner.convert_to_pdfa(docx)
        except BaseException:
            self._metrics.conversion_failures.inc()
            raise
        finally:
            with self._lock:
                self._in_flight -= 1
        self._metrics.conversion_seconds.observe(time.perf_counter() - started)
        return pdf

    def ping(self) -> None:
        self._inner.ping()

    def reserve(self, owner: str) -> AbstractContextManager[None]:
        reserve = getattr(self._inner, "reserve", None)
        return reserve(owner) if reserve is not None else contextlib.nullcontext()

    @property
    def waiting(self) -> int:
        """Conversions asked for beyond the workers there are: the queue's depth."""
        own = getattr(self._inner, "waiting", None)
        if isinstance(own, int):
            return own  # the conversion queue counts its waiting requests itself
        size = getattr(self._inner, "size", None)
        with self._lock:
            busy = self._in_flight
        return max(0, busy - size) if isinstance(size, int) else busy

    @property
    def inner(self) -> Converter:
        return self._inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _timestamp(at: dt.datetime | None) -> float:
    return at.timestamp() if at is not None else math.nan


def _age(at: dt.datetime | None, now: dt.datetime) -> float:
    # Never: +Inf, so an alert on "older than N" fires for a service never backed up.
    return (now - at).total_seconds() if at is not None else math.inf


def fixity_clean(run: FixityRun) -> bool:
    report = run.report or {}
    return not any(report.get(key) for key in _FIXITY_RESULTS)


def last_clean_fixity(session: Any) -> FixityRun | None:
    for run in session.exec(select(FixityRun).order_by(col(FixityRun.id).desc()).limit(200)):
        if fixity_clean(run):
            return run  # type: ignore[no-any-return]
    return None


class _RecordsCollector(Collector):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def describe(self) -> Iterable[Metric]:
        return []  # figures depend on the records: no fixed description

    def collect(self) -> Iterator[Metric]:
        runtime = self._metrics.runtime
        if runtime is None:
            return
        yield from self._records(runtime)
        converter = runtime.converter
        if isinstance(converter, InstrumentedConverter):
            yield GaugeMetricFamily(
                "bylos_converter_queue_depth",
                "Conversions waiting for a free LibreOffice worker.",
                value=converter.waiting,
            )
        for sampled in SAMPLED:
            value = sampled.read(self._metrics.state)
            if value is None:
                continue
            family = (
                CounterMetricFamily(sampled.name.removesuffix("_total"), sampled.help, value=value)
                if sampled.kind == "counter"
                else GaugeMetricFamily(sampled.name, sampled.help, value=value)
            )
            yield family

    def _records(self, runtime: Runtime) -> Iterator[Metric]:
        now = utcnow()
        try:
            read = _read_records(runtime)
        except DependencyUnavailable:
            return  # the database is down: /metrics still answers with what the process knows
        yield from _register_families(read)
        yield from _fixity_families(read.last_run, read.clean_run, now)
        yield from _backup_families(read.backup, now)


@dataclass(frozen=True, slots=True)
class _Records:
    """The database's figures /metrics reports, read in one short transaction."""

    per_kind: list[tuple[str, int]]
    void: int
    last_run: FixityRun | None
    clean_run: FixityRun | None
    backup: BackupRun | None


def _read_records(runtime: Runtime) -> _Records:
    """Read the figures; DependencyUnavailable when the database is down."""
    with session_scope(runtime.engine) as session:
        per_kind = session.exec(
            select(Document.kind, func.count()).group_by(col(Document.kind))
        ).all()
        void = session.exec(
            select(func.count()).where(RegistryEntry.status == EntryStatus.void)
        ).one()
        last_run = session.exec(
            select(FixityRun).order_by(col(FixityRun.id).desc()).limit(1)
        ).first()
        clean_run = last_clean_fixity(session)
        backup = session.exec(
            select(BackupRun)
            .where(BackupRun.status == BackupStatus.completed)
            .order_by(col(BackupRun.finished_at).desc())
            .limit(1)
        ).first()
    return _Records(list(per_kind), void, last_run, clean_run, backup)


def _register_families(read: _Records) -> Iterator[Metric]:
    """Documents issued by kind and numbers voided."""
    issued = CounterMetricFamily(
        "bylos_documents_issued", "Documents registered, by kind.", labels=["kind"]
    )
    for kind, count in read.per_kind:
        issued.add_metric([kind], count)
    yield issued
    yield CounterMetricFamily(
        "bylos_registry_void_numbers", "Registry numbers voided, with a reason.", value=read.void
    )


def _fixity_families(
    last_run: FixityRun | None, clean_run: FixityRun | None, now: dt.datetime
) -> Iterator[Metric]:
    """The last fixity run's results, and when the last clean one finished."""
    results = GaugeMetricFamily(
        "bylos_fixity_last_run_objects",
        "Objects of the last fixity run, by result.",
        labels=["result"],
    )
    if last_run is not None:
        report = last_run.report or {}
        results.add_metric(["ok"], last_run.ok)
        for key in _FIXITY_RESULTS:
            found = report.get(key)
            results.add_metric([key], len(found) if isinstance(found, list) else 0)
    yield results
    yield GaugeMetricFamily(
        "bylos_fixity_last_run_clean",
        "1 when the last fixity run found nothing wrong, 0 otherwise (absent: never run).",
        value=float(fixity_clean(last_run)) if last_run is not None else math.nan,
    )
    clean_at = clean_run.finished_at if clean_run else None
    yield GaugeMetricFamily(
        "bylos_fixity_last_clean_timestamp_seconds",
        "When the last clean fixity run finished (Unix time).",
        value=_timestamp(clean_at),
    )
    yield GaugeMetricFamily(
        "bylos_fixity_last_clean_age_seconds",
        "Seconds since the last clean fixity run (+Inf: never).",
        value=_age(clean_at, now),
    )


def _backup_families(backup: BackupRun | None, now: dt.datetime) -> Iterator[Metric]:
    """When the last completed backup finished, and how long ago."""
    backup_at = backup.finished_at if backup else None
    yield GaugeMetricFamily(
        "bylos_backup_last_completed_timestamp_seconds",
        "When the last completed backup finished (Unix time).",
        value=_timestamp(backup_at),
    )
    yield GaugeMetricFamily(
        "bylos_backup_age_seconds",
        "Seconds since the last completed backup (+Inf: never).",
        value=_age(backup_at, now),
    )
