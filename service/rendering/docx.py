"""Fill a DOCX template (docxtpl) with a context: undefined names are errors, values escaped.

A document is issued per request and the machine's two cores are what LibreOffice converts
with, so rendering is kept cheap. docxtpl's own ``render`` + ``save`` opens the whole package
with python-docx (parsing ~0.8 MB of styles XML) and deflates all of it again on every call:
~18 ms of the ~40 ms a certificate cost the service. ``render_docx`` therefore keeps, per
template file, what is the same for every document:

- docxtpl's preprocessed body (and header/footer) XML, compiled by Jinja once;
- every other package member exactly as python-docx would save it, already deflated;

and per document only renders the Jinja, runs docxtpl's own post-processing (listing
resolution, ``fix_tables`` for column loops, ``fix_docpr_ids``), serialises ``document.xml``
and ``docProps/core.xml`` the way python-docx does and writes the zip. The members come out
byte for byte as docxtpl + python-docx write them (``tests/rendering/test_docx_fast.py``
compares the two paths for every shipped template); only the zip timestamps differ.

Templates using what the fast path does not reproduce (footnotes, which docxtpl renders
separately; a package without core properties, for which python-docx invents a default part)
go through docxtpl's own ``render`` + ``save`` (:func:`render_docx_with_docxtpl`).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
import re
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import jinja2
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.opc.package import OpcPackage
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.oxml.xmlchemy import BaseOxmlElement
from docxtpl import DocxTemplate
from lxml import etree  # type: ignore[import-untyped]
from markupsafe import Markup, escape

from service.errors import ServiceError
from service.rendering.styles import drop_unused_styles

# One DOCX per kind, per register listing and per case cover, editable in Word (README).
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "doc_templates"


class TemplateFailed(ServiceError):
    """A document template could not be filled (unknown variable, broken Jinja): a bug, 500."""

    status_code = 500


class _CompiledCache(jinja2.Environment):
    """docxtpl compiles the template's XML on every render; the XML of one template is the
    same every time, so the compiled template is kept (compiling was ~15% of a certificate's
    CPU, and CPU is what LibreOffice competes for on a 2-core machine)."""

    def from_string(
        self,
        source: str | jinja2.nodes.Template,
        globals: MutableMapping[str, Any] | None = None,
        template_class: type[jinja2.Template] | None = None,
    ) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        return self._compiled(source)

    @functools.lru_cache(maxsize=64)  # noqa: B019  (one environment for the process)
    def _compiled(self, source: str) -> jinja2.Template:
        return super().from_string(source)


# docxtpl turns "{_{", "}_}", "{_%" and "%_}" in the rendered XML into Jinja's own braces
# (a template author's way to print them). Data must print exactly as typed, so an underscore
# in a value next to a brace or percent sign is written as a character reference, which those
# replacements do not match and the XML parser turns back into "_".
_DOCXTPL_MARKERS = ("{_", "_}", "%_", "_%")


def _finalize(value: object) -> object:
    if (
        isinstance(value, str)
        and not isinstance(value, Markup)
        and any(marker in value for marker in _DOCXTPL_MARKERS)
    ):
        return Markup(str(escape(value)).replace("_", "&#95;"))
    return value


# StrictUndefined: a missing value must stop the document, never print as an empty string.
# autoescape: names may carry '&' and '<', which would otherwise break document.xml.
_ENV = _CompiledCache(undefined=jinja2.StrictUndefined, autoescape=True, finalize=_finalize)

# The core properties docxtpl's render_properties() passes through Jinja, in its order (the
# order matters: a property missing from the template gets its element appended when set).
_DOCXTPL_RENDERED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
)


def _environment() -> jinja2.Environment:
    return _ENV


_SHARE = "bylos-share"  # marks a cell a {%tc for %} loop repeats, until fix_tables reads it
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LOOP_CELL = re.compile(r"(\{%\s*for\b[^%]*%\})(\s*)<w:tc([ >])")


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl with two changes. The styles nothing uses are dropped when the template is
    loaded (service/rendering/styles.py: LibreOffice imports every style on every conversion).
    The cells a column loop (``{%tc for %}``) repeats share the width of the cell drawn in the
    template, and every other column keeps its own width.

    docxtpl instead rescales every column of the table to the same average, so a summary's
    pupil-name column would shrink to a subject's width as soon as subjects are added. With
    this rule the template says it all: draw the subjects' cell as wide as all subjects
    together, and they divide it equally.
    """

    def init_docx(self, reload: bool = True) -> None:
        loading = not self.docx or (self.is_rendered and reload)
        super().init_docx(reload)
        if loading:
            # Before anything reads the package: both render paths see the same styles.
            drop_unused_styles(self.docx)

    def patch_xml(self, src_xml: str) -> str:
        patched: str = super().patch_xml(src_xml)
        return _LOOP_CELL.sub(rf'\1\2<w:tc {_SHARE}="1"\3', patched)

    def fix_tables(self, xml: str) -> Any:
        if _SHARE not in xml:
            return super().fix_tables(xml)
        tree = etree.fromstring(xml, etree.XMLParser(recover=True))
        for table in tree.iter(f"{_W}tbl"):
            _share_loop_width(table)
        return super().fix_tables(etree.tostring(tree, encoding="unicode"))


