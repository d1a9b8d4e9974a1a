"""Re-evaluating a document's retention against its case as it stands now, and storing the
result: the term on the record, the lock on every object version (locks are only ever extended).

The computation itself is ``service.documents.retention.evaluate``, shared with closing cases.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from retention.compute import RetentionDate, current_term
from retention.rules import RetentionRule, RuleSet
from service.cases.models import Case, CaseStatus
from service.documents import retention
from service.documents.kinds import KindSpec
from service.documents.models import Document
from service.documents.retention import Evaluation, document_versions
from service.stored_files import store_errors
from storage.objectstore import ObjectStorePort


def closure(case: Case) -> dt.date | None:
    """The date the case was closed, None while it is open."""
    return case.closed_on if case.status == CaseStatus.closed else None


def term_for(
    rule: RetentionRule, case: Case, created_on: dt.date, event: dt.date | None, today: dt.date
) -> RetentionDate:
    """retain-until: end of the closing year + term; an open case counts at least from the
    current year (it can only close this year or later)."""
    return current_term(
        rule, created_on=created_on, closed_on=closure(case), event_on=event, today=today
    )


def evaluate(
    session: Session,
    doc: Document,
    rules: RuleSet,
    kinds: dict[str, KindSpec],
    today: dt.date,
) -> Evaluation:
    case = session.get(Case, doc.case_id)
    assert case is not None
    return retention.evaluate(session, doc, rules, kinds, closed_on=closure(case), today=today)


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
