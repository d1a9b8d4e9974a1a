"""Join DOCX documents of one template into one DOCX, and split its PDF back into documents.

LibreOffice's cost is mostly fixed per conversion (loading a document, laying it out, starting
the PDF export), not per page: forty certificates joined into one file convert ~9 times cheaper per
document than forty conversions. So the conversion queue joins what is waiting.

Each document becomes its own section in the joined DOCX:

- it starts on a new page (a section break of type "next page");
- its own header and footer parts (they carry its registration number) are copied under new
  part names and referenced from its section only;
- its page numbering restarts at 1 (``pgNumType start=1``), so a PAGE field counts per
  document;
- a bookmark named ``BylosDoc0000``, ``BylosDoc0001``… sits in its first paragraph. Exported
  with ``ExportBookmarksToPDFDestination``, each becomes a PDF named destination pointing at the
  document's first page, which is how :func:`split_pdf` finds where each document starts:
  a marker LibreOffice itself places, never a guess from page counts.

Only documents whose shared parts (styles, numbering, settings, fonts, theme…) are byte for
byte the same can be joined; :func:`join_key` says which. A document using what a join could
change (list numbering that would continue across documents, a field counting all pages,
footnotes, drawings whose ids could collide) gets no key and is converted alone.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

import pikepdf
from lxml import etree  # type: ignore[import-untyped]

from service.rendering.pdfmeta import memory_file

W_NS: Final = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS: Final = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS: Final = "http://schemas.openxmlformats.org/package/2006/content-types"
_W: Final = f"{{{W_NS}}}"
_R: Final = f"{{{R_NS}}}"

DOCUMENT: Final = "word/document.xml"
DOCUMENT_RELS: Final = "word/_rels/document.xml.rels"
CONTENT_TYPES: Final = "[Content_Types].xml"
MARKER_PREFIX: Final = "BylosDoc"

# Members that differ per document and are handled by the join; every other member must be
# identical for two documents to be joined.
_PER_DOCUMENT = re.compile(
    r"^(word/document\.xml|word/(_rels/)?(header|footer)\d+\.xml(\.rels)?|docProps/.*)$"
)
# What a join could change: list numbering (continues across sections), fields counting the
# whole file, notes (numbered across the file), drawings and objects (ids must be unique).
_UNJOINABLE = (
    b"<w:numPr",
    b"NUMPAGES",
    b"SECTIONPAGES",
    b"<w:footnoteReference",
    b"<w:endnoteReference",
    b"<w:drawing",
    b"<w:pict",
    b"<w:object",
    b"<w:sectPr",  # counted below: more than the body's own one means sections of its own
)

_SECTION_ORDER = (
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
    "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign",
    "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings",
    "sectPrChange",
)  # fmt: skip


class JoinFailed(Exception):
    """The documents cannot be joined or the joined PDF cannot be split: convert them alone."""


def marker(index: int) -> str:
    return f"{MARKER_PREFIX}{index:04d}"


def join_key(docx: bytes) -> str | None:
    """Documents with the same key can be joined; None: this one is converted alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if DOCUMENT not in names or DOCUMENT_RELS not in names or CONTENT_TYPES not in names:
                return None
            body = archive.read(DOCUMENT)
            for part in infos:
                if re.match(r"^word/(header|footer)\d+\.xml$", part.filename):
                    text = archive.read(part.filename)
                    if any(mark in text for mark in _UNJOINABLE[:-1]):
                        return None
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    if any(mark in body for mark in _UNJOINABLE[:-1]) or body.count(b"<w:sectPr") != 1:
        return None
    digest = hashlib.sha256()
    for info in sorted(infos, key=lambda i: i.filename):
        if _PER_DOCUMENT.match(info.filename):
            digest.update(info.filename.encode() + b"\0")
            continue
        digest.update(f"{info.filename}\0{info.CRC:08x}\0{info.file_size}\0".encode())
    return digest.hexdigest()


