"""A school year's calendar and the seed's deadline arithmetic: pure functions, no I/O.

The school year runs from 1 September to 31 August. Periods (semesters or trimesters) end on
dates the school sets each year, possibly different by grade (domain.md §4), so they are data.
Deadlines count Lithuanian working days: weekends and public holidays (the ``holidays``
package's calendar for LT) are skipped.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import holidays

from service.lt import name_key

_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
# "5a", "10 b", "Ia", "IIIg", "IV gimn.": a leading grade, Arabic or the gymnasium's Roman I-IV.
_ARABIC_GRADE = re.compile(r"^\s*(\d{1,2})(?!\d)")
_ROMAN_GRADE = re.compile(r"^\s*(IV|III|II|I)(?![IVXLC])", re.IGNORECASE)
_GYMNASIUM_OFFSET = 8  # gymnasium class I is the 9th grade

MIN_GRADE = 1
MAX_GRADE = 12
# p.24.15: the class teacher signs the summary within five working days of the period's end.
TEACHER_WORKING_DAYS = 5
# p.12: deputies print and sign within ten calendar days after teaching ends.
DEPUTY_CALENDAR_DAYS = 10


def parse_school_year(value: str) -> tuple[int, int]:
    """``"2026-2027"`` -> (2026, 2027); ValueError in Lithuanian otherwise."""
    match = _SCHOOL_YEAR.match(value.strip())
    if match is None or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError(f"mokslo metai rašomi taip: „2026-2027“; gauta „{value}“")
    return int(match.group(1)), int(match.group(2))


def school_year_of(day: dt.date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def previous_school_year(school_year: str) -> str:
    start, _ = parse_school_year(school_year)
    return f"{start - 1}-{start}"


def school_year_bounds(school_year: str) -> tuple[dt.date, dt.date]:
    start, end = parse_school_year(school_year)
    return dt.date(start, 9, 1), dt.date(end, 8, 31)


@functools.cache
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("LT", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself does not count)."""
    current = day
    left = count
    while left > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def last_working_day_on_or_before(day: dt.date) -> dt.date:
    current = day
    while not is_working_day(current):
        current -= dt.timedelta(days=1)
    return current


def last_working_day_of_month(year: int, month: int) -> dt.date:
    next_first = dt.date(year + month // 12, month % 12 + 1, 1)
    return last_working_day_on_or_before(next_first - dt.timedelta(days=1))


def grade_of(class_name: str) -> int | None:
    """The grade a class name starts with, or None when it names none."""
    arabic = _ARABIC_GRADE.match(class_name)
    if arabic:
        grade = int(arabic.group(1))
        return grade if MIN_GRADE <= grade <= MAX_GRADE else None
    roman = _ROMAN_GRADE.match(class_name)
    if roman:
        return {"I": 1, "II": 2, "III": 3, "IV": 4}[roman.group(1).upper()] + _GYMNASIUM_OFFSET
    return None


def same_name(a: str, b: str) -> bool:
    """Class and period names as people type them: case and inner spaces do not matter."""
    return name_key(a) == name_key(b)


@dataclass(frozen=True, slots=True)
class Period:
    """A period whose results a class summary records, for the grades it applies to."""

    name: str
    ends_on: dt.date
    grades_from: int = MIN_GRADE
    grades_to: int = MAX_GRADE

    def covers(self, class_name: str) -> bool:
        grade = grade_of(class_name)
        return grade is not None and self.grades_from <= grade <= self.grades_to

    @property
    def grades_text(self) -> str:
        if (self.grades_from, self.grades_to) == (MIN_GRADE, MAX_GRADE):
            return "visos klasės"
        return f"{self.grades_from}–{self.grades_to} kl."


@dataclass(frozen=True, slots=True)
class SummaryDeadlines:
    teacher: dt.date  # p.24.15: five working days
    deputy: dt.date  # p.12: ten calendar days


def summary_deadlines(period_end: dt.date) -> SummaryDeadlines:
    return SummaryDeadlines(
        teacher=add_working_days(period_end, TEACHER_WORKING_DAYS),
        deputy=period_end + dt.timedelta(days=DEPUTY_CALENDAR_DAYS),
    )


@dataclass(frozen=True, slots=True)
class SchoolCalendar:
    school_year: str
    periods: tuple[Period, ...]
    classes: tuple[str, ...]
    journal_transfer_due: dt.date
    # (class name, user id): who leads each class this year (not every class need be named).
    class_teachers: tuple[tuple[str, int], ...] = ()

    def teacher_of(self, class_name: str) -> int | None:
        for name, user_id in self.class_teachers:
            if same_name(name, class_name):
                return user_id
        return None

    @property
    def teaching_ends(self) -> dt.date:
        """When the last period ends: the year's teaching is over for every class."""
        return max(p.ends_on for p in self.periods)

    def months(self) -> list[dt.date]:
        """The first day of every teaching month: September to the month teaching ends."""
        start, _ = school_year_bounds(self.school_year)
        months: list[dt.date] = []
        current = start
        while current <= self.teaching_ends:
            months.append(current)
            current = dt.date(current.year + current.month // 12, current.month % 12 + 1, 1)
        return months


def default_journal_transfer_due(school_year: str) -> dt.date:
    """p.30: by the last working day of August. p.14 and p.22.16 say "by the school year's last
    working day", which some read as the end of teaching: the school sets the date it keeps."""
    _, end = parse_school_year(school_year)
    return last_working_day_of_month(end, 8)


def suggested_calendar(school_year: str, classes: tuple[str, ...] = ()) -> SchoolCalendar:
    """A starting point for the form, never used until someone saves it: two semesters, the
    first ending with January, the second ending earlier for the primary grades (the usual
    shape of the national education plan); the school corrects the dates to its own plan."""
    _, end = parse_school_year(school_year)
    return SchoolCalendar(
        school_year=school_year,
        periods=(
            Period("I pusmetis", last_working_day_of_month(end, 1)),
            Period("II pusmetis", last_working_day_on_or_before(dt.date(end, 6, 10)), 1, 4),
            Period("II pusmetis", last_working_day_on_or_before(dt.date(end, 6, 20)), 5, 12),
        ),
        classes=classes,
        journal_transfer_due=default_journal_transfer_due(school_year),
    )


def summary_remark(calendar: SchoolCalendar, class_name: str, period: str) -> str | None:
    """Why a summary would not count against the calendar's duties (a typo in the class or the
    period), said before it is issued; None when it matches."""
    if not any(same_name(class_name, c) for c in calendar.classes):
        return (
            f"Klasės „{class_name}“ nėra {calendar.school_year} m. m. kalendoriuje, todėl ši "
            "suvestinė nebus įskaityta pradžios puslapio terminuose. Patikrinkite klasės "
            "pavadinimą arba papildykite kalendorių."
        )
    names = list(dict.fromkeys(p.name for p in calendar.periods if p.covers(class_name)))
    if not any(same_name(period, n) for n in names):
        return (
            f"Laikotarpio „{period}“ {calendar.school_year} m. m. kalendoriuje šiai klasei nėra "
            f"(yra: {', '.join(names)}), todėl ši suvestinė nebus įskaityta pradžios puslapio "
            "terminuose. Patikrinkite laikotarpio pavadinimą."
        )
    return None
