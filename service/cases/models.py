"""Cases (bylos) of the yearly documentation plan."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class CaseStatus(StrEnum):
    open = "open"
    closed = "closed"


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("year", "index"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    index: str
    title: str
    retention_rule: str
    status: CaseStatus = CaseStatus.open
    closed_on: dt.date | None = None