def body_size(docx: bytes) -> int:
    """The uncompressed size of the document's body (word/document.xml), in bytes.

    What a joined conversion costs LibreOffice grows with the bodies it lays out (measured on 2
    cores: a 15 KB certificate body converts in ~0.23 s alone, a 209 KB class summary in
    ~0.44 s, and sixteen summaries joined in ~6.9 s), so the queue bounds a batch by the sum of
    these sizes: no joined conversion runs for seconds while every document in it waits."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            return archive.getinfo(DOCUMENT).file_size
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return len(docx)


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


def _w(tag: str) -> str:
    return f"{_W}{tag}"


def _section_insert(sect: etree._Element, element: etree._Element) -> None:
    """Insert ``element`` into ``sect`` at its schema position (existing one replaced)."""
    name = etree.QName(element).localname
    rank = _SECTION_ORDER.index(name)
    for existing in sect.findall(_w(name)):
        sect.remove(existing)
    for position, child in enumerate(sect):
        local = etree.QName(child).localname
        if local in _SECTION_ORDER and _SECTION_ORDER.index(local) > rank:
            sect.insert(position, element)
            return
    sect.append(element)


def _restart_numbering(sect: etree._Element) -> None:
    existing = sect.find(_w("pgNumType"))
    if existing is None:
        _section_insert(sect, etree.Element(_w("pgNumType"), {_w("start"): "1"}))
    else:
        existing.set(_w("start"), "1")
    # A new page, whatever the template's own section said (continuous, odd page…): a document
    # always starts on a page of its own, as when converted alone.
    _section_insert(sect, etree.Element(_w("type"), {_w("val"): "nextPage"}))


def join_docx(documents: Sequence[bytes]) -> bytes:
    """One DOCX holding ``documents`` (same :func:`join_key`), each its own section."""
    if not documents:
        raise JoinFailed("nothing to join")
    try:
        return _join(documents)
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise JoinFailed(str(exc)) from exc


@dataclass(slots=True)
class _Package:
    """The base document's package parts a join rewrites, and the members it adds."""

    rels: etree._Element
    types: etree._Element
    header_footers: dict[str | None, etree._Element]  # relationship id -> header/footer rel
    overrides: dict[str | None, str | None]  # part name -> content type
    extra_members: dict[str, bytes] = field(default_factory=dict)


def _join(documents: Sequence[bytes]) -> bytes:
    archives = [zipfile.ZipFile(io.BytesIO(data)) for data in documents]
    base = archives[0]
    rels = _parse(base.read(DOCUMENT_RELS))
    types = _parse(base.read(CONTENT_TYPES))
    package = _Package(
        rels=rels,
        types=types,
        header_footers={
            rel.get("Id"): rel
            for rel in rels
            if rel.get("Type", "").endswith(("/header", "/footer"))
        },
        overrides={o.get("PartName"): o.get("ContentType") for o in types},
    )
    joined_body: list[etree._Element] = []
    final_section: etree._Element | None = None
    base_document = _parse(base.read(DOCUMENT))
    parsed: list[etree._Element] = []

    for index, archive in enumerate(archives):
        document = base_document if index == 0 else _parse(archive.read(DOCUMENT))
        content, section = _content_and_section(document)
        if index > 0:
            _adopt_headers_footers(package, archive, index, section)
        last = index == len(archives) - 1
        _make_own_section(content, section, index, last=last)
        if last:
            final_section = section
        joined_body.extend(content)
        parsed.append(document)

    assert final_section is not None
    document_xml = _spliced(parsed)
    if document_xml is None:
        _replace_body(base_document, joined_body, final_section)
    out = _write_joined(base, base_document, package, document_xml)
    for archive in archives:
        archive.close()
    return out


def _content_and_section(document: etree._Element) -> tuple[list[etree._Element], etree._Element]:
    """A document's body content and its final section properties, which every one must have."""
    body = document.find(_w("body"))
    if body is None:
        raise JoinFailed("document without a body")
    children = list(body)
    section = children[-1] if children and children[-1].tag == _w("sectPr") else None
    if section is None:
        raise JoinFailed("document without a final section")
    return children[:-1], section


def _adopt_headers_footers(
    package: _Package, archive: zipfile.ZipFile, index: int, section: etree._Element
) -> None:
    """Copy a later document's header and footer parts under new names and point its section
    at them: they carry its own registration number, so they can't be shared."""
    own_rels = _parse(archive.read(DOCUMENT_RELS))
    renamed: dict[str, str] = {}
    for rel in own_rels:
        rel_id = rel.get("Id")
        if rel_id not in package.header_footers:
            continue
        target = rel.get("Target", "")
        folder, _, filename = target.rpartition("/")
        new_target = f"{folder + '/' if folder else ''}bylos{index}-{filename}"
        new_id = f"rIdBylos{index}x{rel_id}"
        renamed[rel_id] = new_id
        member = f"word/{target}"
        package.extra_members[f"word/{new_target}"] = archive.read(member)
        rels_member = f"word/_rels/{filename}.rels"
        if rels_member in archive.namelist():
            package.extra_members[f"word/_rels/bylos{index}-{filename}.rels"] = archive.read(
                rels_member
            )
        etree.SubElement(
            package.rels,
            f"{{{PKG_REL_NS}}}Relationship",
            {"Id": new_id, "Type": rel.get("Type"), "Target": new_target},
        )
        content_type = package.overrides.get(f"/{member}")
        if content_type is not None:
            etree.SubElement(
                package.types,
                f"{{{CT_NS}}}Override",
                {"PartName": f"/word/{new_target}", "ContentType": content_type},
            )
    for reference in section:
        if reference.tag in (_w("headerReference"), _w("footerReference")):
            old = reference.get(f"{_R}id")
            if old not in renamed:
                raise JoinFailed("header or footer outside the shared relationships")
            reference.set(f"{_R}id", renamed[old])


