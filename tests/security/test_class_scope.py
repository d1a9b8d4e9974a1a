"""Issue 10 item 8: class teachers act only on the classes the school year's calendar names
them to lead: another class's progress reports and summaries cannot be read, downloaded,
corrected or listed, nor issued for; a summary's change-act list shows nothing the caller may
not open; the office manager reads the summaries and reports she files."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import func, select

from service.db import session_scope
from service.registry.models import RegistryEntry
from service.users.models import Role
from tests.conftest import Service, example
from tests.web.conftest import MakeStaff, sign_in
from tests.web.conftest import staff as staff

pytestmark = pytest.mark.db

REPORT = "progress-report"
SUMMARY = "achievement-summary"


def _entries(service: Service) -> int:
    with session_scope(service.engine) as session:
        return int(session.exec(select(func.count()).select_from(RegistryEntry)).one())


def _issue(service: Service, headers: dict[str, str], kind: str, data: dict[str, Any]) -> str:
    response = service.client.post(f"/api/documents/{kind}", json=data, headers=headers)
    assert response.status_code == 201, response.text
    found: str = response.json()["id"]
    return found


@pytest.fixture
def classes(service: Service) -> dict[str, Any]:
    mine = service.user(Role.class_teacher, name="Jūratė Mockienė", leads=("3b", "5a"))
    theirs = service.user(Role.class_teacher, name="Laima Grigonienė", leads=("4a",))
    return {
        "mine": mine,
        "theirs": theirs,
        "my_report": _issue(service, mine, REPORT, example(REPORT)),
        "their_report": _issue(service, theirs, REPORT, example(REPORT) | {"class_name": "4a"}),
    }


def test_another_class_report_cannot_be_read_downloaded_or_corrected(
    service: Service, classes: dict[str, Any]
) -> None:
    mine, theirs_id = classes["mine"], classes["their_report"]
    for url in (f"/api/documents/{theirs_id}", f"/api/documents/{theirs_id}/file"):
        refused = service.client.get(url, headers=mine)
        assert refused.status_code == 403, url
        assert refused.json()["error"] == "NotPermitted"
        assert "klasės „4a“ vadovu" in refused.json()["detail"]
    before = _entries(service)
    correction = service.client.post(
        f"/api/documents/{theirs_id}/versions",
        json={"reason": "Klaida", "payload": example(REPORT) | {"class_name": "4a"}},
        headers=mine,
    )
    assert correction.status_code == 403
    # Nor by moving it to one's own class: the document corrected is still another class's.
    moved = service.client.post(
        f"/api/documents/{theirs_id}/versions",
        json={"reason": "Klaida", "payload": example(REPORT)},
        headers=mine,
    )
    assert moved.status_code == 403
    assert _entries(service) == before  # no number taken, none voided
    # One's own class: all of it works.
    own = classes["my_report"]
    assert service.client.get(f"/api/documents/{own}/file", headers=mine).status_code == 200


def test_issuing_for_a_class_one_does_not_lead_takes_no_number(
    service: Service, classes: dict[str, Any]
) -> None:
    before = _entries(service)
    refused = service.client.post(
        f"/api/documents/{REPORT}",
        json=example(REPORT) | {"class_name": "4a"},
        headers=classes["mine"],
    )
    assert refused.status_code == 403
    assert "klasės „4a“" in refused.json()["detail"]
    nobody = service.user(Role.class_teacher, name="Nauja Mokytoja")  # leads no class at all
    assert (
        service.client.post(f"/api/documents/{REPORT}", json=example(REPORT), headers=nobody)
    ).status_code == 403
    assert _entries(service) == before


def test_listings_show_only_ones_own_classes(service: Service, classes: dict[str, Any]) -> None:
    listed = service.client.get("/api/documents", headers=classes["mine"]).json()
    assert [d["id"] for d in listed] == [classes["my_report"]]
    refused = service.client.get(
        f"/api/documents/{classes['their_report']}/change-acts", headers=classes["mine"]
    )
    assert refused.status_code == 403


def test_the_office_manager_reads_the_reports_and_summaries_she_files(
    service: Service, classes: dict[str, Any]
) -> None:
    office = service.user(Role.office_manager, name="Rasa Raštinienė")
    summary = _issue(service, classes["mine"], SUMMARY, example(SUMMARY))
    for doc in (classes["my_report"], classes["their_report"], summary):
        assert service.client.get(f"/api/documents/{doc}", headers=office).status_code == 200
        assert service.client.get(f"/api/documents/{doc}/file", headers=office).status_code == 200
    listed = {d["id"] for d in service.client.get("/api/documents", headers=office).json()}
    assert {classes["my_report"], classes["their_report"], summary} <= listed


def test_a_summary_change_act_list_shows_only_acts_the_caller_may_open(
    service: Service, classes: dict[str, Any]
) -> None:
    summary = _issue(service, classes["mine"], SUMMARY, example(SUMMARY))
    deputy = service.user(Role.deputy, name="Asta Pavaduotoja")
    act = _issue(
        service,
        deputy,
        "change-act",
        example("change-act") | {"class_name": "5a", "summary_id": summary},
    )
    by_deputy = service.client.get(f"/api/documents/{summary}/change-acts", headers=deputy)
    assert [d["id"] for d in by_deputy.json()] == [act]
    # The class teacher may open her summary but not change acts (their readers: the deputy,
    # the admin, the director, the archivist, the office): the list does not show them.
    by_teacher = service.client.get(
        f"/api/documents/{summary}/change-acts", headers=classes["mine"]
    )
    assert by_teacher.status_code == 200 and by_teacher.json() == []
    assert service.client.get(f"/api/documents/{act}", headers=classes["mine"]).status_code == 403


def test_another_class_page_is_refused_in_the_browser_too(
    service: Service, staff: MakeStaff
) -> None:
    teacher = staff(Role.class_teacher, login="jurate", name="Jūratė Mockienė", leads=("3b",))
    other = staff(Role.class_teacher, login="laima", name="Laima Grigonienė", leads=("4a",))
    del teacher
    runtime = service.client.app.state.runtime  # type: ignore[attr-defined]
    issued = runtime.issuer.issue(
        runtime.kinds[REPORT], example(REPORT) | {"class_name": "4a"}, other
    )
    sign_in(service.client, "jurate")
    doc = issued.document.id
    for url in (f"/dokumentai/{doc}", f"/dokumentai/{doc}/nauja-versija"):
        page = service.client.get(url)
        assert page.status_code == 403, url
        assert "klasės „4a“ vadovu" in page.text
    assert doc not in service.client.get("/dokumentai").text


def test_the_calendar_names_only_class_teachers(service: Service) -> None:
    deputy = service.user(Role.deputy, name="Asta Pavaduotoja")
    me = service.client.get("/api/me", headers=deputy).json()["id"]
    body = {
        "periods": [{"name": "I pusmetis", "ends_on": "2027-01-29"}],
        "classes": ["5a"],
        "class_teachers": {"5a": me},
    }
    refused = service.client.put("/api/school-calendar/2026-2027", json=body, headers=deputy)
    assert refused.status_code == 422
    assert "nėra aktyvus klasės vadovas" in refused.json()["detail"]
    body["class_teachers"] = {"6b": me}
    unknown = service.client.put("/api/school-calendar/2026-2027", json=body, headers=deputy)
    assert unknown.status_code == 422 and "6b" in unknown.json()["detail"]
