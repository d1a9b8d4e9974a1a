"""HTTP routes for the books of record: the archivist's year, a case's cover, the expert
commission's agreement entered on an inventory (a new version of it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse

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


@router.get("/api/archive/years/{year}.xlsx", response_class=Response, responses=file_answer(XLSX))
def archive_year_xlsx(year: YearPath, runtime: RuntimeDep, user: CurrentUser) -> Response:
    return Response(
        service.year_workbook(runtime, year),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"bylos-{year}.xlsx")},
    )


@router.get("/api/archive/years/{year}")
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
