"""Class summaries from a spreadsheet (XLSX or CSV), and many payloads from one XLSX.

The summary layout (the blank template at GET /api/documents/achievement-summary/template.xlsx):

    A           B
    Klasė       5a
    Mokslo metai 2025-2026
    Laikotarpis II pusmetis
    Klasės vadovas  Jūratė Mockienė
    Pavaduotojas ugdymui  (optional)
    (blank row)
    Vardas | Pavardė | <one column per subject> ... | Praleista | Pateisinta | Pastabos
    one row per pupil; a blank mark cell means no mark in that subject

Labels are matched ignoring case. The header row is the row whose first cell is "Vardas"; the
subjects are the columns between "Pavardė" and "Praleista". CSV files use the same layout, with
";" or "," as the separator, UTF-8 (a BOM is fine). Every cell error is reported at once with
its row and column; nothing is issued from a file with an error.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from service import spreadsheets
from service.documents.achievement_summary import MAX_PUPILS, MAX_SUBJECTS, AchievementSummary
from service.documents.common import name_key
from service.documents.validation import parse_payload
from service.errors import InvalidPayload
from service.lt import normalize_mark
from service.output import neutralise_workbook
from service.spreadsheets import SheetLimits

XLSX_MEDIA_TYPE = spreadsheets.XLSX_MEDIA_TYPE
MAX_ROWS = 200
MAX_COLUMNS = 60
# A summary is read up to its 200th row and 60th column; anything beyond is refused unread.
SUMMARY_LIMITS = SheetLimits(max_rows=MAX_ROWS, max_columns=MAX_COLUMNS, max_strings=5_000)
# `bylos issue --from`: a header and one payload a row, a few batches' worth.
PAYLOAD_ROWS_LIMITS = SheetLimits(max_rows=5001, max_columns=200, max_strings=50_000)

_META = {
    "klasė": "class_name",
    "mokslo metai": "school_year",
    "laikotarpis": "period",
    "klasės vadovas": "class_teacher",
    "pavaduotojas ugdymui": "deputy",
}
_META_LABELS = {v: k for k, v in _META.items()}
_FIXED_AFTER = ("praleista", "pateisinta", "pastabos")


@dataclass(frozen=True, slots=True)
class CellError:
    row: int | None
    column: str | None
    message: str
    heading: str | None = None  # the column's heading, e.g. the subject

    def text(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"{self.row} eilutė")
        if self.column is not None:
            named = f" („{self.heading}“)" if self.heading else ""
            where.append(f"{self.column} stulpelis{named}")
        return (", ".join(where) + ": " if where else "") + self.message


class SpreadsheetRejected(InvalidPayload):
    """A spreadsheet with errors: every error has its row and column."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        shown = "; ".join(e.text() for e in errors[:50])
        more = f" (ir dar {len(errors) - 50})" if len(errors) > 50 else ""
        super().__init__(f"Faile rasta klaidų: {len(errors)}. {shown}{more}.")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(
    data: bytes, filename: str, limits: SheetLimits = SUMMARY_LIMITS
) -> list[list[object]]:
    """The first worksheet (XLSX) or the CSV as rows of cell values, every size bounded first
    (service/spreadsheets.py: zip and XML bombs, huge dimensions and fields are refused)."""
    return spreadsheets.read_table(data, filename, limits)


def _as_count(value: object, row: int, column: str, errors: list[CellError]) -> int:
    text = _text(value)
    if not text:
        return 0
    if text.isdigit() and int(text) <= 10_000:
        return int(text)
    errors.append(CellError(row, column, f"turi būti sveikasis skaičius nuo 0, gauta „{text}“"))
    return 0


