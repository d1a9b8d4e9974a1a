"""The documents' use-cases that the API (routes.py) and the pages share: finding documents,
one document with its versions. (A stored file, which the archive may have destroyed, is the
archive's: service/archive/service.py.)

Who may call each is decided before, by the policy table (service/access/policy.py); what is
left here is what depends on the data (the kinds and classes one may read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from retention.rules import RuleSet
from service.audit.models import AuditEvent
from service.db import session_scope
from service.documents import corrections
from service.documents.kinds import KindSpec, kind_or_404
from service.documents.models import Document
from service.documents.schemas import DocumentOut, document_out
from service.errors import NotFound, NotPermitted
from service.lt import search_words
from service.school_year import classes
from service.users.models import ROLE_TITLES, User

MAX_QUERY_WORDS = 10
SUMMARY = "achievement-summary"


def get(session: Session, document_id: str) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"Dokumentas „{document_id}“ nerastas.")
    return doc


def find_document(engine: Engine, document_id: str) -> Document | None:
    with session_scope(engine) as session:
        return session.get(Document, document_id)


def may_read(session: Session, user: User, spec: KindSpec, doc: Document) -> bool:
    """Whether this person may open this document: the kind's roles and, for a class teacher,
    the class they lead (a listing shows nothing the reader may not open)."""
    return bool(user.role_set & spec.read_roles) and classes.may_act(
        session, user, spec.read_roles, doc.payload, doc.registered_on
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentFilter:
    """What a listing of documents is narrowed to: one kind, one year, search words (None: any),
    and how many of the newest at most. The API and the documents page ask the same way."""

    kind: str | None = None
    year: int | None = None
    q: str | None = None
    limit: int


def find(
    session: Session,
    kinds: Mapping[str, KindSpec],
    rules: RuleSet,
    user: User,
    wanted: DocumentFilter,
) -> list[DocumentOut]:
    """The newest documents this person may read, narrowed as ``wanted`` says."""
    kind = wanted.kind
    readable = [s.slug for s in kinds.values() if user.role_set & s.read_roles]
    if kind is not None:
        # Asked for by name: a kind one may not read is refused, not silently empty.
        allowed = kind_or_404(dict(kinds), kind).read_roles
        if not user.role_set & allowed:
            titles = ", ".join(sorted(ROLE_TITLES[r] for r in allowed))
            raise NotPermitted(
                f"Veiksmui „peržiūrėti dokumentus“ reikia vieno iš vaidmenų: {titles}."
            )
        readable = [kind]
    stmt = select(Document).where(col(Document.kind).in_(readable))
    if wanted.year is not None:
        stmt = stmt.where(Document.year == wanted.year)
    # Every word of the query, folded as the stored key was (case and Lithuanian letters
    # dropped: "zukauskaite" finds "Žukauskaitė"), must occur; LIKE on the folded key behaves
    # the same on SQLite and PostgreSQL. "%" and "_" are the user's letters, not wildcards.
    for word in search_words(wanted.q or "")[:MAX_QUERY_WORDS]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(col(Document.search_key).like(f"%{escaped}%", escape="\\"))
    stmt = stmt.order_by(col(Document.created_at).desc()).limit(wanted.limit)
    return [
        document_out(session, d, rules)
        for d in session.exec(stmt)
        if may_read(session, user, kinds[d.kind], d)
    ]


@dataclass(frozen=True, slots=True)
class Found:
    documents: list[DocumentOut]
    # The class each document is about, where its payload names one.
    classes: dict[str, str]


def find_with_classes(
    engine: Engine,
    kinds: Mapping[str, KindSpec],
    rules: RuleSet,
    user: User,
    wanted: DocumentFilter,
) -> Found:
    with session_scope(engine) as session:
        found = find(session, kinds, rules, user, wanted)
        return Found(found, _classes(session, [d.id for d in found]))


def _classes(session: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.exec(select(Document.id, Document.payload).where(col(Document.id).in_(ids)))
    return {
        doc_id: str(payload.get("class_name", ""))
        for doc_id, payload in rows
        if isinstance(payload, dict)
    }


def one(session: Session, rules: RuleSet, document_id: str) -> DocumentOut:
    return document_out(session, get(session, document_id), rules)


@dataclass(frozen=True, slots=True)
class History:
    """One document as the API answers it, with every version of it (oldest first), the
    reason each new version gave, and the change acts registered against a summary."""

    out: DocumentOut
    record: Document
    versions: list[Document]
    reasons: dict[str, str]
    acts: list[Document]


def history(engine: Engine, rules: RuleSet, document_id: str) -> History:
    with session_scope(engine) as session:
        out = one(session, rules, document_id)
        doc = get(session, document_id)
        chain = _chain(session, doc)
        reasons = _reasons(session, [d.id for d in chain])
        acts = corrections.acts_for_summary(session, doc) if doc.kind == SUMMARY else []
        return History(out, doc, chain, reasons, acts)


def _chain(session: Session, doc: Document) -> list[Document]:
    first = doc
    seen = {doc.id}
    while first.supersedes_id and first.supersedes_id not in seen:
        older = session.get(Document, first.supersedes_id)
        if older is None:
            break
        seen.add(older.id)
        first = older
    chain = [first]
    while chain[-1].superseded_by_id and len(chain) < 100:
        newer = session.get(Document, chain[-1].superseded_by_id)
        if newer is None:
            break
        chain.append(newer)
    return chain


def _reasons(session: Session, ids: list[str]) -> dict[str, str]:
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "document.version_issued", col(AuditEvent.subject_id).in_(ids)
        )
    ).all()
    return {e.subject_id: str(e.detail.get("reason") or "") for e in events}
