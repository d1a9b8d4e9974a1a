"""The documentation plan through the API: the default draft, edits, approval, recorded changes."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from service.audit.models import AuditEvent
from service.cases.models import Case, DocumentationPlan, PlanChange
from service.db import session_scope
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import Service

pytestmark = pytest.mark.db

YEAR = 2027
NEW_CASE = {
    "index": "3.6",
    "title": "Mokinių išvykimo ir atvykimo dokumentai",
    "retention_rule": "v1511-pupil-orders",
    "registers": ["PZ"],
}


def _cases(service: Service, year: int = YEAR) -> list[tuple[str, str, str, str]]:
    with session_scope(service.engine) as session:
        rows = session.exec(select(Case).where(Case.year == year).order_by(col(Case.index)))
        return [(c.index, c.title, c.retention_rule, c.registers) for c in rows]


def _changes(service: Service) -> list[PlanChange]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(PlanChange).order_by(col(PlanChange.id))))


def _approve(service: Service) -> None:
    director = service.user(Role.director, name="Vardenis Pavardenis")
    response = service.client.post(f"/api/plans/{YEAR}/approve", headers=director)
    assert response.status_code == 200, response.text


def test_a_year_without_a_plan_gets_the_default_draft(service: Service) -> None:
    reader = service.user(Role.office_manager)
    response = service.client.get(f"/api/cases?year={YEAR}", headers=reader)
    assert response.status_code == 200, response.text
    cases = response.json()
    assert [c["index"] for c in cases][:3] == ["1.1", "1.2", "1.3"]
    pz = next(c for c in cases if c["index"] == "3.4")
    assert pz == pz | {
        "year": YEAR,
        "status": "open",
        "retention_rule": "v1511-pupil-file",
        "documents": 0,
        "registers": ["PZ"],
    }
    plan = service.client.get(f"/api/plans/{YEAR}", headers=reader).json()
    assert plan["status"] == "draft"
    assert [a["index"] for a in plan["areas"]] == ["1", "2", "3"]


def test_cases_default_to_this_year(service: Service) -> None:
    reader = service.user(Role.archivist)
    cases = service.client.get("/api/cases", headers=reader).json()
    assert {c["year"] for c in cases} == {today_vilnius().year}


def test_archivist_adds_a_case_to_a_draft(service: Service) -> None:
    archivist = service.user(Role.archivist)
    response = service.client.post(f"/api/plans/{YEAR}/cases", json=NEW_CASE, headers=archivist)
    assert response.status_code == 201, response.text
    assert response.json()["registers"] == ["PZ"]
    assert ("3.6", NEW_CASE["title"], "v1511-pupil-orders", "PZ") in _cases(service)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"index": "3,6"}, "„3,6“"),
        ({"index": "3.6E"}, "„3.6E“"),
        ({"retention_rule": "nera-tokios"}, "nera-tokios"),
        ({"registers": ["XX"]}, "XX"),
        ({"index": "9.1"}, "srities „9“"),
    ],
)
def test_bad_case_is_422_and_changes_nothing(
    service: Service, change: dict[str, object], field: str
) -> None:
    archivist = service.user(Role.archivist)
    service.client.get(f"/api/plans/{YEAR}", headers=archivist)
    before = _cases(service)
    response = service.client.post(
        f"/api/plans/{YEAR}/cases", json=NEW_CASE | change, headers=archivist
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]
    assert _cases(service) == before
    assert _changes(service) == []


def test_only_the_director_approves(service: Service) -> None:
    archivist = service.user(Role.archivist)
    response = service.client.post(f"/api/plans/{YEAR}/approve", headers=archivist)
    assert response.status_code == 403
    assert "direktorius" in response.json()["detail"]
    _approve(service)
    with session_scope(service.engine) as session:
        plan = session.get(DocumentationPlan, YEAR)
        assert plan is not None and plan.status == "approved"
        assert plan.approved_by_name == "Vardenis Pavardenis"
    again = service.client.post(
        f"/api/plans/{YEAR}/approve", headers=service.user(Role.director, name="D")
    )
    assert again.status_code == 409


def test_edit_after_approval_without_the_director_is_403_and_changes_nothing(
    service: Service,
) -> None:
    _approve(service)
    before = _cases(service)
    archivist = service.user(Role.archivist)
    added = service.client.post(f"/api/plans/{YEAR}/cases", json=NEW_CASE, headers=archivist)
    changed = service.client.patch(
        f"/api/plans/{YEAR}/cases/3.4", json={"title": "Kita antraštė"}, headers=archivist
    )
    removed = service.client.delete(f"/api/plans/{YEAR}/cases/1.3", headers=archivist)
    assert [added.status_code, changed.status_code, removed.status_code] == [403, 403, 403]
    assert "patvirtintas" in changed.json()["detail"]
    assert _cases(service) == before
    assert _changes(service) == []


def test_directors_edit_of_an_approved_plan_is_recorded(service: Service) -> None:
    _approve(service)
    director = service.user(Role.director, name="Vardenis Pavardenis")
    response = service.client.patch(
        f"/api/plans/{YEAR}/cases/3.4",
        json={"title": "Išvykusių mokinių pažymos"},
        headers=director,
    )
    assert response.status_code == 200, response.text
    [change] = _changes(service)
    assert (change.action, change.subject, change.after_approval) == ("case.changed", "3.4", True)
    assert change.before is not None and change.after is not None
    assert change.after["title"] == "Išvykusių mokinių pažymos"
    assert change.before["title"] != change.after["title"]
    assert change.user_name == "Vardenis Pavardenis"
    with session_scope(service.engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "plan.changed")).all()
    assert len(events) == 1 and events[0].detail["after_approval"] is True
    plan = service.client.get(f"/api/plans/{YEAR}", headers=director).json()
    assert plan["changes"][0]["subject"] == "3.4"


def test_malformed_case_index_in_the_path_is_422(service: Service) -> None:
    archivist = service.user(Role.archivist)
    response = service.client.patch(
        f"/api/plans/{YEAR}/cases/tris", json={"title": "X"}, headers=archivist
    )
    assert response.status_code == 422
    assert "„tris“" in response.json()["detail"]


def test_unknown_case_is_404(service: Service) -> None:
    archivist = service.user(Role.archivist)
    response = service.client.patch(
        f"/api/plans/{YEAR}/cases/7.7", json={"title": "X"}, headers=archivist
    )
    assert response.status_code == 404


def test_area_is_added_and_then_takes_cases(service: Service) -> None:
    archivist = service.user(Role.archivist)
    area = service.client.put(
        f"/api/plans/{YEAR}/areas/4", json={"title": "Ūkinė veikla"}, headers=archivist
    )
    assert area.status_code == 200, area.text
    response = service.client.post(
        f"/api/plans/{YEAR}/cases",
        json=NEW_CASE | {"index": "4.1 E", "registers": []},
        headers=archivist,
    )
    assert response.status_code == 201, response.text
    plan = service.client.get(f"/api/plans/{YEAR}", headers=archivist).json()
    [area4] = [a for a in plan["areas"] if a["index"] == "4"]
    assert [c["index"] for c in area4["cases"]] == ["4.1 E"]


def test_copy_to_next_year_gives_an_open_draft(service: Service) -> None:
    director = service.user(Role.director)
    service.client.post(f"/api/plans/{YEAR}/cases", json=NEW_CASE, headers=director)
    _approve(service)
    response = service.client.post(f"/api/plans/{YEAR}/copy-to-next", headers=director)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "draft"
    assert [(i, t, r, g) for i, t, r, g in _cases(service, YEAR + 1)] == _cases(service, YEAR)


def test_copy_onto_an_approved_plan_is_409(service: Service) -> None:
    director = service.user(Role.director)
    service.client.post(f"/api/plans/{YEAR + 1}/approve", headers=director)
    before = _cases(service, YEAR + 1)
    response = service.client.post(f"/api/plans/{YEAR}/copy-to-next", headers=director)
    assert response.status_code == 409
    assert _cases(service, YEAR + 1) == before


def test_year_out_of_range_is_422(service: Service) -> None:
    reader = service.user(Role.archivist)
    assert service.client.get("/api/cases?year=1200", headers=reader).status_code == 422


def test_class_teacher_may_not_read_the_plan(service: Service) -> None:
    teacher = service.user(Role.class_teacher)
    assert service.client.get(f"/api/cases?year={YEAR}", headers=teacher).status_code == 403
