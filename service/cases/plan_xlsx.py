"""The documentation plan as an XLSX workbook: export, and import with every error at once.

Layout (sheet „Dokumentacijos planas“, first row the headers, one row per line of the plan):

| Indeksas | Pavadinimas | Saugojimo taisyklė | Registrai | Saugojimo terminas | Būsena |

A row whose index is a whole number („3“) is an activity area: its title in „Pavadinimas“, the
other columns empty. A row whose index is a case index („3.1“, „3.5 E“) is a case: title, the id
of a retention rule in force, and the codes of the registers filed into it (comma- or
space-separated, may be empty). „Saugojimo terminas“ and „Būsena“ are written for people and
ignored on import; blank rows are skipped. The sheet „Saugojimo taisyklės“ lists the rule ids.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from retention.rules import RuleSet
from service.case_index import CASE_INDEX
from service.cases.models import Case, PlanArea
from service.cases.plan import (
    AREA_INDEX,
    PlanContent,
    PlannedArea,
    PlannedCase,
    check_area,
    check_case,
)
from service.errors import InvalidPayload
from service.output import headed_sheet, header_row, neutralise_workbook
from service.spreadsheets import SheetLimits, is_xlsx, read_xlsx

SHEET = "Dokumentacijos planas"
RULES_SHEET = "Saugojimo taisyklės"
HEADERS = (
    "Indeksas",
    "Pavadinimas",
    "Saugojimo taisyklė",
    "Registrai",
    "Saugojimo terminas",
    "Būsena",
)
COLUMN_OF = {"index": "Indeksas", "title": "Pavadinimas", "retention_rule": "Saugojimo taisyklė"}
COLUMN_OF |= {"registers": "Registrai"}
WIDTHS = (11, 70, 30, 16, 28, 12)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
# The header and MAX_ROWS lines; a few columns of the archivist's own notes beside ours.
PLAN_LIMITS = SheetLimits(max_rows=MAX_ROWS + 1, max_columns=50)
STATUS_LT = {"open": "atvira", "closed": "uždaryta"}
AREA_FILL = PatternFill("solid", fgColor="F2F2F2")


def export_plan(
    year: int, areas: Sequence[PlanArea], cases: Sequence[Case], rules: RuleSet
) -> bytes:
    wb = Workbook()
    ws = headed_sheet(wb, SHEET, HEADERS, WIDTHS)
    by_area: dict[str, list[Case]] = {}
    for case in cases:
        by_area.setdefault(case.index.split(".", 1)[0], []).append(case)
    for area in areas:
        ws.append([area.index, area.title])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.fill = AREA_FILL
        for case in by_area.get(area.index, []):
            term = rules.get(case.retention_rule).term if case.retention_rule in rules else ""
            ws.append(
                [
                    case.index,
                    case.title,
                    case.retention_rule,
                    ", ".join(case.register_codes),
                    term,
                    STATUS_LT[case.status.value],
                ]
            )
    for row in ws.iter_rows(min_row=2):
        # Text cells: Excel must not turn "1.10" into the number 1.1.
        row[0].number_format = "@"
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    ws.print_title_rows = "1:1"

    ref = wb.create_sheet(RULES_SHEET)
    header_row(
        ref,
        ("Taisyklė", "Pavadinimas", "Terminas", "Rodyklė ir punktas", "Patikrinta"),
        (30, 70, 24, 20, 11),
    )
    for rule in rules:
        ref.append(
            (
                rule.id,
                rule.title,
                rule.term,
                f"{rule.index} {rule.item}",
                "taip" if rule.verified else "ne",
            )
        )
    wb.properties.creator = "Bylos"
    wb.properties.title = f"{year} m. dokumentacijos planas"
    # Fixed timestamps: the same plan exports to the same bytes.
    wb.properties.created = wb.properties.modified = dt.datetime(year, 1, 1)
    neutralise_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_plan(data: bytes, rules: RuleSet, known_registers: set[str]) -> PlanContent:
    """Read a plan workbook; raise InvalidPayload naming every bad row and column at once."""
    rows = _plan_rows(data)
    positions = _column_positions(rows[0])
    areas, cases, errors = _classify_rows(rows[1:], positions)
    errors += _area_errors(areas)
    errors += _case_errors(cases, rules, known_registers, {a.index for _, a in areas})
    if not cases and not errors:
        errors.append("plane nėra nė vienos bylos")
    if errors:
        raise InvalidPayload(
            f"XLSX faile klaidų: {len(errors)}. Nieko neimportuota. " + "; ".join(errors) + "."
        )
    return PlanContent(areas=[a for _, a in areas], cases=[c for _, c in cases])


def _plan_rows(data: bytes) -> list[list[object]]:
    """The plan sheet's rows, header first; refused whole if the file is not a bounded XLSX."""
    if not data:
        raise InvalidPayload("Negautas XLSX failas: užklausos turinys tuščias.")
    if len(data) > MAX_BYTES:
        raise InvalidPayload(
            f"XLSX failas per didelis (daugiau nei {MAX_BYTES // 1024 // 1024} MB)."
        )
    if not is_xlsx(data):
        raise InvalidPayload("Failas nėra XLSX darbaknygė (.xlsx).")
    # Bounded before parsed (zip and XML bombs, huge dimensions): service/spreadsheets.py.
    rows = read_xlsx(data, "planas.xlsx", PLAN_LIMITS, sheet=SHEET)
    if not rows:
        raise InvalidPayload(f"XLSX faile nėra lapo „{SHEET}“ duomenų.")
    return rows


