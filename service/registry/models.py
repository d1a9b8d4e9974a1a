"""Registers, their yearly counters and every number ever given out."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db_types import AwareDateTime
from service.timeutil import utcnow


class EntryStatus(StrEnum):
    # A number is reserved before rendering (the document carries it) and then becomes
    # registered, or void with a reason: nothing is ever left unexplained or reused.
    reserved = "reserved"
    registered = "registered"
    void = "void"


class Register(SQLModel, table=True):
    __tablename__ = "registers"

    code: str = Field(primary_key=True)
    title: str
    number_format: str = "{code}-{seq}"
    case_index: str
    yearly_restart: bool = True


class RegisterCounter(SQLModel, table=True):
    __tablename__ = "register_counters"

    register_code: str = Field(primary_key=True, foreign_key="registers.code")
    year: int = Field(primary_key=True)
    last_seq: int = 0


class RegistryEntry(SQLModel, table=True):
    __tablename__ = "registry_entries"
    __table_args__ = (UniqueConstraint("register_code", "year", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    register_code: str = Field(foreign_key="registers.code", index=True)
    year: int
    seq: int
    number: str
    date: dt.date
    title: str
    status: EntryStatus = EntryStatus.reserved
    document_id: str | None = None
    void_reason: str | None = None
    reserved_by: int | None = None
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