def summary_from_rows(rows: list[list[object]]) -> dict[str, Any]:
    """The achievement-summary payload the rows describe, or SpreadsheetRejected."""
    errors: list[CellError] = []
    meta: dict[str, str] = {}
    header_at = None
    for i, row in enumerate(rows):
        first = name_key(_text(row[0])) if row else ""
        if first == "vardas":
            header_at = i
            break
        if first.rstrip(":") in _META:
            meta[_META[first.rstrip(":")]] = _text(row[1]) if len(row) > 1 else ""
    if header_at is None:
        raise SpreadsheetRejected(
            [CellError(None, "A", "nerasta antraštės eilutė, prasidedanti žodžiu „Vardas“")]
        )
    for field in ("class_name", "school_year", "period", "class_teacher"):
        if not meta.get(field):
            label = _META_LABELS[field].capitalize()
            errors.append(CellError(None, "A", f"nenurodyta „{label}“ (eilutė su reikšme B)"))

    header = [_text(c) for c in rows[header_at]]
    header_row = header_at + 1
    keys = [name_key(h) for h in header]
    if len(keys) < 2 or keys[1] != "pavardė":
        errors.append(CellError(header_row, "B", "antrasis stulpelis turi būti „Pavardė“"))
    try:
        missed_col = keys.index("praleista")
    except ValueError:
        raise SpreadsheetRejected(
            [*errors, CellError(header_row, None, "nerastas stulpelis „Praleista“")]
        ) from None
    subjects = header[2:missed_col]
    fixed = {k: missed_col + n for n, k in enumerate(_FIXED_AFTER)}
    for k, idx in fixed.items():
        if k != "pastabos" and (idx >= len(keys) or keys[idx] != k):
            errors.append(
                CellError(header_row, get_column_letter(idx + 1), f"turi būti „{k.capitalize()}“")
            )
    if not subjects:
        errors.append(CellError(header_row, "C", "nenurodytas nė vienas dalykas"))
    if len(subjects) > MAX_SUBJECTS:
        errors.append(CellError(header_row, None, f"dalykų daugiau nei {MAX_SUBJECTS}"))
    seen_subjects: dict[str, str] = {}
    for n, subject in enumerate(subjects):
        letter = get_column_letter(n + 3)
        if not subject:
            errors.append(CellError(header_row, letter, "tuščias dalyko pavadinimas"))
        elif name_key(subject) in seen_subjects:
            errors.append(
                CellError(
                    header_row,
                    letter,
                    f"dalykas „{subject}“ jau yra stulpelyje {seen_subjects[name_key(subject)]}",
                )
            )
        else:
            seen_subjects[name_key(subject)] = letter

    students: list[dict[str, Any]] = []
    seen_pupils: dict[str, int] = {}
    for i in range(header_at + 1, len(rows)):
        row = list(rows[i]) + [None] * max(0, len(header) - len(rows[i]))
        number = i + 1
        if not any(_text(c) for c in row):
            continue
        if len(students) >= MAX_PUPILS:
            errors.append(CellError(number, None, f"mokinių daugiau nei {MAX_PUPILS}"))
            break
        first, last = _text(row[0]), _text(row[1])
        if not first:
            errors.append(CellError(number, "A", "nenurodytas vardas"))
        if not last:
            errors.append(CellError(number, "B", "nenurodyta pavardė"))
        key = name_key(f"{first} {last}")
        if first and last and key in seen_pupils:
            errors.append(
                CellError(
                    number,
                    "A",
                    f"mokinys „{first} {last}“ jau įrašytas {seen_pupils[key]} eilutėje",
                )
            )
        seen_pupils.setdefault(key, number)
        marks: dict[str, str] = {}
        for n, subject in enumerate(subjects):
            value = _text(row[n + 2])
            if not value:
                continue
            try:
                marks[subject] = normalize_mark(int(value) if value.isdigit() else value)
            except ValueError as exc:
                errors.append(CellError(number, get_column_letter(n + 3), str(exc), subject))
        missed_letter = get_column_letter(fixed["praleista"] + 1)
        excused_letter = get_column_letter(fixed["pateisinta"] + 1)
        missed = _as_count(row[fixed["praleista"]], number, missed_letter, errors)
        excused = _as_count(
            row[fixed["pateisinta"]] if fixed["pateisinta"] < len(row) else None,
            number,
            excused_letter,
            errors,
        )
        if excused > missed:
            errors.append(
                CellError(
                    number,
                    excused_letter,
                    f"pateisintų pamokų daugiau nei praleistų ({excused} > {missed})",
                )
            )
        note = _text(row[fixed["pastabos"]]) if fixed["pastabos"] < len(row) else ""
        students.append(
            {
                "first_name": first,
                "last_name": last,
                "marks": marks,
                "missed_lessons": missed,
                "excused_lessons": excused,
                **({"note": note} if note else {}),
            }
        )
    if not students:
        errors.append(CellError(header_row + 1, None, "nėra nė vieno mokinio eilutės"))
    if errors:
        raise SpreadsheetRejected(errors)
    payload: dict[str, Any] = {
        "class_name": meta["class_name"],
        "school_year": meta["school_year"],
        "period": meta["period"],
        "class_teacher": {"name": meta["class_teacher"]},
        "subjects": subjects,
        "students": students,
    }
    if meta.get("deputy"):
        payload["deputy"] = {"name": meta["deputy"]}
    try:
        parse_payload(AchievementSummary, payload)
    except InvalidPayload as exc:
        raise SpreadsheetRejected([CellError(None, None, exc.detail)]) from exc
    return payload


