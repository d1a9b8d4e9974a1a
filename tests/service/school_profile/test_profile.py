"""The school profile: the admin changes it, new documents carry it, old ones keep theirs."""

from __future__ import annotations

import io
from typing import Any

import docx as docx_reader
import pytest
from sqlmodel import func, select

from service.audit.models import AuditEvent
from service.db import session_scope
from service.school_profile.profile import in_force
from service.settings import SchoolProfile
from service.users.models import Role
from tests.conftest import Service, example
from tests.school import TEST_SCHOOL

pytestmark = pytest.mark.db

NEW = {
    "name": "Kauno Milikonių progimnazija",
    "code": "190148134",
    "address": "Sodžiaus g. 1, LT-48323 Kaunas",
    "city": "Kaunas",
    "director_name": "Ona Naujoji",
    "director_title": "Direktorė",
}
# The profile's optional fields (office phone and e-mail, the name in the genitive).
OPTIONAL_EMPTY = {"phone": "", "email": "", "name_genitive": ""}


def _audit(service: Service) -> int:
    with session_scope(service.engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


def _docx_text(service: Service, doc_id: str, headers: dict[str, str]) -> str:
    data = service.client.get(
        f"/api/documents/{doc_id}/file", params={"format": "docx"}, headers=headers
    ).content
    document = docx_reader.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_new_director_is_on_documents_issued_after_the_change(service: Service) -> None:
    admin = service.user(Role.admin, name="Tomas Administratorius")
    office = service.user(Role.office_manager)
    before = service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    ).json()
    assert service.client.get("/api/school", headers=office).json()["director_name"] == (
        TEST_SCHOOL.director_name
    )

    changed = service.client.put("/api/school", json=NEW, headers=admin)
    assert changed.status_code == 200, changed.text
    assert service.client.get("/api/school", headers=office).json() == NEW | OPTIONAL_EMPTY

    after = service.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    ).json()
    assert "Ona Naujoji" in _docx_text(service, after["id"], office)
    old_text = _docx_text(service, before["id"], office)
    assert TEST_SCHOOL.director_name in old_text and "Ona Naujoji" not in old_text
    # A restarted service starts from the saved profile, not from BYLOS_SCHOOL_*.
    configured = SchoolProfile(**(NEW | {"director_name": "Iš nustatymų"}))
    assert in_force(service.engine, configured).director_name == "Ona Naujoji"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"code": "12345"}, "mokyklos kodas – 9 skaitmenys"),
        ({"director_name": "  "}, "director_name"),
        ({"name": "x" * 201}, "name"),
        ({"motto": "Per aspera"}, "motto"),
    ],
)
def test_bad_profile_is_refused_and_nothing_changes(
    service: Service, change: dict[str, Any], named: str
) -> None:
    admin = service.user(Role.admin, name="Tomas Administratorius")
    events = _audit(service)
    response = service.client.put("/api/school", json=NEW | change, headers=admin)
    assert response.status_code == 422
    assert named in response.json()["detail"]
    assert service.client.get("/api/school", headers=admin).json()["director_name"] == (
        TEST_SCHOOL.director_name
    )
    assert _audit(service) == events


def test_only_the_admin_changes_the_profile(service: Service) -> None:
    office = service.user(Role.office_manager)
    response = service.client.put("/api/school", json=NEW, headers=office)
    assert response.status_code == 403
    assert "keisti mokyklos duomenis" in response.json()["detail"]
