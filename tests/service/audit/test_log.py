"""The audit log's hash chain: appends link, tampering and truncation are detected."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from service.audit import log as audit
from service.db import session_scope

pytestmark = pytest.mark.db

ACTOR = audit.Actor(id=None, name="Testas")


def _append(engine: Engine, n: int) -> None:
    for i in range(n):
        with session_scope(engine) as session:
            audit.record(session, ACTOR, "document.issued", subject_id=f"d{i}", detail={"i": i})


def _verify(engine: Engine) -> audit.ChainReport:
    with session_scope(engine) as session:
        return audit.verify(session)


def test_untouched_chain_verifies(engine: Engine) -> None:
    _append(engine, 5)
    assert _verify(engine) == audit.ChainReport(ok=True, events=5, first_broken=None)


def test_edited_event_breaks_the_chain_at_that_event(engine: Engine) -> None:
    _append(engine, 5)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor_name = 'Kitas' WHERE id = 3"))
    report = _verify(engine)
    assert (report.ok, report.first_broken) == (False, 3)


def test_deleted_last_event_is_detected(engine: Engine) -> None:
    _append(engine, 3)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = 3"))
    assert _verify(engine).ok is False


def test_concurrent_appends_form_one_chain(engine: Engine) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda _: _append(engine, 5), range(6)))
    assert _verify(engine) == audit.ChainReport(ok=True, events=30, first_broken=None)
