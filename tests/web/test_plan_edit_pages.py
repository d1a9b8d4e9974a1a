"""Editing the documentation plan on the web: cases and areas while draft (archivist or
director), the approved plan by the director only, XLSX import and copy to the next year.
Bad input is shown next to its field and changes nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from service.cases import plan as plans
from service.cases.models import Case, DocumentationPlan, PlanArea, PlanStatus
from service.db import session_scope
from service.timeutil import today_vilnius
from service.users.models import Role
from tests.conftest import Service
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db


def _case(service: Service, year: int, index: str) -> Case | None:
    with session_scope(service.engine) as session:
        return session.exec(select(Case).where(Case.year == year, Case.index == index)).first()


def _cases(service: Service, year: int) -> list[tuple[str, str]]:
    with session_scope(service.engine) as session:
        rows = session.exec(select(Case).where(Case.year == year))
        return sorted((c.index, c.title) for c in rows)


def test_archivist_edits_the_draft_plan(service: Service, staff: MakeStaff) -> None:
    year = today_vilnius().year + 1
    staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    sign_in(service.client, "aldona")
    page = service.client.get(f"/planas?metai={year}")
    assert page.status_code == 200 and "Nauja byla" in page.text
    token = csrf_of(page.text)
    before = _cases(service, year)

    bad = service.client.post(
        f"/planas/{year}/bylos",
        data={"csrf": token, "index": "1.x", "title": "Nauja byla X", "retention_rule": "nera"},
    )
    assert bad.status_code == 422 and "Netinkamas bylos indeksas" in bad.text
    assert 'value="Nauja byla X"' in bad.text
    unknown = service.client.post(
        f"/planas/{year}/bylos",
        data={"csrf": token, "index": "1.40", "title": "Nauja byla", "retention_rule": "nera"},
    )
    assert unknown.status_code == 422 and "nera" in unknown.text
    forged = service.client.post(
        f"/planas/{year}/bylos",
        data={
            "csrf": "x",
            "index": "1.40",
            "title": "Nauja",
            "retention_rule": "v1511-safety-briefing",
        },
    )
    assert forged.status_code == 403
    assert _cases(service, year) == before

    added = service.client.post(
        f"/planas/{year}/bylos",
        data={
            "csrf": token,
            "index": "1.40",
            "title": "Saugos instruktažų lapai",
            "retention_rule": "v1511-safety-briefing",
            "registers": "",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    case = _case(service, year, "1.40")
    assert case is not None and case.title == "Saugos instruktažų lapai"

    edit = service.client.get(f"/planas/{year}/byla?indeksas=1.40")
    assert edit.status_code == 200 and "Saugos instruktažų lapai" in edit.text
    empty = service.client.post(
        f"/planas/{year}/byla",
        data={"csrf": token, "index": "1.40", "title": "", "retention_rule": case.retention_rule},
    )
    assert empty.status_code == 422
    changed = service.client.post(
        f"/planas/{year}/byla",
        data={
            "csrf": token,
            "index": "1.40",
            "title": "Instruktažų lapai",
            "retention_rule": case.retention_rule,
            "registers": "",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    renamed = _case(service, year, "1.40")
    assert renamed is not None and renamed.title == "Instruktažų lapai"

    area = service.client.post(
        f"/planas/{year}/sritys",
        data={"csrf": token, "index": "1", "title": ""},
    )
    assert area.status_code == 422
    area = service.client.post(
        f"/planas/{year}/sritys",
        data={"csrf": token, "index": "1", "title": "Veiklos organizavimas"},
        follow_redirects=False,
    )
    assert area.status_code == 303, area.text
    with session_scope(service.engine) as session:
        row = session.exec(
            select(PlanArea).where(PlanArea.year == year, PlanArea.index == "1")
        ).first()
        assert row is not None and row.title == "Veiklos organizavimas"

    removed = service.client.post(
        f"/planas/{year}/byla/salinti",
        data={"csrf": token, "index": "1.40"},
        follow_redirects=False,
    )
    assert removed.status_code == 303 and _case(service, year, "1.40") is None


def test_plan_import_and_copy(service: Service, staff: MakeStaff) -> None:
    year = today_vilnius().year
    staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    sign_in(service.client, "aldona")
    page = service.client.get(f"/planas?metai={year}")
    token = csrf_of(page.text)
    xlsx = service.client.get(f"/planas/{year}.xlsx").content
    before = _cases(service, year)
    broken = service.client.post(
        f"/planas/{year}/importas",
        params={"csrf": token},
        data={"csrf": token},
        files={"failas": ("planas.xlsx", b"ne xlsx", "application/octet-stream")},
    )
    assert broken.status_code == 422 and "Niekas nepakeista." in broken.text
    assert _cases(service, year) == before
    again = service.client.post(
        f"/planas/{year}/importas",
        params={"csrf": token},
        data={"csrf": token},
        files={"failas": ("planas.xlsx", xlsx, "application/octet-stream")},
        follow_redirects=False,
    )
    assert again.status_code == 303, again.text
    assert _cases(service, year) == before

    copied = service.client.post(
        f"/planas/{year}/kopijuoti", data={"csrf": token}, follow_redirects=False
    )
    assert copied.status_code == 303, copied.text
    assert [i for i, _ in _cases(service, year + 1)] == [i for i, _ in before]
    assert "kitų metų plano projektas" in service.client.get(copied.headers["location"]).text


def test_approved_plan_changes_only_by_the_director(service: Service, staff: MakeStaff) -> None:
    year = today_vilnius().year
    with session_scope(service.engine) as session:
        plan = plans.ensure_year(session, year)
        plan.status = PlanStatus.approved
        session.add(plan)
    staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    sign_in(service.client, "aldona")
    page = service.client.get(f"/planas?metai={year}")
    assert "Nauja byla" not in page.text
    body = {
        "csrf": csrf_of(page.text),
        "index": "1.40",
        "title": "Nauja byla",
        "retention_rule": "v1511-safety-briefing",
    }
    refused = service.client.post(f"/planas/{year}/bylos", data=body)
    assert refused.status_code == 403 and "tik direktorius" in refused.text
    assert _case(service, year, "1.40") is None

    staff(Role.director, login="direktorius", name="Vardenis Pavardenis")
    service.client.cookies.clear()
    sign_in(service.client, "direktorius")
    page = service.client.get(f"/planas?metai={year}")
    assert "Nauja byla" in page.text
    done = service.client.post(
        f"/planas/{year}/bylos", data=body | {"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    assert _case(service, year, "1.40") is not None
    with session_scope(service.engine) as session:
        approved = session.get(DocumentationPlan, year)
        assert approved is not None and approved.status == PlanStatus.approved


def test_office_manager_may_not_edit_the_plan(service: Service, staff: MakeStaff) -> None:
    year = today_vilnius().year
    staff(Role.office_manager, login="rasa")
    sign_in(service.client, "rasa")
    page = service.client.get(f"/planas?metai={year}")
    assert page.status_code == 200 and "Nauja byla" not in page.text
    token = csrf_of(page.text)
    body = {"csrf": token, "index": "1.40", "title": "X", "retention_rule": "v1511-safety-briefing"}
    assert service.client.post(f"/planas/{year}/bylos", data=body).status_code == 403
    assert service.client.get(f"/planas/{year}/byla?indeksas=1.1").status_code == 403
    assert service.client.post(f"/planas/{year}/kopijuoti", data={"csrf": token}).status_code == 403
    assert _case(service, year, "1.40") is None and _cases(service, year + 1) == []
