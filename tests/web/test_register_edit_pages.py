"""The admin adds and renames registers on the web, through the registry API's functions;
bad input is shown next to its field and changes nothing; others are refused."""

from __future__ import annotations

import pytest

from service.db import session_scope
from service.registry.models import Register
from service.users.models import Role
from tests.conftest import Service
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db


def _register(service: Service, code: str) -> Register | None:
    with session_scope(service.engine) as session:
        return session.get(Register, code)


def test_admin_adds_and_renames_a_register(service: Service, staff: MakeStaff) -> None:
    staff(Role.admin, login="tomas", name="Tomas Administratorius")
    sign_in(service.client, "tomas")
    page = service.client.get("/registrai")
    assert page.status_code == 200 and "Naujas registras" in page.text
    token = csrf_of(page.text)
    body = {"csrf": token, "code": "ab1", "title": "Sutartys", "case_index": "1.12"}
    bad = service.client.post("/registrai", data=body)
    assert bad.status_code == 422 and "Netinkamas registro kodas" in bad.text
    assert 'value="Sutartys"' in bad.text and _register(service, "ab1") is None
    too_long = service.client.post("/registrai", data=body | {"code": "SU", "title": "x" * 600})
    assert too_long.status_code == 422 and _register(service, "SU") is None
    forged = service.client.post("/registrai", data=body | {"code": "SU", "csrf": "x"})
    assert forged.status_code == 403 and _register(service, "SU") is None

    done = service.client.post("/registrai", data=body | {"code": "SU"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    added = _register(service, "SU")
    assert added is not None and (added.title, added.case_index) == ("Sutartys", "1.12")
    twice = service.client.post("/registrai", data=body | {"code": "SU"})
    assert twice.status_code == 422 and "jau yra" in twice.text

    edit = service.client.get("/registrai/SU/keisti")
    assert edit.status_code == 200 and 'value="Sutartys"' in edit.text
    fields = {"csrf": token, "title": "", "case_index": "1.12", "number_format": "{code}-{seq}"}
    empty = service.client.post("/registrai/SU/keisti", data=fields)
    assert empty.status_code == 422 and 'class="field has-error"' in empty.text
    renamed = service.client.post(
        "/registrai/SU/keisti",
        data=fields | {"title": "Sutarčių registras"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303, renamed.text
    after = _register(service, "SU")
    assert after is not None and after.title == "Sutarčių registras"
    assert service.client.get("/registrai/NERA/keisti").status_code == 404


def test_office_manager_may_not_change_registers(service: Service, staff: MakeStaff) -> None:
    staff(Role.office_manager, login="rasa")
    sign_in(service.client, "rasa")
    page = service.client.get("/registrai")
    assert page.status_code == 200 and "Naujas registras" not in page.text
    token = csrf_of(page.text)
    body = {"csrf": token, "code": "SU", "title": "Sutartys", "case_index": "1.12"}
    refused = service.client.post("/registrai", data=body)
    assert refused.status_code == 403 and "Prieiga uždrausta" in refused.text
    assert _register(service, "SU") is None
    assert service.client.get("/registrai/TA/keisti").status_code == 403
    before = _register(service, "TA")
    assert before is not None
    changed = service.client.post(
        "/registrai/TA/keisti", data={"csrf": token, "title": "Kita", "case_index": "1.1"}
    )
    assert changed.status_code == 403
    after = _register(service, "TA")
    assert after is not None and after.title == before.title
