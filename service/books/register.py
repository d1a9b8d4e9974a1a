"""A register-year's rows with what each registered document is and what became of it.

Dokumentų tvarkymo ir apskaitos taisyklės (V-118, edition of VE-68 as amended), the chapter on
registering documents: a registration record names the document's date and number, its heading
(antraštė), its addressee (for a sent document) or author, who signed it, the case it is filed
in, and notes on its later life. The register is never edited: a replaced, voided or destroyed
document keeps its row and the note says what happened.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.archive.cases import active_holds
from service.archive.models import DestroyedDocument
from service.audit.models import AuditEvent
from service.cases.models import Case
from service.documents.models import Document
from service.documents.versions import replaced_by
from service.registry import numbering
from service.registry.listing import RegisterRow
from service.timeutil import VILNIUS


def rows(session: Session, code: str, year: int) -> list[RegisterRow]:
    """Every number of ``code`` in ``year`` with its document's heading and notes."""
    entries = numbering.entries(session, code, year)
    ids = [e.document_id for e in entries if e.document_id]
    docs = {d.id: d for d in session.exec(select(Document).where(col(Document.id).in_(ids)))}
    case_ids = {d.case_id for d in docs.values()}
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(case_ids)))}
    replaced = replaced_by(session, ids)
    reasons = {
        e.subject_id: str(e.detail.get("reason") or "")
        for e in session.exec(
            select(AuditEvent).where(
                AuditEvent.action == "document.version_issued",
                col(AuditEvent.subject_id).in_([r.id for r in replaced.values()]),
            )
        )
    }
    destroyed = {
        s.document_id: s
        for s in session.exec(
            select(DestroyedDocument).where(col(DestroyedDocument.document_id).in_(ids))
        )
    }
    held: dict[str, str] = {}
    for hold in active_holds(session):
        for doc in docs.values():
            if hold.document_id == doc.id or hold.case_id == doc.case_id:
                held.setdefault(doc.id, hold.reason)
    out: list[RegisterRow] = []
    for entry in entries:
        found = docs.get(entry.document_id or "")
        if found is None:
            out.append(RegisterRow(entry=entry, heading=entry.title))
            continue
        doc = found
        case = cases.get(doc.case_id)
        newer = replaced.get(doc.id)
        stub = destroyed.get(doc.id)
        out.append(
            RegisterRow(
                entry=entry,
                heading=doc.heading or doc.title,
                addressee=doc.addressee,
                signer=doc.signer,
                case_index=case.index if case else "",
                replaced_by=newer.number if newer else None,
                replaced_reason=reasons.get(newer.id, "") if newer else "",
                destroyed_by=stub.act_number if stub else None,
                destroyed_on=stub.destroyed_at.astimezone(VILNIUS).date() if stub else None,
                held=held.get(doc.id),
            )
        )
    return out
