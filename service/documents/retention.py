"""A stored document's retention: the event its term counts from, the object versions its lock
is on, and its term and lock re-evaluated.

One place for the archive (rule changes, recorded events, re-evaluation runs) and for closing
cases, so the two can never compute a document's dates differently. It sits below both: the
archive and the cases import it, it imports neither's logic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session

from retention.compute import RetentionDate, reevaluate
from retention.rules import RuleSet
from service.documents.kinds import KindSpec, retention_event_on
from service.documents.models import Document, JournalFile, RetentionEvent


@dataclass(frozen=True, slots=True)
class Evaluation:
    document_id: str
    number: str
    rule: str
    term: RetentionDate
    lock_before: dt.date
    lock_after: dt.date

    @property
    def extended(self) -> bool:
        return self.lock_after > self.lock_before

    def as_report(self) -> dict[str, object]:
        term_until = self.term.until
        item: dict[str, object] = {
            "document_id": self.document_id,
            "number": self.number,
            "rule": self.rule,
            "retain_until": term_until.isoformat() if term_until else None,
            "permanent": self.term.permanent,
            "pending_event": self.term.pending_event,
            "locked_until_before": self.lock_before.isoformat(),
            "locked_until": self.lock_after.isoformat(),
            "extended": self.extended,
        }
        if term_until is not None and term_until < self.lock_after:
            # The term shrank below the lock: the store keeps it; say until when.
            item["note"] = (
                f"Terminas baigiasi {term_until.isoformat()}, bet saugyklos užraktas lieka iki "
                f"{self.lock_after.isoformat()} (užrakto sutrumpinti negalima)."
            )
        return item


def event_on(session: Session, doc: Document, kinds: dict[str, KindSpec]) -> dt.date | None:
    """The recorded event date, else the one the payload itself carries (a pupil's leaving)."""
    recorded = session.get(RetentionEvent, doc.id)
    if recorded is not None:
        return recorded.event_on
    spec = kinds.get(doc.kind)
    if spec is None:
        return None
    try:
        payload = spec.model.model_validate(doc.payload)
    except ValidationError:
        return None
    return retention_event_on(payload)


def evaluate(
    session: Session,
    doc: Document,
    rules: RuleSet,
    kinds: dict[str, KindSpec],
    *,
    closed_on: dt.date | None,
    today: dt.date,
) -> Evaluation:
    """The document's term and lock with its case closed on ``closed_on`` (None: still open)."""
    rule = rules.get(doc.retention_rule)
    result = reevaluate(
        rule,
        created_on=doc.registered_on,
        closed_on=closed_on,
        event_on=event_on(session, doc, kinds),
        today=today,
        locked_until=doc.lock_until,
    )
    return Evaluation(doc.id, doc.number, rule.id, result.term, doc.lock_until, result.lock_until)


def document_versions(session: Session, doc: Document) -> list[tuple[str, str]]:
    """Every object version that belongs to a document: its PDF, DOCX and any journal file."""
    versions = [(doc.object_key, doc.object_version_id), (doc.docx_key, doc.docx_version_id)]
    journal = session.get(JournalFile, doc.id)
    if journal is not None:
        versions.append((journal.object_key, journal.object_version_id))
    return versions
