"""The archivist's use-cases, shared by the API (routes.py) and the pages (service/web/pages).

Each takes typed inputs and the acting person; who may call it is decided before, by the
policy table (service/access/policy.py) that every route and page consults.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from service.archive import disposal, export, fixity, holds
from service.archive.models import DestroyedDocument, Disposal, FixityRun, RuleChange
from service.audit import anchors
from service.audit import log as audit
from service.audit.log import Actor
from service.db import session_scope
from service.documents import service as documents
from service.documents.files import read_verified, store_errors
from service.documents.issuing import DOCX_MEDIA_TYPE
from service.documents.validation import Prose, Text
from service.errors import Gone, InvalidPayload
from service.output import content_disposition
from service.runtime import Runtime
from service.users.models import User


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_id: Annotated[Text, Field(max_length=64)] | None = None
    case_index: Annotated[Text, Field(max_length=20)] | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)
    reason: Annotated[Prose, Field(max_length=1000)]


class DisposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_indexes: list[Text] = Field(min_length=1, max_length=500)
    year: int | None = Field(default=None, ge=1900, le=2200)


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1900, le=2200)


def rule_changes(runtime: Runtime) -> list[dict[str, Any]]:
    with session_scope(runtime.engine) as session:
        rows = session.exec(select(RuleChange).order_by(col(RuleChange.id)))
        return [r.model_dump(mode="json") for r in rows]


def place_hold(runtime: Runtime, user: User, wanted: HoldIn) -> dict[str, Any]:
    return holds.place(
        runtime,
        user,
        document_id=wanted.document_id,
        case_index=wanted.case_index,
        year=wanted.year,
        reason=wanted.reason,
    )


def propose_disposal(runtime: Runtime, user: User, wanted: DisposalIn) -> dict[str, Any]:
    return disposal.propose(runtime, user, wanted.case_indexes, wanted.year)


def disposals(runtime: Runtime) -> list[Disposal]:
    """Every disposal act, the newest first."""
    with session_scope(runtime.engine) as session:
        return list(session.exec(select(Disposal).order_by(col(Disposal.id).desc())))


def run_fixity(runtime: Runtime, user: User) -> dict[str, Any]:
    return fixity.run(
        runtime.engine, runtime.store, Actor(id=user.id, name=user.name), user_id=user.id
    )


def fixity_runs(runtime: Runtime, limit: int) -> list[dict[str, Any]]:
    with session_scope(runtime.engine) as session:
        rows = session.exec(select(FixityRun).order_by(col(FixityRun.id).desc()).limit(limit))
        return [r.model_dump(mode="json") for r in rows]


def verify_audit(runtime: Runtime) -> dict[str, Any]:
    """The chain recomputed and compared with every anchor in the write-once store."""
    return anchors.verify(runtime.engine, runtime.store).out()


@dataclass(frozen=True, slots=True)
class YearExport:
    """A BagIt zip of the year's closed cases, streamed while it is written; ``work`` is
    removed when the stream ends (also when the client goes away before it)."""

    filename: str
    chunks: Iterator[bytes]
    work: Path

    def response(self) -> StreamingResponse:
        return StreamingResponse(
            self.chunks,
            media_type="application/zip",
            headers={"Content-Disposition": content_disposition(self.filename)},
            # Also when the client goes away before the end of the stream.
            background=BackgroundTask(shutil.rmtree, self.work, ignore_errors=True),
        )


def export_year(runtime: Runtime, user: User, data_dir: Path, wanted: ExportIn) -> YearExport:
    name = export.export_dir_name(runtime.school, wanted.year)
    work = data_dir / "exports" / uuid.uuid4().hex / name
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
    return YearExport(f"{name}.zip", export.zip_stream(bag_dir, remove=True), work.parent)


@dataclass(frozen=True, slots=True)
class StoredFile:
    data: bytes
    media_type: str
    filename: str
    sha256: str


def stored_file(runtime: Runtime, user: User, document_id: str, format: str) -> StoredFile:
    """A document's stored PDF or DOCX, verified against its hash; the download is audited.
    Here, not in documents/, because the archive may have destroyed the files (410)."""
    if format not in ("pdf", "docx"):
        raise InvalidPayload(f"Netinkamas formatas „{format}“: galimi „pdf“ arba „docx“.")
    with session_scope(runtime.engine) as session:
        doc = documents.get(session, document_id)
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
    return StoredFile(data, media, filename, sha)
