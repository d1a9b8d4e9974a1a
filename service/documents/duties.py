"""The periodic duties of the seed, computed from the year's calendar and the issued documents.

- A class summary for every period that has ended, per class the period applies to
  (p.24.15: class teacher within five working days; p.12: deputies within ten calendar days).
- Monthly progress reports for parents who cannot use the e-journal (p.24.9): Bylos cannot know
  who those parents are, so a pupil who got a report for an earlier month of the year is expected
  to get one for the month that just ended, unless the pupil has left (leaving certificate).
- The year-end journal transfer (p.14, 22.16, 30) by the deadline the calendar sets.

Read-only: selects the few payload fields needed, never whole payloads. It asks which documents
were issued, so it lives with them, above the school year whose calendar it reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from service.documents.models import Document
from service.lt import name_key
from service.school_year import calendars
from service.school_year.calendar import (
    SchoolCalendar,
    SummaryDeadlines,
    previous_school_year,
    school_year_bounds,
    school_year_of,
    summary_deadlines,
)

SUMMARY = "achievement-summary"
REPORT = "progress-report"
LEAVING = "leaving-certificate"
TRANSFER = "journal-transfer"
# The transfer shows up this long before its deadline even if teaching has not ended.
TRANSFER_NOTICE_DAYS = 30


def _current() -> ColumnElement[bool]:
    return col(Document.superseded_by_id).is_(None)


def payload_field(*path: str) -> ColumnElement[str]:
    column = col(Document.payload)
    # JSON path extraction, the same expression on SQLite (json_extract) and PostgreSQL (#>>).
    value: ColumnElement[str] = (column[path] if len(path) > 1 else column[path[0]]).as_string()
    return value


def _registered_within(school_year: str) -> ColumnElement[bool]:
    # Documents of a school year are registered in its two calendar years, or a little after
    # (a summary of June signed in September); the payload decides, this only narrows the scan.
    first, last = school_year_bounds(school_year)
    return col(Document.year).between(first.year, last.year + 1)


@dataclass(frozen=True, slots=True)
class SummaryDue:
    class_name: str
    period: str
    period_ended: dt.date
    deadlines: SummaryDeadlines
    overdue: bool  # past the class teacher's five working days


def missing_summaries(
    session: Session, calendar: SchoolCalendar, today: dt.date
) -> list[SummaryDue]:
    ended = [p for p in calendar.periods if p.ends_on < today]
    if not ended:
        return []
    issued = {
        (name_key(class_name or ""), name_key(period or ""))
        for class_name, period in session.exec(
            select(payload_field("class_name"), payload_field("period")).where(
                Document.kind == SUMMARY,
                _current(),
                _registered_within(calendar.school_year),
                payload_field("school_year") == calendar.school_year,
            )
        )
    }
    return [
        SummaryDue(c, p.name, p.ends_on, d, overdue=today > d.teacher)
        for p in ended
        for d in (summary_deadlines(p.ends_on),)
        for c in calendar.classes
        if p.covers(c) and (name_key(c), name_key(p.name)) not in issued
    ]


@dataclass(frozen=True, slots=True)
class Pupil:
    class_name: str
    first_name: str
    last_name: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class ReportsDue:
    month: dt.date  # its first day
    missing: list[Pupil]
    issued: int  # pupils who already have the month's report


def _month_text(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def missing_parent_reports(
    session: Session, calendar: SchoolCalendar, today: dt.date
) -> ReportsDue | None:
    """The month that ended last, if it was a teaching month and came after another one."""
    this_month = today.replace(day=1)
    months = [m for m in calendar.months() if m < this_month]
    if len(months) < 2:
        return None
    month = months[-1]
    wanted = {_month_text(m) for m in months}
    rows = session.exec(
        select(
            payload_field("class_name"),
            payload_field("student", "first_name"),
            payload_field("student", "last_name"),
            payload_field("month"),
        )
        .where(
            Document.kind == REPORT,
            _current(),
            _registered_within(calendar.school_year),
            payload_field("month").in_(wanted),
        )
        .distinct()
    ).all()
    first, last = school_year_bounds(calendar.school_year)
    left = {
        (name_key(c or ""), name_key(f or ""), name_key(s or ""))
        for c, f, s in session.exec(
            select(
                payload_field("class_name"),
                payload_field("student", "first_name"),
                payload_field("student", "last_name"),
            ).where(
                Document.kind == LEAVING,
                _current(),
                _registered_within(calendar.school_year),
                payload_field("left_on").between(first.isoformat(), last.isoformat()),
            )
        )
    }
    done: set[tuple[str, str, str]] = set()
    earlier: dict[tuple[str, str, str], Pupil] = {}
    target = _month_text(month)
    for class_name, first_name, last_name, report_month in rows:
        key = (name_key(class_name or ""), name_key(first_name or ""), name_key(last_name or ""))
        if report_month == target:
            done.add(key)
        else:
            earlier.setdefault(key, Pupil(class_name or "", first_name or "", last_name or ""))
    missing = sorted(
        (p for k, p in earlier.items() if k not in done and k not in left),
        key=lambda p: (name_key(p.class_name), name_key(p.last_name), name_key(p.first_name)),
    )
    return ReportsDue(month=month, missing=missing, issued=len(done))


@dataclass(frozen=True, slots=True)
class TransferDue:
    school_year: str
    deadline: dt.date
    document_id: str | None  # the registered transfer, once there is one
    document_number: str | None
    overdue: bool


def journal_transfer(
    session: Session, calendar: SchoolCalendar, today: dt.date
) -> TransferDue | None:
    """The year's transfer once teaching has ended or its deadline is near; None before."""
    near = calendar.journal_transfer_due - dt.timedelta(days=TRANSFER_NOTICE_DAYS)
    if today <= calendar.teaching_ends and today < near:
        return None
    done = session.exec(
        select(Document.id, Document.number)
        .where(
            Document.kind == TRANSFER,
            _current(),
            _registered_within(calendar.school_year),
            payload_field("school_year") == calendar.school_year,
        )
        .order_by(col(Document.created_at))
    ).first()
    return TransferDue(
        school_year=calendar.school_year,
        deadline=calendar.journal_transfer_due,
        document_id=done[0] if done else None,
        document_number=done[1] if done else None,
        overdue=done is None and today > calendar.journal_transfer_due,
    )


