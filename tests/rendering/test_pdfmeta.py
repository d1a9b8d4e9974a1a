"""XMP stamping (PDF-LT fields) and the PDF/A gate."""

from __future__ import annotations

import io
from datetime import date

import docx
import pikepdf
import pytest
from pikepdf.models.metadata import DOCINFO_MAPPING

from service.errors import DocumentRejected
from service.rendering.pdf import ConverterPool
from service.rendering.pdfmeta import (
    LTUD_NS,
    LTUDENT_NS,
    PdfMetadata,
    check_pdfa,
    page_count,
    pdfa_claim,
    stamp,
    stamp_and_check,
)

META = PdfMetadata(
    title="Mokinio pasiekimų pažyma Nr. PZ-1",
    creator="Kauno Milikonių progimnazija",
    subject="Gabija Žukauskaitė, 6b",
    registration_number="PZ-1",
    registration_date=date(2026, 11, 20),
    authors=["Rūta Raštinienė"],
    recipients=["Gabija Žukauskaitė"],
)


@pytest.fixture(scope="module")
def plain_pdf(converter_pool: ConverterPool) -> bytes:
    """A PDF/A-2b from an untouched python-docx document: its XMP says dc:creator python-docx."""
    doc = docx.Document()
    doc.add_paragraph("Žukauskaitė")
    out = io.BytesIO()
    doc.save(out)
    return converter_pool.convert_to_pdfa(out.getvalue())


def _xmp(pdf: bytes, *keys: str) -> list[object]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        xmp = doc.open_metadata()
        return [xmp[key] for key in keys]


def _packet(pdf: bytes) -> str:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return doc.Root.Metadata.read_bytes().decode("utf-8")


def _docinfo(pdf: bytes) -> dict[str, str]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return {str(key): str(value) for key, value in doc.docinfo.items()}


