"""Templates lose the styles nothing uses before they are rendered (service/rendering/styles.py).

What must hold: a style the document, a header or the numbering names survives with what it is
based on; a style nobody names goes; a template computing style names in Jinja keeps them all;
and no rendered document names a style its package lacks. That the dropped styles change no
pixel is checked with LibreOffice for every kind in tests/rendering/test_batching.py.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

from service.rendering.docx import TEMPLATES_DIR, render_docx
from service.rendering.styles import drop_unused_styles
from tests.rendering.test_docx_fast import KINDS, _context

_REFERENCE = re.compile(rb'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"')


def _style_ids(package: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        styles = archive.read("word/styles.xml")
    return {m.decode() for m in re.findall(rb'w:styleId="([^"]+)"', styles)}


def _references(package: bytes) -> set[str]:
    named: set[str] = set()
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        for name in archive.namelist():
            if name.startswith("word/") and name.endswith(".xml") and "styles" not in name:
                named |= {m.decode() for m in _REFERENCE.findall(archive.read(name))}
    return named


def _document() -> docx.document.Document:
    document = docx.Document()
    styles = document.styles
    base = styles.add_style("BylosBase", WD_STYLE_TYPE.PARAGRAPH)
    used = styles.add_style("BylosUsed", WD_STYLE_TYPE.PARAGRAPH)
    used.base_style = base
    styles.add_style("BylosUnused", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Tekstas", style="BylosUsed")
    document.add_table(rows=1, cols=1).style = styles["Table Grid"]
    document.sections[0].header.paragraphs[0].style = styles["Header"]
    return document


def _ids(document: docx.document.Document) -> set[str]:
    return {style.style_id for style in document.styles}


def test_used_styles_stay_with_what_they_are_based_on() -> None:
    document = _document()
    before = _ids(document)

    dropped = drop_unused_styles(document)

    after = _ids(document)
    assert dropped == len(before - after) > 100
    assert {"BylosUsed", "BylosBase", "TableGrid", "Header"} <= after
    # Header is linked to its character style; every type keeps its default.
    assert {"HeaderChar", "Normal", "DefaultParagraphFont", "TableNormal", "NoList"} <= after
    assert not {"BylosUnused", "Heading1", "Title", "LightShading-Accent1"} & after
    assert {"BylosUnused", "Heading1", "Title"} <= before


def test_a_style_named_in_jinja_keeps_every_style() -> None:
    document = _document()
    paragraph = document.add_paragraph("{{ text }}")
    paragraph.style = document.styles["Title"]
    style_reference = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    style_reference.set(qn("w:val"), "{{ style }}")
    before = _ids(document)

    assert drop_unused_styles(document) == 0
    assert _ids(document) == before


def test_a_template_edited_in_word_keeps_its_styles_in_use(tmp_path: Path) -> None:
    template = tmp_path / "edited.docx"
    document = _document()
    document.add_paragraph("{{ name }}", style="Heading 2")
    document.save(str(template))

    rendered = render_docx(template, {"name": "Ona"})

    kept = _style_ids(rendered)
    assert {"Heading2", "Heading2Char", "BylosUsed", "BylosBase"} <= kept
    assert not {"BylosUnused", "Heading1", "Heading3"} & kept


@pytest.mark.parametrize("kind", KINDS)
def test_every_rendered_kind_names_only_styles_it_holds(kind: str) -> None:
    template, context = _context(kind)

    rendered = render_docx(template, context)

    kept = _style_ids(rendered)
    with zipfile.ZipFile(template) as archive:
        assert len(kept) < archive.read("word/styles.xml").count(b"<w:style ") / 4
    assert _references(rendered) <= kept


def test_every_shipped_template_is_still_whole_on_disk() -> None:
    # The files stay as Word saved them (editable, every style there): only what is rendered
    # from them is cut.
    for template in sorted(TEMPLATES_DIR.glob("*.docx")):
        with zipfile.ZipFile(template) as archive:
            assert archive.read("word/styles.xml").count(b"<w:style ") > 100, template.name
