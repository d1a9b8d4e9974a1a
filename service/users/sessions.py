"""Server-side browser sessions: started at sign-in, ended by signing out, by a password change
or reset, or by deactivating the account; a copied cookie is worth nothing after any of them.

A session that ended or expired is deleted a day later (``purge``): at every sign-in, a bounded
batch (sign-in is the only thing that adds rows, so the table cannot outgrow the live sessions
and a day's history), and all of them when the service starts. The audit log keeps the sign-ins
themselves (``user.signed_in``) and every ending of sessions; nothing of it is deleted here."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, or_, select, update
from sqlmodel import Session, col

from service.db import rows_affected
from service.timeutil import utcnow
from service.users.models import WebSessionRecord

# A working day and a bit: staff sign in in the morning, the session does not outlive the night.
LIFETIME = dt.timedelta(hours=12)
# How long an ended or expired session's row stays: a day's history (who was signed in when it
# ended, with the CSRF token it had) for whoever looks into yesterday, then it goes. A purged row
# and an ended one answer a cookie alike: not signed in.
KEEP_ENDED = dt.timedelta(days=1)
# Rows one sign-in deletes at most: far more than the one it adds, so a backlog shrinks, yet
# small enough that the sign-in that meets a backlog is not held up by it.
PURGE_BATCH = 200


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(db: Session, user_id: int) -> tuple[str, str]:
    """A new session for the user: (the id for the cookie, its CSRF token)."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    purge(db, now=now)
    db.add(
        WebSessionRecord(
            id_hash=_hash(session_id),
            user_id=user_id,
            csrf=csrf,
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    db.flush()
    return session_id, csrf


def find(db: Session, session_id: str) -> WebSessionRecord | None:
    """The live session with this id (not ended, not expired), or None."""
    row = db.get(WebSessionRecord, _hash(session_id))
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        return None
    return row


def end(db: Session, session_id: str) -> None:
    row = db.get(WebSessionRecord, _hash(session_id))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        db.add(row)


def end_all(db: Session, user_id: int) -> int:
    """End every live session of the user; how many were ended."""
    result = db.execute(
        update(WebSessionRecord)
        .where(
            col(WebSessionRecord.user_id) == user_id,
            col(WebSessionRecord.ended_at).is_(None),
        )
        .values(ended_at=utcnow())
    )
    return rows_affected(result)


def purge(db: Session, *, now: dt.datetime | None = None, limit: int | None = PURGE_BATCH) -> int:
    """Delete sessions that ended or expired more than KEEP_ENDED ago, at most ``limit`` of them
    (None: all); how many were deleted. Live sessions are never touched."""
    cutoff = (now or utcnow()) - KEEP_ENDED
    over = select(col(WebSessionRecord.id_hash)).where(
        or_(
            col(WebSessionRecord.expires_at) <= cutoff,
            col(WebSessionRecord.ended_at) <= cutoff,
        )
    )
    if limit is not None:
        # Two sign-ins at once on PostgreSQL each take rows the other has not locked, instead
        # of waiting on (or deadlocking over) the same ones; SQLite has one writer anyway.
        over = over.limit(limit).with_for_update(skip_locked=True)
    result = db.execute(delete(WebSessionRecord).where(col(WebSessionRecord.id_hash).in_(over)))
    return rows_affected(result)
