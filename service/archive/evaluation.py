"""Re-evaluating a document's retention: its term from the rule, the case and any recorded event,
and the lock that follows (locks are only ever extended)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session

from retention.compute import RetentionDate, extend_only, lock_until, retain_until
from retention.rules import RetentionRule, RuleSet
from service.archive.models import JournalFile, RetentionEvent
from service.cases.models import Case, CaseStatus
from service.documents.files import store_errors
from service.documents.kinds import KindSpec, retention_event_on
from service.documents.models import Document
from storage.objectstore import ObjectStorePort


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


def term_for(
    rule: RetentionRule, case: Case, created_on: dt.date, event: dt.date | None, today: dt.date
) -> RetentionDate:
    """retain-until: end of the closing year + term; an open case counts at least from the
    current year (it can only close this year or later)."""
    closed_on = case.closed_on if case.status == CaseStatus.closed else None
    if closed_on is not None and closed_on < created_on:
        closed_on = created_on
    term = retain_until(rule, closed_on=closed_on, event_on=event, created_on=created_on)
    if closed_on is None and term.until is not None and rule.years is not None:
        floor = dt.date(today.year + rule.years, 12, 31)
        if floor > term.until:
            return RetentionDate(until=floor)
    return term


def evaluate(
    session: Session,
    doc: Document,
    rules: RuleSet,
    kinds: dict[str, KindSpec],
    today: dt.date,
) -> Evaluation:
    rule = rules.get(doc.retention_rule)
    case = session.get(Case, doc.case_id)
    assert case is not None
    event = event_on(session, doc, kinds)
    term = term_for(rule, case, doc.registered_on, event, today)
    closed_on = case.closed_on if case.status == CaseStatus.closed else None
    if closed_on is not None and closed_on < doc.registered_on:
        closed_on = doc.registered_on
    proposed = lock_until(rule, created_on=doc.registered_on, closed_on=closed_on, event_on=event)
    if term.until is not None and term.until > proposed:
        proposed = term.until
    after = extend_only(doc.lock_until, proposed)
    assert after is not None
    return Evaluation(doc.id, doc.number, rule.id, term, doc.lock_until, after)


def document_versions(session: Session, doc: Document) -> list[tuple[str, str]]:
    """Every object version that belongs to a document: its PDF, DOCX and any journal file."""
    versions = [(doc.object_key, doc.object_version_id), (doc.docx_key, doc.docx_version_id)]
    journal = session.get(JournalFile, doc.id)
    if journal is not None:
        versions.append((journal.object_key, journal.object_version_id))
    return versions


def apply(session: Session, store: ObjectStorePort, doc: Document, result: Evaluation) -> None:
    """Store the term on the record and extend the objects' locks where the lock grew."""
    if result.extended:
        with store_errors():
            for key, version in document_versions(session, doc):
                store.extend_retention(key, version, result.lock_after)
        doc.lock_until = result.lock_after
    doc.retain_until = result.term.until
    doc.permanent = result.term.permanent
    session.add(doc)
