"""Class summaries from a spreadsheet (XLSX or CSV), and many payloads from one XLSX.

The summary layout (the blank template at GET /api/documents/achievement-summary/template.xlsx):

    A           B
    Klasė       5a
    Mokslo metai 2025-2026
    Laikotarpis II pusmetis
    Klasės vadovas  Jūratė Mockienė
    Pavaduotojas ugdymui  (optional)
    Laikotarpiai   (optional: an annual summary, e.g. "I pusmetis; II pusmetis")
    (blank row)
    Vardas | Pavardė | <one column per subject> ... | Praleista | Pateisinta | Pastabos
        [| Sprendimas | Papildomi darbai]   (annual summary only)
    one row per pupil; a blank mark cell means no mark in that subject

In an annual summary a subject's cell holds each period's mark and then the annual one,
separated by "/" ("8/9/9"); one mark alone is the annual mark. "Sprendimas" is "keliamas",
"papildomi darbai" or "kartoja"; "Papildomi darbai" lists "Dalykas: įvertinimas" separated by
";" (the mark left out while the work is not yet assessed).

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
from openpyxl.worksheet.worksheet import Worksheet

from service import spreadsheets
from service.documents.achievement_summary import MAX_PUPILS, MAX_SUBJECTS, AchievementSummary
from service.errors import InvalidPayload
from service.lt import name_key, normalize_mark
from service.output import neutralise_workbook
from service.spreadsheets import SheetLimits
from service.validation import parse_payload

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
    "laikotarpiai": "periods",
}
_META_LABELS = {v: k for k, v in _META.items()}
_FIXED_AFTER = ("praleista", "pateisinta", "pastabos")
# Annual summary only, after "Pastabos".
_DECISION_COLUMN = "sprendimas"
_WORK_COLUMN = "papildomi darbai"
DECISION_WORDS = {
    "keliamas": "promoted",
    "keliama": "promoted",
    "keliamas (-a)": "promoted",
    "papildomi darbai": "additional_work",
    "papild. d.": "additional_work",
    "kartoja": "repeats",
    "paliekamas kartoti": "repeats",
}


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
    """The achievement-summary payload the rows describe, or SpreadsheetRejected.

    Read in phases, each adding what it finds wrong to one list so the person sees every
    problem at once: the labelled rows above the table, the table's header, each pupil's row."""
    errors: list[CellError] = []
    meta, header_at = _read_meta(rows, errors)
    periods = [p.strip() for p in meta.get("periods", "").split(";") if p.strip()]
    head = _read_header(rows[header_at], header_at + 1, periods, errors)
    students = _read_pupils(rows, header_at, head, periods, errors)
    if not students:
        errors.append(CellError(head.row + 1, None, "nėra nė vieno mokinio eilutės"))
    if errors:
        raise SpreadsheetRejected(errors)
    payload: dict[str, Any] = {
        "class_name": meta["class_name"],
        "school_year": meta["school_year"],
        "period": meta["period"],
        "class_teacher": {"name": meta["class_teacher"]},
        "subjects": head.subjects,
        "students": students,
    }
    if meta.get("deputy"):
        payload["deputy"] = {"name": meta["deputy"]}
    if periods:
        payload["periods"] = periods
    try:
        parse_payload(AchievementSummary, payload)
    except InvalidPayload as exc:
        raise SpreadsheetRejected([CellError(None, None, exc.detail)]) from exc
    return payload


def _read_meta(rows: list[list[object]], errors: list[CellError]) -> tuple[dict[str, str], int]:
    """The labelled rows above the table (class, school year, period ...) and where the table's
    header row is."""
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
    return meta, header_at


@dataclass(frozen=True, slots=True)
class _Header:
    row: int  # its row number on the sheet
    cells: list[str]
    keys: list[str]
    subjects: list[str]
    fixed: dict[str, int]  # the columns after the subjects, by name


def _read_header(
    cells: list[object], header_row: int, periods: list[str], errors: list[CellError]
) -> _Header:
    """The header row: first name, last name, a column per subject, then the fixed columns."""
    header = [_text(c) for c in cells]
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

    if periods:
        for k in (_DECISION_COLUMN, _WORK_COLUMN):
            if k not in keys:
                errors.append(
                    CellError(
                        header_row,
                        None,
                        f"metinėje suvestinėje būtinas stulpelis „{k.capitalize()}“",
                    )
                )
    return _Header(header_row, header, keys, subjects, fixed)


def _read_pupils(
    rows: list[list[object]],
    header_at: int,
    head: _Header,
    periods: list[str],
    errors: list[CellError],
) -> list[dict[str, Any]]:
    """One pupil per non-empty row under the header."""
    students: list[dict[str, Any]] = []
    seen_pupils: dict[str, int] = {}
    for i in range(header_at + 1, len(rows)):
        row = list(rows[i]) + [None] * max(0, len(head.cells) - len(rows[i]))
        number = i + 1
        if not any(_text(c) for c in row):
            continue
        if len(students) >= MAX_PUPILS:
            errors.append(CellError(number, None, f"mokinių daugiau nei {MAX_PUPILS}"))
            break
        students.append(_read_pupil(row, number, head, periods, seen_pupils, errors))
    return students


def _read_pupil(
    row: list[object],
    number: int,
    head: _Header,
    periods: list[str],
    seen_pupils: dict[str, int],
    errors: list[CellError],
) -> dict[str, Any]:
    subjects, fixed, keys, header_row = head.subjects, head.fixed, head.keys, head.row
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
    marks, period_marks = _pupil_marks(row, number, subjects, periods, errors)
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
    annual_fields = (
        _annual_fields(row, keys, header_row, number, set(subjects), errors) if periods else {}
    )
    if periods:
        annual_fields["period_marks"] = {p: m for p, m in period_marks.items() if m}
    return {
        "first_name": first,
        "last_name": last,
        "marks": marks,
        "missed_lessons": missed,
        "excused_lessons": excused,
        **({"note": note} if note else {}),
        **annual_fields,
    }


def _pupil_marks(
    row: list[object], number: int, subjects: list[str], periods: list[str], errors: list[CellError]
) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """A pupil's mark per subject and, in an annual summary, per period and subject."""
    marks: dict[str, str] = {}
    period_marks: dict[str, dict[str, str]] = {p: {} for p in periods}
    for n, subject in enumerate(subjects):
        value = _text(row[n + 2])
        if not value:
            continue
        letter = get_column_letter(n + 3)
        try:
            annual, by_period = _subject_cell(value, periods)
        except ValueError as exc:
            errors.append(CellError(number, letter, str(exc), subject))
            continue
        if annual is not None:
            marks[subject] = annual
        for period, mark in by_period.items():
            period_marks[period][subject] = mark
    return marks, period_marks


