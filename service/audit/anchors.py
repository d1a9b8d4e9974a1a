"""Anchors of the audit chain in the write-once store, and verification against them.

The chain in the database is unkeyed: whoever can write the database can rewrite an event and
recompute every later hash, and ``log.verify`` is satisfied. An anchor is a JSON object written
to the object store under COMPLIANCE lock, which nobody (Bylos included) can change or delete
before its date. It lists the id and hash of every event it covers, from the previous anchor's
last event (exclusive) to the chain's head, so the anchors together pin every event ever
anchored: ``verify`` walks the database's events in order and names the first one that an
anchor contradicts (rewritten, deleted, or slipped into an anchored range) or whose hash does
not chain.

Anchors are written on demand (API, ``bylos audit anchor``), at an interval while the service
runs (schedule.py), and after every fixity run, case closing and disposal execution (their
audit events mark the session; the write follows its commit, see ``install``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import logging
import re
import threading
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.audit.log import GENESIS, event_hash
from service.audit.models import AuditAnchor, AuditEvent, AuditHead
from service.audit.triggers import DUE
from service.db import session_scope
from service.errors import Conflict, StoreUnavailable
from service.timeutil import utcnow
from storage.errors import StorageError
from storage.objectstore import ObjectStorePort

log = logging.getLogger("bylos.audit")

PREFIX: Final = "audit/anchors/"
FORMAT: Final = "bylos-audit-anchor/1"
# One anchor object stays a few MB at most; a longer stretch is written as several.
MAX_EVENTS_PER_ANCHOR: Final = 50_000
# The key carries the range, so verification knows an anchor's place before reading it.
_KEY = re.compile(r"audit/anchors/(\d{12})-(\d{12})-([0-9a-f]{12})\.json")
_write_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class AnchorPolicy:
    """How anchors are written: their lock's length and, in the service, how often."""

    retention_years: int = 75
    interval_minutes: float = 60.0


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def anchor_key(from_event_id: int, event_id: int) -> str:
    return f"{PREFIX}{from_event_id:012d}-{event_id:012d}-{uuid.uuid4().hex[:12]}.json"


def _row_out(row: AuditAnchor) -> dict[str, Any]:
    return row.model_dump(mode="json")


# -- writing --------------------------------------------------------------------------------


def _previous(session: Session, store: ObjectStorePort) -> tuple[int, str]:
    """The last anchored event (id, hash) according to the store; (0, GENESIS) if none.

    The newest row is only an index: its object is read back and its own head believed, and a
    row whose object is gone or different is skipped (then the next anchor starts earlier,
    which costs size, never coverage).
    """
    rows = session.exec(select(AuditAnchor).order_by(col(AuditAnchor.event_id).desc()).limit(5))
    for row in rows:
        try:
            content = _parse(store.read(row.key, row.version_id), row.key)
        except (StorageError, ValueError):
            log.warning("audit anchor %s (row %s) does not read back; ignored", row.key, row.id)
            continue
        return int(content["event_id"]), str(content["event_hash"])
    return 0, GENESIS