def _column_positions(header_values: Sequence[object]) -> dict[str, int]:
    """Where each read column is; the archivist may reorder them or add their own."""
    header = [_text(v) for v in header_values]
    positions = {name: header.index(name) for name in HEADERS[:4] if name in header}
    missing = [name for name in HEADERS[:4] if name not in positions]
    if missing:
        raise InvalidPayload(
            "XLSX faile pirmoje eilutėje trūksta stulpelių: "
            + ", ".join(f"„{m}“" for m in missing)
            + "."
        )
    return positions


def _classify_rows(
    rows: Sequence[Sequence[object]], positions: dict[str, int]
) -> tuple[list[tuple[int, PlannedArea]], list[tuple[int, PlannedCase]], list[str]]:
    """Sort the non-blank rows into areas and cases (with row numbers); bad indexes are errors."""
    errors: list[str] = []
    areas: list[tuple[int, PlannedArea]] = []
    cases: list[tuple[int, PlannedCase]] = []

    def cell(values: Sequence[object], name: str) -> str:
        at = positions[name]
        return _text(values[at]) if at < len(values) else ""

    for number, values in enumerate(rows, start=2):
        index = cell(values, "Indeksas")
        title = cell(values, "Pavadinimas")
        rule = cell(values, "Saugojimo taisyklė")
        registers = cell(values, "Registrai")
        if not (index or title or rule or registers):
            continue
        if AREA_INDEX.match(index):
            if rule or registers:
                errors.append(
                    f"{number} eilutė: veiklos srities eilutėje stulpeliai „Saugojimo taisyklė“ "
                    "ir „Registrai“ turi būti tušti"
                )
            areas.append((number, PlannedArea(index=index, title=title)))
        elif CASE_INDEX.match(index):
            codes = tuple(c.upper() for c in re.split(r"[,\s;]+", registers) if c)
            cases.append(
                (
                    number,
                    PlannedCase(index=index, title=title, retention_rule=rule, registers=codes),
                )
            )
        else:
            errors.append(
                f"{number} eilutė, stulpelis „Indeksas“: netinkamas indeksas „{index}“ "
                "(veiklos sritis: skaičius, pvz., „3“; byla: pvz., „3.1“ arba „3.5 E“)"
            )
    return areas, cases, errors


def _area_errors(areas: Sequence[tuple[int, PlannedArea]]) -> list[str]:
    """Each area row's problems and repeats, named by row and column."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, area in areas:
        errors += [f"{number} eilutė, stulpelis „{COLUMN_OF[c]}“: {m}" for c, m in check_area(area)]
        if area.index in seen:
            errors.append(
                f"{number} eilutė, stulpelis „Indeksas“: veiklos sritis „{area.index}“ jau "
                f"nurodyta {seen[area.index]} eilutėje"
            )
        seen.setdefault(area.index, number)
    return errors


def _case_errors(
    cases: Sequence[tuple[int, PlannedCase]],
    rules: RuleSet,
    known_registers: set[str],
    area_indexes: set[str],
) -> list[str]:
    """Each case row's problems and repeats, named by row and column."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, case in cases:
        errors += [
            f"{number} eilutė, stulpelis „{COLUMN_OF[c]}“: {m}"
            for c, m in check_case(case, rules, known_registers, area_indexes)
        ]
        if case.index in seen:
            errors.append(
                f"{number} eilutė, stulpelis „Indeksas“: byla „{case.index}“ jau nurodyta "
                f"{seen[case.index]} eilutėje"
            )
        seen.setdefault(case.index, number)
    return errors
