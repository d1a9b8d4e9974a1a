"""The archivist's use-cases, shared by the API (routes.py) and the pages (service/web/pages).

Each takes typed inputs and the acting person; who may call it is decided before, by the
policy table (service/access/policy.py) that every route and page consults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from service.archive import disposal, fixity, holds
from service.archive.models import DestroyedDocument, Disposal, FixityRun, RuleChange
from service.audit import anchors
from service.cases.schemas import CaseIndexText
from service.db import session_scope
from service.documents import service as documents
from service.documents.events import record_document_event
from service.documents.issuing import DOCX_MEDIA_TYPE
from service.errors import Gone, InvalidPayload
from service.runtime import Runtime
from service.stored_files import read_verified, store_errors
from service.users.models import User
from service.validation import Prose, Text


class HoldIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document_id: Annotated[Text, Field(max_length=64)] | None = None
    case_index: Annotated[CaseIndexText, Field(max_length=20)] | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)
    reason: Annotated[Prose, Field(max_length=1000)]


class DisposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_indexes: list[CaseIndexText] = Field(min_length=1, max_length=500)
    year: int | None = Field(default=None, ge=1900, le=2200)


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
    return fixity.run(runtime.engine, runtime.store, user.actor, user_id=user.id)


def fixity_runs(runtime: Runtime, limit: int) -> list[dict[str, Any]]:
    with session_scope(runtime.engine) as session:
        rows = session.exec(select(FixityRun).order_by(col(FixityRun.id).desc()).limit(limit))
        return [r.model_dump(mode="json") for r in rows]


def verify_audit(runtime: Runtime) -> dict[str, Any]:
    """The chain recomputed and compared with every anchor in the write-once store."""
    return anchors.verify(runtime.engine, runtime.store).out()


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
        record_document_event(session, user.actor, "document.downloaded", doc, format=format)
    return StoredFile(data, media, filename, sha)
