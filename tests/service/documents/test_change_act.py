"""Change acts: linked to the summary they correct, filed in its case, and notifying the four
recipients of p.20 through events another system reads and marks delivered."""

from __future__ import annotations

import pytest

from service.documents.change_act import ChangeAct
from service.errors import InvalidPayload
from service.users.models import Role
from service.validation import parse_payload
from tests.conftest import Service
from tests.service.documents.seed_kinds import payload, rendered_text

ACTS = "/api/documents/change-act"


def test_marks_are_written_as_number_and_word_side_by_side() -> None:
    text = rendered_text("change-act", payload("change-act"))
    assert "6 (šeši)" in text and "8 (aštuoni)" in text
    assert "Tomas Jankauskas" in text and "2026 m. vasario 3 d." in text


def test_non_numeric_mark_is_written_in_full() -> None:
    data = payload("change-act")
    data["wrong"]["mark"] = "nsk"
    data["correct"]["mark"] = "įsk"
    ctx = parse_payload(ChangeAct, data).template_context()
    assert (ctx["wrong"]["mark_text"], ctx["correct"]["mark_text"]) == ("neįskaityta", "įskaityta")


def test_an_act_that_changes_nothing_is_refused() -> None:
    data = payload("change-act")
    data["correct"] = data["wrong"]
    with pytest.raises(InvalidPayload, match="correct"):
        parse_payload(ChangeAct, data)


def test_a_change_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidPayload, match="changed_on"):
        parse_payload(ChangeAct, payload("change-act", changed_on="2999-01-01"))


pytestmark = pytest.mark.db


@pytest.fixture
def deputy(service: Service) -> dict[str, str]:
    return service.user(Role.deputy, name="Ramunė Baltrušaitienė")


def _summary(service: Service, headers: dict[str, str]) -> dict[str, object]:
    response = service.client.post(
        "/api/documents/achievement-summary",
        json=payload("achievement-summary"),
        headers=headers,
    )
    assert response.status_code == 201, response.text
    doc: dict[str, object] = response.json()
    return doc


def test_act_is_linked_to_its_summary_and_filed_in_its_case(
    service: Service, deputy: dict[str, str]
) -> None:
    summary = _summary(service, deputy)
    act = service.client.post(
        ACTS, json=payload("change-act", summary_id=summary["id"]), headers=deputy
    )
    assert act.status_code == 201, act.text
    assert act.json()["case"] == summary["case"]
    listed = service.client.get(f"/api/documents/{summary['id']}/change-acts", headers=deputy)
    assert [d["id"] for d in listed.json()] == [act.json()["id"]]


def test_acts_stay_listed_on_a_corrected_summary(service: Service, deputy: dict[str, str]) -> None:
    summary = _summary(service, deputy)
    act = service.client.post(
        ACTS, json=payload("change-act", summary_id=summary["id"]), headers=deputy
    ).json()
    v2 = service.client.post(
        f"/api/documents/{summary['id']}/versions",
        json={
            "reason": "Ištaisytas matematikos įvertinimas",
            "payload": payload("achievement-summary"),
        },
        headers=deputy,
    ).json()
    listed = service.client.get(f"/api/documents/{v2['id']}/change-acts", headers=deputy)
    assert [d["id"] for d in listed.json()] == [act["id"]]


def test_unknown_summary_is_404_and_consumes_no_number(
    service: Service, deputy: dict[str, str]
) -> None:
    response = service.client.post(
        ACTS, json=payload("change-act", summary_id="nera-tokio"), headers=deputy
    )
    assert response.status_code == 404
    assert "summary_id" in response.json()["detail"]
    assert service.client.get("/api/documents?kind=change-act", headers=deputy).json() == []
    entries = service.client.post(ACTS, json=payload("change-act"), headers=deputy).json()
    assert entries["registration"]["number"] == "DA-1"


def test_summary_id_of_another_kind_is_422(service: Service, deputy: dict[str, str]) -> None:
    other = service.client.post(ACTS, json=payload("change-act"), headers=deputy).json()
    response = service.client.post(
        ACTS, json=payload("change-act", summary_id=other["id"]), headers=deputy
    )
    assert response.status_code == 422
    assert "summary_id" in response.json()["detail"]


def test_issuing_records_the_notifications_that_can_be_marked_delivered(
    service: Service, deputy: dict[str, str]
) -> None:
    act = service.client.post(ACTS, json=payload("change-act"), headers=deputy).json()
    admin = service.user(Role.admin, name="Tomas Jankauskas")
    pending = service.client.get("/api/notifications?delivered=false", headers=admin).json()
    # The example changes excused lessons, so the class teacher is told too (p.20, 24.6).
    assert {n["recipient_role"] for n in pending} == {
        "administrator",
        "subject_teacher",
        "pupil",
        "parents",
        "class_teacher",
    }
    parents = next(n for n in pending if n["recipient_role"] == "parents")
    # The pupil's name stays in the nominative after a label ("Matas Kazlauskas tėvai" was
    # the name forced into a case it is not in).
    assert parents["recipient_name"] == (
        "Mokinio tėvai (globėjai, rūpintojai); mokinys: Matas Kazlauskas"
    )
    assert all(n["document_id"] == act["id"] for n in pending)
    assert all(act["registration"]["number"] in n["message"] for n in pending)
    first = pending[0]["id"]
    done = service.client.post(f"/api/notifications/{first}/delivered", headers=admin)
    assert done.status_code == 200 and done.json()["delivered_at"] is not None
    again = service.client.post(f"/api/notifications/{first}/delivered", headers=admin)
    assert again.status_code == 409
    left = service.client.get("/api/notifications?delivered=false", headers=admin).json()
    assert first not in [n["id"] for n in left] and len(left) == 4


def test_a_mark_only_correction_does_not_tell_the_class_teacher(
    service: Service, deputy: dict[str, str]
) -> None:
    data = payload("change-act")
    data["correct"] = dict(data["wrong"], mark=9)
    service.client.post(ACTS, json=data, headers=deputy)
    admin = service.user(Role.admin, name="Tomas Jankauskas")
    pending = service.client.get("/api/notifications?delivered=false", headers=admin).json()
    assert "class_teacher" not in {n["recipient_role"] for n in pending}
    assert len(pending) == 4


def test_class_teacher_may_not_read_notifications(service: Service) -> None:
    teacher = service.user(Role.class_teacher)
    assert service.client.get("/api/notifications", headers=teacher).status_code == 403
