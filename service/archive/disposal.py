"""Disposal: what may be destroyed on a date, the destruction act, the director's approval and
the execution that deletes the object versions and leaves a stub in the registry.

Bylos never bypasses Object Lock: a version the store refuses to delete is reported with its
lock date and stays; the disposal is then only partly executed and can be executed again later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from retention.compute import RetentionDate, is_expired
from service.archive.cases import case_documents, held_ids, resolve_case
from service.archive.evaluation import term_for
from service.archive.models import DestroyedDocument, Disposal, DisposalStatus
from service.audit import log as audit
from service.audit.log import Actor
from service.cases.facts import count_missing_pages, facts
from service.cases.models import Case, CaseStatus
from service.db import session_scope
from service.documents.events import record_document_event
from service.documents.kinds import kind_or_404
from service.documents.models import Document
from service.documents.retention import document_versions, event_on
from service.errors import Conflict, InvalidPayload, NotFound, NotPermitted
from service.runtime import Runtime
from service.timeutil import today_vilnius, utcnow
from service.users.models import User
from storage.errors import ObjectMissing, RetentionLocked, StorageError

_OPEN_STATUSES = (
    DisposalStatus.proposed,
    DisposalStatus.approved,
    DisposalStatus.partially_executed,
)


@dataclass
class CaseAppraisal:
    """Whether a closed case's term is over on a date, and why not."""

    case: Case
    documents: list[Document]
    retain_until: dt.date | None
    blocked: list[str] = field(default_factory=list)
    disposal_id: int | None = None

    @property
    def due(self) -> bool:
        return not self.blocked

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.case.year,
            "index": self.case.index,
            "title": self.case.title,
            "retention_rule": self.case.retention_rule,
            "closed_on": self.case.closed_on.isoformat() if self.case.closed_on else None,
            "retain_until": self.retain_until.isoformat() if self.retain_until else None,
            "disposal_id": self.disposal_id,
            "documents": [
                {
                    "id": d.id,
                    "number": d.number,
                    "title": d.title,
                    "sha256": d.sha256,
                    "retention_rule": d.retention_rule,
                }
                for d in self.documents
            ],
        }


def _in_open_disposal(session: Session) -> dict[int, int]:
    """case id -> the open disposal that lists it."""
    found: dict[int, int] = {}
    for disposal in session.exec(
        select(Disposal).where(col(Disposal.status).in_([s.value for s in _OPEN_STATUSES]))
    ):
        for item in disposal.cases:
            case_id = item.get("case_id")
            if isinstance(case_id, int) and disposal.id is not None:
                found[case_id] = disposal.id
    return found


def appraise(session: Session, runtime: Runtime, case: Case, on: dt.date) -> CaseAppraisal:
    docs = case_documents(session, case.id or 0)
    appraisal = CaseAppraisal(case=case, documents=docs, retain_until=None)
    label = f"Byla {case.index} ({case.year} m.)"
    if case.status != CaseStatus.closed or case.closed_on is None:
        appraisal.blocked.append(f"{label} neužbaigta (neuždaryta).")
        return appraisal
    if not docs:
        appraisal.blocked.append(f"{label} neturi nesunaikintų dokumentų.")
        return appraisal
    held_docs, held_cases = held_ids(session)
    if case.id in held_cases:
        appraisal.blocked.append(f"{label} sulaikyta (taikomas sulaikymas).")
    today = today_vilnius()
    latest: dt.date | None = None
    for doc in docs:
        if doc.id in held_docs:
            appraisal.blocked.append(f"{label}: dokumentas {doc.number} sulaikytas.")
        term: RetentionDate = term_for(
            runtime.rules.get(doc.retention_rule),
            case,
            doc.registered_on,
            event_on(session, doc, runtime.kinds),
            today,
        )
        if term.permanent:
            appraisal.blocked.append(f"{label}: dokumentas {doc.number} saugomas nuolat.")
        elif term.until is None:
            appraisal.blocked.append(
                f"{label}: dokumento {doc.number} terminas laukia įvykio „{term.pending_event}“."
            )
        else:
            latest = term.until if latest is None else max(latest, term.until)
            if not is_expired(term, on):
                appraisal.blocked.append(
                    f"{label}: dokumento {doc.number} saugojimo terminas baigiasi "
                    f"{term.until.isoformat()}."
                )
    appraisal.retain_until = latest
    return appraisal


