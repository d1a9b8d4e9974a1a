"""The admin's school profile page."""

from __future__ import annotations

import html

import pytest

from service.users.models import Role
from tests.conftest import Service
from tests.school import TEST_SCHOOL
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db

URL = "/admin/mokykla"


def _runtime_school(service: Service) -> str:
    return str(service.client.app.state.runtime.school.director_name)  # type: ignore[attr-defined]


def test_admin_changes_the_director_and_errors_keep_the_values(
    service: Service, staff: MakeStaff
) -> None:
    staff(Role.admin, login="tomas", name="Tomas Administratorius")
    sign_in(service.client, "tomas")
    page = service.client.get(URL).text
    assert f'value="{TEST_SCHOOL.director_name}"' in page
    form = {
        "csrf": csrf_of(page),
        "name": "Kauno Milikonių progimnazija",
        "code": "19014813",
        "address": "Sodžiaus g. 1, LT-48323 Kaunas",
        "city": "Kaunas",
        "director_title": "Direktorė",
        "director_name": "Ona Naujoji",
    }
    refused = service.client.post(URL, data=form)
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "mokyklos kodas – 9 skaitmenys" in text and 'id="f-code-err"' in text
    assert 'value="Ona Naujoji"' in text
    assert _runtime_school(service) == TEST_SCHOOL.director_name

    forged = service.client.post(URL, data=form | {"code": "190148134", "csrf": "x"})
    assert forged.status_code == 403
    assert _runtime_school(service) == TEST_SCHOOL.director_name

    saved = service.client.post(URL, data=form | {"code": "190148134"}, follow_redirects=False)
    assert saved.status_code == 303
    assert _runtime_school(service) == "Ona Naujoji"
    assert "Mokyklos duomenys išsaugoti." in service.client.get(saved.headers["location"]).text


def test_office_manager_gets_403(service: Service, staff: MakeStaff) -> None:
    staff(Role.office_manager, login="rasa")
    sign_in(service.client, "rasa")
    assert service.client.post(URL, data={"csrf": "x", "name": "X"}).status_code == 403
    assert service.client.get(URL).status_code == 403
