"""HTTP routes for documents: thin, everything happens in the issuing service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from fastapi import Path as FastAPIPath
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from service.archive import service as archive
from service.contract import DOCX, PDF, file_answer, json_body
from service.db import session_scope
from service.deps import CurrentUser, RuntimeDep, SessionDep, require_pledge
from service.documents import service
from service.documents.kinds import kind_or_404
from service.documents.models import Document
from service.documents.schemas import DocumentOut, document_out
from service.kinds import issuable_models
from service.output import content_disposition
from service.params import DocumentIdPath, KindQuery, YearQuery
from service.validation import Prose, Text, parse_payload

router = APIRouter(
    prefix="/api/documents", tags=["documents"], dependencies=[Depends(require_pledge)]
)

IdempotencyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


_ISSUABLE = issuable_models()
_EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# The kinds one may issue here, by name: the path is no free text, so a client (and
# schemathesis) does not take it for /api/documents/{document_id}.
IssuableKindPath = Annotated[str, FastAPIPath(json_schema_extra={"enum": list(_ISSUABLE)})]


def _examples() -> dict[str, Any]:
    """examples/<kind>.json: the worked payloads the README and the tests use."""
    files = (_EXAMPLES / f"{slug}.json" for slug in _ISSUABLE)
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in files if path.exists()
    }


# The body is the kind's own payload: OpenAPI cannot tie a body to a path value, so it is any
# of the kinds' models (each under its own name) with one worked example per kind.
@router.post(
    "/{kind}",
    status_code=201,
    response_model=DocumentOut,
    openapi_extra=json_body(*_ISSUABLE.values(), examples=_examples()),
)
def issue_document(
    kind: IssuableKindPath,
    runtime: RuntimeDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    spec = kind_or_404(runtime.kinds, kind)
    issued = runtime.issuer.issue(spec, body, user, idempotency_key=idempotency_key)
    with session_scope(runtime.engine) as session:
        out = document_out(session, issued.document, runtime.rules)
    return JSONResponse(
        out.model_dump(mode="json", by_alias=True), status_code=200 if issued.replayed else 201
    )


class NewVersion(BaseModel):
    reason: Annotated[Prose, Field(max_length=1000)]
    # Keys are field names; the kind's own model validates the values.
    payload: dict[Annotated[Text, Field(max_length=100)], Any]


@router.post(
    "/{document_id}/versions",
    status_code=201,
    response_model=DocumentOut,
    openapi_extra=json_body(NewVersion),
)
def new_version(
    document_id: DocumentIdPath,
    runtime: RuntimeDep,
    user: CurrentUser,
    body: Annotated[Any, Body()] = None,
    idempotency_key: IdempotencyHeader = None,
) -> JSONResponse:
    request = parse_payload(NewVersion, body)
    with session_scope(runtime.engine) as session:
        old = _get(session, document_id)
    spec = kind_or_404(runtime.kinds, old.kind)
    issued = runtime.issuer.issue(
        spec,
        request.payload,
        user,
        idempotency_key=idempotency_key,
        supersedes=old,
        reason=request.reason,
    )
    with session_scope(runtime.engine) as session:
        out = document_out(session, issued.document, runtime.rules)
    return JSONResponse(
        out.model_dump(mode="json", by_alias=True), status_code=200 if issued.replayed else 201
    )


def _get(session: SessionDep, document_id: str) -> Document:
    return service.get(session, document_id)


@router.get("/{document_id}", response_model=DocumentOut)
def get_document(
    document_id: DocumentIdPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> DocumentOut:
    return service.one(session, runtime.rules, document_id)


@router.get("", response_model=list[DocumentOut])
def list_documents(
    runtime: RuntimeDep,
    session: SessionDep,
    user: CurrentUser,
    kind: KindQuery = None,
    year: YearQuery = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DocumentOut]:
    wanted = service.DocumentFilter(kind=kind, year=year, q=q, limit=limit)
    return service.find(session, runtime.kinds, runtime.rules, user, wanted)


@router.get("/{document_id}/file", response_class=Response, responses=file_answer(PDF, DOCX))
def get_file(
    document_id: DocumentIdPath,
    runtime: RuntimeDep,
    user: CurrentUser,
    format: Annotated[
        str, Query(max_length=10, json_schema_extra={"enum": ["pdf", "docx"]})
    ] = "pdf",
) -> Response:
    found = archive.stored_file(runtime, user, document_id, format)
    return Response(
        content=found.data,
        media_type=found.media_type,
        headers={
            "Content-Disposition": content_disposition(found.filename),
            "X-Content-SHA256": found.sha256,
        },
    )
