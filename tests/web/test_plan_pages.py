"""The documentation plan page: approval only by the director, closing cases by the archivist."""

from __future__ import annotations

import pytest
from sqlmodel import select

from service.cases.models import Case, CaseStatus, DocumentationPlan, PlanStatus
from service.db import session_scope
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import Service
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db


def _plan(service: Service, year: int) -> DocumentationPlan | None:
    with session_scope(service.engine) as session:
        return session.get(DocumentationPlan, year)


def _closed(service: Service, year: int) -> list[str]:
    with session_scope(service.engine) as session:
        return [
            c.index
            for c in session.exec(select(Case).where(Case.year == year))
            if c.status == CaseStatus.closed
        ]


def test_director_approves_the_plan(service: Service, staff: MakeStaff) -> None:
    year = today_vilnius().year
    staff(Role.office_manager, login="rasa")
    sign_in(service.client, "rasa")
    page = service.client.get("/planas")
    assert page.status_code == 200 and f"Dokumentacijos planas, {year} m." in page.text
    assert "Tvirtinti planą" not in page.text
    refused = service.client.post(f"/planas/{year}/tvirtinti", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403 and "tik direktorius" in refused.text
    plan = _plan(service, year)
    assert plan is not None and plan.status == PlanStatus.draft

    staff(Role.director, login="direktorius", name="Vardenis Pavardenis")
    service.client.cookies.clear()
    sign_in(service.client, "direktorius")
    page = service.client.get("/planas")
    assert "Tvirtinti planą" in page.text
    forged = service.client.post(f"/planas/{year}/tvirtinti", data={"csrf": "x"})
    assert forged.status_code == 403
    plan = _plan(service, year)
    assert plan is not None and plan.status == PlanStatus.draft
    done = service.client.post(
        f"/planas/{year}/tvirtinti", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert done.status_code == 303
    shown = service.client.get(done.headers["location"]).text
    assert "Dokumentacijos planas patvirtintas." in shown and "Tvirtinti planą" not in shown
    again = service.client.post(f"/planas/{year}/tvirtinti", data={"csrf": csrf_of(shown)})
    assert again.status_code == 409 and "jau patvirtintas" in again.text
    xlsx = service.client.get(f"/planas/{year}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_archivist_closes_chosen_cases(service: Service, staff: MakeStaff) -> None:
    year = today_vilnius().year - 1
    staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    sign_in(service.client, "aldona")
    page = service.client.get(f"/planas?metai={year}")
    assert page.status_code == 200
    token = csrf_of(page.text)
    nothing = service.client.post(f"/planas/{year}/uzbaigti", data={"csrf": token})
    assert nothing.status_code == 422 and "Pažymėkite bent vieną bylą" in nothing.text
    assert _closed(service, year) == []
    done = service.client.post(
        f"/planas/{year}/uzbaigti",
        data={"csrf": token, "cases": ["3.4"], "closed_on": f"{year}-12-31"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert _closed(service, year) == ["3.4"]
    shown = service.client.get(done.headers["location"]).text
    assert f"užbaigta {year}-12-31" in shown


def test_class_teacher_sees_no_plan(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, login="jurate", name="Jūratė Mockienė")
    sign_in(service.client, "jurate")
    assert service.client.get("/planas").status_code == 403
