"""Routes of the seed's documents: batches, summary uploads, a summary's change acts, and the
notification events of p.20. Thin: the work is in batch, tabular_import, corrections and
notifications."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, RootModel

from service.contract import XLSX, file_answer, json_body
from service.db import session_scope
from service.deps import CurrentUser, RuntimeDep, SessionDep, ensure_role, require_pledge
from service.documents import batch, corrections, notifications, tabular_import
from service.documents.kinds import kind_or_404
from service.documents.models import Document
from service.documents.schemas import DocumentOut, document_out
from service.documents.service import may_read
from service.errors import InvalidPayload, NotFound
from service.limits import BULK_LIMIT
from service.output import content_disposition
from service.params import DocumentIdPath, KindPath, RowIdPath
from service.validation import parse_payload

SUMMARY = "achievement-summary"

router = APIRouter(
    prefix="/api/documents", tags=["documents"], dependencies=[Depends(require_pledge)]
)
notifications_router = APIRouter(
    prefix="/api/notifications", tags=["notifications"], dependencies=[Depends(require_pledge)]
)
IdempotencyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


class BatchRequest(BaseModel):
    # Each item is the kind's payload (POST /api/documents/{kind} publishes their schemas).
    items: list[Any] = Field(min_length=1, max_length=batch.MAX_ITEMS)


class BatchItems(RootModel[list[Any]]):
    """The items alone, as a JSON list: the same as {"items": [...]}."""

    root: list[Any] = Field(min_length=1, max_length=batch.MAX_ITEMS)


class BatchResultOut(BaseModel):
    """One item's outcome: its document, or its refusal (the error body's two fields)."""

    index: int
    status: int = Field(description="201 (išduotas), 200 (jau išduotas tuo pačiu raktu) ar klaida.")
    document: DocumentOut | None = None
    error: str | None = None
    detail: str | None = None


class BatchOut(BaseModel):
    issued: int
    failed: int
    results: list[BatchResultOut]


@router.post(
    "/{kind}/batch", response_model=BatchOut, openapi_extra=json_body(BatchRequest, BatchItems)
)
def issue_batch(
    kind: KindPath,
    runtime: RuntimeDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
    # Enough in flight that waiting documents are joined into batches (service/rendering/queue.py).
    parallel: Annotated[int, Query(ge=1, le=16)] = 8,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    spec = kind_or_404(runtime.kinds, kind)
    request = parse_payload(BatchRequest, {"items": body} if isinstance(body, list) else body)
    results = batch.issue_all(
        runtime.issuer,
        spec,
        request.items,
        user,
        parallel=parallel,
        idempotency_prefix=idempotency_key,
    )
    issued = sum(1 for r in results if r["status"] in (200, 201))
    # Already JSON (each document dumped by its alias); BatchOut is what it publishes.
    return JSONResponse({"issued": issued, "failed": len(results) - issued, "results": results})


@router.get(f"/{SUMMARY}/template.xlsx", response_class=Response, responses=file_answer(XLSX))
def summary_template(user: CurrentUser) -> Response:
    return Response(
        content=tabular_import.blank_summary_template(),
        media_type=tabular_import.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition("suvestine.xlsx")},
    )


@router.post(f"/{SUMMARY}/upload", status_code=201, response_model=DocumentOut)
def upload_summary(
    file: UploadFile,
    runtime: RuntimeDep,
    user: CurrentUser,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    spec = kind_or_404(runtime.kinds, SUMMARY)
    ensure_role(user, spec.issue_roles, f"išduoti: {spec.title}")
    data = file.file.read(BULK_LIMIT + 1)
    if not data:
        raise InvalidPayload("Įkeltas failas tuščias.")
    try:
        payload = tabular_import.summary_from_file(data, file.filename or "failas")
    except tabular_import.SpreadsheetRejected as exc:
        return JSONResponse(
            {
                "error": exc.code,
                "detail": exc.detail,
                "errors": [
                    {"row": e.row, "column": e.column, "heading": e.heading, "message": e.message}
                    for e in exc.errors
                ],
            },
            status_code=422,
        )
    issued = runtime.issuer.issue(spec, payload, user, idempotency_key=idempotency_key)
    with session_scope(runtime.engine) as session:
        out = document_out(session, issued.document, runtime.rules)
    return JSONResponse(
        out.model_dump(mode="json", by_alias=True), status_code=200 if issued.replayed else 201
    )


@router.get("/{document_id}/change-acts", response_model=list[DocumentOut])
def summary_change_acts(
    document_id: DocumentIdPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> list[DocumentOut]:
    summary = session.get(Document, document_id)
    if summary is None:
        raise NotFound(f"Dokumentas „{document_id}“ nerastas.")
    return [
        document_out(session, d, runtime.rules)
        for d in corrections.acts_for_summary(session, summary)
        if may_read(session, user, kind_or_404(runtime.kinds, d.kind), d)
    ]


class NotificationOut(BaseModel):
    id: int
    document_id: str
    recipient_role: str
    recipient_title: str
    recipient_name: str
    message: str
    created_at: Any
    delivered_at: Any


# Who may call each: the policy table (service/access/policy.py).


def _out(n: notifications.Notification) -> NotificationOut:
    assert n.id is not None
    return NotificationOut(
        id=n.id,
        document_id=n.document_id,
        recipient_role=n.recipient_role,
        recipient_title=notifications.RECIPIENT_TITLES.get(n.recipient_role, n.recipient_role),
        recipient_name=n.recipient_name,
        message=n.message,
        created_at=n.created_at,
        delivered_at=n.delivered_at,
    )


@notifications_router.get("", response_model=list[NotificationOut])
def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    delivered: bool | None = None,
    document_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[NotificationOut]:
    rows = notifications.listing(session, delivered=delivered, document_id=document_id, limit=limit)
    return [_out(n) for n in rows]


@notifications_router.post("/{notification_id}/delivered", response_model=NotificationOut)
def notification_delivered(
    notification_id: RowIdPath, session: SessionDep, user: CurrentUser
) -> NotificationOut:
    return _out(notifications.mark_delivered(session, notification_id))
