"""Every kind at its largest realistic size, issued through the real service and converter,
checked from the PDF's text as the office manager would read it before signing (issue 11)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import docx as docx_reader
import pikepdf
import pytest

from bench import large_documents as large
from service.lt import collation_key
from service.users.models import Role
from tests.conftest import EXAMPLE_CLASSES, Service
from tests.school import TEST_SCHOOL
from tests.service.documents.full_size import (
    assert_continuation_pages,
    flat,
    issued_pdf,
    numbered_rows,
    pages,
)

pytestmark = pytest.mark.db

PLACEHOLDERS = ("Vardenis", "Pavardenis", "{{", "{%", "None")


def _no_placeholder(texts: list[str]) -> None:
    for text in texts:
        for placeholder in PLACEHOLDERS:
            assert placeholder not in text, placeholder


def _every_row_whole(texts: list[str], count: int, cells: list[list[str]]) -> None:
    """Each row's number and its cells stand on one line of one page: no row splits."""
    rows = numbered_rows(texts)
    for number in range(1, count + 1):
        assert number in rows, f"row {number} is missing"
        _, line = rows[number]
        for cell in cells[number - 1]:
            assert cell in line, f"row {number}: {cell!r} not on the row's line {line!r}"


def _last_page_has_rows_and_signature(texts: list[str], signature: str) -> None:
    last = texts[-1]
    assert signature in last
    assert numbered_rows([last]), "the signature stands alone on the last page"


def test_leaving_certificate_of_36_rows(service: Service) -> None:
    office = service.user(Role.office_manager, name="Rasa Raštinienė")
    data = large.certificate()
    doc, pdf = issued_pdf(service, "leaving-certificate", data, office)
    number = doc["registration"]["number"]  # type: ignore[index]
    texts = pages(pdf)
    _no_placeholder(texts)
    assert_continuation_pages(texts, ["Mokinio pasiekimų pažyma", f"Nr. {number}", "7b klasė"])
    _every_row_whole(
        texts,
        36,
        [[r["subject"].split()[0], r["period"], "2025–2026"] for r in data["results"]],
    )
    for text in texts:
        if numbered_rows([text]):
            assert "Dalykas" in text and "Mokslo metai" in text  # the header row repeats
    _last_page_has_rows_and_signature(texts, TEST_SCHOOL.director_name)
    first = flat(texts[0])
    assert "Vilniaus Žirmūnų gimnazijai" in first.split("MOKINIO PASIEKIMŲ PAŽYMA")[0]
    assert "Mokslo metai: 2025–2026" in first
    last = flat(texts[-1])
    # The preparer's position mid-sentence, and a phone or e-mail to reach them.
    assert "Parengė Rasa Raštinienė, raštinės vedėja, tel. (8 37) 123 456" in last
    assert "rastine@mokykla.lt" in last

    with pikepdf.open(io.BytesIO(pdf)) as opened:
        xmp = str(opened.open_metadata())
    assert "Vilniaus Žirmūnų gimnazijai" in xmp  # PDF-LT recipients: the addressee
    assert "LTUd:recipients" in xmp
    assert "Aleksandravičiūtė" not in xmp  # no pupil name in the metadata
    assert f"Mokinio pasiekimų pažyma Nr. {number}" in xmp

    stored = service.client.get(
        f"/api/documents/{doc['id']}/file", params={"format": "docx"}, headers=office
    ).content
    props = docx_reader.Document(io.BytesIO(stored)).core_properties
    assert props.title == f"Mokinio pasiekimų pažyma Nr. {number}"
    assert props.author == "Rasa Raštinienė" and props.identifier == number
    assert props.created is not None and props.created.year >= 2026
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        app = archive.read("docProps/app.xml").decode()
    assert f"<Company>{TEST_SCHOOL.name}</Company>" in app
    assert "Microsoft" not in app and "Normal.dotm" not in app


def test_safety_briefing_of_40_pupils(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES, name="Jūratė Mockienė")
    data = large.briefing()
    doc, pdf = issued_pdf(service, "safety-briefing", data, teacher)
    texts = pages(pdf)
    _no_placeholder(texts)
    assert_continuation_pages(
        texts,
        ["instruktažų lapas", f"Nr. {doc['registration']['number']}", "8a klasė"],  # type: ignore[index]
    )
    _every_row_whole(texts, 40, [[name] for name in data["students"]])
    for text in texts:
        assert "Mokinio vardas, pavardė" in text
    _last_page_has_rows_and_signature(texts, "Instruktavo – klasės vadovė")


