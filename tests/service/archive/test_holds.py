"""Holds: an S3 legal hold on every version concerned plus a record; never offered for disposal."""

from __future__ import annotations

import pytest
from sqlmodel import select

from service.archive.models import Hold
from service.db import session_scope
from service.documents.models import Document
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import closed_case, person, stored_document, use_test_rules

pytestmark = pytest.mark.db


def _legal_holds(service: Service, doc: Document) -> tuple[bool, bool]:
    return (
        service.store.stat(doc.object_key, doc.object_version_id).legal_hold,
        service.store.stat(doc.docx_key, doc.docx_version_id).legal_hold,
    )


def _record(service: Service, doc: Document) -> Document:
    with session_scope(service.engine) as session:
        row = session.get(Document, doc.id)
        assert row is not None
        return row


def test_hold_on_a_document_sets_and_lifts_the_legal_hold(service: Service) -> None:
    use_test_rules(service)
    user, headers = person(service, Role.archivist)
    doc = stored_document(service, closed_case(service, 1990), user)

    response = service.client.post(
        "/api/holds", json={"document_id": doc.id, "reason": "Teismo prašymas"}, headers=headers
    )
    assert response.status_code == 201, response.text
    hold = response.json()
    assert hold["active"] is True
    assert _legal_holds(service, doc) == (True, True)
    assert _record(service, doc).legal_hold is True
    # A held version cannot be deleted even though its retention is over.
    due = service.client.get("/api/retention/due?on=2100-01-01", headers=headers).json()
    assert due["cases"] == []

    released = service.client.delete(f"/api/holds/{hold['id']}?reason=Byla baigta", headers=headers)
    assert released.status_code == 200, released.text
    assert released.json()["release_reason"] == "Byla baigta"
    assert _legal_holds(service, doc) == (False, False)
    assert _record(service, doc).legal_hold is False
    due = service.client.get("/api/retention/due?on=2100-01-01", headers=headers).json()
    assert [c["index"] for c in due["cases"]] == ["3.3"]
    # The removal is recorded, not erased.
    with session_scope(service.engine) as session:
        [row] = session.exec(select(Hold)).all()
        assert row.released_at is not None
    again = service.client.delete(f"/api/holds/{hold['id']}", headers=headers)
    assert again.status_code == 409


def test_hold_on_a_case_holds_every_document_until_the_last_hold_goes(service: Service) -> None:
    use_test_rules(service)
    user, headers = person(service, Role.archivist)
    case = closed_case(service, 1990)
    docs = [stored_document(service, case, user) for _ in range(2)]
    on_case = service.client.post(
        "/api/holds",
        json={"case_index": "3.3", "year": 1990, "reason": "Patikrinimas"},
        headers=headers,
    ).json()
    on_doc = service.client.post(
        "/api/holds", json={"document_id": docs[0].id, "reason": "Skundas"}, headers=headers
    ).json()
    assert all(_legal_holds(service, d) == (True, True) for d in docs)
    service.client.delete(f"/api/holds/{on_case['id']}", headers=headers)
    # The document's own hold still stands.
    assert _legal_holds(service, docs[0]) == (True, True)
    assert _legal_holds(service, docs[1]) == (False, False)
    service.client.delete(f"/api/holds/{on_doc['id']}", headers=headers)
    assert _legal_holds(service, docs[0]) == (False, False)


def test_hold_on_nothing_is_refused_and_changes_nothing(service: Service) -> None:
    _, headers = person(service, Role.archivist)
    nothing = service.client.post("/api/holds", json={"reason": "Be objekto"}, headers=headers)
    assert nothing.status_code == 422
    assert "document_id" in nothing.json()["detail"]
    unknown_doc = service.client.post(
        "/api/holds", json={"document_id": "nera", "reason": "x"}, headers=headers
    )
    assert unknown_doc.status_code == 404
    unknown_case = service.client.post(
        "/api/holds", json={"case_index": "9.9", "year": 1990, "reason": "x"}, headers=headers
    )
    assert unknown_case.status_code == 404
    no_reason = service.client.post("/api/holds", json={"document_id": "x"}, headers=headers)
    assert no_reason.status_code == 422
    _, teacher = person(service, Role.class_teacher, name="Klasės Vadovė")
    assert (
        service.client.post(
            "/api/holds", json={"case_index": "3.3", "reason": "x"}, headers=teacher
        ).status_code
        == 403
    )
    assert service.client.delete("/api/holds/999", headers=headers).status_code == 404
    with session_scope(service.engine) as session:
        assert session.exec(select(Hold)).all() == []
