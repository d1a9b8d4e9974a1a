"""The yearly documentation plan (dokumentacijos planas): its areas, cases (bylos) and changes."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db_types import AwareDateTime
from service.timeutil import utcnow


class CaseStatus(StrEnum):
    open = "open"
    closed = "closed"


class PlanStatus(StrEnum):
    draft = "draft"
    approved = "approved"


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("year", "index"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    index: str
    title: str
    retention_rule: str
    status: CaseStatus = CaseStatus.open
    # The closing date fixes the closure year: retention counts from the end of that year.
    closed_on: dt.date | None = None
    # Space-separated codes of the registers whose documents the plan files into this case.
    registers: str = ""

    @property
    def register_codes(self) -> list[str]:
        return self.registers.split()


class DocumentationPlan(SQLModel, table=True):
    __tablename__ = "documentation_plans"

    year: int = Field(primary_key=True)
    status: PlanStatus = PlanStatus.draft
    approved_by: int | None = Field(default=None, foreign_key="users.id")
    approved_by_name: str | None = None
    approved_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class PlanArea(SQLModel, table=True):
    """A numbered activity area (veiklos sritis) that groups the plan's cases."""

    __tablename__ = "plan_areas"
    __table_args__ = (UniqueConstraint("year", "index"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    index: str
    title: str


class PlanChange(SQLModel, table=True):
    """One change to a year's plan after it was created; an approved plan is never edited
    silently, so each change keeps who made it, what it was before and after."""

    __tablename__ = "plan_changes"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    user_name: str
    action: str
    subject: str
    before: dict[str, object] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, object] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after_approval: bool = False
