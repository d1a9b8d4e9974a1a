"""The archivist imports an official retention table and edits one rule on the web: every row
error shown at once, nothing changed on error, other roles refused."""

from __future__ import annotations

import pytest
from sqlmodel import select

from service.archive.models import RuleChange, RuleSetVersion
from service.db import session_scope
from service.users.models import Role
from tests.conftest import Service
from tests.service.archive.helpers import TEST_YEARS, runtime, use_test_rules
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db

HEADER = "id,index,item,title,term,source\n"
RULE = "v1511-progress-report"


def _versions(service: Service) -> int:
    with session_scope(service.engine) as session:
        return len(session.exec(select(RuleSetVersion)).all())


def _upload(service: Service, token: str, content: bytes, name: str = "lentele.csv") -> str:
    response = service.client.post(
        "/archyvas/taisykles/importas",
        params={"csrf": token},
        data={"csrf": token},
        files={"failas": (name, content, "text/csv")},
    )
    return f"{response.status_code}\n{response.text}"


def test_archivist_imports_a_table_all_errors_at_once(service: Service, staff: MakeStaff) -> None:
    use_test_rules(service)
    before = runtime(service).rules
    staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    sign_in(service.client, "aldona")
    page = service.client.get("/archyvas/taisykles")
    assert page.status_code == 200 and "Importuoti oficialią lentelę" in page.text
    token = csrf_of(page.text)
    bad = (
        HEADER
        + f"{RULE},V-1511,6.9,Ataskaitos,3 m.,V-1511\n"
        + "v1511-broken,V-1,1,X,3 m.,s\n"
        + "v1511-other,V-1511,1,Y,kažkada,s\n"
    ).encode()
    shown = _upload(service, token, bad)
    assert shown.startswith("422") and "3 eilutė" in shown and "4 eilutė" in shown
    assert "Niekas nepakeista." in shown
    assert runtime(service).rules == before and _versions(service) == 0
    empty = _upload(service, token, b"")
    assert empty.startswith("422") and _versions(service) == 0
    forged = _upload(service, "suklastotas", (HEADER + f"{RULE},V-1511,6.9,A,3 m.,V\n").encode())
    assert forged.startswith("403") and _versions(service) == 0

    good = (HEADER + f"{RULE},V-1511,6.9,Ataskaitos tėvams,3 m.,V-1511 6.9 p.\n").encode()
    done = _upload(service, token, good)
    assert done.startswith("200") and "pakeista taisyklių – 1" in done
    rule = runtime(service).rules.get(RULE)
    assert (rule.years, rule.verified) == (3, True)


def test_archivist_edits_one_rule(service: Service, staff: MakeStaff) -> None:
    use_test_rules(service)
    staff(Role.archivist, login="aldona", name="Aldona Archyvarė")
    sign_in(service.client, "aldona")
    form_page = service.client.get(f"/archyvas/taisykles/{RULE}")
    assert form_page.status_code == 200 and "Išsaugoti taisyklę" in form_page.text
    token = csrf_of(form_page.text)
    rule = runtime(service).rules.get(RULE)
    fields = {
        "csrf": token,
        "index": rule.index,
        "item": rule.item,
        "title": "Pakeistas pavadinimas",
        "term": "12 m.",
        "years": "dvylika",
        "trigger": "case_closed",
        "event_name": "",
        "source": rule.source,
        "note": "",
        "verified": "1",
    }
    wrong = service.client.post(f"/archyvas/taisykles/{RULE}", data=fields)
    assert wrong.status_code == 422
    assert "metų skaičius turi būti sveikasis skaičius" in wrong.text
    assert 'value="Pakeistas pavadinimas"' in wrong.text  # what was typed is kept
    # A rule the model checks across fields: permanent with a number of years.
    both = service.client.post(
        f"/archyvas/taisykles/{RULE}", data=fields | {"years": "12", "permanent": "1"}
    )
    assert both.status_code == 422 and "nuolat saugomai taisyklei" in both.text
    assert runtime(service).rules.get(RULE).years == TEST_YEARS
    with session_scope(service.engine) as session:
        assert session.exec(select(RuleChange)).all() == []

    done = service.client.post(
        f"/archyvas/taisykles/{RULE}", data=fields | {"years": "12"}, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    changed = runtime(service).rules.get(RULE)
    assert (changed.years, changed.title, changed.verified) == (12, "Pakeistas pavadinimas", True)
    listed = service.client.get(done.headers["location"]).text
    assert "Taisyklė pakeista" in listed
    assert service.client.get("/archyvas/taisykles/nera-tokios").status_code == 404


def test_others_may_not_change_rules(service: Service, staff: MakeStaff) -> None:
    use_test_rules(service)
    staff(Role.director, login="direktorius", name="Vardenis Pavardenis")
    sign_in(service.client, "direktorius")
    page = service.client.get("/archyvas/taisykles")
    assert page.status_code == 200 and "Importuoti oficialią lentelę" not in page.text
    token = csrf_of(page.text)
    table = (HEADER + f"{RULE},V-1511,6.9,A,3 m.,V\n").encode()
    assert _upload(service, token, table).startswith("403")
    assert service.client.get(f"/archyvas/taisykles/{RULE}").status_code == 403
    refused = service.client.post(f"/archyvas/taisykles/{RULE}", data={"csrf": token, "years": "1"})
    assert refused.status_code == 403 and "Prieiga uždrausta" in refused.text
    assert runtime(service).rules.get(RULE).years == TEST_YEARS and _versions(service) == 0
