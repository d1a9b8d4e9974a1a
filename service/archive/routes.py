"""HTTP routes of the archivist's work: thin, each a call into its service module."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select
from starlette.background import BackgroundTask

from retention.rules import RetentionRule
from service.archive import disposal, export, fixity, holds, journal, retention_admin
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
from service.archive.models import FixityRun, RuleChange
from service.audit import anchors
from service.audit import log as audit
from service.audit.log import Actor
from service.cases.schemas import CaseIndexText
from service.contract import BYTES, ZIP, file_answer, json_body
from service.db import session_scope
from service.deps import CurrentUser, RuntimeDep, ensure_role, require_pledge
from service.documents.files import store_errors
from service.documents.kinds import kind_or_404
from service.documents.models import Document, JournalFile
from service.documents.validation import IsoDate, OptionalProse, Prose, Text, parse_payload
from service.errors import InvalidPayload, NotFound
from service.output import content_disposition
from service.params import DateQuery, DocumentIdPath, RowIdPath, RuleIdPath, YearQuery
from service.timeutil import today_vilnius
from service.users.models import Role

router = APIRouter(prefix="/api", tags=["archive"])

ARCHIVIST = frozenset({Role.archivist})
OVERSIGHT = frozenset({Role.archivist, Role.director})
AUDITORS = frozenset({Role.archivist, Role.director, Role.admin})
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
    ensure_role(user, ARCHIVIST, "importuoti saugojimo terminų lentelę")
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
    ensure_role(user, ARCHIVIST, "keisti saugojimo taisyklę")
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
    ensure_role(user, AUDITORS, "peržiūrėti saugojimo taisyklių pakeitimus")
    with session_scope(runtime.engine) as session:
        rows = session.exec(select(RuleChange).order_by(col(RuleChange.id)))
        return [r.model_dump(mode="json") for r in rows]


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
    ensure_role(
        user,
        frozenset({Role.archivist, Role.office_manager, Role.admin}),
        "įrašyti saugojimo termino įvykį",
    )
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
    ensure_role(user, ARCHIVIST, "perskaičiuoti saugojimo terminus")
    # No body (or JSON null) is the current year; false, 0 or "" are refused as not objects.
    request = parse_payload(ReevaluateIn, {} if body is None else body)
    return retention_admin.reevaluate_year(runtime, user, request.year)


@router.get("/retention/due", response_model=DueOut)
def due(runtime: RuntimeDep, user: CurrentUser, on: DateQuery = None) -> dict[str, Any]:
    ensure_role(user, OVERSIGHT, "peržiūrėti naikintinas bylas")
    return disposal.due(runtime, on or today_vilnius())


@router.get("/retention/destroyed", response_model=list[DestroyedRecordOut])
def destroyed(
    runtime: RuntimeDep, user: CurrentUser, year: YearQuery = None
) -> list[dict[str, Any]]:
    ensure_role(
        user,
        frozenset({Role.archivist, Role.director, Role.office_manager}),
        "peržiūrėti sunaikintų dokumentų aprašus",
    )
    return disposal.destroyed_records(runtime, year)


# -- holds -----------------------------------------------------------------------------------


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_id: Annotated[Text, Field(max_length=64)] | None = None
    case_index: Annotated[CaseIndexText, Field(max_length=20)] | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)
    reason: Annotated[Prose, Field(max_length=1000)]


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
    created_at: Annotated[str, Field(json_schema_extra={"format": "date-time"})]
    released_at: Annotated[str, Field(json_schema_extra={"format": "date-time"})] | None
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
    ensure_role(user, ARCHIVIST, "sulaikyti dokumentus")
    request = parse_payload(HoldIn, body)
    return holds.place(
        runtime,
        user,
        document_id=request.document_id,
        case_index=request.case_index,
        year=request.year,
        reason=request.reason,
    )


@router.get("/holds", response_model=list[HoldOut])
def list_holds(runtime: RuntimeDep, user: CurrentUser, active: bool = True) -> list[dict[str, Any]]:
    ensure_role(user, OVERSIGHT, "peržiūrėti sulaikymus")
    return holds.list_holds(runtime, active_only=active)


@router.delete("/holds/{hold_id}", response_model=HoldReleasedOut)
def release_hold(
    hold_id: RowIdPath,
    runtime: RuntimeDep,
    user: CurrentUser,
    reason: Annotated[str | None, Query(max_length=1000)] = None,
) -> dict[str, Any]:
    ensure_role(user, ARCHIVIST, "panaikinti sulaikymą")
    return holds.release(runtime, user, hold_id, reason)


# -- disposal --------------------------------------------------------------------------------


class DisposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_indexes: list[CaseIndexText] = Field(min_length=1, max_length=500)
    year: int | None = Field(default=None, ge=1900, le=2200)


@router.post(
    "/disposals", status_code=201, response_model=DisposalOut, openapi_extra=json_body(DisposalIn)
)
def propose_disposal(
    runtime: RuntimeDep, user: CurrentUser, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    ensure_role(user, ARCHIVIST, "teikti dokumentų naikinimo aktą")
    request = parse_payload(DisposalIn, body)
    return disposal.propose(runtime, user, request.case_indexes, request.year)


@router.get("/disposals/{disposal_id}", response_model=DisposalOut)
def get_disposal(disposal_id: RowIdPath, runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    ensure_role(user, OVERSIGHT, "peržiūrėti naikinimo aktą")
    return disposal.get(runtime, disposal_id)


@router.post("/disposals/{disposal_id}/approve", response_model=DisposalOut)
def approve_disposal(
    disposal_id: RowIdPath, runtime: RuntimeDep, user: CurrentUser
) -> dict[str, Any]:
    ensure_role(user, frozenset({Role.director}), "tvirtinti dokumentų naikinimo aktą")
    return disposal.approve(runtime, user, disposal_id)


@router.post(
    "/disposals/{disposal_id}/execute",
    response_model=DisposalExecutedOut,
    response_model_exclude_unset=True,
)
def execute_disposal(
    disposal_id: RowIdPath, runtime: RuntimeDep, user: CurrentUser
) -> dict[str, Any]:
    ensure_role(user, ARCHIVIST, "naikinti dokumentus pagal aktą")
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
    ensure_role(user, ARCHIVIST, "tikrinti saugomų failų vientisumą")
    return fixity.run(
        runtime.engine, runtime.store, Actor(id=user.id, name=user.name), user_id=user.id
    )


@router.get("/fixity/runs", response_model=list[FixityRunOut])
def fixity_runs(
    runtime: RuntimeDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[dict[str, Any]]:
    ensure_role(user, AUDITORS, "peržiūrėti vientisumo patikras")
    with session_scope(runtime.engine) as session:
        rows = session.exec(select(FixityRun).order_by(col(FixityRun.id).desc()).limit(limit))
        return [r.model_dump(mode="json") for r in rows]


@router.get("/audit/verify", response_model=AuditVerifyOut)
def verify_audit(runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """The chain recomputed and compared with every anchor in the write-once store."""
    ensure_role(user, AUDITORS, "tikrinti audito žurnalo grandinę")
    return anchors.verify(runtime.engine, runtime.store).out()


# -- year-end export -------------------------------------------------------------------------


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1900, le=2200)


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
    ensure_role(user, ARCHIVIST, "eksportuoti metų bylas")
    wanted = parse_payload(ExportIn, body)
    name = export.export_dir_name(runtime.school, wanted.year)
    work = _data_dir(request) / "exports" / uuid.uuid4().hex / name
    try:
        bag_dir, _summary = export.build_bag(
            runtime.engine,
            runtime.store,
            runtime.school,
            runtime.rules,
            wanted.year,
            work,
            Actor(id=user.id, name=user.name),
            converter=runtime.converter,
            records=runtime.records,
        )
    except BaseException:
        shutil.rmtree(work.parent, ignore_errors=True)
        raise
    return StreamingResponse(
        export.zip_stream(bag_dir, remove=True),
        media_type="application/zip",
        headers={"Content-Disposition": content_disposition(f"{name}.zip")},
        # Also when the client goes away before the end of the stream.
        background=BackgroundTask(shutil.rmtree, work.parent, ignore_errors=True),
    )


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
    ensure_role(
        user,
        frozenset({Role.admin, Role.deputy, Role.archivist}),
        "perkelti dienyną į skaitmeninę laikmeną",
    )
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
    ensure_role(user, kind_or_404(runtime.kinds, doc.kind).read_roles, "atsisiųsti dienyną")
    with store_errors():
        stream = runtime.store.get(record.object_key, record.object_version_id, 1 << 20)
    with session_scope(runtime.engine) as session:
        audit.record(
            session,
            Actor(id=user.id, name=user.name),
            "journal.downloaded",
            subject_type="document",
            subject_id=doc.id,
            detail={"number": doc.number},
        )
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