def test_progress_report_of_46_marks(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES, name="Jūratė Mockienė")
    data = large.report()
    doc, pdf = issued_pdf(service, "progress-report", data, teacher)
    texts = pages(pdf)
    _no_placeholder(texts)
    assert_continuation_pages(
        texts,
        ["pažangumo ir lankomumo ataskaita", f"Nr. {doc['registration']['number']}"],  # type: ignore[index]
    )
    every = "\n".join(texts)
    for mark in data["marks"]:
        assert mark["date"] in every  # full dates, "2026-10-06", never "10-06"
    assert len(re.findall(r"\b2026-10-\d\d\b", every)) >= 46
    first = flat(texts[0])
    assert "Mokslo metai: 2026–2027, I pusmetis" in first
    assert "2026 m. spalio mėn. (2026-10-01 – 2026-10-31)" in first
    for text in texts:
        if re.search(r"\b2026-10-\d\d\b.*\(", text):
            assert "Dalykas" in text
    last = flat(texts[-1])
    assert "Klasės vadovas (-ė)" in last and "Su ataskaita susipažinau" in last
    assert re.search(r"\b2026-10-\d\d\b", texts[-1]), "the signatures stand alone"


def test_change_act_with_long_names_names_its_summary(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES, name="Jūratė Mockienė")
    deputy = service.user(Role.deputy, name="Ąžuolė Kęstutė Aleksandravičiūtė-Žemaitienė")
    summary, _ = issued_pdf(service, "achievement-summary", large.summary(pupils=3), teacher)
    _, pdf = issued_pdf(
        service, "change-act", large.change_act(summary_id=str(summary["id"])), deputy
    )
    [text] = pages(pdf)
    _no_placeholder([text])
    body = flat(text)
    reg = summary["registration"]
    assert f"Nr. {reg['number']}" in body  # type: ignore[index]
    assert "Mokslo metai 2025–2026" in body
    assert (
        "Apie pakeitimą bus pranešta e. dienyno administratoriui, dalyko mokytojui, klasės "
        "vadovui, mokiniui ir mokinio tėvams (globėjams, rūpintojams)"
    ) in body
    assert "pranešta e. dienyno" not in body.replace("bus pranešta e. dienyno", "")
    assert " jo tėvams" not in body
    assert "Duomenis taisė – anglų kalbos mokytoja" in body  # no capital after a dash/colon
    # Long names wrap between words, never inside one.
    for word in ("Aleksandravičiūtė-Žemaitienė", "Čiurlionytė-Ūselienė", "Ėmužis"):
        assert word in body or word.replace("-", "- ") in body


def test_confidentiality_pledge_with_a_long_position_stays_on_one_page(service: Service) -> None:
    office = service.user(Role.office_manager, name="Rasa Raštinienė")
    doc, pdf = issued_pdf(service, "confidentiality-pledge", large.pledge(), office)
    texts = pages(pdf)
    assert len(texts) == 1, "a long position pushed a line onto page 2"
    body = flat(texts[0])
    number = doc["registration"]["number"]  # type: ignore[index]
    assert re.search(rf"\d{{4}} m\. \w+ \d+ d\. Nr\. {number}", body)
    assert "Bandomoji Šilutės Žalgirio progimnazijos direktoriaus pavaduotoja ugdymui" in body
    assert "susipažinęs (-usi)" in body
    _no_placeholder(texts)


def _subjects_complete(pdf: bytes, subjects: list[str]) -> None:
    # The headings are turned up in their columns: read in reading order, not as a layout.
    for page, text in enumerate(pages(pdf, layout=False), start=1):
        if "Mokinio pavardė, vardas" not in text:
            continue
        whole = flat(text)
        for subject in subjects:
            assert subject in whole, f"page {page}: heading {subject!r} is cut"


def _pupil_order(texts: list[str]) -> list[str]:
    names: list[str] = []
    for text in texts:
        for line in text.splitlines():
            match = re.match(r"\s*(\d+)\.\s+(\S+(?: \S+)*?)\s{2,}", line)
            if match and not line.strip().startswith(f"{match[1]}. Mokinio"):
                names.append(match[2])
    return names


