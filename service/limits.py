"""Request body limits for /api/: memory stays bounded whatever a client sends.

JSON calls may carry up to 2 MiB (the largest real payload, a class summary of 40 pupils x 20
subjects, is ~60 KiB); file uploads and batches up to 16 MiB. A body over the limit is refused
with 413 before it is parsed, whether it announces its length or streams it chunked.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ServiceError

MiB = 1024 * 1024
JSON_LIMIT = 2 * MiB
BULK_LIMIT = 16 * MiB
_BULK_SUFFIXES = ("/upload", "/batch")
# The e-journal export is streamed to disk in chunks (service/archive/journal.py): its memory
# stays bounded whatever its size; 5 GiB is the single-PUT limit of S3.
STREAM_LIMIT = 5 * 1024 * MiB
_STREAM_PATHS = ("/api/journal-transfers",)


class PayloadTooLarge(ServiceError):
    status_code = 413


def limit_for(path: str) -> int:
    if path.rstrip("/") in _STREAM_PATHS:
        return STREAM_LIMIT
    return BULK_LIMIT if path.rstrip("/").endswith(_BULK_SUFFIXES) else JSON_LIMIT


def _refusal(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Užklausos turinys per didelis: leidžiama ne daugiau kaip {limit // MiB} MiB."
    )


class BodySizeLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_refusal(send, _refusal(limit))
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the app's body read: the ServiceError handler answers 413.
                    raise _refusal(limit)
            return message

        await self.app(scope, counting_receive, send)


async def _send_refusal(send: Send, exc: PayloadTooLarge) -> None:
    body = json.dumps({"error": exc.code, "detail": exc.detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": exc.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
