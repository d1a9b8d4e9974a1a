"""The issuing pipeline: payload -> number -> DOCX -> PDF/A -> hash -> locked object -> record.

Transactions are short and explicit because the slow part (conversion) must not hold a database
lock: (0) hold a converter place, (1) reserve the number, (2) render, convert, store, (3) commit
the document, its registry entry and the audit event together. Any failure after (1) voids the
number with its reason; waiting for a converter happens in (0), before any number exists, so an
overloaded service answers 503 (Retry-After) and voids nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError as DbIntegrityError
from sqlmodel import Session, select

from retention.compute import provisional_lock_until, retain_until
from retention.rules import RuleSet
from service.audit import log as audit
from service.cases.plan import open_case, open_case_for_filing
from service.db import session_scope
from service.documents import kinds, versions
from service.documents.hooks import Prepared
from service.documents.kinds import KindSpec, Payload, recipients, retention_event_on
from service.documents.models import Document, IdempotencyKey
from service.errors import Conflict, InvalidPayload, NotFound, ServiceError
from service.lt import genitive_name, in_sentence, long_date
from service.registry import numbering
from service.registry.models import RegistryEntry
from service.rendering.docx import DocumentProperties, render_docx
from service.rendering.pdfmeta import PdfMetadata, StampedPdf, stamp_and_check
from service.school_profile import profile as school_profile
from service.school_year import classes
from service.settings import SchoolProfile
from service.stored_files import store_errors
from service.timeutil import today_vilnius, utcnow
from service.users.models import User
from service.validation import parse_payload
from storage.objectstore import ObjectStorePort, StoredObject

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Converter(Protocol):
    def convert_to_pdfa(self, docx: bytes) -> bytes: ...
    def ping(self) -> None: ...

    def reserve(self, owner: str) -> AbstractContextManager[None]:
        """Hold a converter place for ``owner`` (fair per owner); ConverterBusy (503) when none
        frees in time. Issuing holds it before it takes a number."""
        ...


@dataclass(frozen=True, slots=True)
class Issued:
    document: Document
    replayed: bool  # True when an Idempotency-Key returned an earlier result


@dataclass(frozen=True, slots=True)
class _Request:
    """One issue request once checked, as the steps (0) to (3) carry it."""

    spec: KindSpec
    payload: BaseModel
    rule: Any
    user: User
    supersedes: Document | None
    reason: str | None
    idempotency_key: str | None
    attached: object


@dataclass(frozen=True, slots=True)
class _Reserved:
    """What step (1) settled in its transaction, used by the steps after it."""

    school: SchoolProfile
    prepared: Prepared
    correction: dict[str, Any] | None
    # The case the document is filed in: its id and index are all the later steps need (the
    # case's row stays with the plan, above documents/).
    case_id: int
    case_index: str
    entry: RegistryEntry


def _request_hash(kind: str, data: object, supersedes: str | None) -> str:
    body = json.dumps([kind, data, supersedes], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _key_row(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    return session.exec(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).first()


def build_context(
    payload: Payload,
    school: SchoolProfile,
    number: str,
    day: dt.date,
    issued_by: str,
    issued_by_position: str,
    *,
    correction: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything a template may print: the payload's own part plus the school, the
    registration, who issued it, what it corrects (a new version) and what the kind's hooks
    looked up (e.g. the summary a change act corrects)."""
    contact = ", ".join(
        part
        for part in (
            f"tel. {school.phone}" if school.phone else "",
            f"el. p. {school.email}" if school.email else "",
        )
        if part
    )
    return (
        payload.template_context()
        | {
            "school": school.model_dump()
            | {"name_genitive": school.name_genitive or genitive_name(school.name)}
            | {"contact": contact},
            "registration": {
                "number": number,
                "date_long": long_date(day),
                "date": day.isoformat(),
            },
            "issued_by": {
                "name": issued_by,
                "position": issued_by_position,
                "position_in_text": in_sentence(issued_by_position),
            },
            "correction": correction,
        }
        | (extra or {})
    )


