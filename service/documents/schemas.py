"""The public shape of a Document (api-contract.md)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field
from sqlmodel import Session

from retention.rules import RuleSet
from service.cases.models import Case
from service.documents import versions
from service.documents.models import Document


class RegistrationOut(BaseModel):
    # "register" would shadow a BaseModel attribute; the contract's name is kept on the wire.
    register_code: str = Field(serialization_alias="register")
    year: int
    seq: int
    number: str
    date: dt.date


class FiledCaseOut(BaseModel):
    """The case a document is filed in (the cases API has the full CaseOut)."""

    index: str
    title: str
    year: int


class FileOut(BaseModel):
    sha256: str
    size: int
    media_type: str


class RetentionOut(BaseModel):
    rule: str
    rule_title: str
    verified: bool
    retain_until: dt.date | None
    locked_until: dt.date
    permanent: bool
    legal_hold: bool


class DocumentOut(BaseModel):
    id: str
    kind: str
    title: str
    version: int
    supersedes: str | None
    superseded_by: str | None
    # The number of the version that replaced this one ("SV-3"), as every listing marks it.
    superseded_by_number: str | None = None
    registration: RegistrationOut
    case: FiledCaseOut
    file: FileOut
    retention: RetentionOut
    created_at: dt.datetime


def document_out(session: Session, doc: Document, rules: RuleSet) -> DocumentOut:
    case = session.get(Case, doc.case_id)
    assert case is not None
    rule = rules.get(doc.retention_rule) if doc.retention_rule in rules else None
    replaced = versions.replaced_by(session, [doc.id]).get(doc.id) if doc.superseded_by_id else None
    return DocumentOut(
        id=doc.id,
        kind=doc.kind,
        title=doc.title,
        version=doc.version,
        supersedes=doc.supersedes_id,
        superseded_by=doc.superseded_by_id,
        superseded_by_number=replaced.number if replaced else None,
        registration=RegistrationOut(
            register_code=doc.register_code,
            year=doc.year,
            seq=doc.seq,
            number=doc.number,
            date=doc.registered_on,
        ),
        case=FiledCaseOut(index=case.index, title=case.title, year=case.year),
        file=FileOut(sha256=doc.sha256, size=doc.size, media_type=doc.media_type),
        retention=RetentionOut(
            rule=doc.retention_rule,
            rule_title=rule.title if rule else doc.retention_rule,
            verified=rule.verified if rule else False,
            retain_until=doc.retain_until,
            locked_until=doc.lock_until,
            permanent=doc.permanent,
            legal_hold=doc.legal_hold,
        ),
        created_at=doc.created_at,
    )
