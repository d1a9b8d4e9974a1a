"""Closing cases: closure fixed, the case inventory issued and registered, nothing filed after,
and the documents' retention re-evaluated (extend only)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from sqlmodel import col, select

from service.cases.models import Case, CaseStatus
from service.db import session_scope
from service.documents.models import Document, JournalFile
from service.documents.retention import document_versions
from service.registry.models import RegistryEntry
from service.rendering.pdfmeta import pdfa_claim
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import Service, example

pytestmark = pytest.mark.db

CERT = "/api/documents/leaving-certificate"


@pytest.fixture
def office(service: Service) -> dict[str, str]:
    return service.user(Role.office_manager)


@pytest.fixture
def archivist(service: Service) -> dict[str, str]:
    return service.user(Role.archivist, name="Aldona Archyvarė")


def _issue(service: Service, office: dict[str, str]) -> dict[str, object]:
    response = service.client.post(CERT, json=example("leaving-certificate"), headers=office)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def _pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def _entries(service: Service, code: str) -> list[tuple[int, str]]:
    with session_scope(service.engine) as session:
        rows = session.exec(
            select(RegistryEntry)
            .where(RegistryEntry.register_code == code)
            .order_by(col(RegistryEntry.seq))
        )
        return [(e.seq, e.status.value) for e in rows]


def _case(service: Service, index: str, year: int | None = None) -> Case:
    with session_scope(service.engine) as session:
        case = session.exec(
            select(Case).where(Case.year == (year or today_vilnius().year), Case.index == index)
        ).one()
        return case


def test_closing_fixes_the_closure_and_issues_an_inventory_per_retention_group(
    service: Service, office: dict[str, str], archivist: dict[str, str]
) -> None:
    """Taisyklės: permanent and long-term cases each on their own inventory; a temporary case
    (3.4: 10 years after the pupil leaves) on none."""
    _issue(service, office)
    _issue(service, office)
    year = today_vilnius().year
    response = service.client.post(
        "/api/cases/close", json={"year": year, "indexes": ["3.4", "1.2", "1.3"]}, headers=archivist
    )
    assert response.status_code == 200, response.text
    closed = {c["index"]: c for c in response.json()}
    assert closed["3.4"] == closed["3.4"] | {
        "index": "3.4",
        "year": year,
        "status": "closed",
        "documents": 2,
        "closed_on": today_vilnius().isoformat(),
        "inventory": None,
    }
    permanent, long_term = closed["1.3"]["inventory"], closed["1.2"]["inventory"]
    assert (permanent["number"], long_term["number"]) == ("BA-1", "BA-2")
    doc = service.client.get(f"/api/documents/{permanent['document_id']}", headers=archivist)
    assert doc.status_code == 200, doc.text
    assert doc.json()["kind"] == "case-inventory"
    assert doc.json()["case"]["index"] == "1.1"
    assert doc.json()["retention"]["permanent"] is True
    texts = {}
    for name, inventory in (("permanent", permanent), ("long-term", long_term)):
        pdf = service.client.get(
            f"/api/documents/{inventory['document_id']}/file", headers=archivist
        )
        assert pdfa_claim(pdf.content) == ("2", "B")
        texts[name] = " ".join(_pdf_text(pdf.content).split())
    assert "NUOLAT SAUGOMŲ BYLŲ APYRAŠAS" in texts["permanent"]
    assert "Nr. BA-1" in texts["permanent"]
    assert "Dokumentų naikinimo aktai" in texts["permanent"]
    assert "Dokumentų registrai" not in texts["permanent"]
    assert "ILGAI SAUGOMŲ BYLŲ APYRAŠAS" in texts["long-term"]
    assert "Dokumentų registrai" in texts["long-term"]
    for text in texts.values():
        assert "Išvykusiems mokiniams" not in text
        assert "Į apyrašą įrašyta 1 (viena) byla, nuo Nr. 1 iki Nr. 1; jose 0 (nulis) lapų." in text
        assert "Aldona Archyvarė" in text
        assert "TVIRTINU" in text and "SUDERINTA" in text
        assert "Dokumentų ekspertų komisija" in text
        assert "protokolu Nr." in text
    listed = service.client.get(f"/api/cases?year={year}", headers=archivist).json()
    by_index = {c["index"]: c for c in listed}
    assert by_index["3.4"]["status"] == "closed"
    assert by_index["1.1"]["documents"] == 2
    assert by_index["1.1"]["status"] == "open"


def test_filing_into_a_closed_case_is_409_and_takes_no_number(
    service: Service, office: dict[str, str], archivist: dict[str, str]
) -> None:
    _issue(service, office)
    year = today_vilnius().year
    service.client.post(
        "/api/cases/close", json={"year": year, "indexes": ["3.4"]}, headers=archivist
    )
    before = _entries(service, "PZ")
    response = service.client.post(CERT, json=example("leaving-certificate"), headers=office)
    assert response.status_code == 409
    assert response.json()["error"] == "Conflict"
    assert "uždaryta" in response.json()["detail"]
    assert _entries(service, "PZ") == before == [(1, "registered")]


def test_closing_every_open_case_counts_the_inventory_in_its_own_case(
    service: Service, archivist: dict[str, str]
) -> None:
    year = today_vilnius().year
    response = service.client.post("/api/cases/close", json={"year": year}, headers=archivist)
    assert response.status_code == 200, response.text
    closed = {c["index"]: c for c in response.json()}
    assert "3.4" in closed and "1.1" in closed
    assert {c["status"] for c in closed.values()} == {"closed"}
    # Two inventories (permanent, long-term), both filed into 1.1.
    assert closed["1.1"]["documents"] == 2
    with session_scope(service.engine) as session:
        invs = session.exec(select(Document).where(Document.kind == "case-inventory")).all()
        payloads = {str(i.payload["group"]): i.payload for i in invs}
    assert set(payloads) == {"permanent", "long-term"}
    permanent = {c["index"]: c for c in payloads["permanent"]["cases"]}  # type: ignore[attr-defined]
    long_term = {c["index"]: c for c in payloads["long-term"]["cases"]}  # type: ignore[attr-defined]
    assert set(permanent) == {"1.1", "1.3"}
    assert set(long_term) == {"1.2", "3.1", "3.5 E"}
    assert permanent["1.1"]["documents"] == 2
    assert "3.4" not in permanent and "3.4" not in long_term
    again = service.client.post("/api/cases/close", json={"year": year}, headers=archivist)
    assert again.status_code == 200 and again.json() == []


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"indexes": ["3,4"]}, 422, "„3,4“"),
        ({"indexes": ["3.4", "8.8"]}, 404, "8.8"),
        ({"closed_on": "2999-01-01"}, 422, "closed_on"),
        ({"closed_on": "2001-01-01"}, 422, "closed_on"),
        ({"indexes": "3.4"}, 422, "indexes"),
    ],
)
def test_bad_close_request_changes_nothing(
    service: Service,
    archivist: dict[str, str],
    body: dict[str, object],
    status: int,
    needle: str,
) -> None:
    year = today_vilnius().year
    service.client.get(f"/api/cases?year={year}", headers=archivist)
    response = service.client.post(
        "/api/cases/close", json={"year": year} | body, headers=archivist
    )
    assert response.status_code == status, response.text
    assert needle in response.json()["detail"]
    assert _case(service, "3.4").status == CaseStatus.open
    assert _entries(service, "BA") == []


def test_closing_a_closed_case_again_is_409(service: Service, archivist: dict[str, str]) -> None:
    year = today_vilnius().year
    first = service.client.post(
        "/api/cases/close", json={"year": year, "indexes": ["1.2"]}, headers=archivist
    )
    assert first.status_code == 200
    again = service.client.post(
        "/api/cases/close", json={"year": year, "indexes": ["1.2"]}, headers=archivist
    )
    assert again.status_code == 409
    assert _entries(service, "BA") == [(1, "registered")]


def test_office_manager_may_not_close_cases(service: Service, office: dict[str, str]) -> None:
    year = today_vilnius().year
    service.client.get(f"/api/cases?year={year}", headers=office)
    response = service.client.post("/api/cases/close", json={"year": year}, headers=office)
    assert response.status_code == 403
    assert _case(service, "3.4").status == CaseStatus.open


def test_closing_later_extends_the_documents_lock(
    service: Service, office: dict[str, str], archivist: dict[str, str]
) -> None:
    """A document of last year's case, closed this year: its term counts from this year, so
    its row and its stored object are locked a year longer (never shorter)."""
    doc = _issue(service, office)
    this_year = today_vilnius().year
    last_year = this_year - 1
    # Move the document back a year: into last year's case, with last year's (shorter) lock
    # on a fresh object version, as if it had been issued then.
    service.client.get(f"/api/cases?year={last_year}", headers=archivist)
    short = dt.date(last_year + 10, 12, 31)
    with session_scope(service.engine) as session:
        row = session.get(Document, str(doc["id"]))
        assert row is not None
        pdf = service.store.read(row.object_key, row.object_version_id)
        docx = service.store.read(row.docx_key, row.docx_version_id)
        stored_pdf = service.store.put(row.object_key, pdf, retain_until=short)
        stored_docx = service.store.put(row.docx_key, docx, retain_until=short)
        old_case = session.exec(
            select(Case).where(Case.year == last_year, Case.index == "3.4")
        ).one()
        assert old_case.id is not None
        row.case_id = old_case.id
        row.registered_on = dt.date(last_year, 11, 20)
        row.payload = row.payload | {"left_on": f"{last_year}-11-20"}
        row.object_version_id, row.docx_version_id = stored_pdf.version_id, stored_docx.version_id
        row.retain_until = row.lock_until = short
        session.add(row)

    response = service.client.post(
        "/api/cases/close", json={"year": last_year, "indexes": ["3.4"]}, headers=archivist
    )
    assert response.status_code == 200, response.text
    longer = dt.date(this_year + 10, 12, 31)
    with session_scope(service.engine) as session:
        row = session.get(Document, str(doc["id"]))
        assert row is not None
        assert (row.retain_until, row.lock_until) == (longer, longer)
        assert service.store.stat(row.object_key, row.object_version_id).retain_until == longer
        assert service.store.stat(row.docx_key, row.docx_version_id).retain_until == longer
    assert _case(service, "3.4", last_year).closed_on == today_vilnius()


def _back_a_year(service: Service, doc_id: str, index: str, lock: dt.date) -> None:
    """Move an issued document into last year's case ``index`` as if issued there and then, its
    objects (the PDF, the DOCX and any journal file) on fresh versions locked until ``lock``."""
    last_year = today_vilnius().year - 1
    with session_scope(service.engine) as session:
        row = session.get(Document, doc_id)
        assert row is not None
        fresh = {
            key: service.store.put(key, service.store.read(key, version), retain_until=lock)
            for key, version in document_versions(session, row)
        }
        row.object_version_id = fresh[row.object_key].version_id
        row.docx_version_id = fresh[row.docx_key].version_id
        journal = session.get(JournalFile, doc_id)
        if journal is not None:
            journal.object_version_id = fresh[journal.object_key].version_id
            session.add(journal)
        old_case = session.exec(
            select(Case).where(Case.year == last_year, Case.index == index)
        ).one()
        assert old_case.id is not None
        row.case_id, row.year = old_case.id, last_year
        row.registered_on = dt.date(last_year, 11, 20)
        row.lock_until = lock
        session.add(row)


def _locks(service: Service, doc_id: str) -> tuple[Document, list[dt.date | None]]:
    with session_scope(service.engine) as session:
        row = session.get(Document, doc_id)
        assert row is not None
        versions = document_versions(session, row)
    return row, [service.store.stat(key, version).retain_until for key, version in versions]


def test_closing_honours_a_recorded_retention_event(
    service: Service, office: dict[str, str], archivist: dict[str, str]
) -> None:
    """A pledge's term counts from the end of employment, which only the archivist records (the
    payload has no such date). Closing the case must count from that recorded date, exactly as
    the archive's own re-evaluation does: afterwards that finds nothing to change."""
    this_year = today_vilnius().year
    last_year = this_year - 1
    issued = service.client.post(
        "/api/documents/confidentiality-pledge",
        json=example("confidentiality-pledge"),
        headers=office,
    )
    assert issued.status_code == 201, issued.text
    doc_id = issued.json()["id"]
    service.client.get(f"/api/cases?year={last_year}", headers=archivist)
    _back_a_year(service, doc_id, "2.1", dt.date(last_year + 5, 12, 31))
    recorded = service.client.post(
        "/api/retention/events",
        json={"document_id": doc_id, "event_on": f"{last_year}-12-01", "note": "Išėjo iš darbo"},
        headers=archivist,
    )
    assert recorded.status_code == 200, recorded.text
    # While the case is open the term counts at least from this year (it may yet close now).
    held = dt.date(this_year + 5, 12, 31)
    assert recorded.json()["retain_until"] == held.isoformat()

    closed = service.client.post(
        "/api/cases/close",
        json={"year": last_year, "indexes": ["2.1"], "closed_on": f"{last_year}-12-31"},
        headers=archivist,
    )
    assert closed.status_code == 200, closed.text
    row, locks = _locks(service, doc_id)
    # Employment ended and the case closed last year: five years from then. The lock the
    # store already holds stays (never shortened).
    assert row.retain_until == dt.date(last_year + 5, 12, 31)
    assert row.lock_until == held and locks == [held, held]
    again = service.client.post(
        "/api/retention/reevaluate", json={"year": last_year}, headers=archivist
    )
    assert again.status_code == 200, again.text
    [report] = [d for d in again.json()["documents"] if d["document_id"] == doc_id]
    assert (report["retain_until"], report["extended"]) == (row.retain_until.isoformat(), False)


def test_closing_later_extends_a_journal_transfers_file_with_its_cover(
    service: Service, archivist: dict[str, str]
) -> None:
    this_year = today_vilnius().year
    last_year = this_year - 1
    admin = service.user(Role.admin, name="Petras Administratorius")
    uploaded = service.client.post(
        f"/api/journal-transfers?filename=tamo.zip&school_year={last_year}-{this_year}",
        content=b"PK\x03\x04" + b"dienynas" * 4096,
        headers=admin | {"Content-Type": "application/zip"},
    )
    assert uploaded.status_code == 201, uploaded.text
    doc_id = uploaded.json()["document_id"]
    service.client.get(f"/api/cases?year={last_year}", headers=archivist)
    _back_a_year(service, doc_id, "3.5 E", dt.date(last_year + 50, 12, 31))

    closed = service.client.post(
        "/api/cases/close", json={"year": last_year, "indexes": ["3.5 E"]}, headers=archivist
    )
    assert closed.status_code == 200, closed.text
    row, locks = _locks(service, doc_id)
    longer = dt.date(this_year + 50, 12, 31)
    assert len(locks) == 3  # the cover's PDF and DOCX, and the e-journal's own file
    assert row.lock_until == longer and locks == [longer, longer, longer]