def due(runtime: Runtime, on: dt.date) -> dict[str, Any]:
    """Closed cases whose every document's term is over on ``on`` and that nothing holds."""
    with session_scope(runtime.engine) as session:
        open_disposals = _in_open_disposal(session)
        cases = session.exec(
            select(Case)
            .where(Case.status == CaseStatus.closed)
            .order_by(col(Case.year), col(Case.index))
        ).all()
        result = []
        for case in cases:
            appraisal = appraise(session, runtime, case, on)
            if appraisal.due:
                appraisal.disposal_id = open_disposals.get(case.id or 0)
                result.append(appraisal.as_dict())
    return {
        "on": on.isoformat(),
        "cases": result,
        "documents": [
            {**d, "case_index": c["index"], "year": c["year"]}
            for c in result
            for d in c["documents"]
        ],
    }


def _numbers(docs: list[Document], limit: int = 30) -> str:
    numbers = [d.number for d in docs]
    if len(numbers) <= limit:
        return ", ".join(numbers)
    return ", ".join(numbers[:limit]) + f" ir dar {len(numbers) - limit}"


def _rule_term(runtime: Runtime, rule_id: str) -> str:
    return runtime.rules.get(rule_id).term if rule_id in runtime.rules else rule_id


def _rule_item(runtime: Runtime, rule_id: str) -> str:
    """The index item a term expired under: ``V-1511 6.6 p.``."""
    if rule_id not in runtime.rules:
        return rule_id
    rule = runtime.rules.get(rule_id)
    return f"{rule.index} {rule.item} p."


def _span_and_sheets(docs: list[Document], runtime: Runtime) -> dict[str, Any]:
    found = facts(docs, runtime.records)
    return {
        "first_date": found.first.isoformat() if found.first else None,
        "last_date": found.last.isoformat() if found.last else None,
        "sheets": found.sheets,
    }


def propose(
    runtime: Runtime, user: User, case_indexes: list[str], year: int | None
) -> dict[str, Any]:
    """Propose destroying cases: appraise each (refused unless every one may go), register the
    destruction act that lists them, record the proposal."""
    if not case_indexes:
        raise InvalidPayload("„case_indexes“: nurodykite bent vieną bylą.")
    chosen = _appraise_chosen(runtime, case_indexes, year, today_vilnius())
    act = _register_act(runtime, user, chosen)
    return _record_proposal(runtime, user, chosen, act)


def _appraise_chosen(
    runtime: Runtime, case_indexes: list[str], year: int | None, today: dt.date
) -> list[CaseAppraisal]:
    """Each named case's appraisal (without a year: every year's case with that index that is
    due today); Conflict naming every problem unless all of them may be destroyed."""
    with session_scope(runtime.engine) as session:
        open_disposals = _in_open_disposal(session)
        chosen: list[CaseAppraisal] = []
        problems: list[str] = []
        for index in dict.fromkeys(case_indexes):
            if year is not None:
                candidates = [resolve_case(session, index, year)]
            else:
                candidates = list(
                    session.exec(select(Case).where(Case.index == index).order_by(col(Case.year)))
                )
                if not candidates:
                    raise NotFound(f"Nė vienų metų dokumentacijos plane nėra bylos „{index}“.")
                # Without a year: every year's case with that index that is due today.
                due_ones = [
                    c for c in candidates if appraise(session, runtime, c, today).due
                ] or candidates[-1:]
                candidates = due_ones
            for case in candidates:
                appraisal = appraise(session, runtime, case, today)
                problems.extend(appraisal.blocked)
                if case.id in open_disposals:
                    problems.append(
                        f"Byla {case.index} ({case.year} m.) jau įtraukta į naikinimo aktą "
                        f"(naikinimas Nr. {open_disposals[case.id]})."
                    )
                chosen.append(appraisal)
        if problems:
            raise Conflict("Naikinti negalima: " + " ".join(problems))
    return chosen


def _register_act(runtime: Runtime, user: User, chosen: list[CaseAppraisal]) -> Document:
    # Sheets are counted from the documents' pages (read once for those issued before pages
    # were counted at issue).
    count_missing_pages(runtime.engine, runtime.store, [d for a in chosen for d in a.documents])
    payload = {
        "cases": [
            {
                "year": a.case.year,
                "index": a.case.index,
                "title": a.case.title,
                "term": _rule_term(runtime, a.case.retention_rule),
                "rule": a.case.retention_rule,
                "rule_text": _rule_item(runtime, a.case.retention_rule),
                "closed_on": a.case.closed_on.isoformat() if a.case.closed_on else None,
                "retain_until": a.retain_until.isoformat() if a.retain_until else None,
                "documents": len(a.documents),
                "numbers": _numbers(a.documents),
                **_span_and_sheets(a.documents, runtime),
            }
            for a in chosen
        ],
        "compiled_by": {"name": user.name, "position": user.position},
        "commission_name": runtime.records.commission,
    }
    # The act is registered like any document (its own number in register NA, case 1.3).
    spec = kind_or_404(runtime.kinds, "destruction-act")
    return runtime.issuer.issue(spec, payload, user).document


