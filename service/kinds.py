"""The document kinds Bylos issues: each kind's payload model, roles and hooks, joined with the
editable manifest in ``doc_templates/`` (template, register, case, retention item).

This registry sits above every feature whose payload model it names (documents/, cases/,
archive/), so none of them has to import upward to be issued; what a kind *is* (KindSpec) lives
below them in service/documents/kinds.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from service.archive.acts import DestructionAct, JournalTransfer
from service.archive.journal import JournalTransferHooks
from service.cases.inventory import CaseInventory
from service.documents.achievement_summary import AchievementSummary
from service.documents.change_act import ChangeAct
from service.documents.confidentiality_pledge import ConfidentialityPledge
from service.documents.hooks import ChangeActHooks, KindHooks, PledgeHooks
from service.documents.kinds import KindSpec
from service.documents.leaving_certificate import LeavingCertificate
from service.documents.progress_report import ProgressReport
from service.documents.safety_briefing import SafetyBriefing
from service.rendering.docx import TEMPLATES_DIR
from service.users.models import Role
from service.users.pledge import PLEDGE_KIND

_Roles = frozenset[Role]

# The office manager files the school's records and the archivist keeps them: they read
# nearly every kind.
_RECORD_KEEPERS: _Roles = frozenset({Role.office_manager, Role.archivist})
# With the director, who answers for them: who reads what the archive itself produces.
_ARCHIVE_READERS: _Roles = _RECORD_KEEPERS | {Role.director}
# Who teaches a class and who oversees the teaching: they issue a class's own documents.
_CLASS_STAFF: _Roles = frozenset({Role.class_teacher, Role.deputy})


def _kind(
    model: type[BaseModel], issue: Iterable[Role], read_also: Iterable[Role]
) -> tuple[type[BaseModel], _Roles, _Roles]:
    """A kind's model, who issues it and who reads it: whoever issues a kind reads it too."""
    issuers = frozenset(issue)
    return model, issuers, issuers | frozenset(read_also)


_MODELS: dict[str, tuple[type[BaseModel], _Roles, _Roles]] = {
    "case-inventory": _kind(CaseInventory, {Role.archivist, Role.director}, _ARCHIVE_READERS),
    "leaving-certificate": _kind(
        LeavingCertificate, {Role.office_manager, Role.director}, _ARCHIVE_READERS | {Role.deputy}
    ),
    # Issued only through the archive's own flows (a disposal proposal, a journal upload), which
    # supply what the payload must state; hence nobody may POST them to /api/documents.
    "destruction-act": _kind(DestructionAct, (), _ARCHIVE_READERS),
    "journal-transfer": _kind(
        JournalTransfer, (), {Role.archivist, Role.director, Role.deputy, Role.admin}
    ),
    "change-act": _kind(ChangeAct, {Role.deputy, Role.admin}, _ARCHIVE_READERS),
    "confidentiality-pledge": _kind(
        ConfidentialityPledge, {Role.office_manager, Role.admin}, _ARCHIVE_READERS
    ),
    # The office manager files the summaries (issue 10 item 8: she reads what she files).
    "achievement-summary": _kind(AchievementSummary, _CLASS_STAFF, _ARCHIVE_READERS),
    "safety-briefing": _kind(SafetyBriefing, _CLASS_STAFF, _RECORD_KEEPERS),
    "progress-report": _kind(ProgressReport, {Role.class_teacher}, _CLASS_STAFF | _RECORD_KEEPERS),
}


# What some kinds do beyond the common pipeline (service/documents/hooks.py), by slug.
_HOOKS: dict[str, KindHooks] = {
    "change-act": ChangeActHooks(),
    PLEDGE_KIND: PledgeHooks(),
    "journal-transfer": JournalTransferHooks(),
}


def issuable_models() -> dict[str, type[BaseModel]]:
    """The payload model of each kind a person may POST to /api/documents/{kind} (the
    published contract lists them; the manifest adds nothing a client sends)."""
    return {slug: model for slug, (model, issue_roles, _) in _MODELS.items() if issue_roles}


def load_kinds(templates_dir: Path = TEMPLATES_DIR) -> dict[str, KindSpec]:
    """Join the code's payload models with the editable manifest in ``doc_templates/``."""
    manifest: dict[str, dict[str, str]] = json.loads(
        (templates_dir / "manifest.json").read_text(encoding="utf-8")
    )
    kinds: dict[str, KindSpec] = {}
    for slug, (model, issue_roles, read_roles) in _MODELS.items():
        entry = manifest[slug]
        kinds[slug] = KindSpec(
            slug=slug,
            title=entry["title"],
            model=model,
            template=templates_dir / entry["template"],
            register=entry["register"],
            case_index=entry["case_index"],
            retention_rule=entry["retention_rule"],
            issue_roles=issue_roles,
            read_roles=read_roles,
            hooks=_HOOKS.get(slug),
        )
    return kinds
