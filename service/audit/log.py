"""Append to and verify the hash-chained audit log.

Each event's hash covers its content and the previous event's hash, so editing or deleting a
past event breaks the chain from that point; ``verify`` finds the first broken event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.audit.models import AuditEvent, AuditHead
from service.audit.triggers import mark_due
from service.timeutil import utcnow

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Actor:
    id: int | None
    name: str


SYSTEM = Actor(id=None, name="Bylos")


def _canonical_time(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "at": _canonical_time(event.at),
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "action": event.action,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "detail": event.detail,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    subject_type: str = "",
    subject_id: str = "",
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction."""
    # Taking the write lock first (an UPDATE) serialises appenders on both databases: on
    # PostgreSQL it row-locks the head, on SQLite it upgrades to the database write lock before
    # the read, so two appenders never chain onto the same tip.
    # The head row is created by the first migration. The tip is read in the same statement
    # (RETURNING), after the lock is held.
    tip: str = session.execute(
        update(AuditHead)
        .where(col(AuditHead.id) == 1)
        .values(count=AuditHead.count + 1)
        .returning(col(AuditHead.last_hash))
    ).scalar_one()
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=json.loads(json.dumps(detail or {}, default=str)),
        prev_hash=tip,
        hash="",
    )
    event.hash = event_hash(tip, event)
    session.add(event)
    session.flush()
    session.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(last_hash=event.hash))
    # Some actions (fixity, closing, disposal) are followed by an anchor in the store.
    mark_due(session, action)
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    events: int
    first_broken: int | None


def verify(session: Session) -> ChainReport:
    prev = GENESIS
    count = 0
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        count += 1
        if event.prev_hash != prev or event_hash(prev, event) != event.hash:
            return ChainReport(ok=False, events=count, first_broken=event.id)
        prev = event.hash
    head = session.get(AuditHead, 1)
    if head is not None and head.last_hash != prev:
        # Events were removed from the end of the chain.
        return ChainReport(ok=False, events=count, first_broken=None)
    return ChainReport(ok=True, events=count, first_broken=None)