def write_anchor(
    engine: Engine, store: ObjectStorePort, policy: AnchorPolicy, *, reason: str, by: str
) -> dict[str, Any]:
    """Anchor the chain up to its head; nothing is written when the head is anchored already.

    The stretch since the previous anchor is checked to chain before it is anchored: an anchor
    must never bless an edit made since the last one (Conflict then; run verify).
    """
    with _write_lock, session_scope(engine) as session:
        head = session.get(AuditHead, 1)
        if head is None or head.count == 0:
            return {"written": [], "event_id": None}
        tip = session.exec(select(AuditEvent).where(AuditEvent.hash == head.last_hash)).first()
        if tip is None or tip.id is None:
            raise Conflict(
                "Audito žurnalo grandinė pažeista (paskutinio įvykio nėra): inkaras "
                "neįrašomas. Paleiskite grandinės patikrą."
            )
        try:
            after_id, after_hash = _previous(session, store)
        except StorageError as exc:
            raise StoreUnavailable("Objektų saugykla nepasiekiama: inkaras neįrašytas.") from exc
        if after_id >= tip.id:
            return {"written": [], "event_id": after_id}
        stretch = list(
            session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.id) > after_id, col(AuditEvent.id) <= tip.id)
                .order_by(col(AuditEvent.id))
            )
        )
        prev = after_hash
        for item in stretch:
            if item.prev_hash != prev or event_hash(prev, item) != item.hash:
                raise Conflict(
                    f"Audito žurnalo įvykis Nr. {item.id} neatitinka grandinės: inkaras "
                    "neįrašomas. Paleiskite grandinės patikrą."
                )
            prev = item.hash
        count = head.count  # read with last_hash: they change together
        lock_until = _years_later(utcnow().date(), policy.retention_years)
        written: list[dict[str, Any]] = []
        start = after_id
        for at in range(0, len(stretch), MAX_EVENTS_PER_ANCHOR):
            part = stretch[at : at + MAX_EVENTS_PER_ANCHOR]
            last = part[-1]
            assert last.id is not None
            # Events after this part's last one are not yet counted in it.
            part_count = count - (len(stretch) - at - len(part))
            row = _put_anchor(store, start, last, part, part_count, lock_until, reason, by)
            session.add(row)
            session.flush()
            written.append(_row_out(row))
            start = last.id
        log.info("audit anchored up to event %s (%s, %s)", tip.id, reason, by)
        return {"written": written, "event_id": tip.id}


def _put_anchor(
    store: ObjectStorePort,
    from_event_id: int,
    last: AuditEvent,
    part: list[AuditEvent],
    count: int,
    lock_until: dt.date,
    reason: str,
    by: str,
) -> AuditAnchor:
    assert last.id is not None
    written_at = utcnow()
    content = {
        "format": FORMAT,
        "from_event_id": from_event_id,
        "event_id": last.id,
        "event_hash": last.hash,
        "event_at": last.at.astimezone(dt.UTC).isoformat(),
        "count": count,
        "written_at": written_at.isoformat(),
        "reason": reason,
        "by": by,
        "events": [[item.id, item.hash] for item in part],
    }
    data = json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode()
    key = anchor_key(from_event_id, last.id)
    try:
        stored = store.put(
            key,
            data,
            retain_until=lock_until,
            content_type="application/json",
            metadata={"bylos-kind": "audit-anchor"},
        )
    except StorageError as exc:
        raise StoreUnavailable("Objektų saugykla nepasiekiama: inkaras neįrašytas.") from exc
    return AuditAnchor(
        written_at=written_at,
        reason=reason,
        from_event_id=from_event_id,
        event_id=last.id,
        event_hash=last.hash,
        count=count,
        events=len(part),
        key=key,
        version_id=stored.version_id,
        sha256=stored.sha256,
        size=stored.size,
        lock_until=lock_until,
    )


# -- after fixity, closing, disposal --------------------------------------------------------

_writers: weakref.WeakKeyDictionary[Engine, Callable[[str], None]] = weakref.WeakKeyDictionary()
_listening = False


def _after_commit(session: Session) -> None:
    reason = session.info.pop(DUE, None)
    if reason is None:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    writer = _writers.get(engine) if engine is not None else None
    if writer is not None:
        writer(reason)


def _after_rollback(session: Session) -> None:
    session.info.pop(DUE, None)


def install(engine: Engine, store: ObjectStorePort, policy: AnchorPolicy) -> Callable[[], None]:
    """Write an anchor after each commit that recorded one of ANCHOR_AFTER on ``engine``;
    returns the uninstall. The write happens in the committing thread, after the commit: the
    work it follows is done, and a failure is logged, never raised into it."""
    global _listening
    if not _listening:
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
        _listening = True

    def write(reason: str) -> None:
        try:
            write_anchor(engine, store, policy, reason=reason, by="Bylos")
        except Exception:
            log.exception("audit anchor after %s was not written", reason)

    _writers[engine] = write
    return lambda: _writers.pop(engine, None) and None


