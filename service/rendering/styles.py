"""A template's styles cut to the ones its document uses, before anything is rendered.

Word's (and python-docx's) default template defines ~165 styles: heading, list and caption
families, and dozens of table styles with conditional formats. LibreOffice imports every one of
them on every conversion. Measured here with one warm worker: a one-paragraph document costs
LibreOffice ~160 ms with those styles and ~90 ms with only the ones it uses; a leaving
certificate ~200 ms and ~140 ms. A joined batch pays it once, a document converted alone pays it
each time, and both share two cores with the service.

A style nothing in the package names cannot change how the document looks, so it is dropped.
Kept: every style a part names (paragraph, run, table and numbering references, in the body,
headers, footers, numbering and settings alike), the defaults of each type, and whatever those
are based on, linked to or followed by. ``docDefaults`` and ``latentStyles`` stay as they are.
A template whose style references are themselves Jinja (a name computed per document) is left
whole: which styles it needs is only known after rendering.
"""

from __future__ import annotations

from collections.abc import Iterator

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.part import Part, XmlPart
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from lxml import etree  # type: ignore[import-untyped]

# Word 2010's copy of styles.xml, read by no other program (LibreOffice reads styles.xml): its
# references are to its own copies, so it must not keep styles alive.
_STYLES_WITH_EFFECTS = "application/vnd.ms-word.stylesWithEffects+xml"
_NOT_SCANNED = {CT.WML_STYLES, _STYLES_WITH_EFFECTS}
# Within a style: the styles it needs in turn.
_STYLE_LINKS = (qn("w:basedOn"), qn("w:link"), qn("w:next"))
_VAL = qn("w:val")
_STYLE_ID = qn("w:styleId")
_JINJA = ("{{", "{%")


def drop_unused_styles(document: DocxDocument) -> int:
    """Remove from ``document``'s styles part the styles nothing uses; the number removed."""
    named = _named_values(document.part.package.iter_parts())
    if named is None:
        return 0
    root = document.styles.element
    styles = {style.get(_STYLE_ID): style for style in root.iterchildren(qn("w:style"))}
    keep = {sid for sid, style in styles.items() if sid in named or style.get(qn("w:default"))}
    todo = list(keep)
    while todo:
        style = styles.get(todo.pop())
        if style is None:
            continue
        for link in _STYLE_LINKS:
            element = style.find(link)
            target = element.get(_VAL) if element is not None else None
            if target is not None and target not in keep:
                keep.add(target)
                todo.append(target)
    dropped = [style for sid, style in styles.items() if sid not in keep]
    for style in dropped:
        root.remove(style)
    return len(dropped)


def _named_values(parts: Iterator[Part]) -> set[str] | None:
    """Every ``w:val`` in the package's XML outside the styles parts (a superset of the style
    names used: a value that merely looks like a style id only keeps one style more); None when
    one of them is Jinja."""
    values: set[str] = set()
    for part in parts:
        if part.content_type in _NOT_SCANNED or not part.content_type.endswith("xml"):
            continue
        element = part.element if isinstance(part, XmlPart) else _parsed(part.blob)
        if element is None:
            continue
        for node in element.iter():
            value = node.get(_VAL) if isinstance(node.tag, str) else None
            if value is None:
                continue
            if any(marker in value for marker in _JINJA):
                return None
            values.add(value)
    return values


def _parsed(blob: bytes) -> etree._Element | None:
    try:
        element: etree._Element = parse_xml(blob)
    except etree.XMLSyntaxError:
        return None  # not XML after all: it names no style
    return element
