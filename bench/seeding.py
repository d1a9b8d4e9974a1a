"""Records put straight into a Bylos database, for the benches and the tests that need them
without the issuing pipeline: an API token for a person the pledge gate lets through, and a
document whose objects the caller stored itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from service.db import make_engine, session_scope
from service.documents.models import Document
from service.registry.models import EntryStatus, RegistryEntry
from service.users.accounts import create_user, issue_token
from service.users.models import Role
from storage.objectstore import StoredObject


def pledged_token(
    database_url: str, *, name: str, position: str, roles: list[Role]
) -> tuple[str, int]:
    """A new person's API token and number; their pledge is marked as given (the gate is not
    what is measured or tested there)."""
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            user = create_user(session, name=name, position=position, roles=roles)
            user.pledge_document_id = "bench"
            session.add(user)
            token = issue_token(session, user)
            user_id = user.id
    finally:
        engine.dispose()
    assert user_id is not None
    return token, user_id


def document_row(
    doc_id: str,
    entry: RegistryEntry,
    case_id: int | None,
    pdf: StoredObject,
    docx: StoredObject,
    *,
    title: str,
    retain_until: dt.date,
    lock_until: dt.date,
    payload: dict[str, Any],
    created_by: int,
    retention_rule: str = "v1511-progress-report",
) -> Document:
    """The unsaved record of a progress report registered as ``entry`` and filed in the case
    ``case_id``, whose PDF and DOCX were put into the store as ``pdf`` and ``docx``."""
    return Document(
        id=doc_id,
        kind="progress-report",
        title=title,
        registry_entry_id=entry.id or 0,
        register_code=entry.register_code,
        year=entry.year,
        seq=entry.seq,
        number=entry.number,
        registered_on=entry.date,
        case_id=case_id or 0,
        sha256=pdf.sha256,
        size=pdf.size,
        object_key=pdf.key,
        object_version_id=pdf.version_id,
        docx_key=docx.key,
        docx_version_id=docx.version_id,
        docx_sha256=docx.sha256,
        docx_size=docx.size,
        retention_rule=retention_rule,
        retain_until=retain_until,
        lock_until=lock_until,
        payload=payload,
        created_by=created_by,
    )


def add_report(
    session: Session,
    doc_id: str,
    *,
    seq: int,
    on: dt.date,
    case_id: int | None,
    pdf: StoredObject,
    docx: StoredObject,
    lock_until: dt.date,
    created_by: int,
) -> None:
    """Register report TA-``seq`` on ``on`` and record it, kept and locked until
    ``lock_until``, as the document whose files were stored as ``pdf`` and ``docx``."""
    entry = RegistryEntry(
        register_code="TA",
        year=on.year,
        seq=seq,
        number=f"TA-{seq}",
        date=on,
        title="Ataskaita",
        status=EntryStatus.registered,
        document_id=doc_id,
    )
    session.add(entry)
    session.flush()
    session.add(
        document_row(
            doc_id,
            entry,
            case_id,
            pdf,
            docx,
            title="Ataskaita",
            retain_until=lock_until,
            lock_until=lock_until,
            payload={"seq": seq},
            created_by=created_by,
        )
    )
