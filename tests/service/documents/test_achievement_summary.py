"""Class summaries: totals, a landscape table that holds 40 pupils x 20 subjects, uploads from
XLSX/CSV with every row error reported at once, and corrections as new versions."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlmodel import select

from service.db import session_scope
from service.documents.achievement_summary import AchievementSummary
from service.documents.tabular_import import SpreadsheetRejected, summary_from_file
from service.registry.models import RegistryEntry
from service.users.models import Role
from service.validation import parse_payload
from tests.conftest import EXAMPLE_CLASSES, Service
from tests.service.documents.seed_kinds import payload, rendered_text

URL = "/api/documents/achievement-summary"


def test_totals_per_pupil_and_class() -> None:
    ctx = parse_payload(AchievementSummary, payload("achievement-summary")).template_context()
    [section] = ctx["sections"]
    first = section["rows"][0]
    assert first["full_name"] == "Balčiūnas Augustas"
    # 69 / 8 numeric marks = 8.625, rounded half up; "įsk" is not averaged
    assert first["average"] == "8,63"
    assert section["totals"]["missed"] == 88 and section["totals"]["excused"] == 67


def test_a_subject_without_a_mark_prints_a_dash() -> None:
    data = payload("achievement-summary")
    del data["students"][0]["marks"]["Muzika"]
    ctx = parse_payload(AchievementSummary, data).template_context()
    assert ctx["sections"][0]["rows"][0]["marks"][6] == "–"


def _big() -> dict[str, object]:
    subjects = [f"Dalykas {i}" for i in range(20)]
    pupils = [
        {
            "first_name": f"Vardas{i}",
            "last_name": f"Pavardė{i}",
            "marks": {s: (i + j) % 10 + 1 for j, s in enumerate(subjects)},
            "missed_lessons": 3,
            "excused_lessons": 1,
        }
        for i in range(40)
    ]
    return {
        "class_name": "8a",
        "school_year": "2025-2026",
        "period": "Metinis",
        "class_teacher": {"name": "Jūratė Mockienė"},
        "subjects": subjects,
        "students": pupils,
    }


def test_forty_pupils_by_twenty_subjects_render_every_cell() -> None:
    text = rendered_text("achievement-summary", _big())
    assert "Dalykas 19" in text and "Pavardė39 Vardas39" in text


def test_header_row_repeats_on_every_page() -> None:
    from service.kinds import load_kinds

    with zipfile.ZipFile(load_kinds()["achievement-summary"].template) as z:
        xml = z.read("word/document.xml").decode()
    assert "<w:tblHeader" in xml and 'w:orient="landscape"' in xml


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


META: list[list[object]] = [
    ["Klasė", "5a"],
    ["Mokslo metai", "2025-2026"],
    ["Laikotarpis", "II pusmetis"],
    ["Klasės vadovas", "Jūratė Mockienė"],
    [],
    ["Vardas", "Pavardė", "Matematika", "Dailė", "Praleista", "Pateisinta", "Pastabos"],
]


def test_xlsx_in_the_documented_layout_becomes_the_payload() -> None:
    data = summary_from_file(
        _xlsx(
            [
                *META,
                ["Ona", "Onaitė", 9, "įsk", 4, 2, "Gera"],
                ["Jonas", "Jonaitis", 8.0, None, 0, 0],
            ]
        ),
        "5a.xlsx",
    )
    assert data["subjects"] == ["Matematika", "Dailė"]
    assert data["students"][0]["marks"] == {"Matematika": "9", "Dailė": "įsk"}
    assert data["students"][1]["marks"] == {"Matematika": "8"}
    assert data["students"][0]["note"] == "Gera"


def test_every_row_error_is_reported_with_row_and_column() -> None:
    rows = [
        *META,
        ["Ona", "Onaitė", 11, "įsk", 4, 5],
        ["Ona", "Onaitė", 9, "x", "du", 0],
        ["", "Jonaitis", 8, 8, 1, 0],
    ]
    with pytest.raises(SpreadsheetRejected) as info:
        summary_from_file(_xlsx(rows), "5a.xlsx")
    where = {(e.row, (e.column or "")[:1]) for e in info.value.errors}
    assert {(7, "C"), (7, "F"), (8, "A"), (8, "D"), (8, "E"), (9, "A")} <= where
    assert "7 eilutė, C stulpelis („Matematika“)" in info.value.detail


def test_csv_with_semicolons_is_read_the_same_way() -> None:
    text = "\n".join(";".join(str(c) for c in r) for r in [*META, ["Ona", "Onaitė", 9, 10, 2, 2]])
    data = summary_from_file(text.encode("utf-8-sig"), "5a.csv")
    assert data["students"][0]["marks"] == {"Matematika": "9", "Dailė": "10"}


pytestmark = pytest.mark.db


def _entries(service: Service) -> list[RegistryEntry]:
    with session_scope(service.engine) as session:
        return list(session.exec(select(RegistryEntry)))


def test_blank_template_downloads_and_uploads_back_as_errors_not_a_document(
    service: Service,
) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES)
    blank = service.client.get(f"{URL}/template.xlsx", headers=teacher)
    assert blank.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(blank.content))
    assert book.sheetnames == ["Suvestinė", "Instrukcija"]
    response = service.client.post(
        f"{URL}/upload", files={"file": ("tuscias.xlsx", blank.content)}, headers=teacher
    )
    assert response.status_code == 422
    assert response.json()["errors"]
    assert _entries(service) == []


def test_upload_with_errors_issues_nothing_and_lists_them(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES)
    rows = [*META, ["Ona", "Onaitė", 11, 9, 1, 2], ["Jonas", "Jonaitis", 9, 9, 0, 0]]
    response = service.client.post(
        f"{URL}/upload", files={"file": ("5a.xlsx", _xlsx(rows))}, headers=teacher
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {(e["row"], e["column"][:1]) for e in errors} == {(7, "C"), (7, "F")}
    assert _entries(service) == []


def test_good_upload_is_issued(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES)
    rows = [*META, ["Ona", "Onaitė", 10, "įsk", 1, 1]]
    response = service.client.post(
        f"{URL}/upload", files={"file": ("5a.xlsx", _xlsx(rows))}, headers=teacher
    )
    assert response.status_code == 201, response.text
    assert response.json()["registration"]["number"] == "SV-1"


def test_correction_is_a_new_version_and_the_old_file_stays(service: Service) -> None:
    deputy = service.user(Role.deputy)
    first = service.client.post(URL, json=payload("achievement-summary"), headers=deputy).json()
    corrected = payload("achievement-summary")
    corrected["students"][0]["marks"]["Matematika"] = 8
    second = service.client.post(
        f"/api/documents/{first['id']}/versions",
        json={"reason": "Ištaisytas matematikos įvertinimas (aktas DA-1)", "payload": corrected},
        headers=deputy,
    )
    assert second.status_code == 201, second.text
    assert (second.json()["version"], second.json()["supersedes"]) == (2, first["id"])
    old = service.client.get(f"/api/documents/{first['id']}/file", headers=deputy)
    assert old.status_code == 200 and len(old.content) == first["file"]["size"]
    missing_reason = service.client.post(
        f"/api/documents/{second.json()['id']}/versions",
        json={"payload": corrected},
        headers=deputy,
    )
    assert missing_reason.status_code == 422


ANNUAL_META: list[list[object]] = [
    ["Klasė", "8a"],
    ["Mokslo metai", "2025-2026"],
    ["Laikotarpis", "Mokslo metai"],
    ["Klasės vadovas", "Jūratė Mockienė"],
    ["Laikotarpiai", "I pusmetis; II pusmetis"],
    [],
    ["Vardas", "Pavardė", "Matematika", "Fizika", "Praleista", "Pateisinta", "Pastabos",
     "Sprendimas", "Papildomi darbai"],
]  # fmt: skip


def test_annual_layout_gives_periods_additional_work_and_decisions() -> None:
    data = summary_from_file(
        _xlsx(
            [
                *ANNUAL_META,
                ["Ona", "Onaitė", "8/9/9", "7/7/8", 4, 2, "", "keliamas", ""],
                ["Jonas", "Jonaitis", "4/3/3", "5/5/5", 0, 0, "", "papildomi darbai", "Matematika"],
                ["Ieva", "Ivaitė", "3/3/3", "6", 0, 0, "", "Keliamas", "Matematika: 5"],
            ]
        ),
        "8a.xlsx",
    )
    assert data["periods"] == ["I pusmetis", "II pusmetis"]
    ona, jonas, ieva = data["students"]
    assert ona["marks"] == {"Matematika": "9", "Fizika": "8"}
    assert ona["period_marks"] == {
        "I pusmetis": {"Matematika": "8", "Fizika": "7"},
        "II pusmetis": {"Matematika": "9", "Fizika": "7"},
    }
    assert jonas["decision"] == "additional_work"
    assert jonas["additional_work"] == [{"subject": "Matematika"}]
    assert ieva["additional_work"] == [{"subject": "Matematika", "mark": "5"}]
    assert ieva["marks"] == {"Matematika": "3", "Fizika": "6"}  # one mark alone: the annual
    model = parse_payload(AchievementSummary, data)
    assert model.annual


def test_annual_layout_reports_every_row_error_at_once() -> None:
    rows = [
        *ANNUAL_META,
        ["Ona", "Onaitė", "8/9", "7/7/8", 4, 2, "", "perkeliamas", ""],
        ["Jonas", "Jonaitis", "4/3/3", "5/5/x", 0, 0, "", "kartoja", "Chemija: 5"],
    ]
    with pytest.raises(SpreadsheetRejected) as info:
        summary_from_file(_xlsx(rows), "8a.xlsx")
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {(8, "C"), (8, "H"), (9, "D"), (9, "I")}
    assert "per „/“" in info.value.detail and "sprendimas „perkeliamas“" in info.value.detail
