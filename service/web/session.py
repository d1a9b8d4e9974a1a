"""The browser session: a signed, HttpOnly cookie holding only a random session id.

Who is signed in is kept server-side (service/users/sessions.py), so signing out, a password
change and deactivation end a session at once, and a cookie copied before that is refused.
Before sign-in the cookie carries only the anonymous CSRF token of the sign-in form. The
signature (a key made once per installation, in the data directory) makes a forged cookie
fail before the database is asked.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response

from service.db import session_scope
from service.users import sessions

COOKIE = "bylos_sesija"
MAX_AGE_S = int(sessions.LIFETIME.total_seconds())


def _secret(data_dir: Path) -> bytes:
    path = data_dir / "web-session.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when two workers start at once, one writes and the other reads its key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


@dataclass
class WebSession:
    engine: Engine | None = None
    user_id: int | None = None
    session_id: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    dirty: bool = False

    def sign_in(self, user_id: int) -> None:
        # A new session id and CSRF token at sign-in: nothing seen before is worth anything after.
        assert self.engine is not None
        with session_scope(self.engine) as db:
            if self.session_id:
                sessions.end(db, self.session_id)
            self.session_id, self.csrf = sessions.start(db, user_id)
        self.user_id = user_id
        self.dirty = True

    def sign_out(self) -> None:
        if self.session_id and self.engine is not None:
            with session_scope(self.engine) as db:
                sessions.end(db, self.session_id)
        self.user_id = None
        self.session_id = None
        self.csrf = secrets.token_urlsafe(32)
        self.dirty = True

    def csrf_ok(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf.encode(), (sent or "").encode())


class SessionCodec:
    def __init__(self, data_dir: Path) -> None:
        self._serializer = URLSafeTimedSerializer(_secret(data_dir), salt="bylos-web-session")

    def load(self, request: Request, engine: Engine) -> WebSession:
        raw = request.cookies.get(COOKIE)
        data: object = None
        if raw:
            try:
                data = self._serializer.loads(raw, max_age=MAX_AGE_S)
            except BadSignature:
                data = None
        if isinstance(data, dict):
            sid = data.get("sid")
            if isinstance(sid, str) and sid:
                with session_scope(engine) as db:
                    row = sessions.find(db, sid)
                    if row is not None and row.user_id is not None:
                        return WebSession(
                            engine=engine, user_id=row.user_id, session_id=sid, csrf=row.csrf
                        )
                # Ended or expired: a new anonymous session (the cookie is replaced).
                return WebSession(engine=engine, dirty=True)
            csrf = data.get("csrf")
            if isinstance(csrf, str) and csrf:
                return WebSession(engine=engine, csrf=csrf)
        # No (valid) cookie: a new anonymous session, so even the sign-in form has a token.
        return WebSession(engine=engine, dirty=True)

    def save(self, request: Request, response: Response, session: WebSession) -> None:
        content = {"sid": session.session_id} if session.session_id else {"csrf": session.csrf}
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(content),
            max_age=MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
