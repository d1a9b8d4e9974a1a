"""Year-end export: a valid BagIt zip of a closed year; a year with open cases is refused;
`bylos export` writes and verifies the bag on disk."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import bagit
import pytest
from typer.testing import CliRunner

from service.cases.models import Case
from service.cli import app as cli_app
from service.db import session_scope
from service.users.models import Role
from tests.conftest import Service
from tests.school import TEST_SCHOOL
from tests.service.archive.helpers import closed_case, person, stored_document, use_test_rules
from tests.service.books.test_register import pdf_text

pytestmark = pytest.mark.db


def test_closed_year_exports_a_valid_bag(service: Service, tmp_path: Path) -> None:
    use_test_rules(service)
    user, headers = person(service, Role.archivist)
    summaries = closed_case(service, 2001, index="3.1", rule="v1511-achievement-summary")
    reports = closed_case(service, 2001)
    docs = [
        stored_document(service, summaries, user, register="SV"),
        stored_document(service, reports, user),
        stored_document(service, reports, user),
    ]
    # The year's inventory (issued as the closing flow issues it) goes into the bag.
    inventory = service.client.post(
        "/api/documents/case-inventory",
        json={
            "year": 2001,
            "group": "long-term",
            "cases": [
                {
                    "index": "3.1",
                    "title": summaries.title,
                    "documents": 1,
                    "sheets": 1,
                    "retention": "50 m.",
                    "closed_on": "2001-12-31",
                }
            ],
        },
        headers=headers,
    )
    assert inventory.status_code == 201, inventory.text
    inventory_number = inventory.json()["registration"]["number"]
    response = service.client.post("/api/exports", json={"year": 2001}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path / "out")
    [root] = list((tmp_path / "out").iterdir())
    bag = bagit.Bag(str(root))
    bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert bag.info["Source-Organization"] == TEST_SCHOOL.name
    assert bag.info["Bylos-Year"] == "2001"
    data = root / "data"
    for doc in docs:
        folder = data / "bylos" / ("3.1" if doc.register_code == "SV" else "3.3")
        pdf = (folder / f"{doc.number}.pdf").read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == doc.sha256
        assert (folder / f"{doc.number}.json").exists()
    with (data / "registro-irasai.csv").open(encoding="utf-8-sig") as handle:
        entries = list(csv.DictReader(handle))
    assert {e["numeris"] for e in entries} == {d.number for d in docs}
    assert {"antraste", "adresatas", "pasirase", "busena", "pastabos"} <= set(entries[0])
    # Each case's cover beside its documents, the inventory in force in apyrasai/.
    for index in ("3.1", "3.3"):
        cover = (data / "bylos" / index / "virselis.pdf").read_bytes()
        assert cover.startswith(b"%PDF") and f"BYLA Nr. {index}" in pdf_text(cover)
    assert (data / "apyrasai" / f"{inventory_number}.pdf").read_bytes().startswith(b"%PDF")
    with (data / "bylu-apyrasas.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [(i["bylos_indeksas"], i["dokumentu_skaicius"]) for i in rows] == [
        ("3.1", "1"),
        ("3.3", "2"),
    ]
    assert {"lapu_skaicius", "saugojimo_grupe"} <= set(rows[0])
    # The temporary bag under the data dir is gone once streamed.
    exports = Path(service.client.app.state.settings.data_dir) / "exports"  # type: ignore[attr-defined]
    assert not any(p.is_file() for p in exports.rglob("*"))


def test_year_with_open_cases_is_refused_and_named(service: Service) -> None:
    use_test_rules(service)
    _, headers = person(service, Role.archivist)
    closed_case(service, 2002)
    with session_scope(service.engine) as session:
        session.add(Case(year=2002, index="3.2", title="Instruktažai", retention_rule="x"))
    response = service.client.post("/api/exports", json={"year": 2002}, headers=headers)
    assert response.status_code == 409
    assert "3.2 Instruktažai" in response.json()["detail"]
    assert (
        service.client.post("/api/exports", json={"year": 1850}, headers=headers).status_code == 422
    )
    assert (
        service.client.post("/api/exports", json={"year": 2003}, headers=headers).status_code == 404
    )
    _, teacher = person(service, Role.class_teacher, name="Klasės Vadovė")
    assert (
        service.client.post("/api/exports", json={"year": 2002}, headers=teacher).status_code == 403
    )


def test_cli_writes_verifies_and_checks(service: Service, tmp_path: Path, seaweed: object) -> None:
    use_test_rules(service)
    user, _ = person(service, Role.archivist)
    stored_document(service, closed_case(service, 2001), user)
    env = {
        "BYLOS_DATA_DIR": str(tmp_path / "cli-data"),
        "BYLOS_DATABASE_URL": str(service.engine.url.render_as_string(hide_password=False)),
        "BYLOS_S3_ENDPOINT": f"http://{service.store.endpoint}",
        "BYLOS_S3_ACCESS_KEY": seaweed.access_key,  # type: ignore[attr-defined]
        "BYLOS_S3_SECRET_KEY": seaweed.secret_key,  # type: ignore[attr-defined]
        "BYLOS_S3_BUCKET": service.store.bucket,
    }
    runner = CliRunner()
    result = runner.invoke(cli_app, ["export", "2001", "--to", str(tmp_path / "medium")], env=env)
    assert result.exit_code == 0, result.output
    assert "patikrintas" in result.output
    [bag_dir] = list((tmp_path / "medium").iterdir())
    bagit.Bag(str(bag_dir)).validate()

    refused = runner.invoke(cli_app, ["export", "2030", "--to", str(tmp_path / "m2")], env=env)
    assert refused.exit_code == 2
    verify = runner.invoke(cli_app, ["audit", "verify"], env=env)
    assert verify.exit_code == 0, verify.output
    assert "vientisa" in verify.output
    fixity = runner.invoke(cli_app, ["fixity"], env=env)
    assert fixity.exit_code == 0, fixity.output
    assert "Patikrinta objektų: 2" in fixity.output
