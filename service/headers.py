"""Response headers that keep Bylos's answers from being turned against their reader.

- Every answer: ``X-Content-Type-Options: nosniff`` (a stored upload or a JSON body is never
  sniffed into a page or a script).
- Every API answer: ``Cache-Control: no-store``; they carry pupils' personal data, which no
  shared cache or browser disk may keep.
- Every HTML page: a Content-Security-Policy that allows scripts, styles and frames from Bylos
  itself only and no inline script or style at all, so text that slipped into a page cannot
  run; ``frame-ancestors`` keeps other sites from framing it.

Headers a route set itself are kept (the pages set their own Cache-Control already).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/") or scope["path"] == "/openapi.json"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if api:
                    headers.setdefault("Cache-Control", "no-store")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                    headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, with_headers)
