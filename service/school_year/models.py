"""The saved calendar of one school year."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from service.db_types import AwareDateTime
from service.timeutil import utcnow


class SchoolCalendarRecord(SQLModel, table=True):
    __tablename__ = "school_calendars"

    school_year: str = Field(primary_key=True)  # "2026-2027"
    # [{"name", "ends_on", "grades_from", "grades_to"}], as validated by calendars.CalendarIn
    periods: list[dict[str, object]] = Field(sa_column=Column(JSON, nullable=False))
    classes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # {class name: user id}: who leads each class this year; class teachers act only on the
    # classes named here for them (service/school_year/classes.py).
    class_teachers: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    journal_transfer_due: dt.date
    updated_by: int = Field(foreign_key="users.id")
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
