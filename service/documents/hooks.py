"""What some kinds do beyond the common pipeline, at its two transactional points.

``prepare`` runs in the transaction that reserves the number, before anything is rendered: it
checks references (a change act's summary, a pledge's account) so bad input consumes no number,
and may name the case to file in. ``record`` runs in the final transaction with the document
row, so links and notification events commit together with the document or not at all.

Which kind has which hooks is the kinds registry's business (service/kinds.py): a kind's hooks
may live in the feature that owns it (the journal transfer's in archive/journal.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel
from sqlmodel import Session

from service.audit import log as audit
from service.documents import corrections, notifications
from service.documents.change_act import ChangeAct
from service.documents.confidentiality_pledge import ConfidentialityPledge
from service.documents.models import Document
from service.lt import long_date
from service.users import pledge
from service.users.models import User


@dataclass(frozen=True, slots=True)
class Prepared:
    case_id: int | None = None  # an open case to file in instead of the kind's default case
    state: Any = None  # handed to record()
    context: dict[str, Any] | None = None  # what the template prints that the payload lacks


class KindHooks(Protocol):
    """``attached``: what the caller hands the issuer beside the payload (the journal's stored
    upload), None for a kind issued from its payload alone."""

    def prepare(
        self, session: Session, payload: BaseModel, user: User, attached: object
    ) -> Prepared: ...
    def record(
        self, session: Session, document: Document, payload: BaseModel, user: User, state: Any
    ) -> None: ...


class ChangeActHooks:
    def prepare(
        self, session: Session, payload: BaseModel, user: User, attached: object
    ) -> Prepared:
        assert isinstance(payload, ChangeAct)
        if payload.summary_id is None:
            return Prepared()
        summary = corrections.summary_for_act(session, payload.summary_id)
        # p.17.3: the act is kept with the summary it corrects, in that summary's case, and
        # names it by its date and number.
        return Prepared(
            case_id=summary.case_id,
            state=summary.id,
            context={
                "summary": {"number": summary.number, "date_long": long_date(summary.registered_on)}
            },
        )

    def record(
        self, session: Session, document: Document, payload: BaseModel, user: User, state: Any
    ) -> None:
        assert isinstance(payload, ChangeAct)
        if state is not None:
            corrections.link(session, document.id, state)
        pupil = payload.student.full_name
        message = (
            f"Pakeisti „užrakinti“ e. dienyno duomenys. Mokinys: {pupil}, {payload.class_name} "
            f"klasė; dalykas: {payload.subject}; laikotarpis: {payload.period}. "
            f"Aktas {document.number}."
        )
        # Names stay in the nominative after a label: "Matas Kazlauskas tėvai" forced a name
        # into a case it is not in.
        recipients = [
            ("administrator", payload.administrator.name),
            ("subject_teacher", payload.corrected_by.name),
            ("pupil", pupil),
            ("parents", f"Mokinio tėvai (globėjai, rūpintojai); mokinys: {pupil}"),
        ]
        if payload.attendance_changed:
            # p.20 and 24.6-24.7: the class teacher keeps the class's attendance.
            teacher = payload.class_teacher.name if payload.class_teacher else ""
            recipients.append(
                ("class_teacher", teacher or f"{payload.class_name} klasės vadovas (-ė)")
            )
        notifications.record(session, document.id, message, recipients)


class PledgeHooks:
    def prepare(
        self, session: Session, payload: BaseModel, user: User, attached: object
    ) -> Prepared:
        assert isinstance(payload, ConfidentialityPledge)
        pledge.ensure_may_register(session, user, name=payload.person.name, user_id=payload.user_id)
        owner = pledge.pledge_owner(session, name=payload.person.name, user_id=payload.user_id)
        return Prepared(state=owner.id if owner is not None else None)

    def record(
        self, session: Session, document: Document, payload: BaseModel, user: User, state: Any
    ) -> None:
        if state is None:
            return
        pledge.link(session, state, document.id)
        audit.record(
            session,
            user.actor,
            "user.pledge_registered",
            subject_type="user",
            subject_id=str(state),
            detail={"document_id": document.id, "number": document.number},
        )