def _record_proposal(
    runtime: Runtime, user: User, chosen: list[CaseAppraisal], act: Document
) -> dict[str, Any]:
    with session_scope(runtime.engine) as session:
        disposal = Disposal(
            cases=[
                {
                    "case_id": a.case.id,
                    "year": a.case.year,
                    "index": a.case.index,
                    "title": a.case.title,
                }
                for a in chosen
            ],
            document_ids=[d.id for a in chosen for d in a.documents],
            act_document_id=act.id,
            act_number=act.number,
            proposed_by=user.id,
        )
        session.add(disposal)
        session.flush()
        audit.record(
            session,
            user.actor,
            "disposal.proposed",
            subject_type="disposal",
            subject_id=str(disposal.id),
            detail={"act": act.number, "cases": disposal.cases, "documents": disposal.document_ids},
        )
        return disposal_out(session, disposal)


def _get(session: Session, disposal_id: int) -> Disposal:
    disposal = session.get(Disposal, disposal_id)
    if disposal is None:
        raise NotFound(f"Naikinimas Nr. {disposal_id} nerastas.")
    return disposal


def approve(runtime: Runtime, user: User, disposal_id: int) -> dict[str, Any]:
    with session_scope(runtime.engine) as session:
        disposal = _get(session, disposal_id)
        if disposal.status != DisposalStatus.proposed:
            raise Conflict(
                f"Naikinimo aktas {disposal.act_number} jau patvirtintas arba įvykdytas "
                f"(būsena: {disposal.status.value})."
            )
        if disposal.proposed_by is not None and disposal.proposed_by == user.id:
            # Separation of duties: whoever proposes destroying records does not approve it.
            raise NotPermitted(
                f"Naikinimo aktą {disposal.act_number} teikėte jūs, todėl jo tvirtinti negalite: "
                "jį tvirtina kitas direktoriaus vaidmenį turintis asmuo. Nieko nepakeista."
            )
        disposal.status = DisposalStatus.approved
        disposal.approved_by = user.id
        disposal.approved_at = utcnow()
        session.add(disposal)
        audit.record(
            session,
            user.actor,
            "disposal.approved",
            subject_type="disposal",
            subject_id=str(disposal.id),
            detail={"act": disposal.act_number},
        )
        return disposal_out(session, disposal)


@dataclass(frozen=True, slots=True)
class _Execution:
    """What the approved act destroys, read once before anything is deleted."""

    disposal: Disposal
    held_docs: set[str]
    held_cases: set[int]
    plan: list[tuple[Document, list[tuple[str, str]]]]


def execute(runtime: Runtime, user: User, disposal_id: int) -> dict[str, Any]:
    """Carry out an approved act: read what it destroys, delete each document's versions (a held
    or still locked one is refused), describe each destroyed one, then record the outcome."""
    execution = _read_execution(runtime, disposal_id)
    actor = user.actor
    destroyed: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    for doc, versions in execution.plan:
        if doc.id in execution.held_docs or doc.case_id in execution.held_cases:
            refused.append(
                {"document_id": doc.id, "number": doc.number, "reason": "Dokumentas sulaikytas."}
            )
            continue
        failures = _delete_versions(runtime, doc, versions)
        if failures:
            refused.append({"document_id": doc.id, "number": doc.number, "versions": failures})
            continue
        _describe_destroyed(runtime, user, actor, execution.disposal, doc)
        destroyed.append({"document_id": doc.id, "number": doc.number, "sha256": doc.sha256})
    out = _record_execution(runtime, user, actor, disposal_id, destroyed, refused)
    out["destroyed_now"] = destroyed
    out["refused"] = refused
    return out


def _read_execution(runtime: Runtime, disposal_id: int) -> _Execution:
    with session_scope(runtime.engine) as session:
        disposal = _get(session, disposal_id)
        if disposal.status == DisposalStatus.proposed:
            raise Conflict(
                f"Naikinimo aktas {disposal.act_number} dar nepatvirtintas direktoriaus: "
                "naikinti negalima."
            )
        if disposal.status == DisposalStatus.executed:
            raise Conflict(f"Naikinimo aktas {disposal.act_number} jau įvykdytas.")
        held_docs, held_cases = held_ids(session)
        already = set(
            session.exec(
                select(DestroyedDocument.document_id).where(
                    col(DestroyedDocument.document_id).in_(disposal.document_ids)
                )
            ).all()
        )
        docs = [
            d
            for d in (session.get(Document, i) for i in disposal.document_ids)
            if d is not None and d.id not in already
        ]
        plan = [(d, document_versions(session, d)) for d in docs]
    return _Execution(disposal, held_docs, held_cases, plan)


