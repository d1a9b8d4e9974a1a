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
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.table import Table, _Cell, _Row
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


def _letterhead(doc: Document) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "{{ school.name|upper }}", align=center, bold=True, size=13)
    rule = _para(
        doc, "Kodas {{ school.code }}, {{ school.address }}", align=center, size=10, after=0
    )
    _bottom_rule(rule)


def _signature(doc: Document, position: str, name: str, *, before: float = 30) -> None:
    _para(doc, before=before)
    signature = doc.add_table(rows=2, cols=3)
    _no_borders(signature)
    _widths(signature, [5.5, 5.0, 6.0])
    _cell_text(signature.rows[0].cells[0], position)
    _cell_bottom_border(signature.rows[0].cells[1])
    _cell_text(signature.rows[0].cells[2], name, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _cell_text(signature.rows[1].cells[1], "(parašas)", align=WD_ALIGN_PARAGRAPH.CENTER, size=9)


def build_destruction_act(path: Path) -> None:
    """Dokumentų naikinimo aktas: cases whose term is over, selected for destruction; the
    director's approval block (TVIRTINU) sits top right as on any act that is approved."""
    doc = _base_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _letterhead(doc)

    approve = doc.add_table(rows=4, cols=2)
    _no_borders(approve)
    _widths(approve, [9.5, 7.0])
    _cell_text(approve.rows[0].cells[1], "TVIRTINU", bold=True)
    _cell_text(approve.rows[1].cells[1], "{{ school.director_title }}")
    _cell_text(approve.rows[2].cells[1], "{{ school.director_name }}")
    _cell_text(approve.rows[3].cells[1], "20__ m. ____________ __ d.", size=10)

    _para(doc, "DOKUMENTŲ NAIKINIMO AKTAS", align=center, bold=True, before=18, after=6)
    _para(doc, "{{ registration.date_long }} Nr. {{ registration.number }}", align=center)
    _para(doc, "{{ school.city }}", align=center, after=18)

    _para(
        doc,
        "Atrinktos naikinti bylos, kurių saugojimo terminai pasibaigė ir kurios neturi "
        "išliekamosios vertės:",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=6,
    )
    widths = [1.0, 1.7, 5.4, 1.3, 2.6, 1.6, 2.9]
    headers = (
        "Eil. Nr.",
        "Bylos indeksas",
        "Bylos antraštė",
        "Metai",
        "Saugojimo terminas",
        "Dok. skaičius",
        "Pastabos",
    )
    table = doc.add_table(rows=4, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, text, bold=True, align=center, size=9)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _shade(cell, "E7E6E6")
    _repeat_header(table)
    _cell_text(table.rows[1].cells[0], "{%tr for c in cases %}")
    row = table.rows[2].cells
    _cell_text(row[0], "{{ loop.index }}.", align=center, size=10)
    _cell_text(row[1], "{{ c.index }}", align=center, size=10)
    _cell_text(row[2], "{{ c.title }}", size=10)
    _cell_text(row[3], "{{ c.year }}", align=center, size=10)
    _cell_text(row[4], "{{ c.term }}; baigėsi {{ c.retain_until }}", size=10)
    _cell_text(row[5], "{{ c.documents }}", align=center, size=10)
    _cell_text(row[6], "{{ c.numbers }}", size=9)
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")

    _para(
        doc,
        "Iš viso atrinkta naikinti {{ case_count }} bylų (-a), {{ document_count }} "
        "dokumentų (-as).",
        before=10,
        after=6,
    )
    _para(doc, "Pagrindas: {{ basis }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    _para(
        doc,
        "Elektroniniai dokumentai sunaikinami ištrinant jų failus iš saugyklos tik po direktoriaus "
        "sprendimo; registre lieka jų aprašai (numeris, pavadinimas, SHA-256 kontrolinė suma) ir "
        "nuoroda į šį aktą.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        size=10,
    )
    _signature(doc, "{{ compiled_by.position }}", "{{ compiled_by.name }}")
    doc.save(str(path))


def build_journal_transfer(path: Path) -> None:
    """The cover record of an e-journal moved to a digital medium (seed p.14, 22.16, 23.20)."""
    doc = _base_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _letterhead(doc)
    _para(
        doc,
        "ELEKTRONINIO DIENYNO PERKĖLIMO Į SKAITMENINĘ LAIKMENĄ PAŽYMA",
        align=center,
        bold=True,
        before=30,
        after=6,
    )
    _para(doc, "{{ registration.date_long }} Nr. {{ registration.number }}", align=center)
    _para(doc, "{{ school.city }}", align=center, after=24)

    _para(
        doc,
        "{{ school_year }} mokslo metų elektroninis dienynas perkeltas į skaitmeninę laikmeną ir "
        "perduotas saugoti mokyklos archyvui.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=9,
    )
    _labelled(doc, "Perkėlimo data: ", "{{ transferred_on_long }}")
    _labelled(doc, "Failas: ", "{{ file_name }}")
    _labelled(doc, "Formatas: ", "{{ media_type }}")
    _labelled(doc, "Dydis: ", "{{ size_text }}")
    _para(doc, "SHA-256 kontrolinė suma:", after=2)
    _para(doc, "{{ sha256 }}", size=9, after=9)
    _para(doc, "{%p if note %}")
    _para(doc, "Pastabos: {{ note }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=3)
    _para(doc, "{%p endif %}")
    _para(
        doc,
        "Failo vientisumą patvirtina jo SHA-256 kontrolinė suma: bet kuris failo pakeitimas ją "
        "pakeistų. Failas saugomas nekeičiamoje saugykloje visą saugojimo terminą.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        size=10,
        before=6,
    )
    _signature(doc, "{{ transferred_by.position }}", "{{ transferred_by.name }}", before=36)
    doc.save(str(path))


def _seed_letterhead(doc: Document) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "{{ school.name|upper }}", align=center, bold=True, size=13)
    rule = _para(doc, "Kodas {{ school.code }}, {{ school.address }}", align=center, size=10)
    _bottom_rule(rule)


def _title_block(doc: Document, title: str, *, before: float = 24, after: float = 18) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, title, align=center, bold=True, before=before, after=6)
    _para(doc, "{{ registration.date_long }} Nr. {{ registration.number }}", align=center)
    _para(doc, "{{ school.city }}", align=center, after=after)


