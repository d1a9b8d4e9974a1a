"""A small school's records, as rows for whatever tables a schema revision has.

Written in terms of the newest columns; at an older revision a table that does not exist yet is
skipped and a column that does not exist yet is left out. A table or a required column added
later than this file gets a plain value of its type (``filler``), so a new migration is still
walked with rows in every table; give it real rows here when its meaning matters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Enum, Integer, Numeric, Table

from retention.rules import default_rules
from service.audit.log import GENESIS, event_hash
from service.audit.models import AuditEvent
from service.timeutil import today_vilnius

TOKEN = "atnaujinimo-bandymo-raktas-2026"
YEAR = today_vilnius().year
LAST_PZ = 7
AT = dt.datetime(YEAR, 1, 15, 9, 30, tzinfo=dt.UTC)
DOC = "11111111-2222-3333-4444-555555555555"
PLEDGE = "11111111-2222-3333-4444-666666666666"
OLD = "11111111-2222-3333-4444-777777777777"


def _audit() -> tuple[list[dict[str, Any]], str]:
    rows: list[dict[str, Any]] = []
    prev = GENESIS
    for n, (action, subject) in enumerate(
        [("user.created", "1"), ("document.issued", DOC), ("document.downloaded", DOC)], start=1
    ):
        event = AuditEvent(
            id=n,
            at=AT + dt.timedelta(minutes=n),
            actor_id=1,
            actor_name="Rasa Raštinienė",
            action=action,
            subject_type="document" if n > 1 else "user",
            subject_id=subject,
            detail={"number": f"PZ-{LAST_PZ}"} if n > 1 else {},
            prev_hash=prev,
            hash="",
        )
        event.hash = event_hash(prev, event)
        rows.append(event.model_dump())
        prev = event.hash
    return rows, prev


AUDIT_EVENTS, AUDIT_HEAD = _audit()


def _document(doc_id: str, kind: str, register: str, seq: int, entry: int) -> dict[str, Any]:
    return {
        "id": doc_id,
        "kind": kind,
        "title": "Mokinio pasiekimų pažyma",
        "version": 1,
        "supersedes_id": None,
        "superseded_by_id": None,
        "registry_entry_id": entry,
        "register_code": register,
        "year": YEAR,
        "seq": seq,
        "number": f"{register}-{seq}",
        "registered_on": AT.date(),
        "case_id": 1,
        "sha256": hashlib.sha256(doc_id.encode()).hexdigest(),
        "size": 1234,
        "media_type": "application/pdf",
        "object_key": f"{YEAR}/{register}/{seq:06d}-{doc_id}.pdf",
        "object_version_id": "v-pdf-1",
        "docx_key": f"{YEAR}/{register}/{seq:06d}-{doc_id}.docx",
        "docx_version_id": "v-docx-1",
        "docx_sha256": hashlib.sha256(doc_id.encode() + b"docx").hexdigest(),
        "docx_size": 999,
        "retention_rule": "v1511-pupil-file",
        "retain_until": dt.date(YEAR + 10, 12, 31),
        "lock_until": dt.date(YEAR + 10, 12, 31),
        "permanent": False,
        "legal_hold": False,
        "payload": {"student": {"first_name": "Jonas", "last_name": "Jonaitis"}},
        "search_text": "Jonas Jonaitis 5a",
        "created_by": 1,
        "created_at": AT,
    }


ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [
        {
            "id": 1,
            "name": "Rasa Raštinienė",
            "position": "Raštinės vedėja",
            "roles": "office_manager archivist",
            "login": "rasa",
            "password_hash": None,
            "active": True,
            "pledge_document_id": PLEDGE,
            "created_at": AT,
        }
    ],
    "api_tokens": [
        {
            "id": 1,
            "user_id": 1,
            "token_hash": hashlib.sha256(TOKEN.encode()).hexdigest(),
            "created_at": AT,
            "revoked_at": None,
        }
    ],
    "registers": [
        {
            "code": "PZ",
            "title": "Mokinių pasiekimų pažymų registras",
            "number_format": "{code}-{seq}",
            "case_index": "3.4",
            "yearly_restart": True,
        },
        {
            "code": "KP",
            "title": "Konfidencialumo pasižadėjimų registras",
            "number_format": "{code}-{seq}",
            "case_index": "2.1",
            "yearly_restart": True,
        },
    ],
    "register_counters": [
        {"register_code": "PZ", "year": YEAR, "last_seq": LAST_PZ},
        {"register_code": "KP", "year": YEAR, "last_seq": 1},
    ],
    "cases": [
        {
            "id": 1,
            "year": YEAR,
            "index": "3.4",
            "title": "Išvykusiems mokiniams išduotos mokinio pasiekimų pažymos",
            "retention_rule": "v1511-pupil-file",
            "status": "open",
            "closed_on": None,
            "registers": "PZ",
        },
        {
            "id": 2,
            "year": YEAR,
            "index": "2.1",
            "title": "Konfidencialumo pasižadėjimai",
            "retention_rule": "v1511-pupil-file",
            "status": "open",
            "closed_on": None,
            "registers": "KP",
        },
    ],
    "registry_entries": [
        {
            "id": 1,
            "register_code": "PZ",
            "year": YEAR,
            "seq": LAST_PZ - 1,
            "number": f"PZ-{LAST_PZ - 1}",
            "date": AT.date(),
            "title": "Mokinio pasiekimų pažyma",
            "status": "void",
            "document_id": None,
            "void_reason": "Dokumento parengti nepavyko: konverteris neatsakė.",
            "reserved_by": 1,
            "created_at": AT,
            "updated_at": AT,
        },
        {
            "id": 2,
            "register_code": "PZ",
            "year": YEAR,
            "seq": LAST_PZ,
            "number": f"PZ-{LAST_PZ}",
            "date": AT.date(),
            "title": "Mokinio pasiekimų pažyma",
            "status": "registered",
            "document_id": DOC,
            "void_reason": None,
            "reserved_by": 1,
            "created_at": AT,
            "updated_at": AT,
        },
        {
            "id": 4,
            "register_code": "PZ",
            "year": YEAR,
            "seq": LAST_PZ - 2,
            "number": f"PZ-{LAST_PZ - 2}",
            "date": AT.date(),
            "title": "Mokinio pasiekimų pažyma",
            "status": "registered",
            "document_id": OLD,
            "void_reason": None,
            "reserved_by": 1,
            "created_at": AT,
            "updated_at": AT,
        },
        {
            "id": 3,
            "register_code": "KP",
            "year": YEAR,
            "seq": 1,
            "number": "KP-1",
            "date": AT.date(),
            "title": "Konfidencialumo pasižadėjimas",
            "status": "registered",
            "document_id": PLEDGE,
            "void_reason": None,
            "reserved_by": 1,
            "created_at": AT,
            "updated_at": AT,
        },
    ],
    "documents": [
        _document(DOC, "leaving-certificate", "PZ", LAST_PZ, 2),
        _document(PLEDGE, "confidentiality-pledge", "KP", 1, 3) | {"case_id": 2},
        _document(OLD, "leaving-certificate", "PZ", LAST_PZ - 2, 4),
    ],
    "idempotency_keys": [
        {
            "id": 1,
            "user_id": 1,
            "key": "pazyma-1",
            "request_hash": "0" * 64,
            "document_id": DOC,
            "created_at": AT,
        }
    ],
    "audit_events": AUDIT_EVENTS,
    "documentation_plans": [
        {
            "year": YEAR,
            "status": "draft",
            "approved_by": None,
            "approved_by_name": None,
            "approved_at": None,
            "created_at": AT,
        }
    ],
    "plan_areas": [{"id": 1, "year": YEAR, "index": "3", "title": "Ugdymo organizavimas"}],
    "plan_changes": [
        {
            "id": 1,
            "year": YEAR,
            "at": AT,
            "user_id": 1,
            "user_name": "Rasa Raštinienė",
            "action": "case.edited",
            "subject": "3.4",
            "before": {"title": "Pažymos"},
            "after": {"title": "Išvykusiems mokiniams išduotos mokinio pasiekimų pažymos"},
            "after_approval": False,
        }
    ],
    "notifications": [
        {
            "id": 1,
            "document_id": DOC,
            "recipient_role": "deputy",
            "recipient_name": "Dalia Pavaduotoja",
            "message": "Pakeisti duomenys",
            "created_at": AT,
            "delivered_at": None,
        }
    ],
    "retention_rule_sets": [
        {
            "id": 1,
            "rules_json": default_rules().to_json(),
            "source": "import",
            "created_by": 1,
            "created_at": AT,
        }
    ],
    "retention_rule_changes": [
        {
            "id": 1,
            "rule_set_id": 1,
            "rule_id": "v1511-pupil-file",
            "change": "changed",
            "before": {"years": 10},
            "after": {"years": 10},
            "changed_by": 1,
            "changed_at": AT,
        }
    ],
    "retention_events": [
        {
            "document_id": DOC,
            "event_on": AT.date(),
            "note": "Išvyko",
            "recorded_by": 1,
            "recorded_at": AT,
        }
    ],
    "holds": [
        {
            "id": 1,
            "document_id": DOC,
            "case_id": None,
            "reason": "Teismo prašymas",
            "created_by": 1,
            "created_at": AT,
            "released_at": AT,
            "released_by": 1,
            "release_reason": "Byla baigta",
        }
    ],
    "fixity_runs": [
        {
            "id": 1,
            "started_at": AT,
            "finished_at": AT,
            "started_by": 1,
            "checked": 4,
            "ok": 4,
            "bytes_read": 10_000,
            "report": {"mismatched": [], "missing": [], "orphans": [], "lock_problems": []},
        }
    ],
    "disposals": [
        {
            "id": 1,
            "status": "executed",
            "cases": [{"case_id": 1, "year": YEAR, "index": "3.4", "title": "Pažymos"}],
            "document_ids": [OLD],
            "act_document_id": DOC,
            "act_number": "NA-1",
            "proposed_by": 1,
            "proposed_at": AT,
            "approved_by": 1,
            "approved_at": AT,
            "executed_by": 1,
            "executed_at": AT,
            "report": {"destroyed": [{"document_id": OLD}], "refused": []},
        }
    ],
    "destroyed_documents": [
        {
            "document_id": OLD,
            "disposal_id": 1,
            "act_document_id": DOC,
            "act_number": "NA-1",
            "sha256": hashlib.sha256(OLD.encode()).hexdigest(),
            "destroyed_at": AT,
            "destroyed_by": 1,
        }
    ],
    "journal_files": [
        {
            "document_id": DOC,
            "file_name": "tamo-2025-2026.zip",
            "media_type": "application/zip",
            "object_key": f"{YEAR}/DP/000001-{DOC}.zip",
            "object_version_id": "v-zip-1",
            "sha256": "a" * 64,
            "size": 5 * 1024**3,
            "created_at": AT,
        }
    ],
    "backup_runs": [
        {
            "id": 1,
            "target": "/mnt/kopijos",
            "status": "completed",
            "started_at": AT,
            "finished_at": AT,
            "started_by": 1,
            "started_by_name": "Rasa Raštinienė",
            "versions": 6,
            "files": 7,
            "bytes_total": 5 * 1024**3,
            "bytes_copied": 1024,
            "files_copied": 1,
            "manifest_sha256": "b" * 64,
            "error": None,
        }
    ],
    "school_calendars": [
        {
            "school_year": f"{YEAR - 1}-{YEAR}",
            "periods": [
                {
                    "name": "I pusmetis",
                    "ends_on": f"{YEAR}-01-31",
                    "grades_from": 1,
                    "grades_to": 12,
                }
            ],
            "classes": ["5a"],
            "journal_transfer_due": dt.date(YEAR, 8, 31),
            "updated_by": 1,
            "updated_at": AT,
        }
    ],
    "school_profile": [
        {
            "id": 1,
            "name": "Bandomoji progimnazija",
            "code": "190000000",
            "address": "Mokyklos g. 1, Kaunas",
            "city": "Kaunas",
            "director_name": "Vida Direktorė",
            "director_title": "Direktorė",
            "updated_by": 1,
            "updated_at": AT,
        }
    ],
}


def filler(table: Table, column: str, row: dict[str, Any], known: dict[str, Any]) -> Any:
    """A plain value of the column's type (see the module's docstring)."""
    col = table.c[column]
    for fk in col.foreign_keys:
        target = fk.column
        return known.get(f"{target.table.name}.{target.name}")
    kind = col.type
    if isinstance(kind, Enum) and kind.enums:
        return kind.enums[0]
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer | BigInteger | Numeric):
        return 1
    if isinstance(kind, DateTime):
        return AT
    if isinstance(kind, Date):
        return AT.date()
    if isinstance(kind, JSON):
        return {}
    return f"{table.name}.{column}"


def as_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
