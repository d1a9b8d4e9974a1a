"""The other kinds' forms: the same page machinery, each kind's own model and roles."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from service.db import session_scope
from service.documents.models import Document
from service.users.models import Role, User
from tests.conftest import EXAMPLE_CLASSES, Service, example
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db


def _post(client: TestClient, kind: str, fields: dict[str, str]) -> object:
    page = client.get(f"/isduoti/{kind}")
    assert page.status_code == 200, page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key
    data = {"csrf": csrf_of(page.text), "idempotency_key": key.group(1)} | fields
    return client.post(f"/isduoti/{kind}", data=data, follow_redirects=False)


def _kinds(service: Service, kind: str) -> list[Document]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(Document).where(Document.kind == kind)))


def test_issue_index_lists_what_the_role_may_issue(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, leads=EXAMPLE_CLASSES, login="mokytoja", name="Laima Grigonienė")
    sign_in(service.client, "mokytoja")
    index = service.client.get("/isduoti").text
    assert "Instruktažo lapas" in index
    assert "Mokinio pasiekimų pažyma" not in index and "Konfidencialumo" not in index


def test_briefing_sheet_from_a_list_of_names(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, leads=EXAMPLE_CLASSES, login="mokytoja", name="Laima Grigonienė")
    sign_in(service.client, "mokytoja")
    data = example("safety-briefing")
    fields = {
        "class_name": data["class_name"],
        "date": data["date"],
        "topic": data["topic"],
        "content": data["content"],
        "instructor.name": data["instructor"]["name"],
        "instructor.position": data["instructor"]["position"],
        # Twice the same pupil (another spelling): refused on its line, nothing issued.
        "students": "\n".join([*data["students"], "  ąžuolas   butkus "]),
    }
    refused = _post(service.client, "safety-briefing", fields)
    assert getattr(refused, "status_code", None) == 422
    text = getattr(refused, "text", "")
    assert "įrašytas du kartus" in text and "Ąžuolas Butkus" in text
    assert _kinds(service, "safety-briefing") == []
    fields["students"] = "\n".join(data["students"]) + "\n\n"
    issued = _post(service.client, "safety-briefing", fields)
    assert getattr(issued, "status_code", None) == 303
    [doc] = _kinds(service, "safety-briefing")
    assert doc.payload["students"] == data["students"]


def test_change_act_by_a_deputy(service: Service, staff: MakeStaff) -> None:
    staff(Role.deputy, login="pavaduotoja", name="Asta Pavaduotoja")
    sign_in(service.client, "pavaduotoja")
    act = example("change-act")
    fields = {
        "student.first_name": act["student"]["first_name"],
        "student.last_name": act["student"]["last_name"],
        "class_name": act["class_name"],
        "subject": act["subject"],
        "period": act["period"],
        "corrected_by.name": act["corrected_by"]["name"],
        "corrected_by.position": act["corrected_by"]["position"],
        "administrator.name": act["administrator"]["name"],
        "changed_on": act["changed_on"],
        "reason": act["reason"],
    }
    for side in ("wrong", "correct"):
        for key, value in act[side].items():
            fields[f"{side}.{key}"] = str(value)
    same = fields | {f"correct.{k}": str(v) for k, v in act["wrong"].items()}
    refused = _post(service.client, "change-act", same)
    assert getattr(refused, "status_code", None) == 422
    assert "taisyti nėra ko" in getattr(refused, "text", "")
    issued = _post(service.client, "change-act", fields)
    assert getattr(issued, "status_code", None) == 303
    [doc] = _kinds(service, "change-act")
    assert doc.payload["correct"] == {"mark": "8", "missed_lessons": 5, "excused_lessons": 5}


def test_pledge_registered_on_the_web_opens_the_gate(service: Service, staff: MakeStaff) -> None:
    staff(Role.office_manager, login="rasa")
    newcomer = staff(
        Role.class_teacher,
        leads=EXAMPLE_CLASSES,
        login="jonas",
        name="Jonas Naujokas",
        pledge=False,
    )
    sign_in(service.client, "rasa")
    issued = _post(
        service.client,
        "confidentiality-pledge",
        {"person.name": "Jonas Naujokas", "person.position": "Mokytojas", "date": "2026-09-01"},
    )
    assert getattr(issued, "status_code", None) == 303
    with session_scope(service.engine) as session:
        user = session.get(User, newcomer.id)
        assert user is not None and user.pledge_document_id is not None
    other = TestClient(service.client.app)
    sign_in(other, "jonas")
    assert other.get("/dokumentai").status_code == 200


def test_monthly_report_for_parents(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, leads=EXAMPLE_CLASSES, login="mokytoja", name="Laima Grigonienė")
    sign_in(service.client, "mokytoja")
    report = example("progress-report")
    fields = {
        "student.first_name": report["student"]["first_name"],
        "student.last_name": report["student"]["last_name"],
        "class_name": report["class_name"],
        "month": report["month"],
        "missed_lessons": str(report["missed_lessons"]),
        "excused_lessons": str(report["excused_lessons"]),
        "late": str(report["late"]),
    }
    for i, m in enumerate(report["marks"]):
        fields |= {f"marks.{i}.subject": m["subject"], f"marks.{i}.mark": m["mark"]}
        fields[f"marks.{i}.date"] = m["date"]
    # A mark dated outside the month lands next to that row's date.
    outside = fields | {"marks.2.date": "2026-11-03"}
    refused = _post(service.client, "progress-report", outside)
    assert getattr(refused, "status_code", None) == 422
    html = getattr(refused, "text", "")
    assert re.search(
        r'id="f-marks-2-date-err">3 eilutė, data: [^<]*nėra 2026-10 mėnesio diena', html
    )
    assert _kinds(service, "progress-report") == []
    issued = _post(service.client, "progress-report", fields)
    assert getattr(issued, "status_code", None) == 303
    [doc] = _kinds(service, "progress-report")
    marks = doc.payload["marks"]
    assert isinstance(marks, list) and len(marks) == 4
