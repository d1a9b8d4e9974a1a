"""The year-end journal transfer from the web: the file is streamed to the API's own service,
registered with a cover; a forged token, a wrong school year or another role changes nothing."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest
from sqlmodel import select

from service.db import session_scope
from service.documents.models import JournalFile
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import use_test_rules
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db

URL = "/archyvas/dienynas?filename=tamo-2025-2026.zip&school_year={year}&note=Pastaba"


def _files(service: Service) -> list[JournalFile]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(JournalFile)))


def _send(
    service: Service, token: str, data: bytes, year: str = "2025-2026"
) -> tuple[int, dict[str, Any]]:
    response = service.client.post(
        URL.format(year=year),
        content=data,
        headers={"X-CSRF-Token": token, "Content-Type": "application/zip"},
    )
    return response.status_code, response.json()


def test_deputy_transfers_the_journal(service: Service, staff: MakeStaff) -> None:
    use_test_rules(service)
    staff(Role.deputy, login="asta", name="Asta Pavaduotoja")
    sign_in(service.client, "asta")
    page = service.client.get("/archyvas/dienynas")
    assert page.status_code == 200 and "Dienyno perkėlimas" in page.text
    token = csrf_of(page.text)
    data = os.urandom(300_000)

    status, body = _send(service, "suklastotas", data)
    assert status == 403 and "žetonas" in body["detail"]
    status, body = _send(service, token, data, year="2025-2027")
    assert status == 422 and body["field"] == "school_year"
    status, body = _send(service, token, b"")
    assert status == 422 and body["field"] == "file"
    assert _files(service) == []

    status, body = _send(service, token, data)
    assert status == 201, body
    [record] = _files(service)
    assert record.sha256 == hashlib.sha256(data).hexdigest() and record.size == len(data)
    assert body["location"] == f"/dokumentai/{record.document_id}"
    cover = service.client.get(body["location"])
    assert cover.status_code == 200 and "DP-1" in cover.text


def test_class_teacher_may_not_transfer(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, login="jurate", name="Jūratė Mockienė")
    sign_in(service.client, "jurate")
    page = service.client.get("/archyvas/dienynas")
    assert page.status_code == 403 and "Prieiga uždrausta" in page.text
    status, _ = _send(service, csrf_of(page.text), b"duomenys")
    assert status == 403 and _files(service) == []
