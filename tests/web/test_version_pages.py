"""Corrections as new versions with a reason, from the document's page; a summary's change acts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from service.db import session_scope
from service.documents.models import Document
from service.runtime import Runtime
from service.users.models import Role, User
from tests.conftest import EXAMPLE_CLASSES, Service, example
from tests.web.conftest import MakeStaff, csrf_of, sign_in
from tests.web.summary_files import summary_csv

pytestmark = pytest.mark.db


def _runtime(service: Service) -> Runtime:
    runtime: Runtime = service.client.app.state.runtime  # type: ignore[attr-defined]
    return runtime


def _docs(service: Service, kind: str) -> list[Document]:
    with session_scope(service.engine) as session:
        stmt = select(Document).where(Document.kind == kind).order_by(col(Document.version))
        return list(session.exec(stmt))


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, name
    return match.group(1).replace("&#34;", '"').replace("&quot;", '"')


def test_certificate_correction_keeps_the_old_one_and_records_why(
    service: Service, staff: MakeStaff
) -> None:
    user = staff(Role.office_manager, login="rasa")
    old = (
        _runtime(service)
        .issuer.issue(
            _runtime(service).kinds["leaving-certificate"], example("leaving-certificate"), user
        )
        .document
    )
    sign_in(service.client, "rasa")
    page = service.client.get(f"/dokumentai/{old.id}")
    assert f'href="/dokumentai/{old.id}/nauja-versija"' in page.text
    form_page = service.client.get(f"/dokumentai/{old.id}/nauja-versija")
    assert form_page.status_code == 200
    assert 'value="Žukauskaitė"' in form_page.text and 'value="įsk"' in form_page.text
    fields: dict[str, Any] = dict(re.findall(r'name="([\w.]+)" value="([^"]*)"', form_page.text))
    fields["results.1.mark"] = "9"
    no_reason = service.client.post(f"/dokumentai/{old.id}/nauja-versija", data=fields)
    assert no_reason.status_code == 422
    assert "nurodykite, kodėl dokumentas taisomas" in no_reason.text
    assert len(_docs(service, "leaving-certificate")) == 1
    fields["reason_for_version"] = "Matematikos įvertinimas perrašytas klaidingai"
    done = service.client.post(
        f"/dokumentai/{old.id}/nauja-versija", data=fields, follow_redirects=False
    )
    assert done.status_code == 303, done.text
    first, second = _docs(service, "leaving-certificate")
    assert (first.id, first.superseded_by_id, second.version) == (old.id, second.id, 2)
    results = second.payload["results"]
    assert isinstance(results, list) and results[1]["mark"] == "9"
    shown = service.client.get(done.headers["location"]).text
    assert "Matematikos įvertinimas perrašytas klaidingai" in shown
    # The old version can no longer be corrected: only the latest.
    stale = service.client.get(f"/dokumentai/{old.id}/nauja-versija")
    assert stale.status_code == 409 and "taisykite naujausią" in stale.text
    assert "Tai ne naujausia versija" in service.client.get(f"/dokumentai/{old.id}").text


def _upload(client: TestClient, token: str, content: bytes, **extra: str) -> Any:
    return client.post(
        "/isduoti/achievement-summary/perziura",
        params={"csrf": token},
        data={"csrf": token, **extra},
        files={"file": ("5a.csv", content, "text/csv")},
    )


def test_summary_reissued_with_a_reason_and_its_change_acts(
    service: Service, staff: MakeStaff
) -> None:
    teacher = staff(Role.class_teacher, Role.deputy, login="jurate", name="Jūratė Mockienė")
    runtime = _runtime(service)
    csv_payload = example("achievement-summary")
    old = runtime.issuer.issue(runtime.kinds["achievement-summary"], csv_payload, teacher).document
    act = example("change-act") | {"summary_id": old.id}
    runtime.issuer.issue(runtime.kinds["change-act"], act, teacher)
    sign_in(service.client, "jurate")
    page = service.client.get(f"/dokumentai/{old.id}").text.split("<main", 1)[1]
    assert "<h2>Duomenų keitimo aktai</h2>" in page and "Matas Kazlauskas" in page
    link = f"/isduoti/achievement-summary?taisoma={old.id}"
    assert link in page
    token = csrf_of(service.client.get(link).text)
    missing = _upload(service.client, token, summary_csv(), taisoma=old.id)
    assert missing.status_code == 422 and "Nurodykite taisymo priežastį" in missing.text
    preview = _upload(
        service.client, token, summary_csv(), taisoma=old.id, reason="Pataisyti pažymiai"
    )
    assert preview.status_code == 200, preview.text
    form = {
        "csrf": token,
        "payload": _hidden(preview.text, "payload"),
        "idempotency_key": _hidden(preview.text, "idempotency_key"),
        "taisoma": _hidden(preview.text, "taisoma"),
        "reason": _hidden(preview.text, "reason"),
    }
    done = service.client.post(
        "/isduoti/achievement-summary/isduoti",
        params={"csrf": token},
        data=form,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    first, second = _docs(service, "achievement-summary")
    assert first.superseded_by_id == second.id and second.version == 2
    assert "Pataisyti pažymiai" in service.client.get(done.headers["location"]).text


def test_a_teacher_without_the_change_act_role_sees_only_a_count(
    service: Service, staff: MakeStaff
) -> None:
    deputy = staff(Role.deputy, login="asta", name="Asta Pavaduotoja")
    staff(Role.class_teacher, leads=EXAMPLE_CLASSES, login="jurate", name="Jūratė Mockienė")
    runtime = _runtime(service)
    summary = runtime.issuer.issue(
        runtime.kinds["achievement-summary"], example("achievement-summary"), deputy
    ).document
    runtime.issuer.issue(
        runtime.kinds["change-act"], example("change-act") | {"summary_id": summary.id}, deputy
    )
    sign_in(service.client, "jurate")
    page = service.client.get(f"/dokumentai/{summary.id}").text.split("<main", 1)[1]
    assert "susieta aktų: 1" in page and "Kazlauskas" not in page
    with session_scope(service.engine) as session:
        assert session.exec(select(User)).first() is not None