def summary_from_file(data: bytes, filename: str) -> dict[str, Any]:
    return summary_from_rows(read_rows(data, filename))


def blank_summary_template() -> bytes:
    """The XLSX a class teacher fills in (the layout in this module's docstring)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Suvestinė"
    bold = Font(bold=True)
    for label in ("Klasė", "Mokslo metai", "Laikotarpis", "Klasės vadovas", "Pavaduotojas ugdymui"):
        sheet.append([label, ""])
        sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([])
    subjects = [
        "Lietuvių kalba ir literatūra",
        "Matematika",
        "Anglų kalba",
        "Istorija",
        "Gamtos mokslai",
        "Dailė",
        "Muzika",
        "Fizinis ugdymas",
        "Tikyba",
    ]
    sheet.append(["Vardas", "Pavardė", *subjects, "Praleista", "Pateisinta", "Pastabos"])
    fill = PatternFill("solid", fgColor="E7E6E6")
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.fill = fill
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 20
    guide = book.create_sheet("Instrukcija")
    for line in (
        "Kaip pildyti suvestinę",
        "1. Viršuje įrašykite klasę, mokslo metus (pvz., 2025-2026), laikotarpį "
        "(pvz., II pusmetis) ir klasės vadovo vardą, pavardę (B stulpelyje).",
        "2. Dalykų stulpeliai yra tarp „Pavardė“ ir „Praleista“: pervadinkite, pridėkite ar "
        "pašalinkite juos pagal klasės ugdymo planą.",
        "3. Kiekvienam mokiniui – viena eilutė. Įvertinimai: 1–10 arba įsk, nsk, atl, neat, pp, "
        "np, npt, pt, pg, a. Tuščias langelis – įvertinimo nėra.",
        "4. Praleista ir Pateisinta – pamokų skaičiai (pateisintų negali būti daugiau nei "
        "praleistų). Pastabos – neprivalomos.",
        "5. Įkelkite failą: POST /api/documents/achievement-summary/upload (laukas „file“). "
        "Jei faile yra klaidų, parodomos visos su eilute ir stulpeliu, ir niekas neišduodama.",
    ):
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    neutralise_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _set_path(target: dict[str, Any], path: str, value: object) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            raise ValueError(f"stulpelis „{path}“ prieštarauja kitam stulpeliui")
        target = child
    target[parts[-1]] = value


def payloads_from_xlsx(data: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """Many payloads, one per row: the header names fields by path (``student.first_name``);
    a cell holding a list or an object is written as JSON. Returns (row number, payload)."""
    rows = read_rows(data, filename, PAYLOAD_ROWS_LIMITS)
    if not rows:
        raise InvalidPayload(f"Faile „{filename}“ nėra eilučių.")
    header = [_text(c) for c in rows[0]]
    errors: list[CellError] = []
    out: list[tuple[int, dict[str, Any]]] = []
    for i, row in enumerate(rows[1:], start=2):
        if not any(_text(c) for c in row):
            continue
        payload: dict[str, Any] = {}
        for n, path in enumerate(header):
            if not path or n >= len(row) or row[n] is None or _text(row[n]) == "":
                continue
            value: object = row[n]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            text = _text(value)
            if text[:1] in "[{":
                try:
                    value = json.loads(text)
                except json.JSONDecodeError:
                    errors.append(CellError(i, get_column_letter(n + 1), "netinkamas JSON"))
                    continue
            elif hasattr(value, "isoformat"):
                value = value.isoformat()[:10]
            try:
                _set_path(payload, path, value)
            except ValueError as exc:
                errors.append(CellError(i, get_column_letter(n + 1), str(exc)))
        out.append((i, payload))
    if errors:
        raise SpreadsheetRejected(errors)
    return out
