"""HTTP routes for the books of record: the archivist's year, a case's cover, the expert
commission's agreement entered on an inventory (a new version of it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service.archive.answers import DateText
from service.books import service
from service.books.service import AgreementIn
from service.contract import PDF, XLSX, file_answer, json_body
from service.deps import CurrentUser, RuntimeDep
from service.documents.schemas import DocumentOut
from service.output import content_disposition
from service.params import CaseIndexPath, DocumentIdPath, YearPath
from service.validation import parse_payload

router = APIRouter(tags=["books"])

# Who may call each: the policy table (service/access/policy.py).


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
    return Response(
        service.year_workbook(runtime, year),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"bylos-{year}.xlsx")},
    )


@router.get("/api/archive/years/{year}", response_model=YearOut)
def archive_year(year: YearPath, runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    return service.year_view(runtime, year)


@router.get(
    "/api/cases/{year}/{index}/cover.pdf", response_class=Response, responses=file_answer(PDF)
)
def case_cover(
    year: YearPath, index: CaseIndexPath, runtime: RuntimeDep, user: CurrentUser
) -> Response:
    pdf = service.cover_of(runtime, user.name, year, index)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(f"virselis-{year}-{index}.pdf")},
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
    wanted = parse_payload(AgreementIn, body)
    out = service.enter_agreement(runtime, user, document_id, wanted)
    return JSONResponse(out.model_dump(mode="json", by_alias=True), status_code=201)