# -- verification ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Anchor:
    key: str
    version_id: str
    from_event_id: int
    event_id: int


@dataclass(slots=True)
class AnchoredReport:
    ok: bool
    events: int
    first_broken: int | None
    tail_missing: bool = False
    why: str | None = None
    anchors_checked: int = 0
    covered_events: int = 0
    latest: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    def out(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "first_broken": self.first_broken,
            "anchors": {
                "checked": self.anchors_checked,
                "covered_events": self.covered_events,
                "latest": self.latest,
                "problems": self.problems,
            },
            "detail": self.detail(),
        }

    def detail(self) -> str:
        if self.ok:
            text = f"Audito žurnalo grandinė vientisa: patikrinta įvykių: {self.events}"
            if self.latest is None:
                return text + "; saugykloje inkarų dar nėra."
            return (
                text + f"; sutikrinta su saugyklos inkarais: {self.anchors_checked} "
                f"(paskutinis – įvykis Nr. {self.latest['event_id']}, "
                f"{self.latest['written_at'][:16].replace('T', ' ')} UTC)."
            )
        if self.first_broken is not None:
            return (
                "Audito žurnalo grandinė pažeista: pirmas netinkamas įvykis "
                f"Nr. {self.first_broken} ({self.why})."
            )
        if self.tail_missing:
            return "Audito žurnalo grandinė pažeista: ištrinti paskutiniai įvykiai."
        return "Audito žurnalo inkarai pažeisti: " + "; ".join(self.problems) + "."


def _parse(data: bytes, key: str) -> dict[str, Any]:
    content = json.loads(data)
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ValueError(f"{key}: not a {FORMAT}")
    events = content.get("events")
    if not isinstance(events, list) or not all(
        isinstance(e, list) and len(e) == 2 and isinstance(e[0], int) and isinstance(e[1], str)
        for e in events
    ):
        raise ValueError(f"{key}: malformed events")
    return content


def _listing(store: ObjectStorePort) -> tuple[list[_Anchor], list[str]]:
    anchors: list[_Anchor] = []
    problems: list[str] = []
    for info in store.list_versions(PREFIX):
        if info.is_delete_marker:
            continue  # a marker hides nothing from a versioned listing
        found = _KEY.fullmatch(info.key)
        if found is None:
            problems.append(f"svetimas objektas inkarų vietoje: {info.key}")
            continue
        anchors.append(_Anchor(info.key, info.version_id, int(found.group(1)), int(found.group(2))))
    anchors.sort(key=lambda a: (a.from_event_id, a.event_id, a.key))
    return anchors, problems


