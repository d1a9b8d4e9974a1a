"""The document kinds Bylos issues: payload model, roles, and where each is filed (manifest)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from service.documents.leaving_certificate import LeavingCertificate
from service.errors import NotFound
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
    "leaving-certificate": (
        LeavingCertificate,
        frozenset({Role.office_manager, Role.director}),
        frozenset({Role.office_manager, Role.director, Role.deputy, Role.archivist}),
    ),
}


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
