"""The document kinds Bylos issues: payload model, roles, and where each is filed (manifest)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from service.archive.acts import DestructionAct, JournalTransfer
from service.cases.inventory import CaseInventory
from service.documents.achievement_summary import AchievementSummary
from service.documents.change_act import ChangeAct
from service.documents.confidentiality_pledge import ConfidentialityPledge
from service.documents.leaving_certificate import LeavingCertificate
from service.documents.progress_report import ProgressReport
from service.documents.safety_briefing import SafetyBriefing
from service.errors import NotFound
from service.lt import fold
from service.users.models import Role

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "doc_templates"


class Payload(Protocol):
    def template_context(self) -> dict[str, Any]: ...
    def search_text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class KindSpec:
    slug: str
    title: str
    model: type[BaseModel]
    template: Path
    register: str
    case_index: str
    retention_rule: str
    issue_roles: frozenset[Role]
    read_roles: frozenset[Role]


_MODELS: dict[str, tuple[type[BaseModel], frozenset[Role], frozenset[Role]]] = {
    "case-inventory": (
        CaseInventory,
        frozenset({Role.archivist, Role.director}),
        frozenset({Role.archivist, Role.director, Role.office_manager}),
    ),
    "leaving-certificate": (
        LeavingCertificate,
        frozenset({Role.office_manager, Role.director}),
        frozenset({Role.office_manager, Role.director, Role.deputy, Role.archivist}),
    ),
    # Issued only through the archive's own flows (a disposal proposal, a journal upload), which
    # supply what the payload must state; hence nobody may POST them to /api/documents.
    "destruction-act": (
        DestructionAct,
        frozenset(),
        frozenset({Role.archivist, Role.director, Role.office_manager}),
    ),
    "journal-transfer": (
        JournalTransfer,
        frozenset(),
        frozenset({Role.archivist, Role.director, Role.deputy, Role.admin}),
    ),
    "change-act": (
        ChangeAct,
        frozenset({Role.deputy, Role.admin}),
        frozenset({Role.deputy, Role.admin, Role.director, Role.archivist, Role.office_manager}),
    ),
    "confidentiality-pledge": (
        ConfidentialityPledge,
        frozenset({Role.office_manager, Role.admin}),
        frozenset({Role.office_manager, Role.admin, Role.director, Role.archivist}),
    ),
    "achievement-summary": (
        AchievementSummary,
        frozenset({Role.class_teacher, Role.deputy}),
        # The office manager files the summaries (issue 10 item 8: she reads what she files).
        frozenset(
            {Role.class_teacher, Role.deputy, Role.director, Role.archivist, Role.office_manager}
        ),
    ),
    "safety-briefing": (
        SafetyBriefing,
        frozenset({Role.class_teacher, Role.deputy}),
        frozenset({Role.class_teacher, Role.deputy, Role.office_manager, Role.archivist}),
    ),
    "progress-report": (
        ProgressReport,
        frozenset({Role.class_teacher}),
        frozenset({Role.class_teacher, Role.deputy, Role.archivist, Role.office_manager}),
    ),
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
        )
    return kinds


def kind_or_404(kinds: dict[str, KindSpec], slug: str) -> KindSpec:
    spec = kinds.get(slug)
    if spec is None:
        known = ", ".join(sorted(kinds))
        raise NotFound(f"Dokumento rūšis „{slug}“ nežinoma. Galimos: {known}.")
    return spec


def retention_event_on(payload: BaseModel) -> dt.date | None:
    """The date an event-bound retention term counts from, when the payload knows it."""
    getter = getattr(payload, "retention_event_on", None)
    return getter() if callable(getter) else None


def recipients(payload: BaseModel) -> list[str]:
    """The document's addressees (PDF-LT ``recipients``), when the payload names any."""
    getter = getattr(payload, "recipients", None)
    return list(getter()) if callable(getter) else []


def heading(payload: BaseModel, title: str) -> str:
    """What the register says was registered: the payload's own heading (who, which class,
    which period) or, for a kind without one, its title."""
    getter = getattr(payload, "heading", None)
    return str(getter()) if callable(getter) else title


def addressee(payload: BaseModel) -> str:
    """The addressee or recipient the register names, where the document has one."""
    getter = getattr(payload, "addressee", None)
    if callable(getter):
        return str(getter())
    return "; ".join(recipients(payload))


def signer(payload: BaseModel, director: str, issued_by: str) -> str:
    """Who signed the document: the payload's signer, the head of school for the kinds the
    director signs, otherwise the person who issued it."""
    getter = getattr(payload, "signer", None)
    if callable(getter):
        return str(getter())
    if getattr(payload, "signed_by_director", False):
        return director
    return issued_by


def search_key(number: str, heading_text: str, addressee_text: str, search_text: str) -> str:
    """The folded text ``?q=`` matches: number, heading, addressee and the payload's words."""
    return fold(" ".join((number, heading_text, addressee_text, search_text)))
