"""Reading an uploaded spreadsheet (XLSX or CSV) with every size bounded before it is parsed.

A spreadsheet is a zip of XML, and each layer can be made to cost far more than its size: a
45 KB XLSX holding one row of 1.5 million cells costs openpyxl 14 s and 860 MB; a 1.5 KB file
declaring the dimension ``A1:XFD1048576`` makes a read-only sheet pad 17 billion empty cells;
a shared-string table, a DTD with nested entities ("billion laughs") or an external entity
(XXE) attack the XML parser; a deflated member can unpack a thousand times its size. So before
openpyxl sees a byte, the zip and every XML member are inspected here:

- the zip itself (a truncated or non-zip file is refused), the number of members, each
  member's and the total unpacked size, and the compression ratio of large members;
- every XML member stream-parsed with defusedxml, which refuses any DTD, entity or external
  reference;
- every worksheet's declared dimension, its rows (count and indexes) and each row's cells;
- the shared-string table's entry count and size, counted while streaming and stopped at
  the bound.

Only then openpyxl reads the sheet read-only, with ``max_row``/``max_col``. CSV files are
decoded as UTF-8 while streaming, with a field size limit and row and column bounds. Every
refusal is an ``UnreadableSpreadsheet`` (422) saying in Lithuanian what is wrong. Every place
Bylos reads a spreadsheet goes through ``read_table``: the summary upload and preview, the
plan import, the retention table import and the CLI's ``bylos issue --from``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl.utils.cell import column_index_from_string

from service.errors import InvalidPayload

MiB = 1024 * 1024
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Bounds of the zip, whatever the sheet: far above any real school spreadsheet (a 40-pupil
# summary unpacks to ~150 KiB, a plan to ~300 KiB), far below what strains the service.
MAX_MEMBERS = 200
MAX_MEMBER_BYTES = 24 * MiB
MAX_TOTAL_BYTES = 32 * MiB
# XML compresses 5-20 times; a member that unpacks to over 100 times its size is a bomb.
MAX_RATIO = 100
_RATIO_FROM_BYTES = 256 * 1024
# Excel's own limit of a cell's text.
MAX_CELL_CHARS = 32_767

_SHEET_MEMBER = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_ZIP_MAGIC = b"PK\x03\x04"

# The csv module's field limit is process-wide; every reader in Bylos wants the same bound.
csv.field_size_limit(MAX_CELL_CHARS)


class UnreadableSpreadsheet(InvalidPayload):
    """The file is not a spreadsheet Bylos reads, or it exceeds a bound: 422, nothing parsed."""


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """How much of a spreadsheet one kind of import reads."""

    max_rows: int
    max_columns: int
    # The shared-string table holds each distinct text once: a summary has a few hundred
    # (names, subjects, the mark words), a plan a few thousand.
    max_strings: int = 20_000
    max_strings_bytes: int = 8 * MiB


@dataclass(frozen=True, slots=True)
class _Named:
    filename: str

    def refuse(self, problem: str) -> UnreadableSpreadsheet:
        shown = self.filename[:100]
        return UnreadableSpreadsheet(f"Failas „{shown}“ atmestas: {problem} Nieko nepakeista.")


def is_xlsx(data: bytes) -> bool:
    return data.startswith(_ZIP_MAGIC)


def read_table(
    data: bytes,
    filename: str,
    limits: SheetLimits,
    *,
    sheet: str | None = None,
    delimiters: str = ";,",
    sniff: bool = False,
) -> list[list[object]]:
    """The rows of an XLSX's sheet (``sheet`` or the first) or of a CSV, told apart by content."""
    if is_xlsx(data):
        return read_xlsx(data, filename, limits, sheet=sheet)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise _Named(filename).refuse("tai ne XLSX skaičiuoklė (ZIP failas).")
    return read_csv(data, filename, limits, delimiters=delimiters, sniff=sniff)


# -- XLSX ------------------------------------------------------------------------------------


