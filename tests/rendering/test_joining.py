"""Joining DOCX documents for one conversion (service/rendering/joining.py), without
LibreOffice: the spliced join writes exactly what moving the elements wrote.

The PDFs of joined documents are compared with those converted alone, kind by kind, in
tests/rendering/test_batching.py; this file keeps the two ways of building the joined
document.xml equal, so those comparisons hold for the faster one."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from lxml import etree  # type: ignore[import-untyped]

from service.rendering import joining
from service.rendering.docx import render_docx
from service.rendering.joining import W_NS, join_docx
from tests.rendering.samples import CERTIFICATE, certificate_context

W = f"{{{W_NS}}}"


def _document_xml(joined: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(joined)) as archive:
        return archive.read("word/document.xml")


def _moved(documents: list[bytes], monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The join as it was built before splicing: every element moved into the base's tree."""
    with monkeypatch.context() as patch:
        patch.setattr(joining, "_spliced", lambda _documents: None)
        return join_docx(documents)


def _ending_with_table(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _certificates(count: int) -> list[bytes]:
    return [render_docx(CERTIFICATE, certificate_context(number=f"PZ-{i}")) for i in range(count)]


@pytest.mark.parametrize("kind", ["certificates", "ending-with-table"])
def test_spliced_join_is_the_moved_join_byte_for_byte(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = (
        _certificates(3)
        if kind == "certificates"
        else [_ending_with_table("Pirmas"), _ending_with_table("Antras")]
    )

    spliced = _document_xml(join_docx(documents))

    assert spliced == _document_xml(_moved(documents, monkeypatch))


def test_a_document_ending_with_a_table_ends_its_section_in_a_new_paragraph() -> None:
    # The section of every document but the last must stand in a paragraph after its table;
    # the paragraph is added to the document's own tree, which is what the join splices.
    joined = etree.fromstring(
        _document_xml(join_docx([_ending_with_table("Pirmas"), _ending_with_table("Antras")]))
    )
    body = joined.find(f"{W}body")
    assert body is not None

    sections = list(body.iter(f"{W}sectPr"))
    assert len(sections) == 2
    first_end = sections[0].getparent().getparent()  # sectPr <- pPr <- p
    assert first_end.tag == f"{W}p"
    assert first_end.getprevious().tag == f"{W}tbl"
    assert sections[1].getparent() is body


def test_documents_whose_namespaces_differ_are_joined_by_moving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A prefix declared differently at another root would mean something else inside the
    # base's: such documents are not spliced, and the join still holds both.
    plain = _ending_with_table("Pirmas")
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["word/document.xml"] = members["word/document.xml"].replace(
        b"<w:document ", b'<w:document xmlns:bylos="urn:bylos:test" ', 1
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    other = out.getvalue()
    seen: list[bytes | None] = []
    real = joining._spliced

    def watched(documents: list[etree._Element]) -> bytes | None:
        result = real(documents)
        seen.append(result)
        return result

    monkeypatch.setattr(joining, "_spliced", watched)

    joined = _document_xml(join_docx([plain, other]))

    assert seen == [None]
    assert joined.count(b"Pirmas") == 4  # two paragraphs and two cells: both documents
