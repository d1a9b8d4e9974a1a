"""DOCX rendering: escaping, Lithuanian letters, strict variables, the shipped template."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from service.rendering.docx import (
    DocumentProperties,
    TemplateFailed,
    render_docx,
    render_docx_with_docxtpl,
    template_variables,
)
from tests.rendering.samples import CERTIFICATE, certificate_context

LITHUANIAN = "ĄČĘĖĮŠŲŪŽ ąčęėįšųūž"
NASTY = "Jonas & <Ona> \"Kęstas\" 'O'Brien'"


def _template(tmp_path: Path, text: str) -> Path:
    doc = docx.Document()
    doc.add_paragraph(text)
    path = tmp_path / "template.docx"
    doc.save(str(path))
    return path


def _document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_render_escapes_xml_special_characters(tmp_path: Path) -> None:
    data = render_docx(_template(tmp_path, "Vardas: {{ name }}"), {"name": NASTY})

    xml = _document_xml(data)
    assert "&amp;" in xml
    assert "&lt;Ona&gt;" in xml
    assert "<Ona>" not in xml
    assert f"Vardas: {NASTY}" in _text(data)


def test_render_keeps_lithuanian_letters(tmp_path: Path) -> None:
    data = render_docx(_template(tmp_path, "{{ name }}"), {"name": LITHUANIAN})

    assert LITHUANIAN in _document_xml(data)


def test_undefined_variable_raises_template_failed(tmp_path: Path) -> None:
    with pytest.raises(TemplateFailed) as info:
        render_docx(_template(tmp_path, "{{ name }} {{ missing }}"), {"name": "Ona"})

    assert info.value.status_code == 500
    assert "missing" in info.value.detail


def test_undefined_attribute_raises_template_failed(tmp_path: Path) -> None:
    with pytest.raises(TemplateFailed):
        render_docx(_template(tmp_path, "{{ student.full_name }}"), {"student": {}})


def test_render_replaces_template_core_properties(tmp_path: Path) -> None:
    template = _template(tmp_path, "{{ name }}")
    assert docx.Document(str(template)).core_properties.author == "python-docx"

    data = render_docx(template, {"name": "Ona"}, title="Pažyma", author="Mokykla")

    props = docx.Document(io.BytesIO(data)).core_properties
    assert (props.author, props.title, props.last_modified_by) == ("Mokykla", "Pažyma", "Mokykla")


def test_shipped_certificate_declares_exactly_the_documented_context() -> None:
    assert template_variables(CERTIFICATE) == {
        "school",
        "registration",
        "student",
        "class_name",
        "enrolled_on_long",
        "left_on_long",
        "order",
        "reason",
        "destination",
        "results",
        "missed_lessons",
        "excused_lessons",
        "issued_by",
        "correction",
        "school_year",
        "addressee",
        "preparer_contact",
    }


def test_certificate_renders_one_table_row_per_result() -> None:
    context = certificate_context()
    document = docx.Document(io.BytesIO(render_docx(CERTIFICATE, context)))

    results = document.tables[0]
    assert len(results.rows) == 1 + len(context["results"])
    assert [c.text for c in results.rows[3].cells] == [
        "3.",
        "Anglų kalba",
        "2026–2027",  # the school year the pupil left in, beside the period
        "I trimestras",
        "10 (dešimt)",
    ]


def test_certificate_omits_destination_when_empty() -> None:
    with_destination = _text(render_docx(CERTIFICATE, certificate_context()))
    without = _text(render_docx(CERTIFICATE, certificate_context(destination="")))

    assert "Tęs mokymąsi: Vilniaus Žirmūnų progimnazija." in with_destination
    assert "Tęs mokymąsi" not in without


# Every sequence docxtpl rewrites after rendering, alone and mixed with text and markup.
MARKUP = ["{_{ 7*7 }_}", "{_% if x %_}", "a_b {_ x _} 50%_ _%", "{{ 7*7 }}", "{% raw %}", "__"]


@pytest.mark.parametrize("render", [render_docx, render_docx_with_docxtpl])
@pytest.mark.parametrize("value", MARKUP)
def test_template_markup_in_data_prints_exactly_as_typed(
    tmp_path: Path, render: Callable[..., bytes], value: str
) -> None:
    template = _template(tmp_path, "Pastaba: {{ note }}.")
    document = docx.Document(io.BytesIO(render(template, {"note": value})))
    assert document.paragraphs[0].text == f"Pastaba: {value}."


def test_the_templates_own_escaped_braces_still_print_as_braces(tmp_path: Path) -> None:
    # docxtpl's documented way for a template author to print "{{": unchanged.
    data = render_docx(_template(tmp_path, "{_{ tai ne kintamasis }_} {{ name }}"), {"name": "Ona"})
    assert _text(data) == "{{ tai ne kintamasis }} Ona"


@pytest.mark.parametrize("render", [render_docx, render_docx_with_docxtpl])
def test_properties_describe_the_document_not_the_template(
    tmp_path: Path, render: Callable[..., bytes]
) -> None:
    issued = dt.datetime(2026, 6, 20, 9, 15, 30, tzinfo=dt.UTC)
    meta = DocumentProperties(
        title="Mokinio pasiekimų pažyma Nr. PZ-7",
        author="Rasa Raštinienė",
        company="Kauno Ąžuolo & <progimnazija>",
        identifier="PZ-7",
        created=issued,
    )
    data = render(CERTIFICATE, certificate_context(), properties=meta)
    props = docx.Document(io.BytesIO(data)).core_properties
    assert (props.title, props.author, props.last_modified_by, props.identifier) == (
        meta.title,
        meta.author,
        meta.author,
        "PZ-7",
    )
    assert props.created == props.modified == issued
    assert props.subject == "" and props.keywords == "" and props.revision == 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        app = archive.read("docProps/app.xml").decode("utf-8")
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert "<Application>Bylos</Application>" in app
    assert "<Company>Kauno Ąžuolo &amp; &lt;progimnazija&gt;</Company>" in app
    for leftover in ("Microsoft", "Normal.dotm", "TotalTime", "<Words>", "<Pages>"):
        assert leftover not in app
    assert "2026-01-01" not in core
