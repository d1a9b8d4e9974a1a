"""Reading, checking and saving a school year's calendar.

Whoever runs the school year (deputies, the director, the admin) sets it once a year; the
duties on the home page and ``GET /api/duties`` are computed from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session

from service.audit import log as audit
from service.errors import InvalidPayload
from service.school_year.calendar import (
    MAX_GRADE,
    MIN_GRADE,
    Period,
    SchoolCalendar,
    default_journal_transfer_due,
    grade_of,
    parse_school_year,
    same_name,
    school_year_bounds,
)
from service.school_year.models import SchoolCalendarRecord
from service.timeutil import utcnow
from service.users.models import Role, User
from service.validation import IsoDate, Text

EDITORS = frozenset({Role.deputy, Role.director, Role.admin})
MAX_PERIODS = 24
MAX_CLASSES = 300


def _school_year(value: str) -> str:
    parse_school_year(value)
    return value.strip()


def _class_name(value: str) -> str:
    if grade_of(value) is None:
        raise ValueError(
            f"iš pavadinimo „{value}“ neaišku, kuri tai klasė: jis turi prasidėti skaičiumi "
            "1–12 arba gimnazijos klase I–IV (pvz., 5a, 10b, IIg)"
        )
    return " ".join(value.split())


SchoolYearText = Annotated[str, AfterValidator(_school_year)]
ClassName = Annotated[Text, Field(max_length=20), AfterValidator(_class_name)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PeriodIn(_Body):
    name: Annotated[Text, Field(max_length=60)]
    ends_on: IsoDate
    grades_from: int = Field(default=MIN_GRADE, ge=MIN_GRADE, le=MAX_GRADE)
    grades_to: int = Field(default=MAX_GRADE, ge=MIN_GRADE, le=MAX_GRADE)


class CalendarIn(_Body):
    school_year: SchoolYearText
    periods: list[PeriodIn] = Field(min_length=1, max_length=MAX_PERIODS)
    classes: list[ClassName] = Field(min_length=1, max_length=MAX_CLASSES)
    # Left out: the default of p.30 (the last working day of August).
    journal_transfer_due: IsoDate | None = None
    # {class: user id of its class teacher}; a class teacher acts only on the classes named
    # here for them (their progress reports, summaries, corrections).
    class_teachers: dict[ClassName, int] = Field(default_factory=dict, max_length=MAX_CLASSES)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        first, last = school_year_bounds(self.school_year)
        span = f"{first.isoformat()}–{last.isoformat()}"
        for i, p in enumerate(self.periods):
            if not first <= p.ends_on <= last:
                raise ValueError(
                    f"„periods[{i}].ends_on“: laikotarpio „{p.name}“ pabaiga "
                    f"{p.ends_on.isoformat()} nepatenka į {self.school_year} mokslo metus ({span})"
                )
            if p.grades_to < p.grades_from:
                raise ValueError(
                    f"„periods[{i}].grades_to“: klasės „iki“ ({p.grades_to}) negali būti "
                    f"mažesnė už „nuo“ ({p.grades_from})"
                )
            for j, q in enumerate(self.periods[:i]):
                overlap = p.grades_from <= q.grades_to and q.grades_from <= p.grades_to
                if overlap and same_name(p.name, q.name):
                    raise ValueError(
                        f"„periods[{i}].name“: laikotarpis „{p.name}“ toms pačioms klasėms jau "
                        f"nurodytas {j + 1} eilutėje"
                    )
        periods = self.calendar_periods()
        for i, name in enumerate(self.classes):
            if any(same_name(name, other) for other in self.classes[:i]):
                raise ValueError(f"„classes[{i}]“: klasė „{name}“ nurodyta du kartus")
            if not any(p.covers(name) for p in periods):
                raise ValueError(
                    f"„classes[{i}]“: klasei „{name}“ netaikomas nė vienas laikotarpis "
                    "(patikrinkite laikotarpių klases „nuo“ ir „iki“)"
                )
        for name in self.class_teachers:
            if not any(same_name(name, c) for c in self.classes):
                raise ValueError(f"„class_teachers“: klasės „{name}“ nėra sąraše „classes“")
        due = self.journal_transfer_due
        if due is not None:
            teaching_ends = max(p.ends_on for p in periods)
            if not teaching_ends <= due <= last:
                raise ValueError(
                    f"„journal_transfer_due“: dienyno perkėlimo terminas turi būti tarp ugdymo "
                    f"proceso pabaigos ({teaching_ends.isoformat()}) ir mokslo metų pabaigos "
                    f"({last.isoformat()})"
                )
        return self

    def calendar_periods(self) -> tuple[Period, ...]:
        return tuple(Period(p.name, p.ends_on, p.grades_from, p.grades_to) for p in self.periods)

    def calendar(self) -> SchoolCalendar:
        return SchoolCalendar(
            school_year=self.school_year,
            periods=tuple(sorted(self.calendar_periods(), key=lambda p: (p.ends_on, p.name))),
            classes=tuple(self.classes),
            journal_transfer_due=self.journal_transfer_due
            or default_journal_transfer_due(self.school_year),
            class_teachers=tuple(sorted(self.class_teachers.items())),
        )


def _from_record(row: SchoolCalendarRecord) -> SchoolCalendar:
    return SchoolCalendar(
        school_year=row.school_year,
        periods=tuple(
            Period(
                name=str(p["name"]),
                ends_on=dt.date.fromisoformat(str(p["ends_on"])),
                grades_from=int(str(p["grades_from"])),
                grades_to=int(str(p["grades_to"])),
            )
            for p in row.periods
        ),
        classes=tuple(row.classes),
        journal_transfer_due=row.journal_transfer_due,
        class_teachers=tuple(
            sorted((str(k), int(v)) for k, v in (row.class_teachers or {}).items())
        ),
    )


def get(session: Session, school_year: str) -> SchoolCalendar | None:
    row = session.get(SchoolCalendarRecord, school_year)
    return None if row is None else _from_record(row)


def save(session: Session, calendar: SchoolCalendar, user: User) -> SchoolCalendar:
    """Create or replace the year's calendar; the audit trail keeps what it was before."""
    assert user.id is not None
    _check_teachers(session, calendar)
    row = session.get(SchoolCalendarRecord, calendar.school_year)
    before = None if row is None else _as_json(_from_record(row))
    periods = _periods_json(calendar)
    if row is None:
        row = SchoolCalendarRecord(
            school_year=calendar.school_year,
            periods=periods,
            classes=list(calendar.classes),
            journal_transfer_due=calendar.journal_transfer_due,
            class_teachers=dict(calendar.class_teachers),
            updated_by=user.id,
        )
    else:
        row.periods = periods
        row.classes = list(calendar.classes)
        row.journal_transfer_due = calendar.journal_transfer_due
        row.class_teachers = dict(calendar.class_teachers)
        row.updated_by = user.id
        row.updated_at = utcnow()
    session.add(row)
    audit.record(
        session,
        user.actor,
        "school_calendar.saved",
        subject_type="school_calendar",
        subject_id=calendar.school_year,
        detail={"before": before, "after": _as_json(calendar)},
    )
    session.flush()
    return calendar


def _periods_json(calendar: SchoolCalendar) -> list[dict[str, object]]:
    return [
        {
            "name": p.name,
            "ends_on": p.ends_on.isoformat(),
            "grades_from": p.grades_from,
            "grades_to": p.grades_to,
        }
        for p in calendar.periods
    ]


def _as_json(calendar: SchoolCalendar) -> dict[str, object]:
    return {
        "periods": _periods_json(calendar),
        "classes": list(calendar.classes),
        "journal_transfer_due": calendar.journal_transfer_due.isoformat(),
        "class_teachers": dict(calendar.class_teachers),
    }


def _check_teachers(session: Session, calendar: SchoolCalendar) -> None:
    """Each named teacher is an active account with the class teacher's role."""
    for name, user_id in calendar.class_teachers:
        teacher = session.get(User, user_id)
        if teacher is None or not teacher.active or Role.class_teacher not in teacher.role_set:
            raise InvalidPayload(
                f"Netinkami duomenys. „class_teachers.{name}“: naudotojas Nr. {user_id} nėra "
                "aktyvus klasės vadovas."
            )
