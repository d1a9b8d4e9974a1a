"""The calendar through the API, and the duties computed from it over real issued documents."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import func, select

from service.audit.models import AuditEvent
from service.db import session_scope
from service.users.models import Role
from tests.conftest import Service, example
from tests.service.archive.helpers import use_test_rules

pytestmark = pytest.mark.db

CALENDAR_2025: dict[str, Any] = {
    "periods": [
        {"name": "I pusmetis", "ends_on": "2026-01-30"},
        {"name": "II pusmetis", "ends_on": "2026-06-19"},
    ],
    "classes": ["5a", "5b", "6a"],
}


def _audit_count(service: Service) -> int:
    with session_scope(service.engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


def _issue(service: Service, headers: dict[str, str], kind: str, data: dict[str, Any]) -> None:
    response = service.client.post(f"/api/documents/{kind}", json=data, headers=headers)
    assert response.status_code == 201, response.text


def _summary(class_name: str, period: str) -> dict[str, Any]:
    return example("achievement-summary") | {"class_name": class_name, "period": period}


def _report(first: str, last: str, class_name: str, month: str) -> dict[str, Any]:
    data = example("progress-report")
    data["student"] = {"first_name": first, "last_name": last}
    data["class_name"] = class_name
    data["month"] = month
    for mark in data["marks"]:
        mark["date"] = f"{month}-{mark['date'][-2:]}"
    return data


def test_calendar_is_saved_read_back_and_audited(service: Service) -> None:
    deputy = service.user(Role.deputy, name="Daiva Pavaduotoja")
    before = _audit_count(service)
    saved = service.client.put("/api/school-calendar/2025-2026", json=CALENDAR_2025, headers=deputy)
    assert saved.status_code == 200, saved.text
    body = service.client.get("/api/school-calendar/2025-2026", headers=deputy).json()
    assert body["classes"] == ["5a", "5b", "6a"]
    assert body["teaching_ends"] == "2026-06-19"
    assert body["journal_transfer_due"] == "2026-08-31"
    assert _audit_count(service) == before + 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"classes": ["5a", "Gėlių"]}, "classes[1]"),
        ({"periods": [{"name": "I pusmetis", "ends_on": "2027-01-30"}]}, "periods[0].ends_on"),
        ({"journal_transfer_due": "2026-05-01"}, "journal_transfer_due"),
        ({"periods": []}, "periods"),
        ({"school_year": "2024-2025"}, "school_year"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_calendar_is_refused_in_lithuanian_and_nothing_is_saved(
    service: Service, change: dict[str, Any], named: str
) -> None:
    deputy = service.user(Role.deputy, name="Daiva Pavaduotoja")
    before = _audit_count(service)
    response = service.client.put(
        "/api/school-calendar/2025-2026", json=CALENDAR_2025 | change, headers=deputy
    )
    assert response.status_code == 422, response.text
    assert named in response.json()["detail"]
    missing = service.client.get("/api/school-calendar/2025-2026", headers=deputy)
    assert missing.status_code == 404
    assert "kalendorius dar nenustatytas" in missing.json()["detail"]
    assert _audit_count(service) == before


def test_only_those_who_run_the_year_set_the_calendar(service: Service) -> None:
    teacher = service.user(Role.class_teacher, name="Jūratė Mockienė")
    response = service.client.put(
        "/api/school-calendar/2025-2026", json=CALENDAR_2025, headers=teacher
    )
    assert response.status_code == 403
    # The policy table's refusal names the roles that may (service/access/policy.py).
    detail = response.json()["detail"]
    assert "reikia vieno iš vaidmenų" in detail and "direktoriaus pavaduotojas ugdymui" in detail


def test_duties_need_a_pledge(service: Service) -> None:
    unpledged = service.user(Role.deputy, name="Nauja Pavaduotoja", pledge=False)
    assert service.client.get("/api/duties", headers=unpledged).status_code == 403


def test_missing_summaries_follow_the_periods_and_classes(service: Service) -> None:
    staff = service.user(Role.deputy, Role.class_teacher, name="Daiva Pavaduotoja")
    service.client.put("/api/school-calendar/2025-2026", json=CALENDAR_2025, headers=staff)
    _issue(service, staff, "achievement-summary", _summary("5a", "II pusmetis"))
    # The names are matched as people type them: case and spacing do not matter.
    _issue(service, staff, "achievement-summary", _summary("5B", "i  pusmetis"))

    during = service.client.get("/api/duties?on=2026-01-30", headers=staff).json()
    assert during["summaries"] == []  # the period ends that day: nothing is due yet

    body = service.client.get("/api/duties?on=2026-06-22", headers=staff).json()
    assert body["calendar_set"] is True
    due = {(s["class_name"], s["period"]): s for s in body["summaries"]}
    assert set(due) == {
        ("5a", "I pusmetis"),
        ("6a", "I pusmetis"),
        ("5b", "II pusmetis"),
        ("6a", "II pusmetis"),
    }
    late = due[("6a", "I pusmetis")]
    assert (late["teacher_deadline"], late["deputy_deadline"], late["overdue"]) == (
        "2026-02-06",
        "2026-02-09",
        True,
    )
    # Friday 19 June: 22, 23, (24 is Joninės), 25, 26, 29.
    fresh = due[("6a", "II pusmetis")]
    assert (fresh["teacher_deadline"], fresh["overdue"]) == ("2026-06-29", False)


def test_journal_transfer_is_due_after_teaching_and_stays_until_registered(
    service: Service,
) -> None:
    use_test_rules(service)
    admin = service.user(Role.admin, Role.deputy, name="Petras Administratorius")
    service.client.put("/api/school-calendar/2025-2026", json=CALENDAR_2025, headers=admin)

    spring = service.client.get("/api/duties?on=2026-05-01", headers=admin).json()
    assert spring["journal_transfers"] == []
    summer = service.client.get("/api/duties?on=2026-06-22", headers=admin).json()
    assert [
        (t["school_year"], t["deadline"], t["overdue"]) for t in summer["journal_transfers"]
    ] == [("2025-2026", "2026-08-31", False)]
    # Next school year, with no calendar yet: last year's transfer is overdue.
    autumn = service.client.get("/api/duties?on=2026-09-15", headers=admin).json()
    assert autumn["calendar_set"] is False
    assert [(t["school_year"], t["overdue"]) for t in autumn["journal_transfers"]] == [
        ("2025-2026", True)
    ]

    uploaded = service.client.post(
        "/api/journal-transfers?filename=tamo-2025-2026.zip&school_year=2025-2026",
        content=b"the e-journal's export",
        headers=admin | {"Content-Type": "application/zip"},
    )
    assert uploaded.status_code == 201, uploaded.text
    after = service.client.get("/api/duties?on=2026-09-15", headers=admin).json()
    assert after["journal_transfers"] == []
    done = service.client.get("/api/duties?on=2026-07-01", headers=admin).json()
    assert [t["document_number"] for t in done["journal_transfers"]] == [uploaded.json()["number"]]


def test_parent_reports_expected_for_pupils_who_had_them_unless_they_left(
    service: Service,
) -> None:
    staff = service.user(
        Role.deputy, Role.class_teacher, Role.office_manager, name="Daiva Pavaduotoja"
    )
    calendar = {
        "periods": [
            {"name": "I pusmetis", "ends_on": "2027-01-29"},
            {"name": "II pusmetis", "ends_on": "2027-06-18"},
        ],
        "classes": ["3b", "6b"],
    }
    # She writes the pupils' reports as the classes' teacher: the calendar names her so.
    me = service.client.get("/api/me", headers=staff).json()["id"]
    calendar["class_teachers"] = {"3b": me, "6b": me}
    assert (
        service.client.put(
            "/api/school-calendar/2026-2027", json=calendar, headers=staff
        ).status_code
        == 200
    )
    _issue(service, staff, "progress-report", _report("Ieva", "Navickaitė", "3b", "2026-10"))
    _issue(service, staff, "progress-report", _report("Ieva", "Navickaitė", "3b", "2026-11"))
    _issue(service, staff, "progress-report", _report("Tomas", "Jonaitis", "3b", "2026-10"))
    _issue(service, staff, "progress-report", _report("Gabija", "Žukauskaitė", "6b", "2026-10"))
    # Gabija left on 20 November: no report is expected for her any more.
    _issue(service, staff, "leaving-certificate", example("leaving-certificate"))

    body = service.client.get("/api/duties?on=2026-12-03", headers=staff).json()
    reports = body["parent_reports"]
    assert reports["month"] == "2026-11"
    assert reports["issued"] == 1
    assert reports["missing"] == [
        {"class_name": "3b", "first_name": "Tomas", "last_name": "Jonaitis"}
    ]
    # In October nothing came before, so nothing can be expected yet.
    october = service.client.get("/api/duties?on=2026-10-15", headers=staff).json()
    assert october["parent_reports"] is None