def _make_own_section(
    content: list[etree._Element], section: etree._Element, index: int, *, last: bool
) -> None:
    """Number the document's pages from 1, mark where it starts, and end its section after it
    (the last document's section stays the body's final one)."""
    _restart_numbering(section)
    first_paragraph = next((p for element in content for p in element.iter(_w("p"))), None)
    if first_paragraph is None:
        raise JoinFailed("document without a paragraph")
    _mark(first_paragraph, index)
    if not last:
        _end_section(content, section)


def _spliced(documents: list[etree._Element]) -> bytes | None:
    """The joined document.xml: the base's, its body holding every document's body in turn.

    Each document's content stays in its own tree, edited there (marker, section), and the
    serialised bodies are spliced into the base's. Moving the elements into the base's tree
    instead (:func:`_replace_body`) makes lxml walk every node to re-home its namespaces:
    ~60 ms per class summary, a quarter of the service's CPU for one, where serialising costs a
    few. The splice is exact only if a prefix means the same in every document, so documents
    whose roots declare different namespaces (not one template) are joined by moving: None.
    """
    base = documents[0]
    prefix = next((p for p, uri in base.nsmap.items() if uri == W_NS), None)
    if prefix is None or any(document.nsmap != base.nsmap for document in documents[1:]):
        return None
    opening, closing = f"<{prefix}:body>".encode(), f"</{prefix}:body>".encode()
    # The base is serialised once, as the file's frame and for its own body.
    whole: bytes = etree.tostring(base, xml_declaration=True, encoding="UTF-8", standalone=True)
    serialised = [whole, *(etree.tostring(d, encoding="UTF-8") for d in documents[1:])]
    bodies: list[bytes] = []
    for data in serialised:
        # Markup cannot hide inside text or attributes ("<" is always escaped there), so the
        # first opening and the last closing tag are the body's own.
        start, end = data.find(opening), data.rfind(closing)
        if start < 0 or end < start:
            return None  # a body with attributes, or none: move the elements instead
        bodies.append(data[start + len(opening) : end])
    start = whole.find(opening) + len(opening)
    return whole[:start] + b"".join(bodies) + whole[whole.rfind(closing) :]


def _replace_body(
    base_document: etree._Element, joined_body: list[etree._Element], final_section: etree._Element
) -> None:
    """Put every document's content, then the last one's section, into the base's body."""
    body = base_document.find(_w("body"))
    for child in list(body):
        body.remove(child)
    for element in joined_body:
        body.append(element)
    body.append(final_section)