def _signature_row(
    table: Table, row: int, left: str, right: str, *, caption: str = "(parašas)"
) -> None:
    """Position left, a line to sign in the middle (captioned below), the name right.

    The row is tall enough to sign in and everything stands on the line's level: a position
    that wraps to two lines would otherwise leave the name and the line out of step with it.
    """
    _row_height(table, row, 1.0)
    cells = table.rows[row].cells
    _cell_text(cells[0], left)
    _cell_bottom_border(cells[1])
    _cell_text(cells[2], right, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for cell in cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    _cell_text(table.rows[row + 1].cells[1], caption, align=WD_ALIGN_PARAGRAPH.CENTER, size=8)


def _signatures(doc: Document, people: list[tuple[str, str]], widths: list[float]) -> Table:
    table = doc.add_table(rows=2 * len(people), cols=3)
    _no_borders(table)
    _widths(table, widths)
    for i, (left, right) in enumerate(people):
        _signature_row(table, 2 * i, left, right)
    return table


def _grid_table(doc: Document, rows: int, widths: list[float]) -> Table:
    table = doc.add_table(rows=rows, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_layout(table)
    _widths(table, widths)
    return table


def _fixed_layout(table: Table) -> None:
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


def _header_cells(table: Table, texts: list[str], *, size: float | None = None) -> None:
    for cell, text in zip(table.rows[0].cells, texts, strict=True):
        _cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=size)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _shade(cell, "E7E6E6")
    _repeat_header(table)


def _loop_rows(table: Table, loop: str, cells: list[tuple[str, WD_ALIGN_PARAGRAPH]]) -> None:
    """Rows 1..3 of ``table``: the {%tr for %} row, the repeated row, the {%tr endfor %} row."""
    _cell_text(table.rows[1].cells[0], "{%tr " + loop + " %}")
    for cell, (text, align) in zip(table.rows[2].cells, cells, strict=True):
        _cell_text(cell, text, align=align)
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")


def build_change_act(path: Path) -> None:
    """Aktas apie duomenų keitimą (seed p.17.1, 23.9.3): wrong and correct side by side."""
    doc = _base_document()
    left, center = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER
    _seed_letterhead(doc)
    _title_block(doc, "AKTAS APIE DUOMENŲ KEITIMĄ")
    _para(
        doc,
        "Elektroniniame dienyne „užrakinus“ duomenis nustatyta klaida ir ji ištaisyta.",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=6,
    )

    facts = _grid_table(doc, 6, [6.0, 10.5])
    for i, (label, value) in enumerate(
        [
            ("Mokinio vardas ir pavardė", "{{ student.full_name }}"),
            ("Klasė", "{{ class_name }}"),
            ("Dalykas", "{{ subject }}"),
            ("Laikotarpis", "{{ period }}"),
            ("Duomenų keitimo data", "{{ changed_on_long }}"),
            ("Duomenis taisė", "{{ corrected_by.name }}, {{ corrected_by.position }}"),
        ]
    ):
        _cell_text(facts.rows[i].cells[0], label, bold=True)
        _cell_text(facts.rows[i].cells[1], value)

    _para(doc, "Keičiami duomenys:", before=12, after=6)
    change = _grid_table(doc, 4, [6.0, 5.25, 5.25])
    _header_cells(change, ["Duomenys", "Klaidingi", "Teisingi"])
    for i, (label, field) in enumerate(
        [
            ("Įvertinimas (skaičiumi ir žodžiu)", "mark_text"),
            ("Praleistų pamokų skaičius", "missed_lessons"),
            ("Pateisintų pamokų skaičius", "excused_lessons"),
        ],
        start=1,
    ):
        _cell_text(change.rows[i].cells[0], label, align=left)
        _cell_text(change.rows[i].cells[1], "{{ wrong." + field + " }}", align=center)
        _cell_text(change.rows[i].cells[2], "{{ correct." + field + " }}", align=center)

    _labelled(doc, "Klaidos taisymo priežastis: ", "", after=3).paragraph_format.space_before = Pt(
        12
    )
    _para(doc, "{{ reason }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    _para(doc, "{%p if other %}")
    _para(
        doc,
        "Kiti su duomenų taisymu susiję duomenys: {{ other }}",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=6,
    )
    _para(doc, "{%p endif %}")
    _para(
        doc,
        "Apie pakeitimą pranešta e. dienyno administratoriui, dalyko mokytojui, mokiniui "
        "ir jo tėvams (globėjams, rūpintojams).",
        size=10,
        after=24,
    )

    _signatures(
        doc,
        [
            ("Duomenis taisė: {{ corrected_by.position }}", "{{ corrected_by.name }}"),
            ("E. dienyno administratorius", "{{ administrator.name }}"),
            ("Aktą surašė: {{ issued_by.position }}", "{{ issued_by.name }}"),
        ],
        [6.5, 4.5, 5.5],
    )
    doc.save(str(path))


PLEDGE_TEXT = [
    ("1.", "Suprantu, kad:"),
    (
        "1.1.",
        "negalima darbe tvarkomų duomenų atskleisti ar perduoti neįgaliotiems asmenims "
        "ar institucijoms;",
    ),
    (
        "1.2.",
        "draudžiama perduoti neįgaliotiems asmenims slaptažodžius ir kitą informaciją, kad "
        "programinėmis ir techninėmis priemonėmis sužinotų duomenis, ar kitaip sudaryti sąlygas "
        "susipažinti su duomenimis;",
    ),
    (
        "1.3.",
        "netinkamas duomenų tvarkymas gali užtraukti atsakomybę pagal Lietuvos Respublikos "
        "įstatymus.",
    ),
    ("2.", "Įsipareigoju:"),
    ("2.1.", "saugoti duomenų paslaptį;"),
    (
        "2.2.",
        "duomenis tvarkyti vadovaudamasis Lietuvos Respublikos įstatymais ir kitais teisės "
        "aktais, taip pat pareigybės aprašymu;",
    ),
    (
        "2.3.",
        "neatskleisti, neperduoti ir nesudaryti sąlygų įvairiomis priemonėmis susipažinti "
        "su tvarkoma informacija nė vienam asmeniui, kuris nėra įgaliotas naudotis šia "
        "informacija tiek įstaigos viduje, tiek už jos ribų;",
    ),
    (
        "2.4.",
        "pranešti savo vadovui apie bet kokį įtartiną atvejį, kuris gali kelti grėsmę "
        "duomenų saugumui.",
    ),
    ("3.", "Žinau, kad:"),
    (
        "3.1.",
        "už šio pasižadėjimo nesilaikymą ir Lietuvos Respublikos asmens duomenų teisinės "
        "apsaugos įstatymo pažeidimą turėsiu atsakyti pagal galiojančius Lietuvos Respublikos "
        "įstatymus;",
    ),
    (
        "3.2.",
        "asmuo, patyręs žalą dėl neteisėto duomenų tvarkymo arba kitų duomenų valdytojo ar "
        "duomenų tvarkytojo veiksmų ar neveikimo, turi teisę reikalauti atlyginti jam padarytą "
        "turtinę ar neturtinę žalą (pagal Lietuvos Respublikos civilinį kodeksą, Lietuvos "
        "Respublikos asmens duomenų teisinės apsaugos įstatymą ir kitus teisės aktus);",
    ),
    (
        "3.3.",
        "duomenų valdytojas, duomenų tvarkytojas arba kitas asmuo, atlyginantis asmeniui "
        "padarytą žalą, patirtą nuostolį išreikalauja įstatymų nustatyta tvarka iš duomenis "
        "tvarkančio darbuotojo, dėl kurio kaltės atsirado ši žala;",
    ),
    (
        "3.4.",
        "šis pasižadėjimas galios visą mano darbo laiką pagal Lietuvos Respublikos asmens "
        "duomenų teisinės apsaugos įstatymą.",
    ),
    (
        "4.",
        "Patvirtinu, kad esu susipažinęs su Lietuvos Respublikos asmens duomenų teisinės "
        "apsaugos įstatymu.",
    ),
]


def build_confidentiality_pledge(path: Path) -> None:
    """Konfidencialumo pasižadėjimas: the seed's annex 1, points 1-4, filled in for one person."""
    doc = _base_document()
    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    _seed_letterhead(doc)
    _para(doc, "KONFIDENCIALUMO PASIŽADĖJIMAS", align=center, bold=True, before=12, after=4)
    _para(doc, "{{ date_long }}", align=center)
    _para(doc, "Reg. Nr. {{ registration.number }}", align=center, size=10)
    _para(doc, "{{ school.city }}", align=center, after=6)
    _para(doc, "{{ school.name }}", align=center, after=4)
    _para(doc, "{{ person.position }}", align=center, bold=True)
    _bottom_rule(doc.paragraphs[-1], 4)
    _para(doc, "(pareigos)", align=center, size=8, after=6)
    _para(doc, "{{ person.name }}", align=center, bold=True)
    _bottom_rule(doc.paragraphs[-1], 4)
    _para(doc, "(vardas, pavardė)", align=center, size=8, after=12)
    for number, text in PLEDGE_TEXT:
        top = number.count(".") == 1
        p = _para(doc, align=justify, after=2, before=4 if top else 0)
        p.paragraph_format.left_indent = Cm(0 if top else 0.75)
        for run_text, bold in ((f"{number} ", top), (text, False)):
            run = p.add_run(run_text)
            run.bold = bold
            run.font.size = Pt(11)
    _para(doc, before=18)
    _signatures(doc, [("{{ person.position }}", "{{ person.name }}")], [6.0, 4.5, 6.0])
    _para(
        doc,
        "Pasižadėjimą įregistravo: {{ issued_by.name }}, {{ issued_by.position }}, "
        "{{ registration.date_long }}",
        size=9,
        before=12,
    )
    doc.save(str(path))


def _rotate(cell: _Cell) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "btLr")
    tcpr.append(direction)


def _row_height(table: Table, row: int, cm: float) -> None:
    trpr = table.rows[row]._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(int(cm * 567)))
    height.set(qn("w:hRule"), "atLeast")
    trpr.append(height)


