"""HTTP routes for registers: listing, entries (JSON, XLSX, PDF/A) and the admin's changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from service.books import registers as service
from service.books.registers import RegisterIn, RegisterPatch
from service.contract import PDF, XLSX, file_answer, json_body
from service.deps import CurrentUser, RuntimeDep, SessionDep
from service.output import content_disposition
from service.params import RegisterCodePath, YearQuery
from service.registry import listing
from service.registry.listing import EntryOut, RegisterOut, RegisterRow
from service.registry.models import Register
from service.users.models import User
from service.validation import parse_payload

router = APIRouter(prefix="/api/registers", tags=["registry"])

# Who may call each: the policy table (service/access/policy.py).


@router.get("", response_model=list[RegisterOut])
def list_registers(session: SessionDep, user: CurrentUser) -> list[RegisterOut]:
    return service.list_registers(session)


@router.post("", status_code=201, response_model=RegisterOut, openapi_extra=json_body(RegisterIn))
def add_register(
    session: SessionDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> JSONResponse:
    added = service.add_register(session, user, parse_payload(RegisterIn, body))
    return JSONResponse(added.model_dump(mode="json"), status_code=201)


@router.patch("/{code}", response_model=RegisterOut, openapi_extra=json_body(RegisterPatch))
def change_register(
    code: RegisterCodePath,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> RegisterOut:
    return service.change_register(session, user, code, parse_payload(RegisterPatch, body))


def _year_entries(
    session: Session, user: User, code: str, year: int | None
) -> tuple[Register, int, list[RegisterRow]]:
    return service.year_entries(session, code, year)


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
    year, pdf = service.entries_pdf(runtime, user, code, year)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(f"registras-{code}-{year}.pdf")},
    )
