"""The class summary upload: every error at once with row and column, or a preview and issue."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from service.db import session_scope
from service.documents.models import Document
from service.registry.models import RegistryEntry
from service.users.models import Role
from tests.conftest import EXAMPLE_CLASSES, Service
from tests.web.conftest import MakeStaff, csrf_of, sign_in
from tests.web.summary_files import summary_csv

pytestmark = pytest.mark.db

BASE = "/isduoti/achievement-summary"


def _summaries(service: Service) -> list[Document]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(Document).where(Document.kind == "achievement-summary")))


def _entries(service: Service) -> list[RegistryEntry]:
    with session_scope(service.engine) as session:
        docs = {d.registry_entry_id for d in _summaries(service)}
        return [e for e in session.exec(select(RegistryEntry)) if e.id in docs]


def test_class_teacher_uploads_fixes_and_issues_a_summary(
    service: Service, staff: MakeStaff
) -> None:
    staff(Role.class_teacher, leads=EXAMPLE_CLASSES, login="jurate", name="Jūratė Mockienė")
    sign_in(service.client, "jurate")
    page = service.client.get(BASE)
    assert page.status_code == 200 and "Atsisiųsti tuščią šabloną" in page.text
    blank = service.client.get(f"{BASE}/sablonas.xlsx")
    assert blank.status_code == 200 and blank.content.startswith(b"PK")
    token = csrf_of(page.text)

    def upload(content: bytes, csrf: str = token) -> object:
        return service.client.post(
            f"{BASE}/perziura",
            # As the page's form does: the token in the address, checked before the body.
            params={"csrf": csrf},
            data={"csrf": csrf},
            files={"file": ("5a.csv", content, "text/csv")},
        )

    forged = upload(summary_csv(), "suklastotas")
    assert getattr(forged, "status_code", None) == 403
    refused = upload(summary_csv(bad=True))
    assert getattr(refused, "status_code", None) == 422
    html = getattr(refused, "text", "")
    assert "rasta klaidų: 2" in html
    assert "netinkamas įvertinimas „11“" in html and "pateisintų pamokų" in html
    assert "Išduoti ir įregistruoti suvestinę" not in html
    empty = upload(b"")
    assert getattr(empty, "status_code", None) == 422 and "tuščias" in getattr(empty, "text", "")
    assert _summaries(service) == []

    shown = upload(summary_csv())
    assert getattr(shown, "status_code", None) == 200
    preview = getattr(shown, "text", "")
    assert "Peržiūra: 5a klasė, 2025-2026 m. m., II pusmetis" in preview
    assert "Žilinskas" in preview
    payload = re.search(r'name="payload" value="([^"]+)"', preview)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', preview)
    assert payload and key
    form = {
        "csrf": token,
        "payload": payload.group(1).replace("&#34;", '"').replace("&quot;", '"'),
        "idempotency_key": key.group(1),
    }
    csrf = {"csrf": token}
    issued = service.client.post(f"{BASE}/isduoti", params=csrf, data=form, follow_redirects=False)
    assert issued.status_code == 303
    again = service.client.post(f"{BASE}/isduoti", params=csrf, data=form, follow_redirects=False)
    assert again.headers["location"] == issued.headers["location"]
    [doc] = _summaries(service)
    assert len(_entries(service)) == 1
    students = doc.payload["students"]
    assert isinstance(students, list) and students[2]["note"] == "Atvyko vasario mėn."


def test_a_tampered_preview_is_validated_again(service: Service, staff: MakeStaff) -> None:
    staff(Role.class_teacher, leads=EXAMPLE_CLASSES, login="jurate", name="Jūratė Mockienė")
    sign_in(service.client, "jurate")
    token = csrf_of(service.client.get(BASE).text)
    response = service.client.post(
        f"{BASE}/isduoti",
        params={"csrf": token},
        data={"csrf": token, "payload": '{"class_name": "5a"}', "idempotency_key": "x"},
    )
    assert response.status_code == 422 and "Netinkami duomenys" in response.text
    broken = service.client.post(
        f"{BASE}/isduoti", params={"csrf": token}, data={"csrf": token, "payload": "{"}
    )
    assert broken.status_code == 422 and "sugadinti" in broken.text
    assert _summaries(service) == []


def test_office_manager_may_not_upload_summaries(service: Service, staff: MakeStaff) -> None:
    staff(Role.office_manager, login="rasa")
    sign_in(service.client, "rasa")
    assert service.client.get(BASE).status_code == 403
    assert service.client.get(f"{BASE}/sablonas.xlsx").status_code == 403


def test_preview_warns_when_the_calendar_does_not_know_the_period(
    service: Service, staff: MakeStaff
) -> None:
    deputy = service.user(Role.deputy, name="Asta Pavaduotoja")
    calendar = {
        "periods": [{"name": "I pusmetis", "ends_on": "2026-01-30"}],
        "classes": ["5a"],
    }
    assert (
        service.client.put(
            "/api/school-calendar/2025-2026", json=calendar, headers=deputy
        ).status_code
        == 200
    )
    staff(Role.class_teacher, leads=EXAMPLE_CLASSES, login="jurate", name="Jūratė Mockienė")
    sign_in(service.client, "jurate")
    token = csrf_of(service.client.get(BASE).text)
    shown = service.client.post(
        f"{BASE}/perziura",
        params={"csrf": token},
        data={"csrf": token},
        files={"file": ("5a.csv", summary_csv(), "text/csv")},
    )
    assert shown.status_code == 200
    text = shown.text.replace("&#34;", '"')
    assert "Laikotarpio „II pusmetis“ 2025-2026 m. m. kalendoriuje šiai klasei nėra" in text
    assert "(yra: I pusmetis)" in text
    # A warning, not a refusal: the preview can still be issued.
    assert 'name="payload"' in shown.text
