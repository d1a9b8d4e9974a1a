"""Due list, destruction act, the director's approval and execution against real SeaweedFS
(COMPLIANCE locks enforced by the store, never bypassed)."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
import pytest
from sqlmodel import col, select

from service.archive.models import DestroyedDocument, Disposal
from service.db import session_scope
from service.registry.models import EntryStatus, RegistryEntry
from service.users.models import Role
from storage.errors import ObjectMissing
from tests.conftest import Service
from tests.service.archive.helpers import (
    Who,
    closed_case,
    person,
    stored_document,
    use_test_rules,
)

pytestmark = pytest.mark.db


@pytest.fixture
def archivist(service: Service) -> Who:
    use_test_rules(service)
    return person(service, Role.archivist)


def _na_entries(service: Service) -> list[RegistryEntry]:
    with session_scope(service.engine) as session:
        return list(
            session.exec(
                select(RegistryEntry)
                .where(RegistryEntry.register_code == "NA")
                .order_by(col(RegistryEntry.seq))
            )
        )


def test_due_lists_closed_expired_cases_only(service: Service, archivist: Who) -> None:
    user, headers = archivist
    old = closed_case(service, 1990)
    doc = stored_document(service, old, user)
    recent = closed_case(service, 2020, index="3.2", rule="v1511-safety-briefing")
    stored_document(service, recent, user, register="IN", rule="v1511-safety-briefing")

    due = service.client.get("/api/retention/due?on=2026-01-01", headers=headers).json()
    assert [(c["year"], c["index"]) for c in due["cases"]] == [(1990, "3.3")]
    assert due["cases"][0]["retain_until"] == "2000-12-31"
    assert [d["id"] for d in due["documents"]] == [doc.id]

    later = service.client.get("/api/retention/due?on=2031-01-01", headers=headers).json()
    assert {(c["year"], c["index"]) for c in later["cases"]} == {(1990, "3.3"), (2020, "3.2")}
    # The last day of the term is still within it.
    edge = service.client.get("/api/retention/due?on=2030-12-31", headers=headers).json()
    assert [(c["year"]) for c in edge["cases"]] == [1990]


def test_full_disposal_destroys_files_and_leaves_a_stub(service: Service, archivist: Who) -> None:
    user, headers = archivist
    case = closed_case(service, 1990)
    docs = [stored_document(service, case, user) for _ in range(2)]
    _, director = person(service, Role.director, name="Vida Direktorė")

    response = service.client.post(
        "/api/disposals", json={"case_indexes": ["3.3"], "year": 1990}, headers=headers
    )
    assert response.status_code == 201, response.text
    proposal = response.json()
    assert proposal["status"] == "proposed"
    assert sorted(proposal["documents"]) == sorted(d.id for d in docs)
    act_id = proposal["act"]["document_id"]
    act = service.client.get(f"/api/documents/{act_id}", headers=headers).json()
    assert act["kind"] == "destruction-act"
    assert act["registration"]["number"] == "NA-1"
    assert act["case"]["index"] == "1.3"
    pdf = service.client.get(f"/api/documents/{act_id}/file", headers=headers).content
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        assert opened.open_metadata()["dc:title"] == "Dokumentų naikinimo aktas Nr. NA-1"

    # Not approved yet: executing is refused and nothing is deleted.
    refused = service.client.post(f"/api/disposals/{proposal['id']}/execute", headers=headers)
    assert refused.status_code == 409
    assert "nepatvirtintas" in refused.json()["detail"]
    service.store.stat(docs[0].object_key, docs[0].object_version_id)
    # Only the director approves.
    assert (
        service.client.post(f"/api/disposals/{proposal['id']}/approve", headers=headers).status_code
        == 403
    )
    approved = service.client.post(f"/api/disposals/{proposal['id']}/approve", headers=director)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"

    executed = service.client.post(f"/api/disposals/{proposal['id']}/execute", headers=headers)
    assert executed.status_code == 200, executed.text
    body = executed.json()
    assert body["status"] == "executed"
    assert body["refused"] == []
    assert sorted(d["document_id"] for d in body["destroyed_now"]) == sorted(d.id for d in docs)
    for doc in docs:
        for key, version in (
            (doc.object_key, doc.object_version_id),
            (doc.docx_key, doc.docx_version_id),
        ):
            with pytest.raises(ObjectMissing):
                service.store.stat(key, version)

    # What existed stays described: number, hash and the act that destroyed it.
    stubs = service.client.get("/api/retention/destroyed?year=1990", headers=headers).json()
    assert {(s["number"], s["sha256"], s["act_number"]) for s in stubs} == {
        (d.number, d.sha256, "NA-1") for d in docs
    }
    with session_scope(service.engine) as session:
        entries = session.exec(
            select(RegistryEntry).where(col(RegistryEntry.document_id).in_([d.id for d in docs]))
        ).all()
        assert {e.status for e in entries} == {EntryStatus.registered}
    # Asking for a destroyed file names the act instead of reporting a broken store.
    gone = service.client.get(f"/api/documents/{docs[0].id}/file", headers=headers)
    assert gone.status_code == 410
    assert "NA-1" in gone.json()["detail"]
    # Destroyed cases are no longer offered.
    due = service.client.get("/api/retention/due", headers=headers).json()
    assert due["cases"] == []
    again = service.client.post(f"/api/disposals/{proposal['id']}/execute", headers=headers)
    assert again.status_code == 409


def test_store_refuses_locked_versions_and_bylos_reports_them(
    service: Service, archivist: Who
) -> None:
    user, headers = archivist
    case = closed_case(service, 1990)
    lock = dt.date.today() + dt.timedelta(days=30)
    free = stored_document(service, case, user)
    locked = stored_document(service, case, user, lock_until=lock)
    _, director = person(service, Role.director, name="Vida Direktorė")
    proposal = service.client.post(
        "/api/disposals", json={"case_indexes": ["3.3"], "year": 1990}, headers=headers
    ).json()
    service.client.post(f"/api/disposals/{proposal['id']}/approve", headers=director)

    body = service.client.post(f"/api/disposals/{proposal['id']}/execute", headers=headers).json()
    assert body["status"] == "partially_executed"
    assert [d["document_id"] for d in body["destroyed_now"]] == [free.id]
    [refusal] = body["refused"]
    assert refusal["document_id"] == locked.id
    assert {v["locked_until"] for v in refusal["versions"]} == {lock.isoformat()}
    # The locked version is still there, and no stub claims it was destroyed.
    assert service.store.stat(locked.object_key, locked.object_version_id).sha256 == locked.sha256
    with session_scope(service.engine) as session:
        assert session.get(DestroyedDocument, locked.id) is None
        assert session.get(DestroyedDocument, free.id) is not None


def test_bad_proposals_change_nothing(service: Service, archivist: Who) -> None:
    user, headers = archivist
    stored_document(service, closed_case(service, 2024), user)

    unknown = service.client.post(
        "/api/disposals", json={"case_indexes": ["9.9"], "year": 1990}, headers=headers
    )
    assert unknown.status_code == 404
    assert "9.9" in unknown.json()["detail"]
    not_due = service.client.post(
        "/api/disposals", json={"case_indexes": ["3.3"], "year": 2024}, headers=headers
    )
    assert not_due.status_code == 409
    assert "2034-12-31" in not_due.json()["detail"]
    empty = service.client.post("/api/disposals", json={"case_indexes": []}, headers=headers)
    assert empty.status_code == 422
    _, teacher = person(service, Role.class_teacher, name="Klasės Vadovė")
    assert (
        service.client.post(
            "/api/disposals", json={"case_indexes": ["3.3"], "year": 2024}, headers=teacher
        ).status_code
        == 403
    )
    assert _na_entries(service) == []
    with session_scope(service.engine) as session:
        assert session.exec(select(Disposal)).all() == []


def test_open_case_is_never_due(service: Service, archivist: Who) -> None:
    user, headers = archivist
    case = closed_case(service, 1990)
    stored_document(service, case, user)
    with session_scope(service.engine) as session:
        row = session.get(type(case), case.id)
        assert row is not None
        row.status = row.status.__class__("open")
        row.closed_on = None
        session.add(row)
    due = service.client.get("/api/retention/due?on=2100-01-01", headers=headers).json()
    assert due["cases"] == []
    refused = service.client.post(
        "/api/disposals", json={"case_indexes": ["3.3"], "year": 1990}, headers=headers
    )
    assert refused.status_code == 409
    assert "neužbaigta" in refused.json()["detail"]