def _width(cell: Any) -> int:
    tcw = cell.find(f"{_W}tcPr/{_W}tcW")
    return int(float(tcw.get(f"{_W}w", "0"))) if tcw is not None else 0


def _span(cell: Any) -> int:
    span = cell.find(f"{_W}tcPr/{_W}gridSpan")
    return int(span.get(f"{_W}val", "1")) if span is not None else 1


def _share_loop_width(table: Any) -> None:
    """Divide each loop cell's width among its copies and rebuild the table's grid from the
    row with the most columns (tables nested in cells are handled on their own)."""
    rows = table.findall(f"{_W}tr")
    widest: list[int] = []
    for row in rows:
        cells = row.findall(f"{_W}tc")
        shared = [cell for cell in cells if cell.get(_SHARE) is not None]
        for cell in shared:
            del cell.attrib[_SHARE]
            tcw = cell.find(f"{_W}tcPr/{_W}tcW")
            if tcw is not None:
                tcw.set(f"{_W}w", str(_width(cell) // len(shared)))
        if shared:
            columns: list[int] = []
            for cell in cells:
                span = _span(cell)
                columns += [_width(cell) // span] * span
            if len(columns) > len(widest):
                widest = columns
    grid = table.find(f"{_W}tblGrid")
    if not widest or grid is None:
        return
    for column in list(grid):
        grid.remove(column)
    for width in widest:
        etree.SubElement(grid, f"{_W}gridCol", {f"{_W}w": str(width)})


@dataclass(frozen=True, slots=True)
class DocumentProperties:
    """What the stored DOCX says about itself (core and app properties): the record's own
    title, issuer, school, number and issue time, never the template's (a Word-edited template
    says "Microsoft Macintosh Word", Normal.dotm and the day it was last saved). No pupil name:
    the title and number find the document, the registry holds the rest."""

    title: str = ""
    author: str = ""  # who issued it
    company: str = ""  # the school
    identifier: str = ""  # the registration number
    created: dt.datetime | None = None  # the issue time; None leaves the template's


def _overwrite_core_properties(props: CoreProperties, meta: DocumentProperties) -> None:
    """LibreOffice copies these into the PDF's XMP; the template's own (e.g. "python-docx")
    must not leak into an official record."""
    props.author = meta.author
    props.last_modified_by = meta.author
    props.title = meta.title
    props.subject = ""
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.content_status = ""
    props.identifier = meta.identifier
    props.language = "lt-LT"
    props.version = ""
    props.revision = 1
    if meta.created is not None:
        created = meta.created.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
        props.created = created
        props.modified = created


_APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def _app_xml(meta: DocumentProperties) -> bytes:
    """docProps/app.xml written afresh: the application is Bylos, the company the school, and
    no template name, editing time or word counts carried over from whoever saved the template."""
    company = f"<Company>{xml_escape(meta.company)}</Company>" if meta.company else ""
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<Properties xmlns="{_APP_NS}" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>Bylos</Application><DocSecurity>0</DocSecurity>{company}"
        "</Properties>"
    ).encode()


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    *,
    title: str = "",
    author: str = "",
    properties: DocumentProperties | None = None,
) -> bytes:
    """Render ``template`` with ``context`` and return the DOCX bytes.

    The document's core and app properties are written from ``properties`` (or ``title`` /
    ``author``) because LibreOffice copies them into the PDF's XMP and the stored DOCX is a
    record too; the template's own (e.g. "python-docx", "Microsoft Macintosh Word") must not
    leak into an official record.
    """
    meta = properties or DocumentProperties(title=title, author=author)
    try:
        compiled = _compiled_template(template)
        if compiled is None:
            return _render_with_docxtpl(template, context, meta)
        return _render_compiled(template, compiled, context, meta)
    except jinja2.UndefinedError as exc:
        raise TemplateFailed(
            f"Šablone {template.name} naudojamas kintamasis, kurio nėra duomenyse: {exc.message}"
        ) from exc
    except jinja2.TemplateError as exc:
        raise TemplateFailed(f"Šablono {template.name} nepavyko užpildyti: {exc}") from exc
    except OSError as exc:
        raise TemplateFailed(f"Šablono {template.name} nepavyko atverti.") from exc


def render_docx_with_docxtpl(
    template: Path,
    context: Mapping[str, Any],
    *,
    title: str = "",
    author: str = "",
    properties: DocumentProperties | None = None,
) -> bytes:
    """:func:`render_docx` through docxtpl's own render + python-docx's save, never cached.

    The reference the fast path must equal (the tests compare them); also the path for
    templates the fast path does not handle. Jinja errors propagate unwrapped.
    """
    meta = properties or DocumentProperties(title=title, author=author)
    return _render_with_docxtpl(template, context, meta)


def _render_with_docxtpl(
    template: Path, context: Mapping[str, Any], meta: DocumentProperties
) -> bytes:
    doc = _Template(str(template))
    doc.render(dict(context), jinja_env=_environment())
    _overwrite_core_properties(doc.docx.core_properties, meta)
    for rel in doc.docx.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _app_xml(meta)  # a plain Part: its bytes are what is saved
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def template_variables(template: Path) -> set[str]:
    """Top-level names the template reads (loop variables and ``loop`` excluded)."""
    doc = _Template(str(template))
    names: set[str] = doc.get_undeclared_template_variables(jinja_env=_environment())
    return names


# -- the fast path ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Member:
    """One zip member of the template package as python-docx saves it."""

    name: str
    compress_type: int
    crc: int
    size: int
    data: bytes  # as stored in the zip (deflated); empty for members rendered per document


@dataclass(frozen=True, slots=True)
class _XmlTemplate:
    """A header or footer part: docxtpl's preprocessed XML, compiled."""

    member: str
    template: jinja2.Template
    encoding: str


@dataclass(frozen=True, slots=True)
class _Compiled:
    members: tuple[_Member, ...]  # in the order python-docx writes them
    document_member: str
    # document.xml with an empty <w:body>: the rendered body is put in its place.
    document_shell: bytes
    body: jinja2.Template
    headers_footers: tuple[_XmlTemplate, ...]
    core_member: str
    core_xml: bytes
    app_member: str | None  # docProps/app.xml, written afresh per document


_FileKey = tuple[int, int, int]
# Keyed by path and checked against the file's identity, size and mtime on every render, so a
# template edited in Word is picked up at once, as it was when every render reopened it.
_CACHE: dict[Path, tuple[_FileKey, _Compiled | None]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 64


def _compiled_template(template: Path) -> _Compiled | None:
    """The cached compiled form of ``template``; None when docxtpl must render it."""
    stat = template.stat()
    key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(template)
    if cached is not None and cached[0] == key:
        return cached[1]
    with _CACHE_LOCK:
        cached = _CACHE.get(template)
        if cached is not None and cached[0] == key:
            return cached[1]
        compiled = _compile(template)
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[template] = (key, compiled)
        return compiled


def _prepare_source(xml: str) -> str:
    """The first half of docxtpl's render_xml_part (before Jinja)."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


# resolve_listing only rewrites these characters inside <w:t> (a value's line break becomes
# <w:br/>, a tab <w:tab/>, ...): without any of them it returns its input unchanged.
_LISTING_CHARACTERS = ("\n", "\t", "\a", "\f")


def _finish_rendered(helper: DocxTemplate, xml: str) -> str:
    """The second half of docxtpl's render_xml_part (after Jinja)."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if not any(character in xml for character in _LISTING_CHARACTERS):
        return xml  # its regexes cost ~0.7 ms per certificate to change nothing
    resolved: str = helper.resolve_listing(xml)
    return resolved


def _compile(template: Path) -> _Compiled | None:
    # One full docxtpl/python-docx load per template version: everything below is taken from
    # the very objects docxtpl's own render would work on, so the output cannot drift.
    helper = _Template(str(template))
    helper.init_docx()
    document = helper.docx
    package = document.part.package
    core_parts = _parts_related(package, RT.CORE_PROPERTIES)
    # What the fast path does not reproduce goes through docxtpl (the module's docstring).
    if len(core_parts) != 1:
        return None
    if any(part.content_type == _FOOTNOTES_CONTENT_TYPE for part in package.iter_parts()):
        return None

    body = _compile_xml(helper, helper.get_xml())
    headers_footers = _compile_headers_footers(helper)
    shell = _emptied_body(document.element)
    document_member = document.part.partname.membername
    core_member = core_parts[0].partname.membername
    app_parts = _parts_related(package, RT.EXTENDED_PROPERTIES)
    app_member = app_parts[0].partname.membername if app_parts else None
    rendered = {document_member, core_member, *(part.member for part in headers_footers)}
    if app_member is not None:
        rendered.add(app_member)
    return _Compiled(
        members=_saved_members(document, rendered),
        document_member=document_member,
        document_shell=serialize_part_xml(shell),
        body=body,
        headers_footers=headers_footers,
        core_member=core_member,
        core_xml=core_parts[0].blob,
        app_member=app_member,
    )


def _parts_related(package: OpcPackage, reltype: str) -> list[Part]:
    """The package-level parts related by ``reltype`` (core or app properties)."""
    return [rel.target_part for rel in package.rels.values() if rel.reltype == reltype]


def _compile_xml(helper: _Template, xml: str) -> jinja2.Template:
    """A part's XML as docxtpl's render would hand it to Jinja, compiled."""
    return _ENV.from_string(_prepare_source(helper.patch_xml(xml)))


def _compile_headers_footers(helper: _Template) -> tuple[_XmlTemplate, ...]:
    headers_footers: list[_XmlTemplate] = []
    for uri in (helper.HEADER_URI, helper.FOOTER_URI):
        for _rel_key, part in helper.get_headers_footers(uri):
            xml = helper.get_part_xml(part)
            headers_footers.append(
                _XmlTemplate(
                    member=part.partname.membername,
                    template=_compile_xml(helper, xml),
                    encoding=helper.get_headers_footers_encoding(xml),
                )
            )
    return tuple(headers_footers)


def _emptied_body(element: BaseOxmlElement) -> BaseOxmlElement:
    """A copy of document.xml's root with an empty <w:body>, taken before anything is saved."""
    shell = copy.deepcopy(element)
    shell_body = shell.find(qn("w:body"))
    for child in list(shell_body):
        shell_body.remove(child)
    return shell


def _saved_members(document: DocxDocument, rendered: set[str]) -> tuple[_Member, ...]:
    # Saved before anything is rendered: every member not rendered per document is already
    # what python-docx writes for it.
    saved = io.BytesIO()
    document.save(saved)
    members: list[_Member] = []
    with zipfile.ZipFile(saved) as archive:
        raw = saved.getvalue()
        for info in archive.infolist():
            data = b"" if info.filename in rendered else _stored_bytes(raw, info)
            members.append(
                _Member(info.filename, info.compress_type, info.CRC, info.file_size, data)
            )
    return tuple(members)


def _stored_bytes(archive: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's data as stored (compressed), read past its local file header."""
    offset = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", archive, offset + 26)
    start = offset + 30 + name_length + extra_length
    return archive[start : start + info.compress_size]


def _render_compiled(
    template: Path,
    compiled: _Compiled,
    context: Mapping[str, Any],
    meta: DocumentProperties,
) -> bytes:
    context = dict(context)
    # A bare template (it opens nothing until asked) lends docxtpl's own post-processing.
    helper = _Template(str(template))
    helper.docx_ids_index = 1000  # what docxtpl's render_init starts from

    body = helper.fix_tables(_finish_rendered(helper, compiled.body.render(context)))
    helper.fix_docpr_ids(body)
    document = parse_xml(compiled.document_shell)
    document.replace(document.find(qn("w:body")), body)
    parts = {compiled.document_member: serialize_part_xml(document)}

    for part in compiled.headers_footers:
        xml = _finish_rendered(helper, part.template.render(context)).encode(part.encoding)
        # docxtpl loads the rendered bytes into a new part, which python-docx re-serialises.
        parts[part.member] = serialize_part_xml(parse_xml(xml))

    core = parse_xml(compiled.core_xml)
    props = CoreProperties(core)
    for name in _DOCXTPL_RENDERED_PROPERTIES:
        setattr(props, name, _ENV.from_string(getattr(props, name)).render(context))
    _overwrite_core_properties(props, meta)
    parts[compiled.core_member] = serialize_part_xml(core)
    if compiled.app_member is not None:
        parts[compiled.app_member] = _app_xml(meta)

    return _write_zip(compiled.members, parts)


# -- zip writing -----------------------------------------------------------------------------
# zipfile can only write members it compresses itself; the unchanged members are copied as
# stored. The headers are the ones ZipFile.writestr(name, data) writes on a seekable file
# (tests/rendering/test_docx_fast.py compares the bytes with zipfile's own).

_VERSION = 20  # zipfile's DEFAULT_VERSION / DEFLATED_VERSION
_CREATE_SYSTEM = 3  # Unix, as zipfile records on POSIX
_EXTERNAL_ATTR = 0o600 << 16  # what writestr gives a member named by a string
_UTF8_FLAG = 0x800


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@dataclass(frozen=True, slots=True)
class _Entry:
    """One member as written: its header fields and its stored (compressed) data."""

    name: bytes
    flags: int
    compress_type: int
    crc: int
    size: int
    data: bytes


def _entry(member: _Member, rendered: Mapping[str, bytes]) -> _Entry:
    """A rendered member is deflated here; any other is copied as the template stored it."""
    if member.name in rendered:
        raw = rendered[member.name]
        crc, size, compress_type = zlib.crc32(raw), len(raw), zipfile.ZIP_DEFLATED
        data = _deflate(raw)
    else:
        crc, size, compress_type = member.crc, member.size, member.compress_type
        data = member.data
    # zipfile sets the UTF-8 flag only for a name that is not plain ASCII.
    try:
        name, flags = member.name.encode("ascii"), 0
    except UnicodeEncodeError:
        name, flags = member.name.encode("utf-8"), _UTF8_FLAG
    return _Entry(name, flags, compress_type, crc, size, data)


def _shared_fields(entry: _Entry, dostime: int, dosdate: int) -> tuple[int, ...]:
    """What a local header and its central record both hold, in the same order: flags,
    method, time, date, CRC, compressed size, size, name length."""
    return (
        entry.flags,
        entry.compress_type,
        dostime,
        dosdate,
        entry.crc,
        len(entry.data),
        entry.size,
        len(entry.name),
    )


def _local_header(entry: _Entry, dostime: int, dosdate: int) -> bytes:
    # Version needed (two bytes) before the shared fields; no extra field after them.
    shared = _shared_fields(entry, dostime, dosdate)
    return struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", _VERSION, 0, *shared, 0)


def _central_record(entry: _Entry, dostime: int, dosdate: int, offset: int) -> bytes:
    # Version made by (and on which system), version needed; after the shared fields: no extra
    # field, comment, disk number or internal attributes, the external ones, the local offset.
    shared = _shared_fields(entry, dostime, dosdate)
    head = (b"PK\x01\x02", _VERSION, _CREATE_SYSTEM, _VERSION, 0)
    tail = (0, 0, 0, 0, _EXTERNAL_ATTR, offset)
    return struct.pack("<4s4B4HL2L5H2L", *head, *shared, *tail) + entry.name


def _write_zip(
    members: Iterable[_Member],
    rendered: Mapping[str, bytes],
    date_time: tuple[int, int, int, int, int, int] | None = None,
) -> bytes:
    year, month, day, hour, minute, second = date_time or time.localtime(time.time())[:6]
    dosdate = (year - 1980) << 9 | month << 5 | day
    dostime = hour << 11 | minute << 5 | (second // 2)
    out = io.BytesIO()
    central: list[bytes] = []
    for member in members:
        entry = _entry(member, rendered)
        offset = out.tell()
        out.write(_local_header(entry, dostime, dosdate))
        out.write(entry.name)
        out.write(entry.data)
        central.append(_central_record(entry, dostime, dosdate, offset))
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0)
    )
    return out.getvalue()
