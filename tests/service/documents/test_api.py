"""Issuing a leaving certificate through the HTTP API on the real stack
(SeaweedFS, LibreOffice, SQLite or PostgreSQL)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import zipfile
from typing import Any

import docx as docx_reader
import pikepdf
import pytest
from sqlmodel import col, select

from service.db import session_scope
from service.registry.models import EntryStatus, RegistryEntry
from service.rendering.pdfmeta import pdfa_claim
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import EXAMPLE_CLASSES, Service, example

pytestmark = pytest.mark.db

URL = "/api/documents/leaving-certificate"


def _cert(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(example("leaving-certificate"))
    data.update(changes)
    return data


def _entries(service: Service) -> list[RegistryEntry]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(RegistryEntry).order_by(col(RegistryEntry.seq))))


@pytest.fixture
def office(service: Service) -> dict[str, str]:
    return service.user(Role.office_manager)


def test_issue_returns_the_registered_document(service: Service, office: dict[str, str]) -> None:
    response = service.client.post(URL, json=_cert(), headers=office)
    assert response.status_code == 201, response.text
    doc = response.json()
    today = today_vilnius()
    assert doc["kind"] == "leaving-certificate"
    assert doc["title"] == "Mokinio pasiekimų pažyma"
    assert (doc["version"], doc["supersedes"]) == (1, None)
    assert doc["registration"] == {
        "register": "PZ",
        "year": today.year,
        "seq": 1,
        "number": "PZ-1",
        "date": today.isoformat(),
    }
    assert doc["case"]["index"] == "3.4"
    assert doc["file"]["media_type"] == "application/pdf"
    assert doc["retention"]["rule"] == "v1511-pupil-file"
    assert doc["retention"]["verified"] is False


def test_file_is_the_registered_pdfa_with_the_pupil_and_number(
    service: Service, office: dict[str, str]
) -> None:
    doc = service.client.post(URL, json=_cert(), headers=office).json()
    response = service.client.get(f"/api/documents/{doc['id']}/file", headers=office)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == doc["file"]["sha256"]
    assert len(response.content) == doc["file"]["size"]
    assert pdfa_claim(response.content) == ("2", "B")
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        meta = pdf.open_metadata()
        assert meta["dc:title"] == "Mokinio pasiekimų pažyma Nr. PZ-1"
        assert "python-docx" not in str(meta)


def test_docx_is_served_too(service: Service, office: dict[str, str]) -> None:
    doc = service.client.post(URL, json=_cert(), headers=office).json()
    response = service.client.get(
        f"/api/documents/{doc['id']}/file", params={"format": "docx"}, headers=office
    )
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        body = docx.read("word/document.xml").decode()
    assert "Žukauskaitė" in body
    assert "PZ-1" in body


def test_stored_object_is_locked_until_the_retention_date(
    service: Service, office: dict[str, str]
) -> None:
    doc = service.client.post(URL, json=_cert(), headers=office).json()
    versions = service.store.list_versions()
    pdf = next(v for v in versions if v.key.endswith(".pdf"))
    info = service.store.stat(pdf.key, pdf.version_id)
    assert info.mode == "COMPLIANCE"
    assert info.retain_until is not None
    assert info.retain_until.isoformat() == doc["retention"]["locked_until"]
    assert info.sha256 == doc["file"]["sha256"]
    # The pupil left in 2026; the (test-independent) shape: a lock far beyond today.
    assert info.retain_until > today_vilnius() + dt.timedelta(days=365)


def test_get_returns_the_same_document(service: Service, office: dict[str, str]) -> None:
    doc = service.client.post(URL, json=_cert(), headers=office).json()
    again = service.client.get(f"/api/documents/{doc['id']}", headers=office)
    assert again.status_code == 200
    assert again.json() == doc


def test_numbers_follow_each_other(service: Service, office: dict[str, str]) -> None:
    numbers = [
        service.client.post(URL, json=_cert(), headers=office).json()["registration"]["number"]
        for _ in range(3)
    ]
    assert numbers == ["PZ-1", "PZ-2", "PZ-3"]


def test_names_with_xml_characters_come_out_exactly(
    service: Service, office: dict[str, str]
) -> None:
    payload = _cert()
    payload["student"] = {"first_name": "Ąžuolė & <Ūla>", "last_name": 'O\'Brien-Čiurlionė "Ž"'}
    doc = service.client.post(URL, json=payload, headers=office).json()
    docx = service.client.get(
        f"/api/documents/{doc['id']}/file", params={"format": "docx"}, headers=office
    ).content
    text = "\n".join(p.text for p in docx_reader.Document(io.BytesIO(docx)).paragraphs)
    assert 'Ąžuolė & <Ūla> O\'Brien-Čiurlionė "Ž"' in text


def test_bad_payload_is_refused_in_lithuanian_and_changes_nothing(
    service: Service, office: dict[str, str]
) -> None:
    bad = _cert()
    bad["results"][1]["mark"] = 11
    response = service.client.post(URL, json=bad, headers=office)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "InvalidPayload"
    assert "„results[1].mark“" in body["detail"]
    assert _entries(service) == []
    assert service.store.list_versions() == []
    good = service.client.post(URL, json=_cert(), headers=office).json()
    assert good["registration"]["number"] == "PZ-1"


def test_malformed_json_is_a_422(service: Service, office: dict[str, str]) -> None:
    response = service.client.post(
        URL, content=b"{not json", headers=office | {"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidPayload"


def test_missing_token_is_401(service: Service) -> None:
    response = service.client.post(URL, json=_cert())
    assert response.status_code == 401
    assert "Authorization" in response.json()["detail"]


def test_wrong_token_is_401(service: Service) -> None:
    response = service.client.post(URL, json=_cert(), headers={"Authorization": "Bearer byl_x"})
    assert response.status_code == 401


def test_role_that_may_not_issue_is_403_and_consumes_nothing(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES, name="Klasės Vadovė")
    response = service.client.post(URL, json=_cert(), headers=teacher)
    assert response.status_code == 403
    assert response.json()["error"] == "NotPermitted"
    assert _entries(service) == []


def test_unknown_kind_is_404(service: Service, office: dict[str, str]) -> None:
    response = service.client.post("/api/documents/diploma", json={}, headers=office)
    assert response.status_code == 404
    assert "„diploma“" in response.json()["detail"]


def test_idempotency_key_returns_the_first_result(service: Service, office: dict[str, str]) -> None:
    headers = office | {"Idempotency-Key": "pazyma-gabija-1"}
    first = service.client.post(URL, json=_cert(), headers=headers)
    second = service.client.post(URL, json=_cert(), headers=headers)
    assert first.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert len(_entries(service)) == 1


def test_idempotency_key_with_another_body_is_a_conflict(
    service: Service, office: dict[str, str]
) -> None:
    headers = office | {"Idempotency-Key": "pazyma-gabija-2"}
    service.client.post(URL, json=_cert(), headers=headers)
    response = service.client.post(URL, json=_cert(class_name="7a"), headers=headers)
    assert response.status_code == 409
    assert len(_entries(service)) == 1


def test_new_version_supersedes_and_keeps_the_old(service: Service, office: dict[str, str]) -> None:
    old = service.client.post(URL, json=_cert(), headers=office).json()
    response = service.client.post(
        f"/api/documents/{old['id']}/versions",
        json={"reason": "Klaida pavardėje", "payload": _cert(class_name="6c")},
        headers=office,
    )
    assert response.status_code == 201, response.text
    new = response.json()
    assert (new["version"], new["supersedes"]) == (2, old["id"])
    refreshed = service.client.get(f"/api/documents/{old['id']}", headers=office).json()
    assert refreshed["superseded_by"] == new["id"]
    old_file = service.client.get(f"/api/documents/{old['id']}/file", headers=office)
    assert hashlib.sha256(old_file.content).hexdigest() == old["file"]["sha256"]


def test_list_finds_by_pupil_name(service: Service, office: dict[str, str]) -> None:
    service.client.post(URL, json=_cert(), headers=office)
    other = _cert()
    other["student"] = {"first_name": "Jonas", "last_name": "Jonaitis"}
    service.client.post(URL, json=other, headers=office)
    found = service.client.get("/api/documents", params={"q": "Jonait"}, headers=office).json()
    assert [d["registration"]["number"] for d in found] == ["PZ-2"]


def test_health_reports_ok(service: Service) -> None:
    response = service.client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_issuing_and_downloading_are_audited(service: Service, office: dict[str, str]) -> None:
    from service.audit import log as audit
    from service.audit.models import AuditEvent

    doc = service.client.post(URL, json=_cert(), headers=office).json()
    service.client.get(f"/api/documents/{doc['id']}/file", headers=office)
    with session_scope(service.engine) as session:
        actions = [(e.action, e.subject_id) for e in session.exec(select(AuditEvent))]
        assert audit.verify(session).ok
    assert ("document.issued", doc["id"]) in actions
    assert ("document.downloaded", doc["id"]) in actions
    assert all(e is not EntryStatus.void for e in [r.status for r in _entries(service)])


def test_correcting_a_superseded_version_is_a_conflict_and_takes_no_number(
    service: Service, office: dict[str, str]
) -> None:
    old = service.client.post(URL, json=_cert(), headers=office).json()
    body = {"reason": "Klaida", "payload": _cert(class_name="6c")}
    service.client.post(f"/api/documents/{old['id']}/versions", json=body, headers=office)
    again = service.client.post(f"/api/documents/{old['id']}/versions", json=body, headers=office)
    assert again.status_code == 409
    assert [e.number for e in _entries(service)] == ["PZ-1", "PZ-2"]


def test_new_version_without_a_reason_is_refused(service: Service, office: dict[str, str]) -> None:
    old = service.client.post(URL, json=_cert(), headers=office).json()
    response = service.client.post(
        f"/api/documents/{old['id']}/versions", json={"payload": _cert()}, headers=office
    )
    assert response.status_code == 422
    assert "„reason“" in response.json()["detail"]
    assert len(_entries(service)) == 1