@dataclass
class Issuer:
    engine: Engine
    store: ObjectStorePort
    converter: Converter
    rules: RuleSet
    school: SchoolProfile

    def issue(
        self,
        spec: KindSpec,
        data: object,
        user: User,
        *,
        idempotency_key: str | None = None,
        supersedes: Document | None = None,
        reason: str | None = None,
        attached: object = None,
    ) -> Issued:
        """``attached``: handed to the kind's hooks beside the payload (see KindHooks)."""
        assert attached is None or spec.hooks is not None, "nothing would record the attachment"
        payload = parse_payload(spec.model, data)
        # A class teacher issues and corrects only for the classes they lead (checked before
        # a number is taken, so a refusal voids nothing).
        with session_scope(self.engine) as session:
            classes.ensure_may_act(
                session, user, spec.issue_roles, payload.model_dump(mode="json"), today_vilnius()
            )
        rule = self.rules.get(spec.retention_rule)
        if supersedes is not None and supersedes.superseded_by_id is not None:
            # Checked before a number is taken; checked again at commit for a racing request.
            raise Conflict("Ši dokumento versija jau pakeista naujesne; taisykite naujausią.")
        assert user.id is not None
        if idempotency_key:
            earlier = self._claim_key(user.id, idempotency_key, spec, data, supersedes)
            if earlier is not None:
                return Issued(earlier, replayed=True)
        try:
            document = self._issue(
                _Request(spec, payload, rule, user, supersedes, reason, idempotency_key, attached)
            )
            return Issued(document, replayed=False)
        except BaseException:
            if idempotency_key:
                self._release_key(user.id, idempotency_key)
            raise

    def _claim_key(
        self, user_id: int, key: str, spec: KindSpec, data: object, supersedes: Document | None
    ) -> Document | None:
        digest = _request_hash(spec.slug, data, supersedes.id if supersedes else None)
        try:
            with session_scope(self.engine) as session:
                row = _key_row(session, user_id, key)
                if row is None:
                    session.add(IdempotencyKey(user_id=user_id, key=key, request_hash=digest))
                    return None
                if row.request_hash != digest:
                    raise Conflict(
                        "Šis Idempotency-Key jau panaudotas su kitokiu užklausos turiniu."
                    )
                if row.document_id is None:
                    raise Conflict("Užklausa su šiuo Idempotency-Key dar vykdoma.")
                document = session.get(Document, row.document_id)
                assert document is not None
                return document
        except DbIntegrityError:
            # Another request with the same key won the race; it is still running.
            raise Conflict("Užklausa su šiuo Idempotency-Key dar vykdoma.") from None

    def _release_key(self, user_id: int, key: str) -> None:
        with session_scope(self.engine) as session:
            row = _key_row(session, user_id, key)
            if row is not None and row.document_id is None:
                session.delete(row)

    def _issue(self, request: _Request) -> Document:
        today = today_vilnius()
        # The retention date is computed before a number is taken: a date whose term does not
        # fit the calendar is the request's fault and must not void a number.
        _term_and_lock(request.rule, request.payload, today)
        # A store that is down (restarting after a crash) would void the number taken below:
        # refuse now with 503, before anything is spent.
        with store_errors():
            self.store.ensure_available()
        # (0) A converter place, fairly shared between users, before anything is spent.
        assert request.user.id is not None
        with self.converter.reserve(f"user:{request.user.id}"):
            return self._issue_holding_place(request, today)

    def _issue_holding_place(self, request: _Request, today: dt.date) -> Document:
        spec, user, supersedes = request.spec, request.user, request.supersedes
        reserved = self._reserve_number(request, today)
        entry = reserved.entry
        assert entry.id is not None
        document_id = str(uuid.uuid4())
        try:
            document = self._produce(
                spec,
                request.payload,
                request.rule,
                user,
                document_id,
                entry.number,
                entry.seq,
                today,
                reserved.school,
                correction=reserved.correction,
                extra=reserved.prepared.context,
            )
            document.registry_entry_id = entry.id
            document.case_id = reserved.case_id
            if supersedes is not None:
                document.version = supersedes.version + 1
                document.supersedes_id = supersedes.id
            self._commit_issued(request, document_id, document, reserved)
            return document
        except BaseException as exc:
            self._void(entry.id, entry.number, spec, user, exc)
            raise

    def _reserve_number(self, request: _Request, today: dt.date) -> _Reserved:
        """(1) File into the open case and take the number; bad input never gets this far, nor
        does a document that would print a missing or placeholder school (409)."""
        spec, user, supersedes = request.spec, request.user, request.supersedes
        hooks = spec.hooks
        with session_scope(self.engine) as session:
            school = school_profile.current(session, self.school)
            school_profile.ensure_complete(school)
            prepared = (
                hooks.prepare(session, request.payload, user, request.attached)
                if hooks
                else Prepared()
            )
            correction = (
                versions.correction_context(session, supersedes, request.reason)
                if supersedes is not None
                else None
            )
            if prepared.case_id is not None:
                case = open_case(session, prepared.case_id)
            else:
                case = open_case_for_filing(session, today.year, spec.case_index)
            register = numbering.get_register(session, spec.register)
            entry = numbering.reserve(
                session, register, on=today, title=spec.title, reserved_by=user.id
            )
            assert case.id is not None
        return _Reserved(school, prepared, correction, case.id, case.index, entry)

    def _commit_issued(
        self, request: _Request, document_id: str, document: Document, reserved: _Reserved
    ) -> None:
        """(3) The record, its registry entry and the audit event commit together."""
        spec, user, supersedes = request.spec, request.user, request.supersedes
        hooks = spec.hooks
        entry = reserved.entry
        assert entry.id is not None
        with session_scope(self.engine) as session:
            if supersedes is not None:
                self._supersede(session, supersedes.id, document_id)
            session.add(document)
            session.flush()
            numbering.confirm(session, entry.id, document_id)
            if hooks:
                hooks.record(session, document, request.payload, user, reserved.prepared.state)
            if request.idempotency_key and user.id is not None:
                self._bind_key(session, user.id, request.idempotency_key, document_id)
            audit.record(
                session,
                user.actor,
                "document.issued" if supersedes is None else "document.version_issued",
                subject_type="document",
                subject_id=document_id,
                detail={
                    "kind": spec.slug,
                    "number": entry.number,
                    "sha256": document.sha256,
                    "case": reserved.case_index,
                    "supersedes": supersedes.id if supersedes else None,
                    "reason": request.reason,
                },
            )

    def _bind_key(self, session: Session, user_id: int, key: str, document_id: str) -> None:
        row = _key_row(session, user_id, key)
        if row is not None:
            row.document_id = document_id
            session.add(row)

    def _supersede(self, session: Session, old_id: str, new_id: str) -> None:
        old = session.get(Document, old_id)
        if old is None:
            raise NotFound("Taisomas dokumentas nerastas.")
        if old.superseded_by_id is not None:
            raise Conflict("Ši dokumento versija jau pakeista naujesne; taisykite naujausią.")
        old.superseded_by_id = new_id
        session.add(old)

    def _void(
        self, entry_id: int, number: str, spec: KindSpec, user: User, exc: BaseException
    ) -> None:
        reason = exc.detail if isinstance(exc, ServiceError) else "Vidinė tarnybos klaida."
        reason = f"Dokumento parengti nepavyko: {reason}"
        with session_scope(self.engine) as session:
            numbering.void(session, entry_id, reason)
            audit.record(
                session,
                user.actor,
                "document.failed",
                subject_type="registry_entry",
                subject_id=number,
                detail={"kind": spec.slug, "reason": reason, "error": type(exc).__name__},
            )

    def _produce(
        self,
        spec: KindSpec,
        payload: BaseModel,
        rule: Any,
        user: User,
        document_id: str,
        number: str,
        seq: int,
        today: dt.date,
        school: SchoolProfile,
        *,
        correction: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Document:
        """(2) Render, convert, check, hash and store; returns the unsaved record."""
        typed: Payload = payload  # type: ignore[assignment]
        docx, stamped = self._render(
            spec, payload, user, number, today, school, correction=correction, extra=extra
        )
        term, lock = _term_and_lock(rule, payload, today)
        stem = f"{today.year}/{spec.register}/{seq:06d}-{document_id}"
        stored_pdf, stored_docx = self._store(stem, document_id, number, stamped.data, docx, lock)
        heading = kinds.heading(payload, spec.title)
        addressee = kinds.addressee(payload)
        search_text = typed.search_text()
        return Document(
            id=document_id,
            kind=spec.slug,
            title=spec.title,
            heading=heading,
            addressee=addressee,
            signer=kinds.signer(payload, school.director_name, user.name),
            search_key=kinds.search_key(number, heading, addressee, search_text),
            pages=stamped.pages,
            registry_entry_id=0,
            register_code=spec.register,
            year=today.year,
            seq=seq,
            number=number,
            registered_on=today,
            case_id=0,
            sha256=stored_pdf.sha256,
            size=stored_pdf.size,
            object_key=stored_pdf.key,
            object_version_id=stored_pdf.version_id,
            docx_key=stored_docx.key,
            docx_version_id=stored_docx.version_id,
            docx_sha256=stored_docx.sha256,
            docx_size=stored_docx.size,
            retention_rule=rule.id,
            retain_until=term.until,
            lock_until=lock,
            permanent=term.permanent,
            payload=payload.model_dump(mode="json"),
            search_text=search_text,
            created_by=user.id or 0,
        )

    def _render(
        self,
        spec: KindSpec,
        payload: BaseModel,
        user: User,
        number: str,
        today: dt.date,
        school: SchoolProfile,
        *,
        correction: dict[str, Any] | None,
        extra: dict[str, Any] | None,
    ) -> tuple[bytes, StampedPdf]:
        """The DOCX and its stamped, checked PDF/A."""
        typed: Payload = payload  # type: ignore[assignment]
        context = build_context(
            typed,
            school,
            number,
            today,
            user.name,
            user.position,
            correction=correction,
            extra=extra,
        )
        docx = render_docx(
            spec.template,
            context,
            properties=DocumentProperties(
                title=f"{spec.title} Nr. {number}",
                author=user.name,
                company=school.name,
                identifier=number,
                created=utcnow(),
            ),
        )
        pdf = self.converter.convert_to_pdfa(docx)
        # The PDF/A gate (claim + embedded fonts) runs on the stamped document before it is
        # returned, on the same parse as the stamping and the page count.
        stamped = stamp_and_check(
            pdf,
            PdfMetadata(
                title=f"{spec.title} Nr. {number}",
                creator=school.name,
                # No pupil names in the XMP: the title and number find the document.
                subject=None,
                registration_number=number,
                registration_date=today,
                authors=[user.name],
                recipients=recipients(payload),
            ),
        )
        return docx, stamped

    def _store(
        self, stem: str, document_id: str, number: str, pdf: bytes, docx: bytes, lock: dt.date
    ) -> tuple[StoredObject, StoredObject]:
        """Both files, locked until ``lock``."""
        meta = {"document-id": document_id, "registration-number": number}
        with store_errors():
            stored_pdf = self.store.put(
                f"{stem}.pdf",
                pdf,
                retain_until=lock,
                content_type="application/pdf",
                metadata=meta,
            )
            stored_docx = self.store.put(
                f"{stem}.docx",
                docx,
                retain_until=lock,
                content_type=DOCX_MEDIA_TYPE,
                metadata=meta,
            )
        return stored_pdf, stored_docx


def _term_and_lock(rule: Any, payload: BaseModel, today: dt.date) -> tuple[Any, dt.date]:
    """The retention term and the store lock of a document issued today from ``payload``."""
    event_on = retention_event_on(payload)
    try:
        term = retain_until(rule, created_on=today, event_on=event_on)
        lock = provisional_lock_until(rule, created_on=today)
    except (ValueError, OverflowError) as exc:
        shown = event_on.isoformat() if event_on else today.isoformat()
        raise InvalidPayload(
            f"Saugojimo termino nuo {shown} apskaičiuoti neįmanoma: data už kalendoriaus ribų."
        ) from exc
    if term.until is not None and term.until > lock:
        lock = term.until
    return term, lock