def _events(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every event in id order, read in batches by key (a fifty-year chain does not fit in
    memory; keyset pages leave no server-side cursor open when the walk stops early)."""
    after = -1
    while True:
        page = list(
            session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.id) > after)
                .order_by(col(AuditEvent.id))
                .limit(batch)
            )
        )
        yield from page
        if len(page) < batch:
            return
        last = page[-1].id
        assert last is not None
        after = last
        session.expunge_all()  # what was walked past is not kept in the identity map


class _Expectations:
    """What the anchors say about events not yet reached in the walk, loaded lazily."""

    def __init__(self, store: ObjectStorePort, anchors: list[_Anchor], report: AnchoredReport):
        self._store = store
        self._pending = list(reversed(anchors))  # pop() gives the next by from_event_id
        self._report = report
        self.hashes: dict[int, list[tuple[str, str]]] = {}  # event id -> [(hash, anchor key)]
        self._ranges: list[tuple[int, int]] = []  # heap of (last id, first id exclusive)
        self.latest: dict[str, Any] | None = None

    def activate(self, upto: int) -> list[tuple[int, str]]:
        """Load the anchors whose range reaches ``upto``; their ids below it never came."""
        missing: list[tuple[int, str]] = []
        while self._pending and self._pending[-1].from_event_id < upto:
            anchor = self._pending.pop()
            try:
                content = _parse(self._store.read(anchor.key, anchor.version_id), anchor.key)
                if (content["from_event_id"], content["event_id"]) != (
                    anchor.from_event_id,
                    anchor.event_id,
                ):
                    raise ValueError(f"{anchor.key}: range differs from its name")
            except (StorageError, ValueError) as exc:
                self._report.problems.append(f"inkaras {anchor.key} neperskaitomas ({exc})")
                continue
            self._report.anchors_checked += 1
            heapq.heappush(self._ranges, (anchor.event_id, anchor.from_event_id))
            if self.latest is None or anchor.event_id >= self.latest["event_id"]:
                self.latest = {
                    "event_id": anchor.event_id,
                    "written_at": str(content.get("written_at", "")),
                    "key": anchor.key,
                }
            for event_id, hash_ in content["events"]:
                self._report.covered_events += 1
                if event_id < upto:
                    missing.append((event_id, anchor.key))
                else:
                    self.hashes.setdefault(event_id, []).append((hash_, anchor.key))
        return missing

    def covered(self, event_id: int) -> bool:
        """Whether an anchor's range includes ``event_id`` (the walk only moves forward)."""
        while self._ranges and self._ranges[0][0] < event_id:
            heapq.heappop(self._ranges)
        return any(first < event_id for _last, first in self._ranges)


def verify(engine: Engine, store: ObjectStorePort) -> AnchoredReport:
    """The hash chain recomputed, and every anchor in the store compared with the database."""
    try:
        anchors, problems = _listing(store)
    except StorageError as exc:
        raise StoreUnavailable(
            "Objektų saugykla nepasiekiama: audito žurnalo inkarų patikrinti nepavyko."
        ) from exc
    report = AnchoredReport(ok=True, events=0, first_broken=None, problems=problems)
    anchored = _Expectations(store, anchors, report)

    def broken(event_id: int, why: str) -> AnchoredReport:
        report.ok = False
        report.first_broken = event_id
        report.why = why
        report.latest = anchored.latest
        return report

    prev = GENESIS
    try:
        with session_scope(engine) as session:
            for item in _events(session):
                assert item.id is not None
                report.events += 1
                findings = [
                    (event_id, f"ištrintas, nors užfiksuotas inkare {key}")
                    for event_id, key in anchored.activate(item.id)
                ]
                claims = anchored.hashes.pop(item.id, None)
                if claims is not None:
                    findings += [
                        (item.id, f"nesutampa su inkaru {key}")
                        for hash_, key in claims
                        if hash_ != item.hash
                    ]
                elif anchored.covered(item.id):
                    findings.append((item.id, "įterptas į inkaru užfiksuotą atkarpą"))
                if item.prev_hash != prev or event_hash(prev, item) != item.hash:
                    findings.append((item.id, "jo maiša ar ryšys su ankstesniuoju neteisingi"))
                if findings:
                    return broken(*min(findings))
                prev = item.hash
            head = session.get(AuditHead, 1)
            tail_missing = head is not None and head.last_hash != prev
        # Anchored events after the database's last one: the tail was cut off.
        leftovers = sorted(
            [(event_id, key) for event_id, claims in anchored.hashes.items() for _h, key in claims]
            + anchored.activate(2**62)
        )
    except StorageError as exc:
        raise StoreUnavailable(
            "Objektų saugykla nepasiekiama: audito žurnalo inkarų patikrinti nepavyko."
        ) from exc
    if leftovers:
        event_id, key = leftovers[0]
        return broken(event_id, f"ištrintas, nors užfiksuotas inkare {key}")
    report.latest = anchored.latest
    report.tail_missing = tail_missing
    report.ok = not tail_missing and not report.problems
    return report


def listed(engine: Engine, limit: int) -> list[dict[str, Any]]:
    with session_scope(engine) as session:
        rows = session.exec(select(AuditAnchor).order_by(col(AuditAnchor.id).desc()).limit(limit))
        return [_row_out(row) for row in rows]