def _delete_versions(
    runtime: Runtime, doc: Document, versions: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Delete every stored version of ``doc``; what the store refused, one entry per version."""
    failures: list[dict[str, Any]] = []
    for key, version in versions:
        try:
            runtime.store.delete_version(key, version)
        except ObjectMissing:
            continue  # already gone: the goal of the step is met
        except RetentionLocked:
            failures.append(_refusal(runtime, key, version, doc))
        except StorageError as exc:
            failures.append(
                {
                    "key": key,
                    "version_id": version,
                    "reason": f"Saugykla neištrynė versijos: {type(exc).__name__}.",
                }
            )
    return failures


def _describe_destroyed(
    runtime: Runtime, user: User, actor: Actor, disposal: Disposal, doc: Document
) -> None:
    assert disposal.id is not None
    # Each stub commits on its own: a failure later never leaves deleted files undescribed.
    with session_scope(runtime.engine) as session:
        session.add(
            DestroyedDocument(
                document_id=doc.id,
                disposal_id=disposal.id,
                act_document_id=disposal.act_document_id,
                act_number=disposal.act_number,
                sha256=doc.sha256,
                destroyed_by=user.id,
            )
        )
        record_document_event(
            session, actor, "document.destroyed", doc, sha256=doc.sha256, act=disposal.act_number
        )


def _record_execution(
    runtime: Runtime,
    user: User,
    actor: Actor,
    disposal_id: int,
    destroyed: list[dict[str, Any]],
    refused: list[dict[str, Any]],
) -> dict[str, Any]:
    with session_scope(runtime.engine) as session:
        disposal = _get(session, disposal_id)
        disposal.status = DisposalStatus.partially_executed if refused else DisposalStatus.executed
        disposal.executed_by = user.id
        disposal.executed_at = utcnow()
        previous = disposal.report.get("destroyed", [])
        disposal.report = {
            "destroyed": [*(previous if isinstance(previous, list) else []), *destroyed],
            "refused": refused,
        }
        session.add(disposal)
        audit.record(
            session,
            actor,
            "disposal.executed",
            subject_type="disposal",
            subject_id=str(disposal.id),
            detail={
                "act": disposal.act_number,
                "destroyed": [d["number"] for d in destroyed],
                "refused": [r["number"] for r in refused],
            },
        )
        out = disposal_out(session, disposal)
    return out


def _refusal(runtime: Runtime, key: str, version: str, doc: Document) -> dict[str, Any]:
    try:
        info = runtime.store.stat(key, version)
        until = info.retain_until.isoformat() if info.retain_until else None
        held = info.legal_hold
    except StorageError:
        until, held = doc.lock_until.isoformat(), False
    reason = "Saugykla atsisakė ištrinti: "
    reason += "taikomas teisinis sulaikymas." if held else f"užrakinta iki {until}."
    return {"key": key, "version_id": version, "locked_until": until, "reason": reason}


def disposal_out(session: Session, disposal: Disposal) -> dict[str, Any]:
    stubs = session.exec(
        select(DestroyedDocument).where(DestroyedDocument.disposal_id == disposal.id)
    ).all()
    return {
        "id": disposal.id,
        "status": disposal.status.value,
        "act": {"document_id": disposal.act_document_id, "number": disposal.act_number},
        "act_document_id": disposal.act_document_id,
        "cases": disposal.cases,
        "documents": disposal.document_ids,
        "proposed_at": disposal.proposed_at.isoformat(),
        "approved_at": disposal.approved_at.isoformat() if disposal.approved_at else None,
        "executed_at": disposal.executed_at.isoformat() if disposal.executed_at else None,
        "destroyed": [
            {
                "document_id": s.document_id,
                "sha256": s.sha256,
                "act_number": s.act_number,
                "destroyed_at": s.destroyed_at.isoformat(),
            }
            for s in stubs
        ],
        "report": disposal.report,
    }


def get(runtime: Runtime, disposal_id: int) -> dict[str, Any]:
    with session_scope(runtime.engine) as session:
        return disposal_out(session, _get(session, disposal_id))


def destroyed_records(runtime: Runtime, year: int | None) -> list[dict[str, Any]]:
    """What existed and was destroyed: the registry's memory of it (number, title, hash, act)."""
    with session_scope(runtime.engine) as session:
        stmt = select(DestroyedDocument, Document).where(
            DestroyedDocument.document_id == Document.id
        )
        if year is not None:
            stmt = stmt.where(Document.year == year)
        return [
            {
                "document_id": doc.id,
                "number": doc.number,
                "title": doc.title,
                "registered_on": doc.registered_on.isoformat(),
                "sha256": stub.sha256,
                "size": doc.size,
                "destroyed_at": stub.destroyed_at.isoformat(),
                "act_number": stub.act_number,
                "act_document_id": stub.act_document_id,
                "disposal_id": stub.disposal_id,
            }
            for stub, doc in session.exec(stmt.order_by(col(Document.number)))
        ]
