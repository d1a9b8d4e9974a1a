"""The audit event about one document, written the same way wherever it happens: its subject
is the document and its detail names the document's number, so the log can be searched by
either (the number is what people quote, the id what outlives a disposal)."""

from __future__ import annotations

from sqlmodel import Session

from service.audit import log as audit
from service.audit.log import Actor
from service.documents.models import Document


def record_document_event(
    session: Session, actor: Actor, action: str, document: Document, **detail: object
) -> None:
    """Append the event inside the caller's transaction: it commits with the change it explains."""
    audit.record(
        session,
        actor,
        action,
        subject_type="document",
        subject_id=document.id,
        detail={"number": document.number, **detail},
    )
