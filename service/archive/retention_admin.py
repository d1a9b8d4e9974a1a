"""The archivist's retention rules: the set in force (persisted, with history), importing an
official table, editing one rule, recording the event an event-bound term waits for.

Every change is a new row of ``retention_rule_sets`` plus one ``retention_rule_changes`` row per
rule and an audit event, and re-evaluates every document under the changed rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from retention.rules import RetentionRule, RuleDataError, RuleSet, parse_rule
from retention.table import parse_rows
from retention.terms import Trigger
from service.archive.evaluation import apply, evaluate
from service.archive.models import DestroyedDocument, RuleChange, RuleSetVersion
from service.audit import log as audit
from service.audit.log import Actor
from service.db import session_scope
from service.documents.models import Document, RetentionEvent
from service.errors import Conflict, InvalidPayload, NotFound
from service.runtime import Runtime
from service.spreadsheets import SheetLimits, read_table
from service.timeutil import today_vilnius
from service.users.models import User
from service.validation import hidden_character

UNVERIFIED_WARNING = (
    "Dėmesio: {n} iš {total} saugojimo taisyklių nepatvirtintos (verified=false) — tai "
    "numatytosios reikšmės, nepatikrintos pagal oficialias rodykles (V-1511, V-100). "
    "Archyvaras turi jas patikrinti arba importuoti oficialią lentelę."
)


def persisted_rules(engine: Engine) -> RuleSet | None:
    """The archivist's rule set if one was ever saved; None means the file/defaults apply."""
    with session_scope(engine) as session:
        row = session.exec(
            select(RuleSetVersion).order_by(col(RuleSetVersion.id).desc()).limit(1)
        ).first()
    return RuleSet.from_json(row.rules_json) if row is not None else None


def rules_out(rules: RuleSet) -> dict[str, Any]:
    unverified = rules.unverified()
    warning = UNVERIFIED_WARNING.format(n=len(unverified), total=len(rules)) if unverified else None
    return {
        "description": rules.description,
        "all_verified": not unverified,
        "unverified": len(unverified),
        "warning": warning,
        "rules": [
            rule.model_dump(mode="json")
            | {"status": "patvirtinta" if rule.verified else "NEPATVIRTINTA"}
            for rule in rules
        ],
    }


def _actor(user: User | None) -> Actor:
    return audit.SYSTEM if user is None else user.actor


def _destroyed_ids(session: Session) -> set[str]:
    return set(session.exec(select(DestroyedDocument.document_id)).all())


def reevaluate(
    session: Session,
    runtime: Runtime,
    rules: RuleSet,
    rule_ids: set[str],
    *,
    year: int | None = None,
) -> list[dict[str, object]]:
    """Re-evaluate every (not destroyed) document under ``rule_ids``; extends locks that grew."""
    if not rule_ids:
        return []
    destroyed = _destroyed_ids(session)
    today = today_vilnius()
    report: list[dict[str, object]] = []
    stmt = select(Document).where(col(Document.retention_rule).in_(sorted(rule_ids)))
    if year is not None:
        stmt = stmt.where(Document.year == year)
    docs = session.exec(stmt.order_by(col(Document.created_at))).all()
    for doc in docs:
        if doc.id in destroyed:
            continue
        result = evaluate(session, doc, rules, runtime.kinds, today)
        apply(session, runtime.store, doc, result)
        report.append(result.as_report())
    return report


# A rule as it was (None: new) and as it is to be.
_Change = tuple[RetentionRule | None, RetentionRule]


def _changes(current: RuleSet, new_rules: list[RetentionRule]) -> tuple[list[_Change], RuleSet]:
    """The rules that differ from the set in force, and the set with them merged in."""
    merged = current
    changes: list[_Change] = []
    for rule in new_rules:
        before = current.get(rule.id) if rule.id in current else None
        if before == rule:
            continue
        changes.append((before, rule))
        merged = merged.with_rule(rule)
    return changes, merged


def _record_changes(
    session: Session, version_id: int, changes: list[_Change], user: User | None, source: str
) -> None:
    """One history row and one audit event per rule added or changed."""
    actor = _actor(user)
    for before, after in changes:
        session.add(
            RuleChange(
                rule_set_id=version_id,
                rule_id=after.id,
                change="changed" if before else "added",
                before=before.model_dump(mode="json") if before else None,
                after=after.model_dump(mode="json"),
                changed_by=user.id if user else None,
            )
        )
        audit.record(
            session,
            actor,
            "retention.rule_changed" if before else "retention.rule_added",
            subject_type="retention_rule",
            subject_id=after.id,
            detail={
                "source": source,
                "rule_set": version_id,
                "before": before.model_dump(mode="json") if before else None,
                "after": after.model_dump(mode="json"),
            },
        )


def _commit_rules(
    runtime: Runtime,
    new_rules: list[RetentionRule],
    user: User | None,
    source: str,
) -> dict[str, Any]:
    current = runtime.rules
    changes, merged = _changes(current, new_rules)
    if not changes:
        return {"changed": [], "unchanged": len(new_rules), "documents": [], **rules_out(current)}
    # The new set, its history and the documents' new dates in one transaction.
    with session_scope(runtime.engine) as session:
        version = RuleSetVersion(
            rules_json=merged.to_json(), source=source, created_by=user.id if user else None
        )
        session.add(version)
        session.flush()
        assert version.id is not None
        _record_changes(session, version.id, changes, user, source)
        documents = reevaluate(session, runtime, merged, {after.id for _, after in changes})
    # Only after the commit: requests issued from now on use the new rules.
    runtime.rules = merged
    return {
        "rule_set": version.id,
        "changed": [
            {"id": after.id, "change": "changed" if before else "added"}
            for before, after in changes
        ],
        "unchanged": len(new_rules) - len(changes),
        "documents": documents,
        **rules_out(merged),
    }


