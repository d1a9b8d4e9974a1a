"""HTTP routes of the archivist's work: thin, each a call into its service module."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from retention.rules import RetentionRule
from service.archive import disposal, holds, journal, retention_admin, service
from service.archive.answers import (
    AuditVerifyOut,
    DestroyedRecordOut,
    DisposalExecutedOut,
    DisposalOut,
    DueOut,
    EvaluationOut,
    FixityReportOut,
    JournalTransferOut,
    ReevaluatedOut,
    RuleChangedOut,
)
from service.archive.service import DisposalIn, HoldIn
from service.books import service as books
from service.books.service import ExportIn
from service.contract import BYTES, ZIP, InstantText, file_answer, json_body
from service.db import session_scope
from service.deps import CurrentUser, RuntimeDep, require_pledge
from service.documents.events import record_document_event
from service.documents.models import Document, JournalFile
from service.errors import InvalidPayload, NotFound
from service.output import content_disposition
from service.params import DateQuery, DocumentIdPath, RowIdPath, RuleIdPath, YearQuery
from service.stored_files import store_errors
from service.timeutil import today_vilnius
from service.validation import IsoDate, OptionalProse, Text, parse_payload

router = APIRouter(prefix="/api", tags=["archive"])

# Who may call each: the policy table (service/access/policy.py).
_MAX_TABLE = 10 * 1024 * 1024


def _data_dir(request: Request) -> Path:
    path: Path = request.app.state.settings.data_dir
    return path


# -- retention rules -------------------------------------------------------------------------


class RuleOut(RetentionRule):
    status: str = Field(description="patvirtinta arba NEPATVIRTINTA (ar taisyklė patikrinta).")


class RulesOut(BaseModel):
    """The retention rule table the school applies (retention_admin.rules_out)."""

    description: str
    all_verified: bool
    unverified: int
    warning: str | None
    rules: list[RuleOut]


@router.get("/retention/rules", response_model=RulesOut)
def get_rules(runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    return retention_admin.rules_out(runtime.rules)


class RulesChangedOut(RulesOut):
    """A rule table imported or a rule edited (retention_admin._commit_rules): the rules in
    force after it, what changed and the documents re-evaluated."""

    rule_set: int | None = Field(
        default=None, description="Naujos taisyklių versijos id; nėra, jei niekas nepasikeitė."
    )
    changed: list[RuleChangedOut]
    unchanged: int
    documents: list[EvaluationOut]


# Keys a function leaves out stay out of the answer (exclude_unset), as it produced them.
@router.post(
    "/retention/rules/import", response_model=RulesChangedOut, response_model_exclude_unset=True
)
async def import_rules(request: Request, runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    data = await request.body()
    if len(data) > _MAX_TABLE:
        raise InvalidPayload("Lentelės failas per didelis (daugiausia 10 MiB).")
    return await to_thread.run_sync(retention_admin.import_table, runtime, data, user)


# retention_admin.edit_rule checks the changes against the whole rule (in Lithuanian).
@router.patch(
    "/retention/rules/{rule_id}",
    response_model=RulesChangedOut,
    response_model_exclude_unset=True,
    openapi_extra=json_body(changes_of=RetentionRule),
)
@router.put(
    "/retention/rules/{rule_id}",
    name="replace_rule",
    response_model=RulesChangedOut,
    response_model_exclude_unset=True,
    openapi_extra=json_body(changes_of=RetentionRule),
)
def edit_rule(
    rule_id: RuleIdPath, runtime: RuntimeDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    return retention_admin.edit_rule(runtime, rule_id, body, user)


class RuleChangeOut(BaseModel):
    """One rule added or changed by an import or an edit: the rule before and after."""

    id: int
    rule_set_id: int
    rule_id: str
    change: str = Field(description="added arba changed")
    before: dict[str, Any] | None
    after: dict[str, Any]
    changed_by: int | None
    changed_at: dt.datetime


@router.get("/retention/rules/changes", response_model=list[RuleChangeOut])
def rule_changes(runtime: RuntimeDep, user: CurrentUser) -> list[dict[str, Any]]:
    return service.rule_changes(runtime)


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_id: Annotated[Text, Field(max_length=64)]
    event_on: IsoDate
    note: Annotated[OptionalProse, Field(max_length=500)] = ""


@router.post(
    "/retention/events",
    response_model=EvaluationOut,
    response_model_exclude_unset=True,
    openapi_extra=json_body(EventIn),
)
def record_event(
    runtime: RuntimeDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> dict[str, object]:
    request = parse_payload(EventIn, body)
    return retention_admin.record_event(
        runtime, request.document_id, request.event_on, request.note, user
    )


class ReevaluateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int | None = Field(default=None, ge=1900, le=2200)


@router.post(
    "/retention/reevaluate",
    response_model=ReevaluatedOut,
    response_model_exclude_unset=True,
    openapi_extra=json_body(ReevaluateIn, required=False, nullable=True),
)
def reevaluate(
    runtime: RuntimeDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    # No body (or JSON null) is the current year; false, 0 or "" are refused as not objects.
    request = parse_payload(ReevaluateIn, {} if body is None else body)
    return retention_admin.reevaluate_year(runtime, user, request.year)


@router.get("/retention/due", response_model=DueOut)
def due(runtime: RuntimeDep, user: CurrentUser, on: DateQuery = None) -> dict[str, Any]:
    return disposal.due(runtime, on or today_vilnius())


@router.get("/retention/destroyed", response_model=list[DestroyedRecordOut])
def destroyed(
    runtime: RuntimeDep, user: CurrentUser, year: YearQuery = None
) -> list[dict[str, Any]]:
    return disposal.destroyed_records(runtime, year)


# -- holds -----------------------------------------------------------------------------------


class HoldCaseOut(BaseModel):
    year: int
    index: str
    title: str


class HoldOut(BaseModel):
    """A legal hold on one document or on a whole case (holds.hold_out)."""

    id: int
    document_id: str | None
    document_number: str | None
    case: HoldCaseOut | None
    reason: str
    active: bool
    created_at: InstantText
    released_at: InstantText | None
    release_reason: str | None


class HoldPlacedOut(HoldOut):
    documents: list[str] = Field(description="Sulaikytų dokumentų numeriai.")


class HoldReleasedOut(HoldOut):
    released_documents: list[str] = Field(description="Dokumentai, kurių sulaikymas baigėsi.")


@router.post(
    "/holds", status_code=201, response_model=HoldPlacedOut, openapi_extra=json_body(HoldIn)
)
def place_hold(
    runtime: RuntimeDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    return service.place_hold(runtime, user, parse_payload(HoldIn, body))


@router.get("/holds", response_model=list[HoldOut])
def list_holds(runtime: RuntimeDep, user: CurrentUser, active: bool = True) -> list[dict[str, Any]]:
    return holds.list_holds(runtime, active_only=active)


@router.delete("/holds/{hold_id}", response_model=HoldReleasedOut)
def release_hold(
    hold_id: RowIdPath,
    runtime: RuntimeDep,
    user: CurrentUser,
    reason: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    return holds.release(runtime, user, hold_id, reason)


# -- disposal --------------------------------------------------------------------------------


@router.post(
    "/disposals", status_code=201, response_model=DisposalOut, openapi_extra=json_body(DisposalIn)
)
def propose_disposal(
    runtime: RuntimeDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    return service.propose_disposal(runtime, user, parse_payload(DisposalIn, body))


@router.get("/disposals/{disposal_id}", response_model=DisposalOut)
def get_disposal(disposal_id: RowIdPath, runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    return disposal.get(runtime, disposal_id)


@router.post("/disposals/{disposal_id}/approve", response_model=DisposalOut)
def approve_disposal(
    disposal_id: RowIdPath, runtime: RuntimeDep, user: CurrentUser
) -> dict[str, Any]:
    return disposal.approve(runtime, user, disposal_id)


@router.post(
    "/disposals/{disposal_id}/execute",
    response_model=DisposalExecutedOut,
    response_model_exclude_unset=True,
)
def execute_disposal(
    disposal_id: RowIdPath, runtime: RuntimeDep, user: CurrentUser
) -> dict[str, Any]:
    return disposal.execute(runtime, user, disposal_id)


# -- fixity and audit ------------------------------------------------------------------------


class FixityRunOut(BaseModel):
    """One run of the fixity check over the stored files, with its report."""

    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    started_by: int | None
    checked: int
    ok: int
    bytes_read: int
    report: dict[str, Any]


@router.post("/fixity/runs", response_model=FixityReportOut, response_model_exclude_unset=True)
def run_fixity(runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    return service.run_fixity(runtime, user)


@router.get("/fixity/runs", response_model=list[FixityRunOut])
def fixity_runs(
    runtime: RuntimeDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[dict[str, Any]]:
    return service.fixity_runs(runtime, limit)


@router.get("/audit/verify", response_model=AuditVerifyOut)
def verify_audit(runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """The chain recomputed and compared with every anchor in the write-once store."""
    return service.verify_audit(runtime)


# -- year-end export -------------------------------------------------------------------------


@router.post(
    "/exports",
    dependencies=[Depends(require_pledge)],
    response_class=StreamingResponse,
    responses=file_answer(ZIP),
    openapi_extra=json_body(ExportIn),
)
def create_export(
    request: Request, runtime: RuntimeDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> StreamingResponse:
    wanted = parse_payload(ExportIn, body)
    return books.export_year(runtime, user, _data_dir(request), wanted).response()


# -- journal transfer ------------------------------------------------------------------------


@router.post(
    "/journal-transfers",
    status_code=201,
    response_model=JournalTransferOut,
    dependencies=[Depends(require_pledge)],
)
async def journal_transfer(
    request: Request,
    runtime: RuntimeDep,
    user: CurrentUser,
    filename: Annotated[str, Query(max_length=200)] = "",
    school_year: Annotated[str | None, Query(max_length=9)] = None,
    note: Annotated[str, Query(max_length=500)] = "",
) -> dict[str, Any]:
    return await journal.upload(
        request,
        runtime,
        user,
        _data_dir(request),
        filename=filename,
        school_year=school_year,
        note=note,
    )


@router.get(
    "/journal-transfers/{document_id}/file",
    dependencies=[Depends(require_pledge)],
    response_class=StreamingResponse,
    responses=file_answer(BYTES),
)
def journal_file(
    document_id: DocumentIdPath, runtime: RuntimeDep, user: CurrentUser
) -> StreamingResponse:
    with session_scope(runtime.engine) as session:
        doc = session.get(Document, document_id)
        record = session.get(JournalFile, document_id)
        if doc is None or record is None:
            raise NotFound(f"Perkeltas dienynas „{document_id}“ nerastas.")
    with store_errors():
        stream = runtime.store.get(record.object_key, record.object_version_id, 1 << 20)
    with session_scope(runtime.engine) as session:
        record_document_event(session, user.actor, "journal.downloaded", doc)
    return StreamingResponse(
        stream,
        # Whatever type the uploader claimed: a stored upload is bytes to save, never a page
        # or a script for the browser to run (the claimed type stays in the record).
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(record.object_key.rsplit("/", 1)[-1]),
            "Content-Length": str(record.size),
            "X-Content-SHA256": record.sha256,
        },
    )
