"""Issue 10 item 4: no bad input reaches a 500, and none voids a number it could have been
refused before.

Every case the security review saw, through the real app (real store, real converter), plus the
same probes on the pages. tests/security/test_schemathesis.py generates the rest.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from sqlmodel import select

from service.db import session_scope
from service.documents.tabular_import import blank_summary_template
from service.registry.models import EntryStatus, RegistryEntry
from service.users.models import Role
from tests.conftest import EXAMPLE_CLASSES, Service, example
from tests.web.conftest import MakeStaff, sign_in
from tests.web.conftest import staff as staff  # the fixture, shared with the page tests

HUGE = "36552929188672929792"
ALL_ROLES = list(Role)

# Database-facing (numbers taken or not, ids that overflow): run again on PostgreSQL.
pytestmark = pytest.mark.db


def _contract_error(response: Any) -> None:
    """A 4xx with the contract's error body: {"error": Code, "detail": Lithuanian}."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) >= {"error", "detail"} and body["detail"], body


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/api/documents?year=99999999999999999999"),
        ("GET", "/api/cases?year=99999999999999999999"),
        ("GET", "/api/registers/PZ/entries?year=99999999999999999999"),
        ("GET", "/api/retention/destroyed?year=-99999999999999999999"),
        ("DELETE", f"/api/holds/{HUGE}"),
        # One past PostgreSQL's integer, the id columns' type.
        ("DELETE", "/api/holds/2147483648"),
        ("GET", "/api/disposals/2147483648"),
        ("GET", f"/api/disposals/{HUGE}"),
        ("POST", "/api/disposals/-3258129571942393824567/approve"),
        ("POST", f"/api/disposals/{HUGE}/execute"),
        ("POST", f"/api/notifications/{HUGE}/delivered"),
        ("GET", "/api/duties?on=0337-01-27"),
        ("GET", "/api/duties?on=9999-12-31"),
        ("GET", "/api/retention/due?on=9999-12-31"),
        ("GET", "/api/retention/due?on=0001-01-01"),
        ("GET", f"/api/plans/{HUGE}"),
        ("GET", "/api/plans/-1.xlsx"),
        ("GET", "/api/school-calendar/99999-100000"),
        ("GET", "/api/documents/" + "x" * 5000),
    ],
)
def test_seen_requests_get_a_4xx_with_the_contract_body(
    service: Service, method: str, url: str
) -> None:
    headers = service.user(*ALL_ROLES)
    _contract_error(service.client.request(method, url, headers=headers))


def _entries(service: Service) -> list[RegistryEntry]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(RegistryEntry)))


@pytest.mark.parametrize(
    "change",
    [
        {"left_on": "9999-12-31"},
        {"left_on": "0337-01-27"},
        {"student": {"first_name": "Gab\ud800ija", "last_name": "Žukauskaitė"}},
        {"order": {"date": "2026-11-19", "number": "V-214\u0000"}},
    ],
    ids=["far-future", "far-past", "lone-surrogate", "nul"],
)
def test_a_leaving_certificate_with_bad_input_voids_no_number(
    service: Service, change: dict[str, Any]
) -> None:
    headers = service.user(Role.office_manager)
    payload = example("leaving-certificate") | change
    response = service.client.post(
        "/api/documents/leaving-certificate",
        content=json.dumps(payload, ensure_ascii=True),
        headers=headers | {"Content-Type": "application/json"},
    )
    _contract_error(response)
    assert response.status_code == 422
    assert [e for e in _entries(service) if e.status == EntryStatus.void] == []
    assert _entries(service) == []


def _xlsx_with(member: str, data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(blank_summary_template())) as source:
        members = {name: source.read(name) for name in source.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in (members | {member: data}).items():
            target.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("5a.csv", b'Klas\xc4\x97;5a\n"unterminated\x00;\n'),
        ("5a.csv", b"\xff\xfe not utf-8"),
        ("5a.xlsx", _xlsx_with("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>")),
        ("5a.xlsx", _xlsx_with("xl/workbook.xml", b"not xml at all <<<")),
        ("5a.xlsx", _xlsx_with("xl/styles.xml", b"<styleSheet><fonts count='x'>")),
    ],
    ids=["csv-nul", "csv-encoding", "xml-cut", "xml-garbage", "xml-styles"],
)
def test_csv_and_xml_parse_errors_are_422(service: Service, filename: str, content: bytes) -> None:
    headers = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES)
    response = service.client.post(
        "/api/documents/achievement-summary/upload",
        files={"file": (filename, content, "application/octet-stream")},
        headers=headers,
    )
    _contract_error(response)
    assert _entries(service) == []


def test_rules_import_parse_errors_are_422(service: Service) -> None:
    archivist = service.user(Role.archivist)
    for body in (b'{"rules": [' * 50_000, b"\xff\xfe\x00", b'id,index\n"x\x00,1\n'):
        _contract_error(
            service.client.post("/api/retention/rules/import", content=body, headers=archivist)
        )


@pytest.mark.parametrize(
    "url",
    [
        f"/planas/{HUGE}/byla?indeksas=3.1",
        f"/archyvas/naikinimas/{HUGE}",
        "/archyvas/naikinimas/-5",
        f"/registrai/PZ/{HUGE}.xlsx",
        f"/dokumentai/{'x' * 5000}",
        "/planas?metai=99999999999999999999",
        "/registrai/PZ?metai=99999999999999999999",
        "/?diena=9999-12-31",
    ],
)
def test_pages_never_answer_500(service: Service, staff: MakeStaff, url: str) -> None:
    staff(*ALL_ROLES, login="visi", name="Visa Visienė")
    sign_in(service.client, "visi")
    response = service.client.get(url)
    assert response.status_code < 500, (response.status_code, response.text[:300])