def _write_joined(
    base: zipfile.ZipFile,
    base_document: etree._Element,
    package: _Package,
    document_xml: bytes | None = None,
) -> bytes:
    """The base's members with the rewritten document (``document_xml`` when spliced, else
    ``base_document``), relationships and content types, then the copied header and footer
    parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as joined:
        for info in base.infolist():
            name = info.filename
            if name == DOCUMENT:
                data = document_xml or etree.tostring(
                    base_document, xml_declaration=True, encoding="UTF-8", standalone=True
                )
            elif name == DOCUMENT_RELS:
                data = etree.tostring(
                    package.rels, xml_declaration=True, encoding="UTF-8", standalone=True
                )
            elif name == CONTENT_TYPES:
                data = etree.tostring(
                    package.types, xml_declaration=True, encoding="UTF-8", standalone=True
                )
            else:
                data = base.read(name)
            joined.writestr(name, data)
        for name, data in package.extra_members.items():
            joined.writestr(name, data)
    return out.getvalue()


def _mark(paragraph: etree._Element, index: int) -> None:
    properties = paragraph.find(_w("pPr"))
    position = 0 if properties is None else list(paragraph).index(properties) + 1
    bookmark_id = str(900000 + index)
    start = etree.Element(_w("bookmarkStart"), {_w("id"): bookmark_id, _w("name"): marker(index)})
    end = etree.Element(_w("bookmarkEnd"), {_w("id"): bookmark_id})
    paragraph.insert(position, start)
    paragraph.insert(position + 1, end)


def _end_section(content: list[etree._Element], section: etree._Element) -> None:
    """Make ``section`` end after ``content``: in its last paragraph's properties, or in a new
    empty paragraph when the document ends with a table."""
    last = content[-1] if content else None
    if last is None or last.tag != _w("p"):
        paragraph = etree.Element(_w("p"))
        if last is not None:
            last.addnext(paragraph)  # in the document's own tree too, which the join splices
        last = paragraph
        content.append(last)
    properties = last.find(_w("pPr"))
    if properties is None:
        properties = etree.Element(_w("pPr"))
        last.insert(0, properties)
    for existing in properties.findall(_w("sectPr")):
        properties.remove(existing)
    change = properties.find(_w("pPrChange"))
    if change is not None:
        change.addprevious(section)
    else:
        properties.append(section)


# -- splitting -------------------------------------------------------------------------------


@contextmanager
def _opened(pdf: bytes) -> Iterator[pikepdf.Pdf]:
    with memory_file() as source:
        source.write(pdf)
        source.seek(0)
        try:
            doc = pikepdf.open(source, access_mode=pikepdf.AccessMode.mmap)
        except pikepdf.PdfError as exc:
            raise JoinFailed(f"joined PDF unreadable: {exc}") from exc
        with doc:
            yield doc


def _destinations(doc: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    found: dict[str, pikepdf.Object] = {}
    names = doc.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
        tree = pikepdf.NameTree(names.Dests)
        for key, value in tree.items():
            found[str(key)] = value
    old = doc.Root.get("/Dests")  # PDF 1.1 style
    if isinstance(old, pikepdf.Dictionary):
        for key, value in old.items():
            found[str(key).lstrip("/")] = value
    return found


def page_starts(doc: pikepdf.Pdf, count: int) -> list[int]:
    """The first page index of each of ``count`` joined documents, from their destinations."""
    destinations = _destinations(doc)
    index_of: dict[tuple[int, int], int] = {
        page.obj.objgen: number for number, page in enumerate(doc.pages)
    }
    starts: list[int] = []
    for i in range(count):
        value = destinations.get(marker(i))
        if isinstance(value, pikepdf.Dictionary):
            value = value.get("/D")
        if not isinstance(value, pikepdf.Array) or len(value) == 0:
            raise JoinFailed(f"no destination for document {i}")
        page = value[0]
        if not isinstance(page, pikepdf.Dictionary) or page.objgen not in index_of:
            raise JoinFailed(f"destination of document {i} is not a page")
        starts.append(index_of[page.objgen])
    if starts[0] != 0 or any(b <= a for a, b in itertools.pairwise(starts)):
        raise JoinFailed(f"documents do not start on increasing pages: {starts}")
    return starts


def split_pdf(pdf: bytes, count: int) -> list[bytes]:
    """One PDF per joined document: its pages, its part of the structure tree, the joined
    file's PDF/A output intent and catalogue; the XMP is replaced by the issuer afterwards.

    The joined file is parsed once; each part is a new file its pages and structure elements
    are copied into (qpdf copies natively), so splitting costs a few milliseconds per part.
    """
    with _opened(pdf) as doc:
        total = len(doc.pages)
        starts = page_starts(doc, count)
        bounds = list(zip(starts, [*starts[1:], total], strict=True))
        owners = _structure_owners(doc, bounds)
        return [
            _extract(doc, first, end, owners.get(index, []))
            for index, (first, end) in enumerate(bounds)
        ]


_CATALOG_COPIED = ("/OutputIntents", "/Metadata", "/MarkInfo", "/Lang", "/ViewerPreferences")


def _structure_owners(
    doc: pikepdf.Pdf, bounds: list[tuple[int, int]]
) -> dict[int, list[pikepdf.Object]]:
    """The top-level structure elements (children of the Document element) of each part."""
    root = doc.Root.get("/StructTreeRoot")
    if not isinstance(root, pikepdf.Dictionary):
        return {}
    top = root.get("/K")
    document = top[0] if isinstance(top, pikepdf.Array) and len(top) == 1 else top
    if not isinstance(document, pikepdf.Dictionary) or document.get("/S") != "/Document":
        raise JoinFailed("unexpected structure tree")
    part_of: dict[tuple[int, int], int] = {}
    for index, (first, end) in enumerate(bounds):
        for number in range(first, end):
            part_of[doc.pages[number].obj.objgen] = index
    owners: dict[int, list[pikepdf.Object]] = {}
    current = 0
    kids = document.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    for kid in items:
        if not isinstance(kid, pikepdf.Dictionary) or kid.get("/Type") in ("/MCR", "/OBJR"):
            raise JoinFailed("content directly under the Document element")
        # Documents start on pages of their own, so an element's first page says whose it is:
        # a search that stops there costs far less than walking every cell of a long table.
        page = _first_page(kid)
        if page is not None and page in part_of:
            current = part_of[page]
        # An element without content (an empty paragraph) stays with the one before it.
        owners.setdefault(current, []).append(kid)
    return owners


def _extract(doc: pikepdf.Pdf, first: int, end: int, elements: list[pikepdf.Object]) -> bytes:
    with pikepdf.new() as part:
        part.pages.extend(doc.pages[first:end])
        for key in _CATALOG_COPIED:
            if key in doc.Root:
                part.Root[key] = _copied(doc, part, doc.Root[key])
        action = doc.Root.get("/OpenAction")
        if isinstance(action, pikepdf.Array) and len(action) > 0:
            # As LibreOffice writes it for a lone document: open at its first page.
            part.Root.OpenAction = pikepdf.Array([part.pages[0].obj, *list(action)[1:]])
        if elements:
            _copy_structure(doc, part, first, end, elements)
        with memory_file() as out:
            # A fresh /ID: each part is a file of its own. Its XMP is replaced when it is
            # stamped, so pikepdf need not parse it to fix a version it does not carry.
            part.save(
                out,
                deterministic_id=False,
                min_version=doc.pdf_version,
                fix_metadata_version=False,
            )
            out.seek(0)
            return out.read()


def _copied(doc: pikepdf.Pdf, part: pikepdf.Pdf, value: pikepdf.Object) -> pikepdf.Object:
    """``value`` of ``doc`` copied into ``part`` (qpdf copies only indirect objects)."""
    if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
        return part.copy_foreign(value if value.is_indirect else doc.make_indirect(value))
    return value


def _copy_structure(
    doc: pikepdf.Pdf,
    part: pikepdf.Pdf,
    first: int,
    end: int,
    elements: list[pikepdf.Object],
) -> None:
    """The part's own structure tree: a Document element holding its elements, and the parent
    tree entries of its pages. The elements' parent link is pointed at the new Document element
    before copying, or the copy would pull in the whole joined tree."""
    root = doc.Root.StructTreeRoot
    source_document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
    document = doc.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document)
    )
    tree_root = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document.P = tree_root
    document.K = pikepdf.Array(elements)
    if "/Pg" in source_document:
        document.Pg = doc.pages[first].obj
    for element in elements:
        element.P = document
    tree_root.K = pikepdf.Array([document])
    if "/RoleMap" in root:
        tree_root.RoleMap = root.RoleMap
    if "/ClassMap" in root:
        tree_root.ClassMap = root.ClassMap
    keys: set[int] = set()
    for number in range(first, end):
        page = doc.pages[number].obj
        if "/StructParents" in page:
            keys.add(int(page.StructParents))
        for annotation in page.get("/Annots", pikepdf.Array()):
            if isinstance(annotation, pikepdf.Dictionary) and "/StructParent" in annotation:
                keys.add(int(annotation.StructParent))
    parent_tree = root.get("/ParentTree")
    if isinstance(parent_tree, pikepdf.Dictionary) and keys:
        source_tree = pikepdf.NumberTree(parent_tree)
        nums = pikepdf.Array()
        for key in sorted(keys):
            if key in source_tree:
                nums.append(key)
                nums.append(source_tree[key])
        tree_root.ParentTree = doc.make_indirect(pikepdf.Dictionary(Nums=nums))
        tree_root.ParentTreeNextKey = max(keys) + 1
    part.Root.StructTreeRoot = part.copy_foreign(tree_root)


def _first_page(element: pikepdf.Object, depth: int = 0) -> tuple[int, int] | None:
    """The page of the first content of a structure element (its own /Pg, a marked-content
    reference's, or its first child's)."""
    if not isinstance(element, pikepdf.Dictionary) or depth > 64:
        return None
    page = element.get("/Pg")
    if isinstance(page, pikepdf.Dictionary):
        return page.objgen
    kids = element.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    for kid in items:
        found = _first_page(kid, depth + 1) if kid is not None else None
        if found is not None:
            return found
    return None