def read_xlsx(
    data: bytes, filename: str, limits: SheetLimits, *, sheet: str | None = None
) -> list[list[object]]:
    named = _Named(filename)
    inspect_xlsx(data, filename, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a damaged file
        raise named.refuse("XLSX failo nepavyko perskaityti (sugadintas arba ne XLSX).") from exc
    try:
        if not book.worksheets:
            raise named.refuse("darbaknygėje nėra nė vieno lapo.")
        named_sheet = sheet is not None and sheet in book.sheetnames
        chosen = book[sheet] if named_sheet and sheet else book.worksheets[0]
        rows: list[list[object]] = []
        for row in chosen.iter_rows(
            min_row=1, max_row=limits.max_rows, max_col=limits.max_columns, values_only=True
        ):
            rows.append(list(row))
        # A sheet's trailing empty rows and columns mean nothing.
        while rows and all(v is None or v == "" for v in rows[-1]):
            rows.pop()
        return rows
    except UnreadableSpreadsheet:
        raise
    except Exception as exc:
        raise named.refuse("XLSX failo nepavyko perskaityti (sugadintas arba ne XLSX).") from exc
    finally:
        book.close()


def inspect_xlsx(data: bytes, filename: str, limits: SheetLimits) -> None:
    """Refuse an XLSX whose zip, XML or sheets exceed ``limits``; reads nothing into memory
    beyond one XML element at a time."""
    named = _Named(filename)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        problem = "tai ne XLSX skaičiuoklė arba failas nukirstas (sugadintas ZIP)."
        raise named.refuse(problem) from exc
    with archive:
        members = archive.infolist()
        _check_members(named, members)
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise named.refuse("tai ne XLSX skaičiuoklė (trūksta darbaknygės dalių).")
        for member in members:
            if not member.filename.endswith((".xml", ".rels", ".vml")):
                continue
            with _open(named, archive, member) as stream:
                if _SHEET_MEMBER.match(member.filename):
                    _check_sheet(named, stream, limits)
                elif member.filename == "xl/sharedStrings.xml":
                    _check_strings(named, stream, member, limits)
                else:
                    for _ in _events(named, stream):
                        pass


def _check_members(named: _Named, members: Sequence[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise named.refuse(f"ZIP archyve per daug dalių ({len(members)}, leidžiama {MAX_MEMBERS}).")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise named.refuse("XLSX failas užšifruotas (apsaugotas slaptažodžiu).")
        if member.file_size > MAX_MEMBER_BYTES:
            raise named.refuse(
                f"dalis „{member.filename[:80]}“ išskleista per didelė "
                f"({member.file_size // MiB} MiB, leidžiama {MAX_MEMBER_BYTES // MiB} MiB)."
            )
        if member.file_size > _RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise named.refuse(
                f"dalis „{member.filename[:80]}“ suspausta neįprastai stipriai "
                f"(daugiau nei {MAX_RATIO} kartų): tai panašu į ZIP bombą."
            )
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise named.refuse(
            f"išskleistas failas per didelis ({total // MiB} MiB, leidžiama "
            f"{MAX_TOTAL_BYTES // MiB} MiB)."
        )


def _open(named: _Named, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> IO[bytes]:
    try:
        return archive.open(member)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
        raise named.refuse("XLSX failo dalies nepavyko išskleisti (sugadintas ZIP).") from exc


def _events(
    named: _Named, stream: IO[bytes], *, strings: bool = False
) -> Iterator[tuple[str, Any]]:
    """defusedxml's streaming parse: any DTD, entity or external reference is refused.

    Memory stays flat whatever the XML holds: when an element ends, its parent drops every
    finished child (the element's start event already showed its attributes). The shared
    strings, a long flat list, take a cheaper walk: each entry is emptied when it ends."""
    open_elements: list[Any] = []
    try:
        parsed = iterparse(
            stream,
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        if strings:
            for event, element in parsed:
                yield event, element
                if event == "end":
                    element.clear()
            return
        for event, element in parsed:
            if event == "start":
                open_elements.append(element)
                yield event, element
                continue
            yield event, element
            open_elements.pop()
            if open_elements:
                open_elements[-1].clear()
    except DefusedXmlException as exc:
        raise named.refuse(
            "XML dalyje yra DTD ar esybių (entity) apibrėžimų, kurių skaičiuoklėje būti neturi."
        ) from exc
    except (SyntaxError, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        # ParseError is a SyntaxError; a CRC mismatch or a cut stream is a BadZipFile/EOFError.
        raise named.refuse("XLSX failo XML dalis sugadinta arba nukirsta.") from exc


def _local(tag: object) -> str:
    text = str(tag)
    return text.rpartition("}")[2]


def _ref(named: _Named, ref: str) -> tuple[int, int]:
    match = _CELL_REF.match(ref)
    if match is None:
        raise named.refuse(f"netinkama langelio nuoroda „{ref[:20]}“.")
    try:
        column = column_index_from_string(match.group(1).upper())
    except ValueError as exc:
        raise named.refuse(f"netinkama langelio nuoroda „{ref[:20]}“.") from exc
    return int(match.group(2)), column


def _too_big(named: _Named, limits: SheetLimits, where: str) -> UnreadableSpreadsheet:
    return named.refuse(
        f"lapas per didelis ({where}): leidžiama ne daugiau kaip {limits.max_rows} eilučių ir "
        f"{limits.max_columns} stulpelių. Ištrinkite tuščias eilutes ir stulpelius už lentelės."
    )


def _check_sheet(named: _Named, stream: IO[bytes], limits: SheetLimits) -> None:
    rows = 0
    row_index = 0
    cells_in_row = 0
    for event, element in _events(named, stream):
        if event != "start":
            continue
        name = _local(element.tag)
        if name == "dimension":
            ref = str(element.get("ref", ""))
            last = ref.rpartition(":")[2]
            if last:
                row, column = _ref(named, last)
                if row > limits.max_rows or column > limits.max_columns:
                    raise _too_big(named, limits, f"nurodytas dydis {ref[:30]}")
        elif name == "row":
            rows += 1
            cells_in_row = 0
            declared = element.get("r")
            row_index = int(declared) if declared and declared.isdigit() else row_index + 1
            if rows > limits.max_rows or row_index > limits.max_rows:
                raise _too_big(named, limits, f"eilutė {row_index}")
        elif name == "c":
            cells_in_row += 1
            ref = element.get("r")
            column = _ref(named, str(ref))[1] if ref else cells_in_row
            if cells_in_row > limits.max_columns or column > limits.max_columns:
                raise _too_big(named, limits, f"{row_index} eilutėje per daug langelių")


def _check_strings(
    named: _Named, stream: IO[bytes], member: zipfile.ZipInfo, limits: SheetLimits
) -> None:
    if member.file_size > limits.max_strings_bytes:
        raise named.refuse(
            f"bendrų tekstų lentelė per didelė ({member.file_size // 1024} KiB, leidžiama "
            f"{limits.max_strings_bytes // 1024} KiB)."
        )
    refusal = named.refuse(
        f"bendrų tekstų lentelėje per daug įrašų (leidžiama {limits.max_strings})."
    )
    count = 0
    for event, element in _events(named, stream, strings=True):
        name = _local(element.tag)
        if event == "start" and name == "sst":
            # The declared count refuses a big table at once; the entries are counted anyway.
            declared = str(element.get("uniqueCount") or element.get("count") or "0")
            if declared.isdigit() and int(declared) > limits.max_strings:
                raise refusal
        elif event == "end" and name == "si":
            count += 1
            if count > limits.max_strings:
                raise refusal


# -- CSV -------------------------------------------------------------------------------------


def read_csv(
    data: bytes,
    filename: str,
    limits: SheetLimits,
    *,
    delimiters: str = ";,",
    sniff: bool = False,
) -> list[list[object]]:
    """The rows of a UTF-8 CSV (a BOM is fine), decoded while read, every bound checked.

    The delimiter is the candidate seen most often in the first 4 KiB, or with ``sniff`` what
    csv.Sniffer makes of those 4 KiB (it weighs quoting too)."""
    named = _Named(filename)
    sample = data[:4096].decode("utf-8-sig", errors="ignore")
    delimiter = max(delimiters, key=lambda d: (sample.count(d), -delimiters.index(d)))
    if sniff:
        with contextlib.suppress(csv.Error):  # no verdict: keep the counted one
            delimiter = csv.Sniffer().sniff(sample, delimiters=delimiters).delimiter
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    rows: list[list[object]] = []
    try:
        for number, row in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            if number > limits.max_rows:
                raise _too_big(named, limits, f"eilutė {number}")
            if len(row) > limits.max_columns:
                raise _too_big(named, limits, f"{number} eilutėje {len(row)} stulpelių")
            rows.append(list(row))
    except UnicodeDecodeError as exc:
        raise named.refuse("CSV failas turi būti UTF-8 koduotės.") from exc
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise named.refuse(
                f"CSV laukas per ilgas (leidžiama ne daugiau kaip {MAX_CELL_CHARS} simbolių)."
            ) from exc
        raise named.refuse(f"CSV failo nepavyko perskaityti ({len(rows) + 1} eilutė).") from exc
    return rows
