"""The documentation plan as XLSX: export, import, and every row error reported at once."""

from __future__ import annotations

import io
from collections.abc import Sequence

import httpx2 as httpx
import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import col, select

from service.cases.models import Case, PlanChange
from service.db import session_scope
from service.users.models import Role
from tests.conftest import Service

pytestmark = pytest.mark.db

YEAR = 2027
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["Indeksas", "Pavadinimas", "Saugojimo taisyklė", "Registrai"]


def _workbook(rows: Sequence[Sequence[object]], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Dokumentacijos planas"
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = [
    ["1", "Veiklos organizavimas"],
    ["1.1", "Dokumentacijos planas ir bylų apyrašai", "v100-documentation-plan", "BA"],
    ["1.2", "Dokumentų registrai", "v100-registers", ""],
    ["3", "Ugdymo proceso organizavimas"],
    ["3.4", "Išvykusiems mokiniams išduotos pažymos", "v1511-pupil-file", "PZ"],
    [],
    ["3.10 E", "Elektroniniai dienynai", "v1511-journal-transfer", "DP, PZ"],
]


def _cases(service: Service) -> list[tuple[str, str, str, str]]:
    with session_scope(service.engine) as session:
        rows = session.exec(select(Case).where(Case.year == YEAR).order_by(col(Case.id)))
        return sorted((c.index, c.title, c.retention_rule, c.registers) for c in rows)


def _import(service: Service, data: bytes, headers: dict[str, str]) -> httpx.Response:
    return service.client.post(
        f"/api/plans/{YEAR}/import", content=data, headers=headers | {"Content-Type": XLSX}
    )


def test_export_is_a_readable_sheet_with_lithuanian_headers(service: Service) -> None:
    reader = service.user(Role.office_manager)
    response = service.client.get(f"/api/plans/{YEAR}.xlsx", headers=reader)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["Dokumentacijos planas"]
    assert [c.value for c in ws[1]][:4] == HEADERS
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= 60
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows[0][:2] == ["1", "Veiklos organizavimas ir dokumentų valdymas"]
    assert rows[-2][:2] == ["3.4", "Išvykusiems mokiniams išduotos mokinio pasiekimų pažymos"]
    assert rows[-2][2:4] == ["v1511-pupil-file", "PZ"]
    assert "v100-case-inventory" in [c.value for c in wb["Saugojimo taisyklės"]["A"]]


def test_import_replaces_the_draft_and_export_gives_it_back(service: Service) -> None:
    archivist = service.user(Role.archivist)
    response = _import(service, _workbook(GOOD), archivist)
    assert response.status_code == 200, response.text
    assert _cases(service) == sorted(
        [
            ("1.1", "Dokumentacijos planas ir bylų apyrašai", "v100-documentation-plan", "BA"),
            ("1.2", "Dokumentų registrai", "v100-registers", ""),
            ("3.4", "Išvykusiems mokiniams išduotos pažymos", "v1511-pupil-file", "PZ"),
            ("3.10 E", "Elektroniniai dienynai", "v1511-journal-transfer", "DP PZ"),
        ]
    )
    exported = service.client.get(f"/api/plans/{YEAR}.xlsx", headers=archivist).content
    again = _import(service, exported, archivist)
    assert again.status_code == 200
    assert len(_cases(service)) == 4


def test_import_with_errors_lists_every_row_and_imports_nothing(service: Service) -> None:
    archivist = service.user(Role.archivist)
    service.client.get(f"/api/plans/{YEAR}", headers=archivist)
    before = _cases(service)
    bad = [
        ["1", "Veiklos organizavimas"],
        ["1.1", "Planas", "v100-documentation-plan", ""],
        ["1,2", "Registrai", "v100-registers", ""],
        ["1.3", "Aktai", "nera-tokios-taisykles", ""],
        ["1.4", "", "v100-registers", "ZZ"],
        ["2.1", "Be srities", "v100-registers", ""],
        ["1.1", "Dar kartą", "v100-registers", ""],
    ]
    response = _import(service, _workbook(bad), archivist)
    assert response.status_code == 422
    detail = response.json()["detail"]
    for expected in (
        "4 eilutė, stulpelis „Indeksas“",
        "5 eilutė, stulpelis „Saugojimo taisyklė“",
        "6 eilutė, stulpelis „Pavadinimas“",
        "6 eilutė, stulpelis „Registrai“: nežinomi registrai: ZZ",
        "7 eilutė, stulpelis „Indeksas“",
        "8 eilutė, stulpelis „Indeksas“: byla „1.1“ jau nurodyta 3 eilutėje",
    ):
        assert expected in detail
    assert "Nieko neimportuota" in detail
    assert _cases(service) == before
    with session_scope(service.engine) as session:
        assert session.exec(select(PlanChange)).first() is None


def test_missing_columns_are_named(service: Service) -> None:
    archivist = service.user(Role.archivist)
    response = _import(service, _workbook(GOOD, ["Indeksas", "Pavadinimas"]), archivist)
    assert response.status_code == 422
    assert "„Saugojimo taisyklė“" in response.json()["detail"]


def test_a_file_that_is_not_xlsx_is_422(service: Service) -> None:
    archivist = service.user(Role.archivist)
    response = _import(service, b"Indeksas;Pavadinimas\n1.1;Planas\n", archivist)
    assert response.status_code == 422
    assert "XLSX" in response.json()["detail"]


def test_import_into_an_approved_plan_needs_the_director_and_is_recorded(
    service: Service,
) -> None:
    archivist = service.user(Role.archivist)
    director = service.user(Role.director)
    service.client.post(f"/api/plans/{YEAR}/approve", headers=director)
    before = _cases(service)
    refused = _import(service, _workbook(GOOD), archivist)
    assert refused.status_code == 403
    assert _cases(service) == before
    accepted = _import(service, _workbook(GOOD), director)
    assert accepted.status_code == 200
    with session_scope(service.engine) as session:
        changes = list(session.exec(select(PlanChange)))
    assert changes and all(c.after_approval for c in changes)
    assert {"case.removed", "case.added", "case.changed"} <= {c.action for c in changes}
