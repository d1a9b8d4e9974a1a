"""Disposal on the web: the archivist proposes from the due list, only the director approves,
then the archivist executes. Forged tokens and the wrong role change nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from service.archive.models import Disposal, DisposalStatus
from service.db import session_scope
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import closed_case, stored_document, use_test_rules
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db


def _disposals(service: Service) -> list[Disposal]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(Disposal)))


def test_archivist_proposes_director_approves_archivist_executes(
    service: Service, staff: MakeStaff
) -> None:
    use_test_rules(service)
    archivist = staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    staff(Role.director, login="vida", name="Vida Direktorė")
    case = closed_case(service, 1990)
    doc = stored_document(service, case, archivist)

    sign_in(service.client, "aldona")
    rules = service.client.get("/archyvas/taisykles")
    assert rules.status_code == 200 and "Saugojimo terminų taisyklės" in rules.text
    due = service.client.get("/archyvas/naikinimas")
    assert due.status_code == 200 and 'value="1990 3.3"' in due.text
    token = csrf_of(due.text)
    forged = service.client.post("/archyvas/naikinimas", data={"csrf": "x", "cases": "1990 3.3"})
    assert forged.status_code == 403
    empty = service.client.post("/archyvas/naikinimas", data={"csrf": token})
    assert empty.status_code == 422 and "Pažymėkite bent vieną" in empty.text
    open_case = service.client.post(
        "/archyvas/naikinimas", data={"csrf": token, "cases": f"{today_vilnius().year} 3.4"}
    )
    assert open_case.status_code == 409
    assert f"Naikinti negalima: Byla 3.4 ({today_vilnius().year} m.) neužbaigta" in open_case.text
    assert _disposals(service) == []

    proposed = service.client.post(
        "/archyvas/naikinimas", data={"csrf": token, "cases": "1990 3.3"}, follow_redirects=False
    )
    assert proposed.status_code == 303, proposed.text
    page_url = proposed.headers["location"]
    page = service.client.get(page_url).text
    assert "laukia direktoriaus patvirtinimo" in page and "Tvirtinti naikinimą" not in page
    [disposal] = _disposals(service)
    approve_url = f"/archyvas/naikinimas/{disposal.id}/tvirtinti"
    execute_url = f"/archyvas/naikinimas/{disposal.id}/vykdyti"
    not_director = service.client.post(approve_url, data={"csrf": token})
    assert not_director.status_code == 403
    too_early = service.client.post(execute_url, data={"csrf": token})
    assert too_early.status_code == 409 and "dar nepatvirtintas" in too_early.text
    assert _disposals(service)[0].status == DisposalStatus.proposed

    director = TestClient(service.client.app)
    sign_in(director, "vida")
    home = director.get("/").text
    assert "Naikinimo aktai, laukiantys sprendimo" in home and "laukia jūsų patvirtinimo" in home
    shown = director.get(page_url).text
    assert "Tvirtinti naikinimą" in shown
    approved = director.post(approve_url, data={"csrf": csrf_of(shown)}, follow_redirects=False)
    assert approved.status_code == 303
    assert _disposals(service)[0].status == DisposalStatus.approved

    executed = service.client.post(execute_url, data={"csrf": token}, follow_redirects=False)
    assert executed.status_code == 303
    assert _disposals(service)[0].status == DisposalStatus.executed
    final = service.client.get(page_url).text
    assert "Sunaikinta" in final and doc.sha256 in final


def test_teacher_may_not_see_the_due_list(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, login="jurate", name="Jūratė Mockienė")
    sign_in(service.client, "jurate")
    assert service.client.get("/archyvas/naikinimas").status_code == 403
    assert service.client.get("/archyvas/taisykles").status_code == 403