def _summary_checks(pdf: bytes, texts: list[str], data: dict[str, Any], number: str) -> None:
    _no_placeholder(texts)
    assert_continuation_pages(
        texts, ["apskaitos suvestinė", "8a klasė", "2025–2026", f"Nr. {number}"]
    )
    _subjects_complete(pdf, data["subjects"])
    for page, text in enumerate(texts, start=1):
        # Seed p.12: the deputy signs and dates every printed sheet.
        footer = flat(text[-600:])
        assert "Direktoriaus pavaduotojas (-a) ugdymui" in footer, page
        assert "(parašas)" in footer and "(data)" in footer, page
    last = flat(texts[-1])
    assert "Klasės vadovas (-ė)" in last and "Duomenys patikrinti ir teisingi" in last
    assert "2025–2026" in flat(texts[0]) and "2025-2026" not in "".join(texts)
    assert "Klasės vidurkis" in "".join(texts)
    assert "ne mokinių vidurkių vidurkis" in "".join(texts)  # the definition is printed


def test_class_summary_of_40_pupils_by_20_subjects(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES, name="Jūratė Mockienė")
    data = large.summary()
    doc, pdf = issued_pdf(service, "achievement-summary", data, teacher)
    texts = pages(pdf)
    assert len(texts) <= 3, f"{len(texts)} pages for one period"
    _summary_checks(pdf, texts, data, doc["registration"]["number"])  # type: ignore[index]
    order = _pupil_order(texts)
    expected = sorted(
        (f"{p['last_name']} {p['first_name']}" for p in data["students"]),
        key=lambda n: collation_key(n),
    )
    assert order == expected
    # One line per pupil: every pupil's row carries its marks and average on its line.
    rows = numbered_rows(texts)
    assert sorted(rows) == list(range(1, 41))
    # 69 / 8 = 8.625 is printed 8,63 (half up), on that pupil's line.
    first = data["students"][0]
    line = next(
        line for _, line in rows.values() if f"{first['last_name']} {first['first_name']}" in line
    )
    assert "8,63" in line
    # Notes are a numbered list after the table, not a tall cell.
    noted = [p for p in data["students"] if p.get("note")]
    everything = flat("\n".join(texts))
    assert everything.count("nuo kovo mėnesio mokosi pagal individualų ugdymo planą") == len(noted)


def test_annual_summary_shows_periods_additional_work_and_decisions(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES, name="Jūratė Mockienė")
    data = large.summary(annual=True)
    doc, pdf = issued_pdf(service, "achievement-summary", data, teacher)
    texts = pages(pdf)
    assert len(texts) <= 9, f"{len(texts)} pages for three periods"
    _summary_checks(pdf, texts, data, doc["registration"]["number"])  # type: ignore[index]
    everything = flat("\n".join(texts))
    for title in ("I pusmetis", "II pusmetis", "Mokslo metai (metiniai įvertinimai)"):
        assert title in everything
    assert "papildomo darbo įvertinimas 5" in everything and "3→5" in everything
    assert "dar neįvertinta" in everything and "3 pd" in everything
    assert "kartoja" in everything and "keliamas" in everything
    assert "paliekamas (-a) kartoti kurso" in everything  # the decisions' legend


def test_a_corrected_summary_says_what_it_replaces(service: Service) -> None:
    teacher = service.user(Role.class_teacher, leads=EXAMPLE_CLASSES, name="Jūratė Mockienė")
    deputy = service.user(Role.deputy, name="Rimantė Pavaduotoja")
    data = large.summary()
    old, old_pdf = issued_pdf(service, "achievement-summary", data, teacher)
    act, _ = issued_pdf(service, "change-act", large.change_act(summary_id=str(old["id"])), deputy)
    response = service.client.post(
        f"/api/documents/{old['id']}/versions",
        json={"payload": data, "reason": "Ištaisytas anglų kalbos įvertinimas pagal aktą"},
        headers=teacher,
    )
    assert response.status_code == 201, response.text
    new = response.json()
    new_pdf = service.client.get(f"/api/documents/{new['id']}/file", headers=teacher).content
    first = flat(pages(new_pdf)[0])
    old_reg = old["registration"]
    assert "Pakeičia 20" in first
    assert f"Nr. {old_reg['number']}" in first  # type: ignore[index]
    assert "Ištaisytas anglų kalbos įvertinimas pagal aktą" in first
    assert act["registration"]["number"] in first  # type: ignore[index]
    # The old version's file is as it was (locked) and every listing marks it replaced.
    again = service.client.get(f"/api/documents/{old['id']}/file", headers=teacher).content
    assert again == old_pdf
    listed = service.client.get(f"/api/documents/{old['id']}", headers=teacher).json()
    assert listed["superseded_by_number"] == new["registration"]["number"]
