"""Issue 10 item 9: the pledge gate covers every place personal data shows.

It is the policy table's default: an entry opens to people without a registered pledge only if
it says so, and the entries that say so are named here (none shows a pupil's data). The places
the security review found open (holds, retention events, audit details, exports) are asked as a
person holding every role but no pledge: each refuses with 403 PledgeMissing and changes
nothing. (Every route as the unpledged: tests/security/test_policy_matrix.py.)"""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from service.access import policy
from service.archive.models import Hold
from service.db import session_scope
from service.documents.models import RetentionEvent
from service.users.models import Role
from tests.conftest import Service, example

pytestmark = pytest.mark.db

# The only entries open without a pledge, and why.
NO_PLEDGE = {
    # Sign-in, health, metrics, the API's own documentation: no data at all.
    ("GET", "/prisijungti"),
    ("POST", "/prisijungti"),
    ("POST", "/atsijungti"),
    ("GET", "/api/health"),
    ("GET", "/metrics"),
    ("GET", "/docs"),
    # The home page says the pledge is missing; one's own account and tokens.
    ("GET", "/"),
    ("GET", "/paskyra"),
    ("POST", "/paskyra/slaptazodis"),
    ("POST", "/paskyra/raktai/{token_id}/atsaukti"),
    ("GET", "/api/me"),
    ("POST", "/api/me/password"),
    ("GET", "/api/me/tokens"),
    ("DELETE", "/api/me/tokens/{token_id}"),
    # Retention rules, registers' definitions, the plan's cases, the calendar, the school:
    # titles of kinds of records, never a person's.
    ("GET", "/api/retention/rules"),
    ("POST", "/api/retention/rules/import"),
    ("PUT", "/api/retention/rules/{rule_id}"),
    ("PATCH", "/api/retention/rules/{rule_id}"),
    ("GET", "/api/retention/rules/changes"),
    ("GET", "/api/registers"),
    ("POST", "/api/registers"),
    ("PATCH", "/api/registers/{code}"),
    ("GET", "/api/cases"),
    ("POST", "/api/cases/close"),
    ("GET", "/api/plans/{year}.xlsx"),
    ("GET", "/api/plans/{year}"),
    ("POST", "/api/plans/{year}/import"),
    ("POST", "/api/plans/{year}/copy-to-next"),
    ("POST", "/api/plans/{year}/approve"),
    ("POST", "/api/plans/{year}/cases"),
    ("PATCH", "/api/plans/{year}/cases/{index}"),
    ("DELETE", "/api/plans/{year}/cases/{index}"),
    ("PUT", "/api/plans/{year}/areas/{index}"),
    ("GET", "/api/school-calendar/{school_year}"),
    ("PUT", "/api/school-calendar/{school_year}"),
    ("GET", "/api/school"),
    ("PUT", "/api/school"),
}


def test_the_pledge_is_the_tables_default() -> None:
    assert policy.Rule().pledge is True
    open_entries = {key for key, rule in policy.TABLE.items() if not rule.pledge}
    assert open_entries == NO_PLEDGE


def _count(service: Service, model: type[Hold] | type[RetentionEvent]) -> int:
    with session_scope(service.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_holds_retention_events_audit_and_exports_need_the_pledge(service: Service) -> None:
    office = service.user(Role.office_manager)
    issued = service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    )
    assert issued.status_code == 201, issued.text
    doc = issued.json()["id"]
    everyone = service.user(*Role, name="Jonas Naujokas", pledge=False)
    calls = [
        ("GET", "/api/holds", None),
        ("POST", "/api/holds", {"document_id": doc, "reason": "Ginčas dėl Ievos pažymos"}),
        ("DELETE", "/api/holds/1", None),
        ("POST", "/api/retention/events", {"document_id": doc, "event_on": "2026-06-30"}),
        ("GET", "/api/retention/due", None),
        ("GET", "/api/retention/destroyed", None),
        ("GET", "/api/audit/verify", None),
        ("GET", "/api/audit/anchors", None),
        ("POST", "/api/audit/anchors", None),
        ("GET", "/api/fixity/runs", None),
        ("POST", "/api/exports", {"year": 2026}),
        ("GET", "/api/registers/PZ/entries", None),
        ("GET", "/api/registers/PZ/entries.xlsx", None),
        ("GET", "/api/duties", None),
        ("GET", "/api/documents", None),
        ("GET", f"/api/documents/{doc}", None),
        ("GET", f"/api/documents/{doc}/file", None),
        ("GET", "/api/disposals/1", None),
        ("GET", "/api/backups", None),
        ("GET", "/api/notifications", None),
        ("GET", "/api/users", None),
    ]
    for method, url, body in calls:
        response = service.client.request(method, url, json=body, headers=everyone)
        assert response.status_code == 403, (method, url, response.text)
        assert response.json()["error"] == "PledgeMissing", (method, url)
        assert "konfidencialumo pasižadėjimo" in response.json()["detail"]
    assert _count(service, Hold) == 0
    assert _count(service, RetentionEvent) == 0


def test_pages_with_personal_data_show_the_pledge_notice(service: Service) -> None:
    from service.users.accounts import create_user
    from tests.web.conftest import sign_in

    with session_scope(service.engine) as session:
        create_user(
            session, name="Jonas Naujokas", position="Mokytojas", roles=list(Role),
            login="jonas", password="Slaptas-žodis-2026",
        )  # fmt: skip
    sign_in(service.client, "jonas", "Slaptas-žodis-2026")
    for url in ("/archyvas/sulaikymai", "/archyvas", "/archyvas/naikinimas", "/registrai/PZ"):
        page = service.client.get(url)
        assert page.status_code == 403, url
        assert "konfidencialumo pasižadėjim" in page.text, url
    assert service.client.get("/paskyra").status_code == 200
