"""The school year's calendar page and the home page's duties computed from it."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.db import session_scope
from service.school_year import calendars
from service.school_year.calendar import SchoolCalendar
from service.users.models import Role
from tests.conftest import Service, example
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db

URL = "/admin/kalendorius"
# The home page's clock, fixed so the duties do not depend on the day the suite runs.
TODAY = dt.date(2027, 2, 10)


@pytest.fixture
def deputy(service: Service, staff: MakeStaff) -> TestClient:
    staff(Role.deputy, login="asta", name="Asta Pavaduotoja")
    sign_in(service.client, "asta")
    return service.client


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr("service.web.pages.home.today_vilnius", lambda: TODAY)
    return TODAY


def _form(page: str, **values: str) -> dict[str, Any]:
    data = {
        "csrf": csrf_of(page),
        "school_year": "2026-2027",
        "journal_transfer_due": "",
        "classes": "5a\n5b\n1a",
        "periods.0.name": "I pusmetis",
        "periods.0.ends_on": "2027-01-29",
        "periods.1.name": "II pusmetis",
        "periods.1.ends_on": "2027-06-18",
    }
    data.update(values)
    return data


def _saved(service: Service, year: str = "2026-2027") -> SchoolCalendar | None:
    with session_scope(service.engine) as session:
        return calendars.get(session, year)


def test_home_asks_for_the_calendar_and_keeps_the_reminders(
    service: Service, deputy: TestClient, fixed_today: dt.date
) -> None:
    home = deputy.get("/").text
    assert "Mokslo metų kalendorius nenustatytas" in home
    assert f'href="{URL}?metai=2026-2027"' in home
    assert "Kiti darbai pagal taisykles" in home


def test_the_form_starts_from_a_suggestion_until_saved(
    service: Service, deputy: TestClient
) -> None:
    page = deputy.get(f"{URL}?metai=2026-2027").text
    assert "kalendorius dar neišsaugotas" in page
    assert 'value="I pusmetis"' in page and 'value="2027-01-29"' in page
    assert _saved(service) is None


def test_errors_are_shown_next_to_the_field_values_kept_and_nothing_saved(
    service: Service, deputy: TestClient
) -> None:
    page = deputy.get(URL).text
    response = deputy.post(URL, data=_form(page, classes="5a\nGėlių"))
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert "Kalendorius neišsaugotas" in text
    assert "2 eilutė: iš pavadinimo „Gėlių“ neaišku, kuri tai klasė" in text
    assert "5a\nGėlių</textarea>" in text  # what was typed is kept

    response = deputy.post(URL, data=_form(page, **{"periods.1.ends_on": "2027-09-01"}))
    assert response.status_code == 422
    assert 'id="f-periods-1-ends_on-err"' in response.text
    assert "nepatenka į 2026-2027 mokslo metus" in html.unescape(response.text)
    assert 'value="2027-09-01"' in response.text
    assert _saved(service) is None


def test_forged_csrf_saves_nothing(service: Service, deputy: TestClient) -> None:
    page = deputy.get(URL).text
    response = deputy.post(URL, data=_form(page) | {"csrf": "suklastotas"})
    assert response.status_code == 403
    assert _saved(service) is None


def test_a_class_teacher_gets_a_403_page(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, login="jurate", name="Jūratė Mockienė")
    sign_in(service.client, "jurate")
    response = service.client.get(URL)
    assert response.status_code == 403
    assert "nustatyti mokslo metų kalendorių" in html.unescape(response.text)
    assert 'href="/admin/kalendorius"' not in service.client.get("/").text


def test_saved_calendar_drives_the_home_page(
    service: Service, deputy: TestClient, fixed_today: dt.date
) -> None:
    page = deputy.get(URL).text
    saved = deputy.post(URL, data=_form(page), follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{URL}?metai=2026-2027&pranesimas=issaugota"
    calendar = _saved(service)
    assert calendar is not None
    assert calendar.classes == ("5a", "5b", "1a")
    assert calendar.journal_transfer_due == dt.date(2027, 8, 31)
    shown = html.unescape(deputy.get(saved.headers["location"]).text)
    assert "Kalendorius išsaugotas." in shown
    # Friday 29 January 2027 + five working days; + ten calendar days.
    assert "<td>2027-02-05</td><td>2027-02-08</td>" in shown

    deputy_headers = service.user(Role.deputy, Role.class_teacher, name="Daiva Pavaduotoja")
    issued = service.client.post(
        "/api/documents/achievement-summary",
        json=example("achievement-summary")
        | {"school_year": "2026-2027", "period": "I pusmetis", "class_name": "5b"},
        headers=deputy_headers,
    )
    assert issued.status_code == 201, issued.text

    home = html.unescape(deputy.get("/").text)
    assert "Mokslo metų kalendorius nenustatytas" not in home
    assert "Kiti darbai pagal taisykles" not in home  # the computed duties replace them
    assert "Klasių suvestinės" in home
    # 10 February is past 5 February: both missing summaries are late; 5b's is issued.
    assert "5a · I pusmetis" in home and "1a · I pusmetis" in home
    assert "5b · I pusmetis" not in home
    assert "vėluoja, terminas buvo 2027-02-05" in home