def _cell_margins_zero(cell: _Cell) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    margins = OxmlElement("w:tcMar")
    for edge in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tcpr.append(margins)


def _tiny_paragraph(p: Paragraph) -> None:
    # A cell must end with a paragraph; after a nested table it should take no room.
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(1)
    p.add_run("").font.size = Pt(1)


def _column_loop(cell: _Cell, width_cm: float, item: str, seq: str, *, header: bool) -> None:
    """A nested one-row table whose middle cell repeats per item of ``seq`` ({%tc %}).

    docxtpl spreads a table's width evenly over the columns a {%tc %} loop makes; inside a
    nested table that is exactly right (equal subject columns), while the outer table keeps the
    widths of the name, totals and notes columns.
    """
    _cell_margins_zero(cell)
    empty = cell.paragraphs[0]
    inner = cell.add_table(rows=1, cols=3)
    # The cell's own first paragraph would sit above the nested table as a blank line.
    cell._tc.remove(empty._p)
    inner_tbl = inner._tbl
    borders = OxmlElement("w:tblBorders")
    for edge, val in (
        ("top", "nil"),
        ("left", "nil"),
        ("bottom", "nil"),
        ("right", "nil"),
        ("insideH", "nil"),
        ("insideV", "single"),
    ):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), val)
        if val == "single":
            el.set(qn("w:sz"), "4")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    inner_tbl.tblPr.append(borders)
    _fixed_layout(inner)
    _widths(inner, [width_cm / 3] * 3)
    _cell_text(inner.rows[0].cells[0], "{%tc for " + item + " in " + seq + " %}")
    middle = inner.rows[0].cells[1]
    _cell_text(
        middle,
        "{{ " + item + " }}",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        bold=header,
        size=7 if header else 8,
    )
    middle.vertical_alignment = (
        WD_CELL_VERTICAL_ALIGNMENT.BOTTOM if header else WD_CELL_VERTICAL_ALIGNMENT.CENTER
    )
    if header:
        _rotate(middle)
        _row_height(inner, 0, 3.4)
    _cell_text(inner.rows[0].cells[2], "{%tc endfor %}")
    _tiny_paragraph(cell.paragraphs[-1])


