"""The saved school profile: one row, replaced on each change (the audit trail keeps history)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from service.db_types import AwareDateTime
from service.timeutil import utcnow


class SchoolProfileRecord(SQLModel, table=True):
    __tablename__ = "school_profile"

    id: int = Field(default=1, primary_key=True)
    name: str
    code: str
    address: str
    city: str
    director_name: str
    director_title: str
    # Optional: the office's contacts (letterhead, a certificate's preparer) and the name in the
    # genitive where the automatic form is wrong (e.g. "lopšelis-darželis „Pasaka“").
    phone: str = Field(default="", sa_column_kwargs={"server_default": ""})
    email: str = Field(default="", sa_column_kwargs={"server_default": ""})
    name_genitive: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # None when set from the command line (`bylos school set`), which has no signed-in user.
    updated_by: int | None = Field(default=None, foreign_key="users.id")
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
