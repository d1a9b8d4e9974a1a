"""What a document kind is (payload model, roles, where it is filed) and what the pipeline asks of
any payload. Which kinds exist is the registry's business (service/kinds.py): it names models
that features above documents/ own (the archive's acts, the cases' inventory)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from service.documents.hooks import KindHooks
from service.errors import NotFound
from service.lt import fold
from service.users.models import Role


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
    # What the kind does beyond the common pipeline (service/documents/hooks.py), if anything.
    hooks: KindHooks | None = None


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
