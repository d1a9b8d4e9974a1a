"""render_docx's cached path: the same package members as docxtpl's own render + save.

render_docx keeps each template's preprocessed XML and its unchanged members between calls
(service/rendering/docx.py); these tests hold it to docxtpl + python-docx member for member,
for every document kind's example and for the template shapes the kinds do not use yet.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docx
import pytest

from service.documents.issuing import build_context
from service.kinds import load_kinds
from service.lt import genitive_name
from service.rendering import docx as rendering
from service.rendering.docx import TemplateFailed, render_docx, render_docx_with_docxtpl
from service.validation import parse_payload
from tests.conftest import EXAMPLES, example
from tests.school import TEST_SCHOOL

KINDS = sorted(path.stem for path in EXAMPLES.glob("*.json"))
ISSUER = 'Ąžuolas & <Co> "Jonas"'
# Text each kind's example must show, beyond the school's name and the registration number.
EXPECTED = {
    "achievement-summary": ["5a klasė, 2025–2026 m. m., II pusmetis", "Balčiūnas Augustas"],
    "change-act": ["Matas Kazlauskas", "Geografija"],
    "confidentiality-pledge": ["Rūta Vaitkevičienė", "socialinė pedagogė"],
    "leaving-certificate": ["Gabija Žukauskaitė", "Anglų kalba", ISSUER],
    "progress-report": ["Ieva Navickaitė", "2026 m. spalio mėn."],
    "safety-briefing": ["Saugus elgesys chemijos kabinete", "Laima Grigonienė"],
}


def _context(kind: str) -> tuple[Path, dict[str, Any]]:
    spec = load_kinds()[kind]
    model: Any = parse_payload(spec.model, example(kind))
    context = build_context(
        model, TEST_SCHOOL, f"{spec.register}-7", dt.date(2026, 11, 28), ISSUER, "vedėja"
    )
    return spec.template, context


def _members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every member's CRC checks out
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def _text(data: bytes) -> str:
    body = docx.Document(io.BytesIO(data)).element.body
    return "\n".join(t.text or "" for t in body.iter() if t.tag.endswith("}t"))


def test_every_kind_has_expectations() -> None:
    assert set(KINDS) == set(EXPECTED)


@pytest.mark.parametrize("kind", KINDS)
def test_members_equal_docxtpl_render_and_save(kind: str) -> None:
    template, context = _context(kind)
    assert rendering._compiled_template(template) is not None  # the cached path, not a fallback

    fast = render_docx(template, context, title="Pažyma & <Nr. 7>", author="Mokykla")
    reference = render_docx_with_docxtpl(
        template, context, title="Pažyma & <Nr. 7>", author="Mokykla"
    )

    assert _members(fast) == _members(reference)


@pytest.mark.parametrize("kind", KINDS)
def test_kind_renders_its_text_and_overwrites_core_properties(kind: str) -> None:
    template, context = _context(kind)
    spec = load_kinds()[kind]

    data = render_docx(template, context)

    text = _text(data)
    assert f"Nr. {spec.register}-7" in text
    # The pledge names the school in the genitive, as the regulation's annex does.
    named = (
        genitive_name(TEST_SCHOOL.name) if kind == "confidentiality-pledge" else TEST_SCHOOL.name
    )
    assert named.casefold() in text.casefold()
    for expected in EXPECTED[kind]:
        assert expected in text
    assert "{{" not in text and "{%" not in text
    props = docx.Document(io.BytesIO(data)).core_properties
    assert (props.author, props.last_modified_by, props.title) == ("", "", "")
    assert (props.subject, props.keywords, props.comments) == ("", "", "")
    assert props.language == "lt-LT"  # the document's own language, not the template's


def test_core_properties_carry_title_and_author(tmp_path: Path) -> None:
    template = _template(tmp_path, "{{ name }}")
    assert docx.Document(str(template)).core_properties.author == "python-docx"

    data = render_docx(template, {"name": "Ona"}, title="Pažyma & <1>", author="Mokykla")

    props = docx.Document(io.BytesIO(data)).core_properties
    assert (props.author, props.title, props.last_modified_by) == (
        "Mokykla",
        "Pažyma & <1>",
        "Mokykla",
    )
    assert props.comments == ""


def _template(tmp_path: Path, text: str, *, header: str | None = None, name: str = "t") -> Path:
    document = docx.Document()
    document.add_paragraph(text)
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
        document.sections[0].footer.paragraphs[0].text = "Puslapis {{ page }}"
    path = tmp_path / f"{name}.docx"
    document.save(str(path))
    return path


def test_headers_and_footers_are_rendered_like_docxtpl(tmp_path: Path) -> None:
    template = _template(tmp_path, "Vardas: {{ name }}", header="Nr. {{ number }}")
    context = {"name": "Jonas & <Ona>", "number": "PZ-3", "page": "1"}
    assert rendering._compiled_template(template) is not None

    fast = render_docx(template, context)

    assert _members(fast) == _members(render_docx_with_docxtpl(template, context))
    with zipfile.ZipFile(io.BytesIO(fast)) as archive:
        headers = [n for n in archive.namelist() if re.fullmatch(r"word/header\d*\.xml", n)]
        assert headers and "Nr. PZ-3" in archive.read(headers[0]).decode()


def test_column_loops_are_fixed_like_docxtpl(tmp_path: Path) -> None:
    # A {%tc for %} column loop adds cells the table grid must be widened for (fix_tables).
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    cells = table.rows[0].cells
    cells[0].text = "{%tc for s in subjects %}"
    cells[1].text = "{{ s }}"
    cells[2].text = "{%tc endfor %}"
    template = tmp_path / "columns.docx"
    document.save(str(template))
    context = {"subjects": ["Matematika", "Fizika", "Chemija", "Dailė", "Muzika"]}
    assert rendering._compiled_template(template) is not None

    fast = render_docx(template, context)

    assert _members(fast) == _members(render_docx_with_docxtpl(template, context))
    rendered = docx.Document(io.BytesIO(fast)).tables[0]
    assert [c.text for c in rendered.rows[0].cells] == context["subjects"]


def test_listing_characters_become_breaks_like_docxtpl(tmp_path: Path) -> None:
    template = _template(tmp_path, "{{ text }}")
    context = {"text": "Pirma eilutė\nAntra\tskirtukas"}

    fast = render_docx(template, context)

    assert _members(fast) == _members(render_docx_with_docxtpl(template, context))
    assert "<w:br/>" in dict(_members(fast))["word/document.xml"].decode()


def test_edited_template_is_picked_up_at_once(tmp_path: Path) -> None:
    template = _template(tmp_path, "Senas: {{ name }}")
    assert "Senas: Ona" in _text(render_docx(template, {"name": "Ona"}))

    replacement = _template(tmp_path, "Naujas tekstas: {{ name }}", name="new")
    replacement.replace(template)  # as an editor saving over the file does
    os.utime(template, ns=(time.time_ns(), time.time_ns() + 1_000_000))

    assert "Naujas tekstas: Ona" in _text(render_docx(template, {"name": "Ona"}))


def test_undefined_variable_in_header_raises_template_failed(tmp_path: Path) -> None:
    template = _template(tmp_path, "{{ name }}", header="{{ missing }}")

    with pytest.raises(TemplateFailed) as info:
        render_docx(template, {"name": "Ona", "page": "1"})

    assert "missing" in info.value.detail


def test_template_without_core_properties_goes_through_docxtpl(tmp_path: Path) -> None:
    template = _template(tmp_path, "{{ name }}")
    stripped = tmp_path / "no-core.docx"
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                continue
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                text = data.decode()
                text = re.sub(r"<Relationship [^>]*core-properties[^>]*/>", "", text)
                text = re.sub(r'<Override PartName="/docProps/core.xml"[^>]*/>', "", text)
                data = text.encode()
            target.writestr(info, data)
    assert rendering._compiled_template(stripped) is None

    data = render_docx(stripped, {"name": "Ona"}, title="Pažyma", author="Mokykla")

    props = docx.Document(io.BytesIO(data)).core_properties
    assert (props.author, props.title) == ("Mokykla", "Pažyma")
    assert "Ona" in _text(data)


def test_concurrent_renders_agree() -> None:
    template, context = _context("achievement-summary")
    expected = _members(render_docx(template, context))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_docx(template, context), range(16)))

    assert all(_members(result) == expected for result in results)


def test_zip_writer_matches_zipfile_byte_for_byte() -> None:
    payloads = {
        "[Content_Types].xml": b"<Types/>" * 40,
        "word/document.xml": "Ąžuolas".encode() * 500,
    }
    stamp = (2026, 11, 28, 13, 45, 58)
    expected = io.BytesIO()
    with zipfile.ZipFile(expected, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in payloads.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    # Every member rendered (deflated by the writer), and every member copied as stored.
    rendered = rendering._write_zip(
        [rendering._Member(name, zipfile.ZIP_DEFLATED, 0, 0, b"") for name in payloads],
        payloads,
        date_time=stamp,
    )
    with zipfile.ZipFile(io.BytesIO(expected.getvalue())) as archive:
        stored = [
            rendering._Member(
                info.filename,
                info.compress_type,
                info.CRC,
                info.file_size,
                rendering._stored_bytes(expected.getvalue(), info),
            )
            for info in archive.infolist()
        ]
    copied = rendering._write_zip(stored, {}, date_time=stamp)

    assert rendered == expected.getvalue()
    assert copied == expected.getvalue()
