"""The browser session: a signed, HttpOnly cookie holding who signed in and the CSRF token.

Nothing secret is in the cookie (it is signed, not encrypted): the user id, a per-session CSRF
token and a fingerprint of the password hash, so a changed password ends every old session.
The signing key is made once per installation and kept in the data directory.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "bylos_sesija"
# A working day and a bit: staff sign in in the morning, the session does not outlive the night.
MAX_AGE_S = 12 * 60 * 60


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


def password_fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


@dataclass
class WebSession:
    user_id: int | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    fingerprint: str = ""
    dirty: bool = False

    def sign_in(self, user_id: int, password_hash: str | None) -> None:
        # A fresh CSRF token at sign-in: a token seen before signing in is worth nothing after.
        self.user_id = user_id
        self.fingerprint = password_fingerprint(password_hash)
        self.csrf = secrets.token_urlsafe(32)
        self.dirty = True

    def sign_out(self) -> None:
        self.user_id = None
        self.fingerprint = ""
        self.csrf = secrets.token_urlsafe(32)
        self.dirty = True

    def csrf_ok(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf.encode(), (sent or "").encode())


class SessionCodec:
    def __init__(self, data_dir: Path) -> None:
        self._serializer = URLSafeTimedSerializer(_secret(data_dir), salt="bylos-web-session")

    def load(self, request: Request) -> WebSession:
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = self._serializer.loads(raw, max_age=MAX_AGE_S)
            except BadSignature:
                data = None
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                uid = data.get("uid")
                return WebSession(
                    user_id=uid if isinstance(uid, int) else None,
                    csrf=data["csrf"],
                    fingerprint=str(data.get("fp", "")),
                )
        # No (valid) cookie: a new anonymous session, so even the sign-in form has a token.
        return WebSession(dirty=True)

    def save(self, request: Request, response: Response, session: WebSession) -> None:
        value = self._serializer.dumps(
            {"uid": session.user_id, "csrf": session.csrf, "fp": session.fingerprint}
        )
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