def _subject_cell(value: str, periods: list[str]) -> tuple[str | None, dict[str, str]]:
    """A subject's cell: the mark, or in an annual summary "I/II/annual" ("8/9/9")."""
    parts = [part.strip() for part in value.split("/")] if periods else [value]
    if len(parts) not in (1, len(periods) + 1):
        raise ValueError(
            f"„{value}“: rašykite {len(periods) + 1} įvertinimus per „/“ "
            f"({', '.join(periods)}, metinis) arba vieną metinį"
        )

    def mark(text: str) -> str | None:
        return normalize_mark(int(text) if text.isdigit() else text) if text else None

    if len(parts) == 1:
        return mark(parts[0]), {}
    by_period = {p: m for p, text in zip(periods, parts[:-1], strict=True) if (m := mark(text))}
    return mark(parts[-1]), by_period


def _annual_fields(
    row: list[object],
    keys: list[str],
    header_row: int,
    number: int,
    subjects: set[str],
    errors: list[CellError],
) -> dict[str, Any]:
    """An annual summary row's decision and additional work (columns after "Pastabos")."""
    out: dict[str, Any] = {}
    if _DECISION_COLUMN in keys:
        idx = keys.index(_DECISION_COLUMN)
        text = name_key(_text(row[idx]) if idx < len(row) else "")
        letter = get_column_letter(idx + 1)
        if text in DECISION_WORDS:
            out["decision"] = DECISION_WORDS[text]
        else:
            shown = _text(row[idx]) if idx < len(row) else ""
            errors.append(
                CellError(
                    number,
                    letter,
                    f"sprendimas „{shown}“ nežinomas: rašykite „keliamas“, „papildomi darbai“ "
                    "arba „kartoja“",
                    "Sprendimas",
                )
            )
    if _WORK_COLUMN in keys:
        idx = keys.index(_WORK_COLUMN)
        letter = get_column_letter(idx + 1)
        works: list[dict[str, str]] = []
        for item in (_text(row[idx]) if idx < len(row) else "").split(";"):
            subject, _, mark = (part.strip() for part in item.partition(":"))
            if not subject:
                continue
            if subject not in subjects:
                errors.append(
                    CellError(
                        number,
                        letter,
                        f"dalyko „{subject}“ nėra tarp stulpelių",
                        "Papildomi darbai",
                    )
                )
                continue
            try:
                work = {"subject": subject}
                if mark:
                    work["mark"] = normalize_mark(int(mark) if mark.isdigit() else mark)
                works.append(work)
            except ValueError as exc:
                errors.append(CellError(number, letter, str(exc), "Papildomi darbai"))
        if works:
            out["additional_work"] = works
    return out


