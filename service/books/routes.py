"""HTTP routes for the books of record: the archivist's year, a case's cover, the expert
commission's agreement entered on an inventory (a new version of it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from service.archive.answers import DateText
from service.archive.cases import resolve_case
from service.books import covers, inventories, year_xlsx
from service.books import year as years
from service.cases.facts import count_missing_pages, documents_of, facts
from service.cases.plan import validate_year
from service.contract import PDF, XLSX, file_answer, json_body
from service.db import session_scope
from service.deps import CurrentUser, RuntimeDep, ensure_role
from service.documents.schemas import DocumentOut, document_out
from service.documents.validation import IsoDate, Text, parse_payload
from service.output import content_disposition
from service.params import CaseIndexPath, DocumentIdPath, YearPath
from service.runtime import Runtime
from service.timeutil import today_vilnius
from service.users.models import Role

router = APIRouter(tags=["books"])

# As the archive's own routes: the archivist keeps the books, the director oversees them; the
# office, which keeps the paper files, prints covers too.
YEAR_READERS = frozenset({Role.archivist, Role.director})
COVER_PRINTERS = frozenset({Role.archivist, Role.director, Role.office_manager})
AGREEMENT_ENTERERS = frozenset({Role.archivist, Role.director})


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    protocol_date: IsoDate
    protocol_number: Text


class YearInventoryRefOut(BaseModel):
    document_id: str
    number: str


class YearCaseOut(BaseModel):
    """One case of the year as the archivist sees it (year.YearCase.as_dict)."""

    index: str
    title: str
    retention_rule: str
    group: str
    group_lt: str
    state: str
    state_lt: str
    closed_on: DateText | None
    documents: int
    sheets: int
    first_date: DateText | None
    last_date: DateText | None
    replaced: int
    destroyed: int
    inventory: YearInventoryRefOut | None
    destruction_acts: list[str]
    disposals: list[int]
    missing: list[str]
    cover: str = Field(description="Bylos viršelio (PDF) adresas.")


class YearTotalsOut(BaseModel):
    cases: int
    documents: int
    sheets: int
    destroyed: int
    missing: int


class YearInventoryOut(BaseModel):
    group: str
    group_lt: str
    document_id: str
    number: str
    commission_agreed: bool


class YearOut(BaseModel):
    """The archivist's year: its cases, counts by state and inventories (year.year_view)."""

    year: int
    cases: list[YearCaseOut]
    counts: dict[str, int] = Field(description="Bylų skaičius pagal būseną.")
    totals: YearTotalsOut
    inventories: list[YearInventoryOut]


@router.get("/api/archive/years/{year}.xlsx", response_class=Response, responses=file_answer(XLSX))
def archive_year_xlsx(year: YearPath, runtime: RuntimeDep, user: CurrentUser) -> Response:
    view = archive_year(year, runtime, user)
    return Response(
        year_xlsx.to_xlsx(view),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"bylos-{year}.xlsx")},
    )


@router.get("/api/archive/years/{year}", response_model=YearOut)
def archive_year(year: YearPath, runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    ensure_role(user, YEAR_READERS, "peržiūrėti metų bylas")
    validate_year(year)
    with session_scope(runtime.engine) as session:
        return years.year_view(runtime, session, year, today_vilnius())


@router.get(
    "/api/cases/{year}/{index}/cover.pdf", response_class=Response, responses=file_answer(PDF)
)
def case_cover(
    year: YearPath, index: CaseIndexPath, runtime: RuntimeDep, user: CurrentUser
) -> Response:
    ensure_role(user, COVER_PRINTERS, "spausdinti bylos viršelį")
    pdf = cover_of(runtime, user.name, year, index)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(f"virselis-{year}-{index}.pdf")},
    )


def cover_of(runtime: Runtime, printed_by: str, year: int, index: str) -> bytes:
    """A case's cover: its sheets counted from the documents' pages at this moment."""
    validate_year(year)
    with session_scope(runtime.engine) as session:
        case = resolve_case(session, index, year)
        docs = documents_of(session, [case.id or 0])[case.id or 0]
    # The conversion is slow: counted and converted outside the transaction.
    count_missing_pages(runtime.engine, runtime.store, docs)
    return covers.cover_pdf(
        case,
        facts(docs, runtime.records),
        rules=runtime.rules,
        records=runtime.records,
        school=runtime.school,
        converter=runtime.converter,
        printed_on=today_vilnius(),
        printed_by=printed_by,
    )


@router.post(
    "/api/inventories/{document_id}/agreement",
    status_code=201,
    response_model=DocumentOut,
    openapi_extra=json_body(AgreementIn),
)
def enter_agreement(
    document_id: DocumentIdPath,
    runtime: RuntimeDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> JSONResponse:
    ensure_role(user, AGREEMENT_ENTERERS, "įrašyti ekspertų komisijos suderinimą")
    request = parse_payload(AgreementIn, body)
    issued = inventories.enter_agreement(
        runtime, user, document_id, request.protocol_date, request.protocol_number
    )
    with session_scope(runtime.engine) as session:
        out: DocumentOut = document_out(session, issued, runtime.rules)
    return JSONResponse(out.model_dump(mode="json", by_alias=True), status_code=201)
