"""HTTP routes for cases and the documentation plan: thin, the work is in plan.py/closing.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from service.cases import service
from service.cases.schemas import (
    AreaIn,
    CaseChange,
    CaseIn,
    CaseOut,
    CloseRequest,
    PlanOut,
)
from service.contract import XLSX, file_answer, json_body
from service.deps import CurrentUser, RuntimeDep, SessionDep
from service.output import content_disposition
from service.params import AreaIndexPath, CaseIndexPath, YearBeforeLastPath, YearPath, YearQuery
from service.timeutil import today_vilnius
from service.validation import parse_payload

router = APIRouter(tags=["cases"])

# Who may call each: the policy table (service/access/policy.py).


@router.get("/api/cases", response_model=list[CaseOut])
def list_cases(
    runtime: RuntimeDep, session: SessionDep, user: CurrentUser, year: YearQuery = None
) -> list[CaseOut]:
    return service.list_cases(session, runtime, year or today_vilnius().year)


@router.post(
    "/api/cases/close", response_model=list[CaseOut], openapi_extra=json_body(CloseRequest)
)
def close_cases(
    runtime: RuntimeDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> list[CaseOut]:
    return service.close_cases(runtime, user, parse_payload(CloseRequest, body))


@router.get("/api/plans/{year}.xlsx", response_class=Response, responses=file_answer(XLSX))
def export_plan_xlsx(
    year: YearPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> Response:
    data = service.plan_workbook(session, runtime, year)
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"dokumentacijos-planas-{year}.xlsx")},
    )


@router.get("/api/plans/{year}", response_model=PlanOut)
def get_plan(
    year: YearPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> PlanOut:
    return service.plan(session, runtime, year)


@router.post("/api/plans/{year}/import", response_model=PlanOut)
def import_plan(
    year: YearPath,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    data: Annotated[bytes, Body(media_type=XLSX)] = b"",
) -> PlanOut:
    return service.import_plan(session, runtime, user, year, data)


@router.post("/api/plans/{year}/copy-to-next", status_code=201, response_model=PlanOut)
def copy_to_next(
    year: YearBeforeLastPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> PlanOut:
    return service.copy_to_next(session, runtime, user, year)


@router.post("/api/plans/{year}/approve", response_model=PlanOut)
def approve_plan(
    year: YearPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> PlanOut:
    return service.approve_plan(session, runtime, user, year)


@router.post(
    "/api/plans/{year}/cases",
    status_code=201,
    response_model=CaseOut,
    openapi_extra=json_body(CaseIn),
)
def add_case(
    year: YearPath,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> CaseOut:
    return service.add_case(session, runtime, user, year, parse_payload(CaseIn, body))


@router.patch(
    "/api/plans/{year}/cases/{index}", response_model=CaseOut, openapi_extra=json_body(CaseChange)
)
def change_case(
    year: YearPath,
    index: CaseIndexPath,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> CaseOut:
    change = parse_payload(CaseChange, body)
    return service.change_case(session, runtime, user, year, index, change)


@router.delete("/api/plans/{year}/cases/{index}", status_code=204)
def remove_case(
    year: YearPath, index: CaseIndexPath, session: SessionDep, user: CurrentUser
) -> Response:
    service.remove_case(session, user, year, index)
    return Response(status_code=204)


@router.put(
    "/api/plans/{year}/areas/{index}", response_model=PlanOut, openapi_extra=json_body(AreaIn)
)
def put_area(
    year: YearPath,
    index: AreaIndexPath,
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
) -> PlanOut:
    area = parse_payload(AreaIn, body)
    return service.put_area(session, runtime, user, year, index, area)