def summary_from_file(data: bytes, filename: str) -> dict[str, Any]:
    return summary_from_rows(read_rows(data, filename))


# The heading rows of the blank summary: a label in column A, the teacher writes B.
_HEADING_LABELS = (
    "Klasė",
    "Mokslo metai",
    "Laikotarpis",
    "Klasės vadovas",
    "Pavaduotojas ugdymui",
    "Laikotarpiai",
)
# Sample subject columns; the teacher renames, adds or removes them (the guide's step 2).
_SAMPLE_SUBJECTS = (
    "Lietuvių kalba ir literatūra",
    "Matematika",
    "Anglų kalba",
    "Istorija",
    "Gamtos mokslai",
    "Dailė",
    "Muzika",
    "Fizinis ugdymas",
    "Tikyba",
)
_GUIDE = (
    "Kaip pildyti suvestinę",
    "1. Viršuje įrašykite klasę, mokslo metus (pvz., 2025-2026), laikotarpį "
    "(pvz., II pusmetis) ir klasės vadovo vardą, pavardę (B stulpelyje).",
    "2. Dalykų stulpeliai yra tarp „Pavardė“ ir „Praleista“: pervadinkite, pridėkite ar "
    "pašalinkite juos pagal klasės ugdymo planą.",
    "3. Kiekvienam mokiniui – viena eilutė. Įvertinimai: 1–10 arba įsk, nsk, atl, neat, pp, "
    "np, npt, pt, pg, a. Tuščias langelis – įvertinimo nėra.",
    "4. Praleista ir Pateisinta – pamokų skaičiai (pateisintų negali būti daugiau nei "
    "praleistų). Pastabos – neprivalomos.",
    "5. Metinė suvestinė: eilutėje „Laikotarpiai“ įrašykite, pvz., „I pusmetis; II pusmetis“, "
    "o dalyko langelyje – kiekvieno laikotarpio ir metinį įvertinimą per „/“ (pvz., 8/9/9). "
    "Po „Pastabos“ pridėkite stulpelius „Sprendimas“ (keliamas, papildomi darbai, kartoja) "
    "ir „Papildomi darbai“ (pvz., „Matematika: 5; Fizika“ – be įvertinimo, kol neįvertinta). "
    "Pusmečio suvestinėje „Laikotarpiai“ paliekama tuščia.",
    "6. Įkelkite failą: POST /api/documents/achievement-summary/upload (laukas „file“). "
    "Jei faile yra klaidų, parodomos visos su eilute ir stulpeliu, ir niekas neišduodama.",
)


def blank_summary_template() -> bytes:
    """The XLSX a class teacher fills in (the layout in this module's docstring)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    _write_blank_summary(sheet)
    guide = book.create_sheet("Instrukcija")
    for line in _GUIDE:
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    neutralise_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_blank_summary(sheet: Worksheet) -> None:
    """The heading rows, an empty row, then the pupils' header row: what the reader expects."""
    sheet.title = "Suvestinė"
    bold = Font(bold=True)
    for label in _HEADING_LABELS:
        sheet.append([label, ""])
        sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([])
    sheet.append(["Vardas", "Pavardė", *_SAMPLE_SUBJECTS, "Praleista", "Pateisinta", "Pastabos"])
    fill = PatternFill("solid", fgColor="E7E6E6")
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.fill = fill
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 20


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