# An official table: a few hundred items; the archivist's own notes in a few more columns.
TABLE_LIMITS = SheetLimits(max_rows=2001, max_columns=50)


def parse_import(data: bytes) -> list[RetentionRule]:
    """The rules of a JSON rule set, or of a CSV/XLSX table read with every size bounded."""
    if not data.strip():
        raise InvalidPayload("Importuojamas failas tuščias.")
    try:
        if data.lstrip().startswith(b"{"):
            rules = list(RuleSet.from_json(data))
        else:
            rows = read_table(data, "lentelė", TABLE_LIMITS, delimiters=",;\t", sniff=True)
            if not rows:
                raise InvalidPayload("Importuojama lentelė tuščia.")
            rules = parse_rows(rows[0], rows[1:])
    except RuleDataError as exc:
        raise InvalidPayload(str(exc)) from exc
    if len(rules) > TABLE_LIMITS.max_rows:
        raise InvalidPayload(
            f"Lentelėje per daug taisyklių ({len(rules)}, leidžiama {TABLE_LIMITS.max_rows})."
        )
    for rule in rules:
        _check_text(rule)
    return rules


def _check_text(rule: RetentionRule) -> None:
    """A rule's texts print in plans and acts: none may hide a control or invisible character."""
    for field, value in rule.model_dump(mode="json").items():
        if isinstance(value, str):
            problem = hidden_character(value, prose=field == "note")
            if problem:
                raise InvalidPayload(f"Taisyklė „{rule.id}“, laukas „{field}“: {problem}.")


def import_table(runtime: Runtime, data: bytes, user: User | None) -> dict[str, Any]:
    """Apply an official table (CSV, XLSX or JSON): every row valid, or nothing changes (422)."""
    return _commit_rules(runtime, parse_import(data), user, "import")


def edit_rule(runtime: Runtime, rule_id: str, changes: object, user: User | None) -> dict[str, Any]:
    if rule_id not in runtime.rules:
        raise NotFound(f"Saugojimo taisyklė „{rule_id}“ nerasta.")
    if not isinstance(changes, dict) or not changes:
        raise InvalidPayload("Nurodykite keičiamus taisyklės laukus (JSON objektas).")
    if changes.get("id", rule_id) != rule_id:
        raise InvalidPayload("Taisyklės id keisti negalima.")
    data = runtime.rules.get(rule_id).model_dump(mode="json") | changes
    try:
        rule = parse_rule(data)
    except RuleDataError as exc:
        raise InvalidPayload(str(exc)) from exc
    _check_text(rule)
    return _commit_rules(runtime, [rule], user, "edit")


def record_event(
    runtime: Runtime, document_id: str, event_on: dt.date, note: str, user: User
) -> dict[str, object]:
    """Record the date an event-bound term counts from, then compute the term and lock."""
    with session_scope(runtime.engine) as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound(f"Dokumentas „{document_id}“ nerastas.")
        if session.get(DestroyedDocument, doc.id) is not None:
            raise Conflict(f"Dokumentas {doc.number} jau sunaikintas.")
        rule = runtime.rules.get(doc.retention_rule)
        if rule.trigger is not Trigger.EVENT:
            raise Conflict(
                f"Dokumento {doc.number} saugojimo terminas („{rule.term}“) skaičiuojamas nuo "
                "bylos užbaigimo, ne nuo įvykio."
            )
        if event_on < doc.registered_on.replace(year=doc.registered_on.year - 100):
            raise InvalidPayload(f"Netikėta įvykio data {event_on.isoformat()}.")
        existing = session.get(RetentionEvent, doc.id)
        if existing is None:
            existing = RetentionEvent(document_id=doc.id, event_on=event_on)
        existing.event_on = event_on
        existing.note = note
        existing.recorded_by = user.id
        session.add(existing)
        session.flush()
        result = evaluate(session, doc, runtime.rules, runtime.kinds, today_vilnius())
        apply(session, runtime.store, doc, result)
        audit.record(
            session,
            _actor(user),
            "retention.event_recorded",
            subject_type="document",
            subject_id=doc.id,
            detail={"event": rule.event_name, "event_on": event_on.isoformat(), "note": note},
        )
        return result.as_report()


def reevaluate_year(runtime: Runtime, user: User | None, year: int | None) -> dict[str, Any]:
    """Re-evaluate every document (of ``year``) against the rules and the cases as they are now:
    run after cases are closed in a later year than their documents, so the locks follow."""
    with session_scope(runtime.engine) as session:
        stmt = select(Document.retention_rule).distinct()
        if year is not None:
            stmt = stmt.where(Document.year == year)
        rule_ids = {r for r in session.exec(stmt).all() if r in runtime.rules}
        report = reevaluate(session, runtime, runtime.rules, rule_ids, year=year)
        audit.record(
            session,
            _actor(user),
            "retention.reevaluated",
            subject_type="year",
            subject_id=str(year or ""),
            detail={
                "documents": len(report),
                "extended": sum(1 for item in report if item["extended"]),
            },
        )
    return {"documents": report, "extended": sum(1 for item in report if item["extended"])}