@dataclass(frozen=True, slots=True)
class Duties:
    on: dt.date
    school_year: str
    calendar: SchoolCalendar | None
    summaries: list[SummaryDue]
    parent_reports: ReportsDue | None
    # Last year's transfer stays here until it is registered; this year's once it is near.
    journal_transfers: list[TransferDue]


def duties_on(session: Session, on: dt.date) -> Duties:
    year = school_year_of(on)
    calendar = calendars.get(session, year)
    transfers: list[TransferDue] = []
    previous = calendars.get(session, previous_school_year(year))
    if previous is not None:
        due = journal_transfer(session, previous, on)
        if due is not None and due.document_id is None:
            transfers.append(due)
    if calendar is None:
        return Duties(on, year, None, [], None, transfers)
    current = journal_transfer(session, calendar, on)
    if current is not None:
        transfers.append(current)
    return Duties(
        on=on,
        school_year=year,
        calendar=calendar,
        summaries=missing_summaries(session, calendar, on),
        parent_reports=missing_parent_reports(session, calendar, on),
        journal_transfers=transfers,
    )


def recent_class_names(session: Session, since_year: int) -> tuple[str, ...]:
    """Class names seen on summaries and reports since a year: a start for a new calendar's
    list of classes, to correct."""
    names = session.exec(
        select(payload_field("class_name"))
        .where(
            col(Document.kind).in_(["achievement-summary", "progress-report"]),
            col(Document.year) >= since_year,
        )
        .distinct()
    ).all()
    return tuple(sorted({str(n) for n in names if n}, key=lambda n: (len(n), n)))