def _keep_with_next(row: _Row) -> None:
    """Every paragraph of ``row`` keeps with the next: LibreOffice (like Word) then moves this row
    to the next page together with the row below instead of breaking the table between them."""
    for p in row._tr.iter(qn("w:p")):
        ppr = p.get_or_add_pPr()
        ppr.insert(0, OxmlElement("w:keepNext"))


def _cant_split(row: _Row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _summary_pupil_row(row: _Row, subjects_width: float) -> None:
    cells = row.cells
    center = WD_ALIGN_PARAGRAPH.CENTER
    _cell_text(cells[0], "{{ row.no }}.", align=center, size=8)
    _cell_text(cells[1], "{{ row.full_name }}", size=8)
    _column_loop(cells[2], subjects_width, "m", "row.marks", header=False)
    _cell_text(cells[3], "{{ row.average }}", align=center, size=8)
    _cell_text(cells[4], "{{ row.missed }}", align=center, size=8)
    _cell_text(cells[5], "{{ row.excused }}", align=center, size=8)
    _cell_text(cells[6], "{{ row.note }}", size=7)
    for cell in cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    # A pupil's row is never split across two pages.
    _cant_split(row)


def _signing_line(cell: _Cell, text: str = "") -> None:
    """A line to sign or write on, with a little gap to the next line (cell borders would join
    into one line across the row), and room above it for a handwritten signature."""
    p = _cell_text(cell, text, align=WD_ALIGN_PARAGRAPH.CENTER, size=10)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(0.3)
    _bottom_rule(p, 6)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM


def _summary_signatures(cell: _Cell) -> None:
    """The closing statement and the class teacher's and deputy's signatures, inside ``cell``."""
    note = cell.paragraphs[0]
    note.add_run("Duomenys patikrinti ir teisingi.").font.size = Pt(10)
    note.paragraph_format.space_before = Pt(10)
    note.paragraph_format.space_after = Pt(2)
    people = [
        ("Klasės vadovas (-ė)", "{{ class_teacher.name }}"),
        ("Direktoriaus pavaduotojas (-a) ugdymui", "{{ deputy.name }}"),
    ]
    table = cell.add_table(rows=2 * len(people), cols=4)
    _no_borders(table)
    _fixed_layout(table)
    _widths(table, [6.5, 5.0, 6.5, 4.0])
    for i, (position, name) in enumerate(people):
        _row_height(table, 2 * i, 1.0)
        cells = table.rows[2 * i].cells
        _cell_text(cells[0], position, size=10)
        cells[0].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        _signing_line(cells[1])
        _signing_line(cells[2], name)
        _signing_line(cells[3])
        captions = table.rows[2 * i + 1].cells
        for caption_cell, caption in zip(
            captions[1:], ["(parašas)", "(vardas, pavardė)", "(data)"], strict=True
        ):
            _cell_text(caption_cell, caption, align=WD_ALIGN_PARAGRAPH.CENTER, size=8)
    _tiny_paragraph(cell.add_paragraph())


def build_achievement_summary(path: Path) -> None:
    """Mokinių mokymosi pasiekimų apskaitos suvestinė: A4 landscape, pupils x subjects."""
    doc = _base_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.2)
    section.top_margin = section.bottom_margin = Cm(1.2)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "{{ school.name|upper }}", align=center, bold=True, size=12)
    _para(
        doc,
        "MOKINIŲ MOKYMOSI PASIEKIMŲ APSKAITOS SUVESTINĖ",
        align=center,
        bold=True,
        before=6,
        after=3,
    )
    _para(
        doc,
        "{{ class_name }} klasė, {{ school_year }} m. m., {{ period }}",
        align=center,
        bold=True,
    )
    _para(
        doc,
        "{{ registration.date_long }} Nr. {{ registration.number }}, {{ school.city }}",
        align=center,
        size=10,
        after=6,
    )

    # Usable width 27.3 cm: the subjects share what the fixed columns leave.
    widths = [0.8, 4.4, 15.6, 1.4, 1.5, 1.5, 2.1]
    # Rows: header, {%tr for %}, pupil, {%tr endfor %}, {%tr set %}, the last pupil, totals,
    # signatures.
    table = _grid_table(doc, 8, widths)
    header = [
        "Eil. Nr.",
        "Mokinio pavardė, vardas",
        "",
        "Vidurkis",
        "Praleista pamokų",
        "Iš jų pateisinta",
        "Pastabos",
    ]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        if text:
            _cell_text(cell, text, bold=True, align=center, size=7)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        _shade(cell, "E7E6E6")
    _repeat_header(table)
    _column_loop(table.rows[0].cells[2], widths[2], "s", "subjects", header=True)
    # The signatures must never stand alone on the last page (keep_with_next on a paragraph after
    # the table is not enough in LibreOffice: it breaks the table before that paragraph anyway).
    # So they are the table's last row, and the last pupil's row and the totals row keep with
    # the row below: a page break before the signatures takes the last pupil and the totals
    # along. The last pupil therefore has a row of its own after the loop.
    _cell_text(table.rows[1].cells[0], "{%tr for row in rows[:-1] %}")
    _summary_pupil_row(table.rows[2], widths[2])
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")
    _cell_text(table.rows[4].cells[0], "{%tr set row = rows[-1] %}")
    _summary_pupil_row(table.rows[5], widths[2])
    _keep_with_next(table.rows[5])
    totals = table.rows[6].cells
    _cell_text(totals[1], "Iš viso mokinių: {{ totals.pupils }}", bold=True, size=8)
    _cell_text(totals[2], "Klasės vidurkis", bold=True, size=8, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _cell_text(totals[3], "{{ totals.average }}", bold=True, align=center, size=8)
    _cell_text(totals[4], "{{ totals.missed }}", bold=True, align=center, size=8)
    _cell_text(totals[5], "{{ totals.excused }}", bold=True, align=center, size=8)
    _cant_split(table.rows[6])
    _keep_with_next(table.rows[6])
    signatures = table.rows[7].cells[0].merge(table.rows[7].cells[-1])
    # Only the grid's line above (the totals' bottom) stays: the signatures stand on white.
    tcpr = signatures._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for edge in ("left", "bottom", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tcpr.append(borders)
    _summary_signatures(signatures)
    _cant_split(table.rows[7])
    doc.save(str(path))


def build_safety_briefing(path: Path) -> None:
    """Saugaus elgesio ir kitų instruktažų lapas: content, then a signature line per pupil."""
    doc = _base_document()
    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    _seed_letterhead(doc)
    _title_block(doc, "SAUGAUS ELGESIO IR KITŲ INSTRUKTAŽŲ LAPAS", after=12)
    _labelled(doc, "Klasė: ", "{{ class_name }}")
    _labelled(doc, "Instruktažo data: ", "{{ date_long }}")
    _labelled(doc, "Instruktažo tema: ", "{{ topic }}")
    _labelled(doc, "Instruktavo: ", "{{ instructor.name }}, {{ instructor.position }}", after=6)
    _para(doc, "Instruktažo turinys:", bold=True, after=3)
    _para(doc, "{%p for line in content_lines %}")
    _para(doc, "{{ line }}", align=justify, after=2)
    _para(doc, "{%p endfor %}")
    _para(doc, "Su instruktažo turiniu supažindinti ir jį suprato:", before=9, after=6)
    table = _grid_table(doc, 4, [1.3, 8.2, 7.0])
    _header_cells(table, ["Eil. Nr.", "Mokinio vardas, pavardė", "Parašas"])
    _loop_rows(
        table,
        "for name in students",
        [("{{ loop.index }}.", center), ("{{ name }}", WD_ALIGN_PARAGRAPH.LEFT), ("", center)],
    )
    _row_height(table, 2, 0.75)
    for cell in table.rows[2].cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _para(doc, before=24)
    _signatures(
        doc, [("Instruktavo: {{ instructor.position }}", "{{ instructor.name }}")], [6.5, 4.5, 5.5]
    )
    doc.save(str(path))


def build_progress_report(path: Path) -> None:
    """Mokinio pažangumo ir lankomumo ataskaita: the month's marks and attendance for parents."""
    doc = _base_document()
    center, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    _seed_letterhead(doc)
    _title_block(doc, "MOKINIO PAŽANGUMO IR LANKOMUMO ATASKAITA", after=12)
    _labelled(doc, "Mokinys (-ė): ", "{{ student.full_name }}")
    _labelled(doc, "Klasė: ", "{{ class_name }}")
    _labelled(doc, "Laikotarpis: ", "{{ period_text }}", after=9)
    _para(doc, "Įvertinimai:", bold=True, after=6)
    table = _grid_table(doc, 4, [7.5, 3.0, 6.0])
    _header_cells(table, ["Dalykas", "Data", "Įvertinimas"])
    _loop_rows(
        table,
        "for r in rows",
        [("{{ r.subject }}", left), ("{{ r.date }}", center), ("{{ r.mark_text }}", center)],
    )
    _para(doc, "Lankomumas:", bold=True, before=12, after=6)
    attendance = _grid_table(doc, 2, [4.125, 4.125, 4.125, 4.125])
    _header_cells(
        attendance, ["Praleista pamokų", "Iš jų pateisinta", "Nepateisinta", "Pavėluota kartų"]
    )
    for cell, text in zip(
        attendance.rows[1].cells,
        ["{{ missed_lessons }}", "{{ excused_lessons }}", "{{ unexcused_lessons }}", "{{ late }}"],
        strict=True,
    ):
        _cell_text(cell, text, align=center)
    _para(doc, before=24)
    _signatures(doc, [("Klasės vadovas (-ė)", "{{ issued_by.name }}")], [6.0, 4.5, 6.0])
    _para(doc, "Su ataskaita susipažinau:", before=24, after=6)
    parent = doc.add_table(rows=2, cols=3)
    _no_borders(parent)
    _widths(parent, [7.0, 4.5, 5.0])
    # Three separate lines (cell borders would run into one), each above its caption.
    _row_height(parent, 0, 1.0)
    for i in range(3):
        _signing_line(parent.rows[0].cells[i])
    for cell, text in zip(
        parent.rows[1].cells,
        ["(tėvų (globėjų, rūpintojų) vardas, pavardė)", "(parašas)", "(data)"],
        strict=True,
    ):
        _cell_text(cell, text, align=center, size=8)
    doc.save(str(path))


def _header_row(table: Table, headers: tuple[str, ...], *, size: float = 9) -> None:
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=size)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _shade(cell, "E7E6E6")
    _repeat_header(table)


def build_register_listing(path: Path) -> None:
    """A register-year printed as a listing: every number, registered or void with its reason."""
    doc = _base_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "{{ school.name|upper }}", align=center, bold=True, size=13)
    rule = _para(doc, "Kodas {{ school.code }}, {{ school.address }}", align=center, size=10)
    _bottom_rule(rule)

    _para(doc, "{{ register.title|upper }}", align=center, bold=True, before=24, after=4)
    _para(doc, "{{ year }} m.", align=center, after=2)
    _para(doc, "Registro kodas: {{ register.code }}", align=center, size=10, after=14)

    widths = [1.1, 2.3, 2.1, 4.6, 2.6, 3.8]
    table = doc.add_table(rows=4, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    _header_row(
        table,
        ("Eil. Nr.", "Registracijos Nr.", "Data", "Dokumento pavadinimas", "Būsena", "Pastabos"),
    )
    _cell_text(table.rows[1].cells[0], "{%tr for e in entries %}")
    row = table.rows[2].cells
    _cell_text(row[0], "{{ e.seq }}", align=center, size=10)
    _cell_text(row[1], "{{ e.number }}", size=10)
    _cell_text(row[2], "{{ e.date }}", align=center, size=10)
    _cell_text(row[3], "{{ e.title }}", size=10)
    _cell_text(row[4], "{{ e.status }}", size=10)
    _cell_text(row[5], "{{ e.note }}", size=9)
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")

    _para(doc, "{%p if not entries %}")
    _para(doc, "Šiais metais registre įrašų nėra.", before=6)
    _para(doc, "{%p endif %}")
    _para(
        doc,
        "Iš viso numerių: {{ totals.all }}; įregistruota dokumentų: {{ totals.registered }}; "
        "anuliuota numerių: {{ totals.void }}"
        "{% if totals.reserved %}; rengiama: {{ totals.reserved }}{% endif %}.",
        before=10,
    )
    _para(
        doc,
        "Išspausdino {{ printed.by }}, {{ printed.date_long }}",
        size=10,
        before=18,
    )
    doc.save(str(path))


def build_case_inventory(path: Path) -> None:
    """Bylų apyrašas: the year's closed cases, issued and registered when they are closed."""
    doc = _base_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "{{ school.name|upper }}", align=center, bold=True, size=13)
    rule = _para(doc, "Kodas {{ school.code }}, {{ school.address }}", align=center, size=10)
    _bottom_rule(rule)

    _para(doc, "BYLŲ APYRAŠAS", align=center, bold=True, before=24, after=6)
    _para(doc, "{{ registration.date_long }} Nr. {{ registration.number }}", align=center)
    _para(doc, "{{ school.city }}", align=center, after=14)
    _para(doc, "{{ year }} metų bylos", bold=True, after=6)

    widths = [0.9, 1.5, 4.5, 2.3, 1.6, 3.2, 2.5]
    table = doc.add_table(rows=4, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths)
    _header_row(
        table,
        (
            "Eil. Nr.",
            "Bylos indeksas",
            "Bylos antraštė",
            "Bylos pradžios ir pabaigos datos",
            "Dok. skaičius",
            "Saugojimo terminas",
            "Uždaryta",
        ),
        size=8.5,
    )
    _cell_text(table.rows[1].cells[0], "{%tr for c in cases %}")
    row = table.rows[2].cells
    _cell_text(row[0], "{{ loop.index }}.", align=center, size=10)
    _cell_text(row[1], "{{ c.index }}", align=center, size=10)
    _cell_text(row[2], "{{ c.title }}", size=10)
    _cell_text(row[3], "{{ c.dates }}", align=center, size=9)
    _cell_text(row[4], "{{ c.documents }}", align=center, size=10)
    _cell_text(row[5], "{{ c.retention }}", size=9)
    _cell_text(row[6], "{{ c.closed_on }}", align=center, size=9)
    _cell_text(table.rows[3].cells[0], "{%tr endfor %}")

    _para(
        doc,
        "Apyraše įrašyta bylų: {{ case_count }}; jose dokumentų: {{ document_count }}.",
        before=10,
    )

    _para(doc, "Sudarė", before=30, after=2)
    compiled = doc.add_table(rows=2, cols=3)
    _no_borders(compiled)
    _widths(compiled, [5.5, 5.0, 6.0])
    _cell_text(compiled.rows[0].cells[0], "{{ issued_by.position }}")
    _cell_bottom_border(compiled.rows[0].cells[1])
    _cell_text(compiled.rows[0].cells[2], "{{ issued_by.name }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _cell_text(compiled.rows[1].cells[1], "(parašas)", align=center, size=9)

    _para(doc, "PRITARTA", bold=True, before=24, after=2)
    approved = doc.add_table(rows=2, cols=3)
    _no_borders(approved)
    _widths(approved, [5.5, 5.0, 6.0])
    _cell_text(approved.rows[0].cells[0], "{{ school.director_title }}")
    _cell_bottom_border(approved.rows[0].cells[1])
    _cell_text(
        approved.rows[0].cells[2], "{{ school.director_name }}", align=WD_ALIGN_PARAGRAPH.RIGHT
    )
    _cell_text(approved.rows[1].cells[1], "(parašas)", align=center, size=9)
    doc.save(str(path))


if __name__ == "__main__":
    build_leaving_certificate(HERE / "leaving-certificate.docx")
    build_destruction_act(HERE / "destruction-act.docx")
    build_journal_transfer(HERE / "journal-transfer.docx")
    build_change_act(HERE / "change-act.docx")
    build_confidentiality_pledge(HERE / "confidentiality-pledge.docx")
    build_achievement_summary(HERE / "achievement-summary.docx")
    build_safety_briefing(HERE / "safety-briefing.docx")
    build_progress_report(HERE / "progress-report.docx")
    build_register_listing(HERE / "register-listing.docx")
    build_case_inventory(HERE / "case-inventory.docx")
