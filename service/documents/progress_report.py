"""Mokinio pažangumo ir lankomumo ataskaita: the monthly report for parents who cannot use the
e-journal; at the end of a semester or year the parents sign that they have seen it (p.24.9)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Self

from babel.dates import format_date
from pydantic import BeforeValidator, Field, field_validator, model_validator

from service.documents.common import (
    Lessons,
    Name,
    Payload,
    Pupil,
    SchoolYear,
    excused_within_missed,
)
from service.lt import mark_text, name_key, school_year_of, school_year_text
from service.validation import IsoDate, Mark

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MARKS = 400


def _pupil(value: object) -> object:
    # The contract names the field ``student``; a journal export may give "Vardas Pavardė".
    if isinstance(value, str):
        first, _, last = value.strip().rpartition(" ")
        if not first or not last:
            raise ValueError(f"nurodykite mokinio vardą ir pavardę, gauta „{value}“")
        return {"first_name": first, "last_name": last}
    return value


class DatedMark(Payload):
    subject: Name
    date: IsoDate
    mark: Mark


class ProgressReport(Payload):
    student: Annotated[Pupil, BeforeValidator(_pupil)]
    class_name: Name
    month: Name
    marks: Annotated[list[DatedMark], Field(min_length=1, max_length=MAX_MARKS)]
    missed_lessons: Lessons
    excused_lessons: Lessons
    late: Lessons
    # The school year (by default the one the month falls in) and the period, e.g. "I pusmetis".
    school_year: SchoolYear | None = None
    period: Name | None = None

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        match = _MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"mėnuo rašomas MMMM-MM, gauta „{value}“")
        return value

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromisoformat(self.month + "-01")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        excused_within_missed(self.missed_lessons, self.excused_lessons)
        problems = [
            f"„marks[{i}].date“: {m.date.isoformat()} nėra {self.month} mėnesio diena"
            for i, m in enumerate(self.marks)
            if (m.date.year, m.date.month) != (self.first_day.year, self.first_day.month)
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def search_text(self) -> str:
        return f"{self.student.full_name} {self.class_name} {self.month}"

    def heading(self) -> str:
        month = format_date(self.first_day, "MMMM", locale="lt")  # genitive: "spalio"
        return (
            f"Mokinio pažangumo ir lankomumo ataskaita – {self.student.full_name}, "
            f"{self.class_name}, {self.first_day.year} m. {month} mėn."
        )

    def addressee(self) -> str:
        return f"Mokinio {self.student.full_name} tėvams (globėjams, rūpintojams)"

    def template_context(self) -> dict[str, Any]:
        # Subjects in the order they first appear; within a subject, by date.
        order: dict[str, int] = {}
        for m in self.marks:
            order.setdefault(name_key(m.subject), len(order))
        ordered = sorted(self.marks, key=lambda m: (order[name_key(m.subject)], m.date))
        rows = []
        previous = None
        for m in ordered:
            key = name_key(m.subject)
            rows.append(
                {
                    "subject": m.subject if key != previous else "",
                    "date": m.date.isoformat(),
                    "mark_text": mark_text(m.mark),
                }
            )
            previous = key
        month_name = format_date(self.first_day, "MMMM", locale="lt")  # genitive: "spalio"
        last_day = (self.first_day + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        return {
            "school_year": school_year_text(self.school_year or school_year_of(self.first_day)),
            "period": self.period or "",
            "first_day": self.first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "student": {"full_name": self.student.full_name},
            "class_name": self.class_name,
            "period_text": f"{self.first_day.year} m. {month_name} mėn.",
            "rows": rows,
            "missed_lessons": self.missed_lessons,
            "excused_lessons": self.excused_lessons,
            "unexcused_lessons": self.missed_lessons - self.excused_lessons,
            "late": self.late,
        }
