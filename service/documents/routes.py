"""HTTP routes for documents: thin, everything happens in the issuing service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from fastapi import Path as FastAPIPath
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import col, select

from service.access import classes
from service.archive.models import DestroyedDocument
from service.audit import log as audit
from service.audit.log import Actor
from service.contract import DOCX, PDF, file_answer, json_body
from service.db import session_scope
from service.deps import CurrentUser, RuntimeDep, SessionDep, ensure_role, require_pledge
from service.documents.files import read_verified, store_errors
from service.documents.issuing import DOCX_MEDIA_TYPE
from service.documents.kinds import KindSpec, issuable_models, kind_or_404
from service.documents.models import Document
from service.documents.schemas import DocumentOut, document_out
from service.documents.validation import Prose, Text, parse_payload
from service.errors import Gone, InvalidPayload, NotFound
from service.lt import search_words
from service.output import content_disposition
from service.params import DocumentIdPath, KindQuery, YearQuery
from service.users.models import User

router = APIRouter(
    prefix="/api/documents", tags=["documents"], dependencies=[Depends(require_pledge)]
)

IdempotencyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]
MAX_QUERY_WORDS = 10


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
    ensure_role(user, spec.issue_roles, f"išduoti: {spec.title}")
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
    ensure_role(user, spec.issue_roles, f"taisyti: {spec.title}")
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
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"Dokumentas „{document_id}“ nerastas.")
    return doc


@router.get("/{document_id}", response_model=DocumentOut)
def get_document(
    document_id: DocumentIdPath, runtime: RuntimeDep, session: SessionDep, user: CurrentUser
) -> DocumentOut:
    doc = _get(session, document_id)
    ensure_role(user, kind_or_404(runtime.kinds, doc.kind).read_roles, "peržiūrėti dokumentą")
    return document_out(session, doc, runtime.rules)


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
    readable = [s.slug for s in runtime.kinds.values() if user.role_set & s.read_roles]
    if kind is not None:
        ensure_role(user, kind_or_404(runtime.kinds, kind).read_roles, "peržiūrėti dokumentus")
        readable = [kind]
    stmt = select(Document).where(col(Document.kind).in_(readable))
    if year is not None:
        stmt = stmt.where(Document.year == year)
    # Every word of the query, folded as the stored key was (case and Lithuanian letters
    # dropped: "zukauskaite" finds "Žukauskaitė"), must occur; LIKE on the folded key behaves
    # the same on SQLite and PostgreSQL. "%" and "_" are the user's letters, not wildcards.
    for word in search_words(q or "")[:MAX_QUERY_WORDS]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(col(Document.search_key).like(f"%{escaped}%", escape="\\"))
    stmt = stmt.order_by(col(Document.created_at).desc()).limit(limit)
    return [
        document_out(session, d, runtime.rules)
        for d in session.exec(stmt)
        if may_read(session, user, runtime.kinds[d.kind], d)
    ]


def may_read(session: SessionDep, user: User, spec: KindSpec, doc: Document) -> bool:
    """Whether this person may open this document: the kind's roles and, for a class teacher,
    the class they lead (a listing shows nothing the reader may not open)."""
    return bool(user.role_set & spec.read_roles) and classes.may_act(
        session, user, spec.read_roles, doc.payload, doc.registered_on
    )


@router.get("/{document_id}/file", response_class=Response, responses=file_answer(PDF, DOCX))
def get_file(
    document_id: DocumentIdPath,
    runtime: RuntimeDep,
    user: CurrentUser,
    format: Annotated[
        str, Query(max_length=10, json_schema_extra={"enum": ["pdf", "docx"]})
    ] = "pdf",
) -> Response:
    if format not in ("pdf", "docx"):
        raise InvalidPayload(f"Netinkamas formatas „{format}“: galimi „pdf“ arba „docx“.")
    with session_scope(runtime.engine) as session:
        doc = _get(session, document_id)
        ensure_role(user, kind_or_404(runtime.kinds, doc.kind).read_roles, "atsisiųsti dokumentą")
        destroyed = session.get(DestroyedDocument, doc.id)
    if destroyed is not None:
        raise Gone(
            f"Dokumento Nr. {doc.number} failai sunaikinti pagal dokumentų naikinimo aktą "
            f"Nr. {destroyed.act_number} ({destroyed.destroyed_at.date().isoformat()}); "
            "registre lieka jo aprašas ir kontrolinė suma."
        )
    if format == "pdf":
        key, version, sha, media = doc.object_key, doc.object_version_id, doc.sha256, doc.media_type
        filename = f"{doc.number}.pdf"
    else:
        key, version, sha, media = (
            doc.docx_key,
            doc.docx_version_id,
            doc.docx_sha256,
            DOCX_MEDIA_TYPE,
        )
        filename = f"{doc.number}.docx"
    with store_errors():
        data = runtime.store.read(key, version)
    # Certificates are small: verifying before sending means a damaged file is never served.
    data = read_verified(data, sha)
    with session_scope(runtime.engine) as session:
        audit.record(
            session,
            Actor(id=user.id, name=user.name),
            "document.downloaded",
            subject_type="document",
            subject_id=doc.id,
            detail={"format": format, "number": doc.number},
        )
    return Response(
        content=data,
        media_type=media,
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-SHA256": sha,
        },
    )
