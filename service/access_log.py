"""Bylos's own access log: method, path, status, duration; never the query string.

Uvicorn's access log prints the request line whole, and pupils' names travel in queries
(``/api/documents?q=Jonaitis``), so ``bylos serve`` turns it off and this middleware writes one
line per request instead. The path is re-quoted, so a decoded control character (``%0A``)
cannot forge a second log line.
"""

from __future__ import annotations

import copy
import logging
import time
from typing import Any, Final
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLog", "log_config"]

log = logging.getLogger("bylos.access")
# Characters a path may show as they are; everything else is percent-encoded again.
_PATH_SAFE: Final = "/:@!$&'()*+,;=-._~"


class AccessLog:
    """Pure ASGI middleware (no body buffering), outermost, so it sees the final status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app fails before starting a response

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            client = scope.get("client")
            log.info(
                "%s %s %d %.1f ms %s",
                scope["method"],
                quote(scope["path"], safe=_PATH_SAFE),
                status,
                (time.perf_counter() - started) * 1000,
                client[0] if client else "-",
            )


def log_config() -> dict[str, Any]:
    """Uvicorn's logging set-up plus the ``bylos`` loggers (access lines, store supervision)
    on the same handler and format."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["bylos"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
