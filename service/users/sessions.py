"""Server-side browser sessions: started at sign-in, ended by signing out, by a password change
or reset, or by deactivating the account; a copied cookie is worth nothing after any of them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import update
from sqlmodel import Session, col

from service.timeutil import utcnow
from service.users.models import WebSessionRecord

# A working day and a bit: staff sign in in the morning, the session does not outlive the night.
LIFETIME = dt.timedelta(hours=12)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(db: Session, user_id: int) -> tuple[str, str]:
    """A new session for the user: (the id for the cookie, its CSRF token)."""
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
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
    return int(getattr(result, "rowcount", 0) or 0)
