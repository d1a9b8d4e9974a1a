"""Holds: a document or a whole case kept beyond its term (a dispute, an inquiry).

A hold is a record plus an S3 legal hold on every object version concerned, so neither Bylos
nor anyone with the store's keys can delete them; a held item is never offered for disposal.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from service.archive.cases import case_documents, held_ids, resolve_case
from service.archive.models import DestroyedDocument, Hold
from service.audit import log as audit
from service.cases.models import Case
from service.db import session_scope
from service.documents.models import Document
from service.documents.retention import document_versions
from service.errors import Conflict, InvalidPayload, NotFound
from service.runtime import Runtime
from service.stored_files import store_errors
from service.timeutil import utcnow
from service.users.models import User


def hold_out(session: Session, hold: Hold) -> dict[str, Any]:
    case = session.get(Case, hold.case_id) if hold.case_id is not None else None
    doc = session.get(Document, hold.document_id) if hold.document_id is not None else None
    return {
        "id": hold.id,
        "document_id": hold.document_id,
        "document_number": doc.number if doc else None,
        "case": {"year": case.year, "index": case.index, "title": case.title} if case else None,
        "reason": hold.reason,
        "active": hold.released_at is None,
        "created_at": hold.created_at.isoformat(),
        "released_at": hold.released_at.isoformat() if hold.released_at else None,
        "release_reason": hold.release_reason,
    }


def _documents_of(session: Session, hold: Hold) -> list[Document]:
    if hold.document_id is not None:
        doc = session.get(Document, hold.document_id)
        return [doc] if doc is not None else []
    assert hold.case_id is not None
    return case_documents(session, hold.case_id)


def place(
    runtime: Runtime,
    user: User,
    *,
    document_id: str | None,
    case_index: str | None,
    year: int | None,
    reason: str,
) -> dict[str, Any]:
    if (document_id is None) == (case_index is None):
        raise InvalidPayload(
            "Nurodykite, kas sulaikoma: dokumentą (document_id) arba bylą (case_index), bet ne abu."
        )
    with session_scope(runtime.engine) as session:
        if document_id is not None:
            doc = session.get(Document, document_id)
            if doc is None:
                raise NotFound(f"Dokumentas „{document_id}“ nerastas.")
            if session.get(DestroyedDocument, doc.id) is not None:
                raise Conflict(f"Dokumentas {doc.number} jau sunaikintas: sulaikyti nėra ko.")
            hold = Hold(document_id=doc.id, reason=reason, created_by=user.id)
        else:
            assert case_index is not None
            case = resolve_case(session, case_index, year)
            hold = Hold(case_id=case.id, reason=reason, created_by=user.id)
        docs = _documents_of(session, hold)
        # Legal holds first: if the store refuses, no record claims a hold that is not there.
        with store_errors():
            for doc in docs:
                for key, version in document_versions(session, doc):
                    runtime.store.set_legal_hold(key, version, True)
        for doc in docs:
            doc.legal_hold = True
            session.add(doc)
        session.add(hold)
        session.flush()
        audit.record(
            session,
            user.actor,
            "hold.placed",
            subject_type="hold",
            subject_id=str(hold.id),
            detail={
                "reason": reason,
                "document_id": hold.document_id,
                "case_id": hold.case_id,
                "documents": [d.number for d in docs],
            },
        )
        out = hold_out(session, hold)
        out["documents"] = [d.number for d in docs]
        return out


def release(runtime: Runtime, user: User, hold_id: int, reason: str | None) -> dict[str, Any]:
    with session_scope(runtime.engine) as session:
        hold = session.get(Hold, hold_id)
        if hold is None:
            raise NotFound(f"Sulaikymas Nr. {hold_id} nerastas.")
        if hold.released_at is not None:
            raise Conflict(f"Sulaikymas Nr. {hold_id} jau panaikintas.")
        hold.released_at = utcnow()
        hold.released_by = user.id
        hold.release_reason = reason
        session.add(hold)
        session.flush()
        # A document stays under legal hold while any other active hold still covers it.
        still_docs, still_cases = held_ids(session)
        released: list[str] = []
        with store_errors():
            for doc in _documents_of(session, hold):
                if doc.id in still_docs or doc.case_id in still_cases:
                    continue
                for key, version in document_versions(session, doc):
                    runtime.store.set_legal_hold(key, version, False)
                doc.legal_hold = False
                session.add(doc)
                released.append(doc.number)
        audit.record(
            session,
            user.actor,
            "hold.released",
            subject_type="hold",
            subject_id=str(hold.id),
            detail={"reason": reason, "released": released},
        )
        out = hold_out(session, hold)
        out["released_documents"] = released
        return out


def list_holds(runtime: Runtime, *, active_only: bool) -> list[dict[str, Any]]:
    with session_scope(runtime.engine) as session:
        stmt = select(Hold).order_by(col(Hold.id))
        if active_only:
            stmt = stmt.where(col(Hold.released_at).is_(None))
        return [hold_out(session, h) for h in session.exec(stmt)]
