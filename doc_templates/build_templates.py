"""Builds the DOCX templates in this folder with python-docx.

Run ``python doc_templates/build_templates.py`` after changing the layout; the .docx files are
committed too, so a secretary can adjust wording in Word without running this. Jinja tags are
docxtpl's: ``{%p ... %}`` removes its paragraph, ``{%tr ... %}`` its table row.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
# Liberation Serif (Times metrics) carries every Lithuanian letter and ships with LibreOffice.
FONT = "Liberation Serif"
BODY_PT = 12


def _set_font(style_font_element: BaseOxmlElement, name: str) -> None:
    fonts = style_font_element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        style_font_element.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _base_document() -> Document:
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = Cm(3.0)
    section.right_margin = Cm(1.5)
    section.top_margin = Cm(2.0)
    section.bottom_margin = Cm(2.0)

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    _set_font(rpr, FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "lt-LT")
    lang.set(qn("w:eastAsia"), "lt-LT")
    lang.set(qn("w:bidi"), "lt-LT")
    rpr.append(lang)
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0

    # python-docx's default template says author "python-docx"; LibreOffice would copy it
    # into the PDF's XMP. render_docx() overwrites these again on every document.
    props = doc.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.title = ""
    props.subject = ""
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.language = "lt-LT"
    props.revision = 1
    props.created = datetime(2026, 1, 1)
    props.modified = datetime(2026, 1, 1)
    return doc


def _para(
    doc: Document,
    text: str = "",
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    bold: bool = False,
    size: float | None = None,
    before: float = 0,
    after: float = 0,
) -> Paragraph:
    p: Paragraph = doc.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        if size is not None:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_before = Pt(before)
    p.paragraph_format.space_after = Pt(after)
    return p


def _labelled(doc: Document, label: str, value: str, *, after: float = 3) -> Paragraph:
    p = _para(doc, after=after)
    p.add_run(label)
    p.add_run(value).bold = True
    return p


def _bottom_rule(p: Paragraph, size_eighths: int = 8) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size_eighths))
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    ppr.append(borders)


def _cell_text(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
    size: float | None = None,
) -> Paragraph:
    p: Paragraph = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold = bold
    if size is not None:
        run.font.size = Pt(size)
    p.alignment = align
    p.paragraph_format.space_before = Pt(2)
    p.paragraph_format.space_after = Pt(2)
    return p


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def _cell_bottom_border(cell: _Cell) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    tcpr.append(borders)


def _widths(table: Table, widths_cm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)


def _repeat_header(table: Table) -> None:
    trpr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def build_leaving_certificate(path: Path) -> None:
    """Mokinio pasiekimų pažyma: issued when a pupil leaves the school."""
    doc = _base_document()
    center = WD_ALIGN_PARAGRAPH.CENTER

    # Letterhead (blankas): name in capitals, then code and address, then a rule.
    _para(doc, "{{ school.name|upper }}", align=center, bold=True, size=13)
    rule = _para(
        doc, "Kodas {{ school.code }}, {{ school.address }}", align=center, size=10, after=0
    )
    _bottom_rule(rule)

    _para(doc, "MOKINIO PASIEKIMŲ PAŽYMA", align=center, bold=True, before=30, after=6)
    _para(doc, "{{ registration.date_long }} Nr. {{ registration.number }}", align=center)
    _para(doc, "{{ school.city }}", align=center, after=24)

    _labelled(doc, "Mokinys (-ė): ", "{{ student.full_name }}")
    _labelled(doc, "Klasė: ", "{{ class_name }}")
    body = WD_ALIGN_PARAGRAPH.JUSTIFY
    # Long dates end in "d." already, so no full stop after them.
    _para(doc, "Mokėsi mokykloje nuo {{ enrolled_on_long }} iki {{ left_on_long }}", after=3)
    _para(
        doc,
        "Išbrauktas (-a) iš mokinių sąrašo direktoriaus {{ order.date_long }} įsakymu "
        "Nr. {{ order.number }}.",
        align=body,
        after=3,
    )
    _para(doc, "Išvykimo priežastis: {{ reason }}.", align=body, after=3)
    _para(doc, "{%p if destination %}")
    _para(doc, "Tęs mokymąsi: {{ destination }}.", align=body, after=3)
    _para(doc, "{%p endif %}")

    _para(doc, "Mokymosi pasiekimai:", before=9, after=6)
    widths = [1.9, 7.3, 3.6, 3.7]
    table = doc.add_table(rows=4, cols=4)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    for cell, text in zip(
        table.rows[0].cells, ("Eil. Nr.", "Dalykas", "Laikotarpis", "Įvertinimas"), strict=True
    ):
        _cell_text(cell, text, bold=True, align=center)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _shade(cell, "E7E6E6")
    _repeat_header(table)
    # docxtpl drops the rows holding {%tr %} tags and repeats the row between them.
    _cell_text(table.rows[1].cells[0], "{%tr for r in results %}")
    row = table.rows[2].cells
    _cell_text(row[0], "{{ loop.index }}.", align=center)
    _cell_text(row[1], "{{ r.subject }}")
    _cell_text(row[2], "{{ r.period }}", align=center)
    _cell_text(row[3], "{{ r.mark_text }}", align=center)
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")

    _para(
        doc,
        "Praleista pamokų: {{ missed_lessons }}, iš jų pateisinta: {{ excused_lessons }}.",
        before=12,
    )

    # Signature line: position left, space to sign in the middle, name right.
    _para(doc, before=36)
    signature = doc.add_table(rows=2, cols=3)
    _no_borders(signature)
    _widths(signature, [5.5, 5.0, 6.0])
    _cell_text(signature.rows[0].cells[0], "{{ school.director_title }}")
    _cell_bottom_border(signature.rows[0].cells[1])
    _cell_text(
        signature.rows[0].cells[2], "{{ school.director_name }}", align=WD_ALIGN_PARAGRAPH.RIGHT
    )
    _cell_text(signature.rows[1].cells[1], "(parašas)", align=center, size=9)
    _cell_text(signature.rows[1].cells[0], "A. V.", size=10)

    _para(
        doc,
        "Parengė: {{ issued_by.name }}, {{ issued_by.position }}",
        size=10,
        before=48,
    )
    doc.save(str(path))


if __name__ == "__main__":
    build_leaving_certificate(HERE / "leaving-certificate.docx")
