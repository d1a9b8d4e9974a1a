"""The archivist's year as a workbook: one row per case with its group, state, span, sheets and
the inventory that lists it (what the year page shows, for the office's own lists)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from service.output import headed_sheet, neutralise_workbook

HEADERS = (
    "Bylos indeksas",
    "Bylos antraštė",
    "Saugojimo grupė",
    "Būsena",
    "Užbaigta",
    "Pradžios data",
    "Pabaigos data",
    "Dokumentų",
    "Lapų",
    "Sunaikinta dokumentų",
    "Apyrašas",
    "Naikinimo aktai",
    "Trūksta",
)
WIDTHS = (10, 50, 16, 18, 12, 12, 12, 10, 8, 12, 12, 16, 60)


def to_xlsx(view: dict[str, Any]) -> bytes:
    year = int(view["year"])
    wb = Workbook()
    ws = headed_sheet(wb, f"{year} m. bylos", HEADERS, WIDTHS)
    for case in view["cases"]:
        inventory = case["inventory"]
        ws.append(
            [
                case["index"],
                case["title"],
                case["group_lt"],
                case["state_lt"],
                _day(case["closed_on"]),
                _day(case["first_date"]),
                _day(case["last_date"]),
                case["documents"],
                case["sheets"],
                case["destroyed"],
                inventory["number"] if inventory else "",
                ", ".join(case["destruction_acts"]),
                "; ".join(case["missing"]),
            ]
        )
        for column in (5, 6, 7):
            ws.cell(row=ws.max_row, column=column).number_format = "yyyy-mm-dd"
        for column in (2, 13):
            ws.cell(row=ws.max_row, column=column).alignment = Alignment(
                wrap_text=True, vertical="top"
            )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(ws.max_row, 1)}"
    wb.properties.creator = "Bylos"
    wb.properties.title = f"{year} m. bylos"
    wb.properties.created = wb.properties.modified = dt.datetime(year, 1, 1)
    neutralise_workbook(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
