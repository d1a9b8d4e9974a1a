"""The registers' use-cases, shared by the registry API (service/registry/routes.py) and the
register pages: the list with each register's counts, a register-year's entries and listings,
the admin's changes. Here in books/ because a register-year's entries are the register book
(books/register.py); service/registry/ below keeps the registers and their numbers.

Who may call each is decided before, by the policy table (service/access/policy.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from service.books import register as books_register
from service.cases.plan import validate_year
from service.cases.schemas import CaseIndexText
from service.db import session_scope
from service.registry import admin, listing, numbering
from service.registry.listing import RegisterOut, RegisterRow
from service.registry.models import Register, RegistryEntry
from service.runtime import Runtime
from service.timeutil import today_vilnius
from service.users.models import User
from service.validation import Text, exactly


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# What admin.validate_* check, published (the checks keep their own messages).
_LITERAL = "[A-Za-zĄČĘĖĮŠŲŪŽąčęėįšųūž0-9./_ -]"
_FIELD = r"\{(seq|year)(:(0?[1-9])?d?)?\}"
_PART = rf"({_LITERAL}|\{{code\}}|{_FIELD})"
NUMBER_FORMAT = rf"^{_PART}*\{{seq(:(0?[1-9])?d?)?\}}{_PART}*$"
Title = Annotated[Text, Field(json_schema_extra={"maxLength": 200})]
NumberFormat = Annotated[
    Text, Field(json_schema_extra=exactly(pattern=NUMBER_FORMAT, maxLength=40))
]


class RegisterIn(_Body):
    code: Annotated[Text, Field(json_schema_extra=exactly(pattern=admin.CODE.pattern))]
    title: Title
    case_index: CaseIndexText
    number_format: NumberFormat = admin.DEFAULT_FORMAT


class RegisterPatch(_Body):
    title: Title | None = None
    case_index: CaseIndexText | None = None
    number_format: NumberFormat | None = None


def list_registers(session: Session) -> list[RegisterOut]:
    return [listing.register_out(r) for r in admin.all_registers(session)]


def add_register(session: Session, user: User, new: RegisterIn) -> RegisterOut:
    register = admin.add_register(
        session,
        user.actor,
        code=new.code,
        title=new.title,
        case_index=new.case_index,
        number_format=new.number_format,
    )
    return listing.register_out(register)


def change_register(session: Session, user: User, code: str, patch: RegisterPatch) -> RegisterOut:
    change = admin.RegisterChange(
        title=patch.title, case_index=patch.case_index, number_format=patch.number_format
    )
    return listing.register_out(admin.change_register(session, user.actor, code, change))


def year_entries(
    session: Session, code: str, year: int | None
) -> tuple[Register, int, list[RegisterRow]]:
    """A register and its entries of a year (this year unless one is named)."""
    year = validate_year(year or today_vilnius().year)
    register = numbering.get_register(session, code)
    return register, year, books_register.rows(session, code, year)


def entries(engine: Engine, code: str, year: int | None) -> tuple[Register, int, list[RegisterRow]]:
    """As year_entries, in a short transaction of its own (a listing is converted outside it)."""
    with session_scope(engine) as session:
        return year_entries(session, code, year)


def entries_pdf(runtime: Runtime, user: User, code: str, year: int | None) -> tuple[int, bytes]:
    """A register-year's listing as PDF/A; the conversion is slow, so outside the transaction."""
    register, year, rows = entries(runtime.engine, code, year)
    pdf = listing.to_pdf(
        register,
        year,
        rows,
        school=runtime.school,
        converter=runtime.converter,
        printed_on=today_vilnius(),
        printed_by=user.name,
    )
    return year, pdf


def register(engine: Engine, code: str) -> Register:
    with session_scope(engine) as session:
        return numbering.get_register(session, code)


@dataclass(frozen=True, slots=True)
class Overview:
    """Every register with its entries of a year counted by status, and the years that have
    entries (this year always among them, newest first)."""

    registers: list[Register]
    counts: dict[tuple[str, str], int]
    years: list[int]


def overview(engine: Engine, year: int) -> Overview:
    with session_scope(engine) as session:
        registers = admin.all_registers(session)
        counts: dict[tuple[str, str], int] = {}
        for code, status, n in session.exec(
            select(RegistryEntry.register_code, RegistryEntry.status, func.count())
            .where(RegistryEntry.year == year)
            .group_by(col(RegistryEntry.register_code), col(RegistryEntry.status))
        ):
            counts[(code, str(status))] = n
        years = sorted(
            set(session.exec(select(RegistryEntry.year).distinct())) | {today_vilnius().year},
            reverse=True,
        )
    return Overview(registers, counts, years)
