"""HTTP routes for registers: listing, entries (JSON, XLSX, PDF/A) and the admin's changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from service.audit.log import Actor
from service.books import register as books_register
from service.cases.plan import validate_year
from service.cases.schemas import CaseIndexText
from service.contract import PDF, XLSX, file_answer, json_body
from service.db import session_scope
from service.deps import CurrentUser, RuntimeDep, SessionDep, ensure_role
from service.documents.validation import Text, exactly, parse_payload
from service.output import content_disposition
from service.params import RegisterCodePath, YearQuery
from service.registry import admin, listing, numbering
from service.registry.listing import EntryOut, RegisterOut, RegisterRow
from service.registry.models import Register
from service.timeutil import today_vilnius
from service.users.models import Role, User

router = APIRouter(prefix="/api/registers", tags=["registry"])

READERS = frozenset({Role.office_manager, Role.deputy, Role.archivist, Role.director, Role.admin})
ADMINS = frozenset({Role.admin})


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


def _actor(user: User) -> Actor:
    return Actor(id=user.id, name=user.name)


@router.get("", response_model=list[RegisterOut])
def list_registers(session: SessionDep, user: CurrentUser) -> list[RegisterOut]:
    ensure_role(user, READERS, "peržiūrėti registrus")
    return [listing.register_out(r) for r in admin.all_registers(session)]


@router.post("", status_code=201, response_model=RegisterOut, openapi_extra=json_body(RegisterIn))
def add_register(
    session: SessionDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> JSONResponse:
    ensure_role(user, ADMINS, "pridėti registrą")
    request = parse_payload(RegisterIn, body)
    register = admin.add_register(
        session,
        _actor(user),
        code=request.code,
        title=request.title,
        case_index=request.case_index,
        number_format=request.number_format,
    )
    return JSONResponse(listing.register_out(register).model_dump(mode="json"), status_code=201)


@router.patch("/{code}", response_model=RegisterOut, openapi_extra=json_body(RegisterPatch))
def change_register(
    code: RegisterCodePath,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> RegisterOut:
    ensure_role(user, ADMINS, "keisti registrą")
    request = parse_payload(RegisterPatch, body)
    change = admin.RegisterChange(
        title=request.title, case_index=request.case_index, number_format=request.number_format
    )
    return listing.register_out(admin.change_register(session, _actor(user), code, change))


def _year_entries(
    session: Session, user: User, code: str, year: int | None
) -> tuple[Register, int, list[RegisterRow]]:
    ensure_role(user, READERS, "peržiūrėti registrą")
    year = validate_year(year or today_vilnius().year)
    register = numbering.get_register(session, code)
    return register, year, books_register.rows(session, code, year)


@router.get("/{code}/entries", response_model=list[EntryOut])
def list_entries(
    code: RegisterCodePath, session: SessionDep, user: CurrentUser, year: YearQuery = None
) -> list[EntryOut]:
    _, _, entries = _year_entries(session, user, code, year)
    return [listing.entry_out(e) for e in entries]


@router.get("/{code}/entries.xlsx", response_class=Response, responses=file_answer(XLSX))
def entries_xlsx(
    code: RegisterCodePath, session: SessionDep, user: CurrentUser, year: YearQuery = None
) -> Response:
    register, year, entries = _year_entries(session, user, code, year)
    return Response(
        listing.to_xlsx(register, year, entries),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"registras-{code}-{year}.xlsx")},
    )


@router.get("/{code}/entries.pdf", response_class=Response, responses=file_answer(PDF))
def entries_pdf(
    code: RegisterCodePath, runtime: RuntimeDep, user: CurrentUser, year: YearQuery = None
) -> Response:
    # The conversion is slow: read the entries in a short transaction, convert outside it.
    with session_scope(runtime.engine) as session:
        register, year, entries = _year_entries(session, user, code, year)
    pdf = listing.to_pdf(
        register,
        year,
        entries,
        school=runtime.school,
        converter=runtime.converter,
        printed_on=today_vilnius(),
        printed_by=user.name,
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(f"registras-{code}-{year}.pdf")},
    )