def _with_fonts(
    fonts: pikepdf.Dictionary,
    *,
    claim: bool = True,
    form: bool = False,
    pages: int = 1,
    part: str = "2",
) -> bytes:
    """A PDF claiming PDF/A-{part}b whose first page (or a form XObject on it) uses ``fonts``;
    ``pages`` - 1 blank pages follow it."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    for _ in range(pages - 1):
        pdf.add_blank_page(page_size=(595, 842))
    resources = pikepdf.Dictionary(Font=fonts)
    content = b"BT /F1 12 Tf 72 720 Td (Sveiki) Tj ET"
    if form:
        xobject = pdf.make_stream(
            content, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form,
            BBox=[0, 0, 595, 842], Resources=resources,
        )  # fmt: skip
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm1=xobject))
        page.obj.Contents = pdf.make_stream(b"/Fm1 Do")
    else:
        page.obj.Resources = resources
        page.obj.Contents = pdf.make_stream(content)
    if claim:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["pdfaid:part"] = part
            xmp["pdfaid:conformance"] = "B"
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


HELVETICA = pikepdf.Dictionary(
    Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
)


def test_stamp_sets_title_school_and_registration(plain_pdf: bytes) -> None:
    values = _xmp(
        stamp(plain_pdf, META),
        "dc:title",
        "dc:creator",
        "dc:description",
        "xmp:CreatorTool",
        f"{{{LTUD_NS}}}standardVersion",
        f"{{{LTUD_NS}}}registrationNumber",
        f"{{{LTUD_NS}}}registrationDate",
    )

    assert values == [
        META.title,
        ["Kauno Milikonių progimnazija", "Rūta Raštinienė"],
        META.subject,
        "Bylos",
        "PDF-LT-V1.0",
        "PZ-1",
        "2026-11-20",
    ]


def test_stamp_writes_people_as_ltud_entities(plain_pdf: bytes) -> None:
    packet = _packet(stamp(plain_pdf, META))

    assert f'xmlns:LTUdEnt="{LTUDENT_NS}"' in packet
    assert (
        '<LTUd:recipients><rdf:Seq><rdf:li rdf:parseType="Resource">'
        "<LTUdEnt:name>Gabija Žukauskaitė" in packet
    )


def test_stamp_removes_template_properties(plain_pdf: bytes) -> None:
    assert "python-docx" in _packet(plain_pdf)

    stamped = stamp(plain_pdf, META)

    assert "python-docx" not in _packet(stamped)
    assert "python-docx" not in str(_docinfo(stamped))


def test_stamp_keeps_docinfo_equal_to_xmp(plain_pdf: bytes) -> None:
    docinfo = _docinfo(stamp(plain_pdf, META))

    assert docinfo["/Title"] == META.title
    assert docinfo["/Author"] == "Kauno Milikonių progimnazija; Rūta Raštinienė"
    assert docinfo["/Creator"] == "Bylos"


def test_stamp_makes_every_mapped_docinfo_entry_equal_its_xmp(plain_pdf: bytes) -> None:
    # PDF/A-2: a DocInfo entry with an XMP equivalent must equal it. pikepdf's own mapping
    # (and its date and author conversions) is the independent judge of what "equal" means.
    stamped = stamp(plain_pdf, META)
    with pikepdf.open(io.BytesIO(stamped)) as doc:
        xmp = doc.open_metadata()
        docinfo = {str(key): str(value) for key, value in doc.docinfo.items()}
        expected: dict[str, str | None] = {}
        for ns, key, name, converter in DOCINFO_MAPPING:
            qname = f"{{{ns}}}{key}"
            if qname in xmp:
                value = xmp[qname]
                expected[name] = converter.docinfo_from_xmp(value) if converter else str(value)

    assert {"/Title", "/Author", "/Subject", "/Creator", "/Producer", "/CreationDate"} <= set(
        expected
    )
    assert {name: docinfo.get(name) for name in expected} == expected
    assert set(docinfo) == set(expected)  # nothing the template left in DocInfo survives


def _with_xmp(packet: bytes) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root.Metadata = pdf.make_stream(packet, Type=pikepdf.Name.Metadata)
    out = io.BytesIO()
    pdf.save(out, fix_metadata_version=False)  # pikepdf would replace a packet it cannot read
    return out.getvalue()


def test_claim_written_as_attributes_is_read() -> None:
    # XMP allows a simple property as an attribute of rdf:Description; the claim counts either way.
    pdf = _with_xmp(
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
        b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""'
        b' xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="2"'
        b' pdfaid:conformance="B"/></rdf:RDF></x:xmpmeta>'
    )

    assert pdfa_claim(pdf) == ("2", "B")
    assert pdfa_claim(stamp_and_check(pdf, META).data) == ("2", "B")


@pytest.mark.parametrize(
    "packet",
    [
        b"<x:xmpmeta",  # cut short
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<x>&b;</x>",  # entities: refused, never expanded
    ],
    ids=["truncated", "entities"],
)
def test_broken_or_hostile_xmp_is_refused_with_a_message(packet: bytes) -> None:
    with pytest.raises(DocumentRejected, match="XMP metaduomenys sugadinti"):
        stamp_and_check(_with_xmp(packet), META)


def test_stamp_keeps_pdfa_claim(plain_pdf: bytes) -> None:
    stamped = stamp(plain_pdf, META)

    assert pdfa_claim(stamped) == ("2", "B")
    check_pdfa(stamped)


def test_stamping_twice_leaves_one_ltud_block(plain_pdf: bytes) -> None:
    twice = stamp(stamp(plain_pdf, META), META)

    assert _packet(twice).count("<LTUd:standardVersion>") == 1


def test_check_pdfa_rejects_pdf_without_claim() -> None:
    with pytest.raises(DocumentRejected, match="PDF/A-2b žymos"):
        check_pdfa(_with_fonts(pikepdf.Dictionary(), claim=False))


def test_check_pdfa_rejects_non_embedded_font() -> None:
    with pytest.raises(DocumentRejected, match="neįterpti šriftai: Helvetica"):
        check_pdfa(_with_fonts(pikepdf.Dictionary(F1=HELVETICA)))


def test_check_pdfa_rejects_non_embedded_font_in_form_xobject() -> None:
    with pytest.raises(DocumentRejected, match="Helvetica"):
        check_pdfa(_with_fonts(pikepdf.Dictionary(F1=HELVETICA), form=True))


def test_check_pdfa_rejects_non_embedded_descendant_font() -> None:
    descriptor = pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name.Arial)
    descendant = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=pikepdf.Name.Arial,
        FontDescriptor=descriptor,
    )  # fmt: skip
    type0 = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name.Arial,
        Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=pikepdf.Array([descendant]),
    )  # fmt: skip
    with pytest.raises(DocumentRejected, match="Arial"):
        check_pdfa(_with_fonts(pikepdf.Dictionary(F1=type0)))


def test_check_pdfa_rejects_garbage() -> None:
    with pytest.raises(DocumentRejected, match="sugadintas"):
        check_pdfa(b"not a pdf")


# stamp_and_check: the issuing path's stamp + gate on one parse.


def test_stamp_and_check_writes_what_stamp_writes(plain_pdf: bytes) -> None:
    checked = stamp_and_check(plain_pdf, META).data
    stamped = stamp(plain_pdf, META)

    assert _packet(checked) == _packet(stamped)
    assert _docinfo(checked) == _docinfo(stamped)
    assert pdfa_claim(checked) == ("2", "B")
    check_pdfa(checked)


def test_stamp_and_check_counts_the_pages_it_returns() -> None:
    # Issuing takes a record's page count (a case's sheets) from here, not from a third parse.
    stamped = stamp_and_check(_with_fonts(pikepdf.Dictionary(), pages=3), META)

    assert stamped.pages == 3
    assert page_count(stamped.data) == 3


def test_stamp_and_check_rejects_pdf_without_claim() -> None:
    with pytest.raises(DocumentRejected, match="PDF/A-2b žymos"):
        stamp_and_check(_with_fonts(pikepdf.Dictionary(), claim=False), META)


def test_stamp_and_check_rejects_another_pdfa_part() -> None:
    # The claim is read while stamping; the gate still judges it (stamping keeps pdfaid).
    with pytest.raises(DocumentRejected, match="rasta: PDF/A-1b"):
        stamp_and_check(_with_fonts(pikepdf.Dictionary(), part="1"), META)


@pytest.mark.parametrize("form", [False, True], ids=["page", "form-xobject"])
def test_stamp_and_check_rejects_non_embedded_font(form: bool) -> None:
    with pytest.raises(DocumentRejected, match="neįterpti šriftai: Helvetica"):
        stamp_and_check(_with_fonts(pikepdf.Dictionary(F1=HELVETICA), form=form), META)


def test_stamp_and_check_rejects_garbage() -> None:
    with pytest.raises(DocumentRejected, match="sugadintas"):
        stamp_and_check(b"not a pdf", META)


def test_stamp_and_check_works_without_memfd(
    plain_pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PDFs are parsed from an anonymous memory file; where the platform refuses one, an unnamed
    # temporary file is used instead.
    def refuse(*_args: object) -> int:
        raise OSError("memfd_create not permitted")

    expected = _packet(stamp_and_check(plain_pdf, META).data)
    monkeypatch.setattr("os.memfd_create", refuse)

    checked = stamp_and_check(plain_pdf, META).data

    monkeypatch.undo()
    assert _packet(checked) == expected
    assert pdfa_claim(checked) == ("2", "B")
