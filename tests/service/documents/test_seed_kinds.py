"""Every seed kind end to end on the real stack: issued, registered, filed; bad input refused
with nothing consumed; templates agree with their payload models and escape values."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from service.db import session_scope
from service.registry.models import RegistryEntry
from service.users.models import Role
from tests.conftest import EXAMPLE_CLASSES, Service
from tests.service.documents.seed_kinds import (
    COMMON,
    NASTY,
    SEED_KINDS,
    payload,
    rendered_text,
    template_matches_model,
)

FILING = {
    "change-act": ("DA", "3.1", "v1511-change-act", Role.deputy),
    "confidentiality-pledge": ("KP", "2.1", "v100-confidentiality-pledge", Role.office_manager),
    "achievement-summary": ("SV", "3.1", "v1511-achievement-summary", Role.deputy),
    "safety-briefing": ("IN", "3.2", "v1511-safety-briefing", Role.class_teacher),
    "progress-report": ("TA", "3.3", "v1511-progress-report", Role.class_teacher),
}


def _entries(service: Service) -> list[RegistryEntry]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(RegistryEntry)))


@pytest.mark.parametrize("kind", SEED_KINDS)
def test_template_reads_exactly_what_the_model_gives(kind: str) -> None:
    template, model = template_matches_model(kind)
    assert template == model


@pytest.mark.parametrize("kind", SEED_KINDS)
def test_template_uses_only_known_common_values(kind: str) -> None:
    from service.kinds import load_kinds
    from service.rendering.docx import template_variables

    names = template_variables(load_kinds()[kind].template)
    assert {"school", "registration"} <= names
    assert names - COMMON - set(template_matches_model(kind)[1]) == set()


def test_names_with_xml_characters_survive_every_template() -> None:
    cases: dict[str, dict[str, Any]] = {
        "change-act": payload("change-act", student={"first_name": NASTY, "last_name": "X"}),
        "confidentiality-pledge": payload(
            "confidentiality-pledge", person={"name": NASTY, "position": "<mokytoja>"}
        ),
        "safety-briefing": payload("safety-briefing", students=[NASTY, "Ona"]),
        "progress-report": payload(
            "progress-report", student={"first_name": NASTY, "last_name": "X"}
        ),
    }
    summary = payload("achievement-summary")
    summary["students"][0]["note"] = NASTY
    cases["achievement-summary"] = summary
    for kind, data in cases.items():
        assert NASTY in rendered_text(kind, data), kind


@pytest.mark.db
@pytest.mark.parametrize("kind", SEED_KINDS)
def test_example_is_issued_registered_and_filed(service: Service, kind: str) -> None:
    register, case, rule, role = FILING[kind]
    headers = service.user(role, leads=EXAMPLE_CLASSES if role is Role.class_teacher else ())
    response = service.client.post(f"/api/documents/{kind}", json=payload(kind), headers=headers)
    assert response.status_code == 201, response.text
    doc = response.json()
    assert doc["registration"]["register"] == register
    assert doc["registration"]["number"] == f"{register}-1"
    assert doc["case"]["index"] == case
    assert doc["retention"]["rule"] == rule
    pdf = service.client.get(f"/api/documents/{doc['id']}/file", headers=headers)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


BAD: list[tuple[str, dict[str, Any], str]] = [
    (
        "change-act",
        {"wrong": {"mark": 11, "missed_lessons": 5, "excused_lessons": 2}},
        "wrong.mark",
    ),
    (
        "change-act",
        {"correct": {"mark": 8, "missed_lessons": 5, "excused_lessons": 6}},
        "correct.excused_lessons",
    ),
    ("change-act", {"administrator": {}}, "administrator.name"),
    ("confidentiality-pledge", {"date": "2026-02-30"}, "date"),
    ("confidentiality-pledge", {"person": {"name": "Ona"}}, "person.position"),
    ("achievement-summary", {"subjects": []}, "subjects"),
    ("achievement-summary", {"students": []}, "students"),
    ("achievement-summary", {"school_year": "2025"}, "school_year"),
    ("safety-briefing", {"students": []}, "students"),
    ("safety-briefing", {"students": ["Ona Ona", "ona  ona"]}, "students"),
    (
        "progress-report",
        {"marks": [{"subject": "Matematika", "date": "2026-10-02", "mark": "puiku"}]},
        "marks[0].mark",
    ),
    ("progress-report", {"excused_lessons": 7}, "excused_lessons"),
    (
        "progress-report",
        {"marks": [{"subject": "Matematika", "date": "2026-11-02", "mark": 9}]},
        "marks[0].date",
    ),
    ("progress-report", {"marks": []}, "marks"),
]


@pytest.mark.db
@pytest.mark.parametrize(("kind", "change", "field"), BAD)
def test_bad_input_is_refused_naming_the_field_and_consumes_nothing(
    service: Service, kind: str, change: dict[str, Any], field: str
) -> None:
    headers = service.user(FILING[kind][3])
    response = service.client.post(
        f"/api/documents/{kind}", json=payload(kind, **change), headers=headers
    )
    assert response.status_code == 422, response.text
    assert f"„{field}" in response.json()["detail"]
    assert _entries(service) == []


@pytest.mark.db
def test_summary_pupil_errors_name_the_pupil_and_subject(service: Service) -> None:
    data = payload("achievement-summary")
    data["students"][1]["marks"]["Chemija"] = 9
    data["students"][2] = dict(data["students"][0])
    headers = service.user(Role.deputy)
    response = service.client.post("/api/documents/achievement-summary", json=data, headers=headers)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "„students[1].marks“" in detail and "„Chemija“" in detail
    assert "„students[2]“" in detail and "Augustas Balčiūnas" in detail
    assert _entries(service) == []


@pytest.mark.db
def test_an_8_mib_string_is_refused_before_parsing(service: Service) -> None:
    headers = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES)
    data = payload("safety-briefing", content="ą" * (4 * 1024 * 1024))
    response = service.client.post("/api/documents/safety-briefing", json=data, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"
    assert _entries(service) == []


@pytest.mark.db
def test_a_long_string_within_the_body_limit_is_a_422_naming_the_field(
    service: Service,
) -> None:
    headers = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES)
    data = payload("safety-briefing", topic="x" * 100_000)
    response = service.client.post("/api/documents/safety-briefing", json=data, headers=headers)
    assert response.status_code == 422
    assert "„topic“" in response.json()["detail"]


@pytest.mark.db
@pytest.mark.parametrize(
    ("kind", "role"),
    [
        ("change-act", Role.class_teacher),
        ("progress-report", Role.deputy),
        ("confidentiality-pledge", Role.class_teacher),
        ("achievement-summary", Role.office_manager),
    ],
)
def test_roles_outside_the_kind_are_refused(service: Service, kind: str, role: Role) -> None:
    response = service.client.post(
        f"/api/documents/{kind}", json=payload(kind), headers=service.user(role)
    )
    assert response.status_code == 403
    assert _entries(service) == []


@pytest.mark.db
def test_batch_issues_good_items_and_reports_bad_ones_alone(service: Service) -> None:
    headers = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES)
    good = payload("progress-report")
    bad = payload("progress-report", excused_lessons=99)
    response = service.client.post(
        "/api/documents/progress-report/batch",
        json={"items": [good, bad, good]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["issued"], body["failed"]) == (2, 1)
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [201, 422, 201]
    assert "excused_lessons" in body["results"][1]["detail"]
    numbers = sorted(
        r["document"]["registration"]["number"] for r in body["results"] if r["status"] == 201
    )
    assert numbers == ["TA-1", "TA-2"]
