"""Versions of a document: which version replaced which, and what a new version says it
corrects (seed p.23.10: a summary is never corrected by hand, it is issued again).

One query answers "replaced by" for every listing, page and register row (``replaced_by``), so
they all mark an old version the same way from the same relation (``Document.superseded_by_id``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from service.documents.corrections import acts_for_summary
from service.documents.models import Document
from service.lt import long_date


@dataclass(frozen=True, slots=True)
class Replacement:
    """The version that replaced a document."""

    id: str
    number: str
    registered_on: dt.date

    @property
    def text(self) -> str:
        """As listings print it: ``pakeistas: SV-3``."""
        return f"pakeistas: {self.number}"


def replaced_by(session: Session, ids: Iterable[str]) -> dict[str, Replacement]:
    """For each of ``ids`` that a newer version replaced: that version."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    old = session.exec(
        select(Document.id, Document.superseded_by_id).where(
            col(Document.id).in_(wanted), col(Document.superseded_by_id).is_not(None)
        )
    ).all()
    newer = {new_id for _, new_id in old if new_id}
    found = {
        doc.id: doc for doc in session.exec(select(Document).where(col(Document.id).in_(newer)))
    }
    return {
        old_id: Replacement(id=new.id, number=new.number, registered_on=new.registered_on)
        for old_id, new_id in old
        if new_id and (new := found.get(new_id)) is not None
    }


def correction_context(session: Session, old: Document, reason: str | None) -> dict[str, Any]:
    """What a new version prints about the one it replaces: its date and number, the reason
    and the change acts filed with it (p.17.3)."""
    acts = acts_for_summary(session, old) if old.kind == "achievement-summary" else []
    return {
        "replaces": f"{long_date(old.registered_on)} Nr. {old.number}",
        "number": old.number,
        "reason": reason or "",
        "acts": ", ".join(act.number for act in acts),
    }
