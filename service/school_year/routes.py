"""HTTP routes: the school year's calendar (read by all, set by those who run the year) and the
duties computed from it (pupils' names in them, so behind the pledge)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from service.contract import json_body
from service.deps import CurrentUser, PledgedUser, SessionDep
from service.documents import duties
from service.errors import InvalidPayload, NotFound
from service.params import DateQuery, SchoolYearPath
from service.school_year import calendars
from service.school_year.calendar import SchoolCalendar, parse_school_year
from service.timeutil import today_vilnius
from service.validation import parse_payload

router = APIRouter(tags=["school-year"])


class PeriodOut(BaseModel):
    name: str
    ends_on: dt.date
    grades_from: int
    grades_to: int


class CalendarOut(BaseModel):
    school_year: str
    periods: list[PeriodOut]
    classes: list[str]
    journal_transfer_due: dt.date
    teaching_ends: dt.date
    class_teachers: dict[str, int]


def _out(calendar: SchoolCalendar) -> CalendarOut:
    return CalendarOut(
        school_year=calendar.school_year,
        periods=[
            PeriodOut(
                name=p.name, ends_on=p.ends_on, grades_from=p.grades_from, grades_to=p.grades_to
            )
            for p in calendar.periods
        ],
        classes=list(calendar.classes),
        journal_transfer_due=calendar.journal_transfer_due,
        teaching_ends=calendar.teaching_ends,
        class_teachers=dict(calendar.class_teachers),
    )


def _checked_year(school_year: str) -> str:
    try:
        parse_school_year(school_year)
    except ValueError as exc:
        raise InvalidPayload(f"Netinkami mokslo metai: {exc}.") from None
    return school_year


@router.get("/api/school-calendar/{school_year}", response_model=CalendarOut)
def get_calendar(
    school_year: SchoolYearPath, session: SessionDep, user: CurrentUser
) -> CalendarOut:
    found = calendars.get(session, _checked_year(school_year))
    if found is None:
        raise NotFound(f"{school_year} mokslo metų kalendorius dar nenustatytas.")
    return _out(found)


class CalendarBody(calendars.CalendarIn):
    """What PUT /api/school-calendar/{school_year} reads: the calendar, its year taken from the
    address (repeated in the body, it must be the same). Published only; CalendarIn validates."""

    school_year: calendars.SchoolYearText | None = None  # type: ignore[assignment]


@router.put(
    "/api/school-calendar/{school_year}",
    response_model=CalendarOut,
    openapi_extra=json_body(CalendarBody),
)
def put_calendar(
    school_year: SchoolYearPath,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> CalendarOut:
    _checked_year(school_year)
    if not isinstance(body, dict):
        raise InvalidPayload("Užklausos turinys turi būti JSON objektas su „periods“ ir „classes“.")
    if body.get("school_year", school_year) != school_year:
        raise InvalidPayload(
            f"„school_year“ turinyje ({body['school_year']}) nesutampa su adresu ({school_year})."
        )
    parsed = parse_payload(calendars.CalendarIn, {**body, "school_year": school_year})
    return _out(calendars.save(session, parsed.calendar(), user))


class SummaryDueOut(BaseModel):
    class_name: str
    period: str
    period_ended: dt.date
    teacher_deadline: dt.date
    deputy_deadline: dt.date
    overdue: bool


class PupilOut(BaseModel):
    class_name: str
    first_name: str
    last_name: str


class ReportsDueOut(BaseModel):
    month: str
    issued: int
    missing: list[PupilOut]


class TransferOut(BaseModel):
    school_year: str
    deadline: dt.date
    overdue: bool
    document_id: str | None
    document_number: str | None


class DutiesOut(BaseModel):
    on: dt.date
    school_year: str
    calendar_set: bool
    summaries: list[SummaryDueOut]
    parent_reports: ReportsDueOut | None
    journal_transfers: list[TransferOut]


def _duties_out(found: duties.Duties) -> DutiesOut:
    reports = found.parent_reports
    return DutiesOut(
        on=found.on,
        school_year=found.school_year,
        calendar_set=found.calendar is not None,
        summaries=[
            SummaryDueOut(
                class_name=s.class_name,
                period=s.period,
                period_ended=s.period_ended,
                teacher_deadline=s.deadlines.teacher,
                deputy_deadline=s.deadlines.deputy,
                overdue=s.overdue,
            )
            for s in found.summaries
        ],
        parent_reports=None
        if reports is None
        else ReportsDueOut(
            month=f"{reports.month.year:04d}-{reports.month.month:02d}",
            issued=reports.issued,
            missing=[
                PupilOut(class_name=p.class_name, first_name=p.first_name, last_name=p.last_name)
                for p in reports.missing
            ],
        ),
        journal_transfers=[
            TransferOut(
                school_year=t.school_year,
                deadline=t.deadline,
                overdue=t.overdue,
                document_id=t.document_id,
                document_number=t.document_number,
            )
            for t in found.journal_transfers
        ],
    )


@router.get("/api/duties", response_model=DutiesOut)
def get_duties(
    session: SessionDep,
    user: PledgedUser,
    on: Annotated[DateQuery, Query(description="YYYY-MM-DD; today by default")] = None,
) -> DutiesOut:
    # Every role has duties here; the pledge gate is the check (pupils' names are listed).
    return _duties_out(duties.duties_on(session, on or today_vilnius()))
