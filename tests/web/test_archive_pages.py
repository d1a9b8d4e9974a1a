"""The archivist's page: fixity runs (recorded, CSRF-protected) and the audit chain check."""

from __future__ import annotations

import pytest
from sqlmodel import select

from service.archive.models import FixityRun
from service.db import session_scope
from service.users.models import Role
from tests.conftest import Service
from tests.web.conftest import MakeStaff, csrf_of, sign_in

pytestmark = pytest.mark.db


def _runs(service: Service) -> list[FixityRun]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(FixityRun)))


def test_archivist_runs_fixity_and_checks_the_chain(service: Service, staff: MakeStaff) -> None:
    staff(Role.archivist, login="archyvare", name="Aldona Archyvarė")
    sign_in(service.client, "archyvare")
    page = service.client.get("/archyvas")
    assert page.status_code == 200 and "Vientisumo patikrų dar nebuvo." in page.text
    forged = service.client.post("/archyvas/patikra", data={"csrf": "suklastotas"})
    assert forged.status_code == 403 and _runs(service) == []
    done = service.client.post(
        "/archyvas/patikra", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert done.status_code == 303
    [run] = _runs(service)
    shown = service.client.get(done.headers["location"]).text
    assert "Problemų nerasta" in shown and "(ką tik atlikta)" in shown
    assert run.checked >= 2  # the archivist's own pledge: its PDF and DOCX
    chain = service.client.get("/archyvas?grandine=1").text
    assert "Audito žurnalo grandinė vientisa" in chain


def test_only_the_archivist_runs_fixity(service: Service, staff: MakeStaff) -> None:
    staff(Role.admin, login="admin", name="Tomas Administratorius")
    sign_in(service.client, "admin")
    page = service.client.get("/archyvas")
    assert page.status_code == 200 and "Paleisti vientisumo patikrą" not in page.text
    refused = service.client.post("/archyvas/patikra", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403 and "Prieiga uždrausta" in refused.text
    assert _runs(service) == []
    staff(Role.class_teacher, login="mokytoja", name="Laima Grigonienė")
    service.client.cookies.clear()
    sign_in(service.client, "mokytoja")
    assert service.client.get("/archyvas").status_code == 403
