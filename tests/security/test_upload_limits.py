"""Issue 10 item 2: page uploads check who is asking before reading a body, and every body that
arrives chunked, without a Content-Length, is capped on pages exactly as on the API.

Against a real uvicorn serving the app (real store and converter) over a raw socket, so the
test sees whether the server answers before the body has ended: an anonymous 400 MB chunked
upload used to be spooled to disk before the 403.
"""

from __future__ import annotations

import contextlib
import re
import select
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
import uvicorn

from bench.server import free_port
from service.app import create_app
from service.db import session_scope
from service.rendering.pdf import ConverterPool
from service.settings import Settings
from service.users.accounts import create_user
from service.users.models import Role
from storage.objectstore import ObjectStore
from storage.seaweed import EmbeddedSeaweed
from tests.school import TEST_SCHOOL_SETTINGS
from tests.web.conftest import PASSWORD, register_pledge

SUMMARY_PREVIEW = "/isduoti/achievement-summary/perziura"
MiB = 1024 * 1024
CHUNK = 256 * 1024


@dataclass
class Live:
    port: int
    cookie: str
    csrf: str


@pytest.fixture
def live(
    tmp_path: Path, database_url: str, seaweed: EmbeddedSeaweed, converter_pool: ConverterPool
) -> Iterator[Live]:
    bucket = f"t-{uuid.uuid4().hex[:16]}"
    store = ObjectStore(
        endpoint=seaweed.endpoint,
        access_key=seaweed.access_key,
        secret_key=seaweed.secret_key,
        bucket=bucket,
    )
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        s3_bucket=bucket,
        **TEST_SCHOOL_SETTINGS,
    )
    app = create_app(settings, store=store, converter=converter_pool)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        runtime = app.state.runtime
        with session_scope(runtime.engine) as session:
            teacher = create_user(
                session,
                name="Jūratė Mockienė",
                position="Klasės vadovė",
                roles=[Role.class_teacher],
                login="jurate",
                password=PASSWORD,
            )
        register_pledge(runtime, teacher)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            token = _csrf(client.get("/prisijungti").text)
            signed = client.post(
                "/prisijungti", data={"login": "jurate", "password": PASSWORD, "csrf": token}
            )
            assert signed.status_code in (200, 303), signed.text
            page = client.get("/isduoti/achievement-summary")
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            yield Live(port=port, cookie=cookie, csrf=_csrf(page.text))
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def _post_chunked(
    port: int, path: str, total: int, headers: dict[str, str] | None = None
) -> tuple[int, int]:
    """POST ``total`` bytes chunked, stopping as soon as the server answers.

    Returns the status and how many body bytes were sent before the answer came."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: multipart/form-data; boundary=grenze\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        + "\r\n"
    )
    body = b'--grenze\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    chunk = body + b"x" * (CHUNK - len(body))
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head.encode())
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            chunk = b"x" * CHUNK
        else:
            # Everything went: end the body so a server that reads it all can answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(b"0\r\n\r\n")
        answer = sock.recv(4096)
    match = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    assert match, answer[:200]
    return int(match.group(1)), sent


def test_anonymous_upload_is_answered_before_its_body(live: Live) -> None:
    status, sent = _post_chunked(live.port, SUMMARY_PREVIEW, total=64 * MiB)
    # To the sign-in page, long before the 64 MiB would have been read.
    assert status == 303
    assert sent < 16 * MiB


def test_upload_without_the_csrf_token_is_refused_before_its_body(live: Live) -> None:
    status, sent = _post_chunked(
        live.port, SUMMARY_PREVIEW, total=64 * MiB, headers={"Cookie": live.cookie}
    )
    assert status == 403
    assert sent < 16 * MiB


def test_a_chunked_upload_over_the_limit_is_refused_mid_stream(live: Live) -> None:
    status, sent = _post_chunked(
        live.port,
        f"{SUMMARY_PREVIEW}?csrf={live.csrf}",
        total=64 * MiB,
        headers={"Cookie": live.cookie},
    )
    assert status == 413
    assert sent < 32 * MiB


def test_a_chunked_form_over_the_limit_is_refused_mid_stream(live: Live) -> None:
    # The sign-in form takes anyone's post: its body is capped at 1 MiB like every form.
    status, sent = _post_chunked(live.port, "/prisijungti", total=64 * MiB)
    assert status == 413
    assert sent < 16 * MiB
