"""Which audit actions are followed by an anchor in the store (see anchors.install).

A separate module: ``log.record`` marks the session, ``anchors`` acts after its commit, and
``anchors`` itself builds on ``log``.
"""

from __future__ import annotations

from typing import Final

from sqlmodel import Session

# After a fixity run, a case closing and a disposal's execution the chain is anchored at once:
# each is a point an archivist may later have to prove the history up to.
ANCHOR_AFTER: Final = frozenset({"fixity.run", "cases.closed", "disposal.executed"})
DUE: Final = "bylos.audit_anchor_due"


def mark_due(session: Session, action: str) -> None:
    """Called by ``log.record``: an anchor follows this session's commit (where installed)."""
    if action in ANCHOR_AFTER:
        session.info[DUE] = action
