"""Request body limits for every path, API and pages: memory and disk stay bounded whatever a
client sends.

JSON calls may carry up to 2 MiB (the largest real payload, a class summary of 40 pupils x 20
subjects, is ~60 KiB); file uploads and batches up to 16 MiB. A page's form up to 1 MiB, its
spreadsheet upload up to 16 MiB. A body over the limit is refused with 413 before it is parsed,
whether it announces its length or streams it chunked (before, an anonymous 400 MB chunked
upload to a page was spooled to disk before the CSRF check refused it).
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ServiceError

MiB = 1024 * 1024
JSON_LIMIT = 2 * MiB
BULK_LIMIT = 16 * MiB
_BULK_SUFFIXES = ("/upload", "/batch")
# The e-journal export is streamed to disk in chunks (service/archive/journal.py): its memory
# stays bounded whatever its size; 5 GiB is the single-PUT limit of S3.
STREAM_LIMIT = 5 * 1024 * MiB
_STREAM_PATHS = ("/api/journal-transfers", "/archyvas/dienynas")
# Pages: a form is a few KiB; the pages that take a spreadsheet take what the API takes.
FORM_LIMIT = 1 * MiB
_PAGE_UPLOADS = re.compile(
    r"^/(isduoti/[^/]+/(perziura|isduoti)|planas/[^/]+/importas|archyvas/taisykles/importas)$"
)


class PayloadTooLarge(ServiceError):
    status_code = 413


def limit_for(path: str) -> int:
    path = path.rstrip("/")
    if path in _STREAM_PATHS:
        return STREAM_LIMIT
    if not path.startswith("/api/"):
        return BULK_LIMIT if _PAGE_UPLOADS.match(path) else FORM_LIMIT
    return BULK_LIMIT if path.endswith(_BULK_SUFFIXES) else JSON_LIMIT


def _refusal(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Užklausos turinys per didelis: leidžiama ne daugiau kaip {limit // MiB} MiB."
    )


class BodySizeLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_refusal(send, _refusal(limit), api=scope["path"].startswith("/api/"))
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


async def _send_refusal(send: Send, exc: PayloadTooLarge, *, api: bool) -> None:
    if api:
        body = json.dumps({"error": exc.code, "detail": exc.detail}, ensure_ascii=False).encode()
        media = b"application/json"
    else:
        # A person's browser shows this: the sentence itself, not JSON.
        body = exc.detail.encode()
        media = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": exc.status_code,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
