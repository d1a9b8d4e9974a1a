"""Registration numbers: per register per year, gapless, never shared, void with a reason."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from service.db import session_scope
from service.errors import Conflict, NotFound
from service.registry import numbering
from service.registry.defaults import ensure_default_registers
from service.registry.models import EntryStatus, Register, RegistryEntry
from service.timeutil import utcnow

pytestmark = pytest.mark.db

DAY = dt.date(2026, 11, 28)


@pytest.fixture
def registers(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        ensure_default_registers(session)
    return engine


def _reserve(engine: Engine, code: str = "PZ", on: dt.date = DAY) -> RegistryEntry:
    with session_scope(engine) as session:
        register = numbering.get_register(session, code)
        return numbering.reserve(session, register, on=on, title="Pažyma", reserved_by=None)


def test_numbers_start_at_one_and_follow_the_register_format(registers: Engine) -> None:
    first, second = _reserve(registers), _reserve(registers)
    assert (first.seq, first.number) == (1, "PZ-1")
    assert (second.seq, second.number) == (2, "PZ-2")


def test_each_register_counts_on_its_own(registers: Engine) -> None:
    _reserve(registers, "PZ")
    assert _reserve(registers, "DA").number == "DA-1"


def test_numbering_restarts_each_calendar_year(registers: Engine) -> None:
    _reserve(registers, on=dt.date(2026, 12, 31))
    entry = _reserve(registers, on=dt.date(2027, 1, 1))
    assert (entry.year, entry.seq) == (2027, 1)


def test_unknown_register_is_not_found(registers: Engine) -> None:
    with pytest.raises(NotFound, match="„XX“"):
        _reserve(registers, "XX")


def test_concurrent_reservations_are_gapless_and_unique(registers: Engine) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        seqs = list(pool.map(lambda _: _reserve(registers).seq, range(80)))
    assert sorted(seqs) == list(range(1, 81))


def test_void_keeps_the_number_with_its_reason(registers: Engine) -> None:
    entry = _reserve(registers)
    assert entry.id is not None
    with session_scope(registers) as session:
        numbering.void(session, entry.id, "Konverteris neatsakė")
    nxt = _reserve(registers)
    with session_scope(registers) as session:
        rows = numbering.entries(session, "PZ", 2026)
    assert [(r.seq, r.status, r.void_reason) for r in rows] == [
        (1, EntryStatus.void, "Konverteris neatsakė"),
        (2, EntryStatus.reserved, None),
    ]
    assert nxt.seq == 2


def test_stale_reservations_become_void(registers: Engine) -> None:
    _reserve(registers)
    with session_scope(registers) as session:
        count = numbering.void_stale_reservations(
            session, older_than=utcnow() + dt.timedelta(seconds=1)
        )
    with session_scope(registers) as session:
        entry = session.exec(select(RegistryEntry)).one()
    assert count == 1
    assert entry.status == EntryStatus.void
    assert entry.void_reason is not None and "nebaigtas" in entry.void_reason


def test_default_registers_are_seeded_once(registers: Engine) -> None:
    with session_scope(registers) as session:
        ensure_default_registers(session)
        codes = [r.code for r in session.exec(select(Register))]
    assert len(codes) == len(set(codes))
    assert "PZ" in codes


def _register_or_void(engine: Engine, i: int) -> tuple[str, int]:
    """What the issuer does: reserve in one transaction, then confirm or void in another."""
    code = ("PZ", "DA")[i % 2]
    entry = _reserve(engine, code)
    assert entry.id is not None
    with session_scope(engine) as session:
        if i % 3 == 0:
            numbering.void(session, entry.id, f"Bandymas {i} nepavyko")
        else:
            numbering.confirm(session, entry.id, f"doc-{i}")
    return code, entry.seq


def test_concurrent_register_and_void_accounts_for_every_number(registers: Engine) -> None:
    with ThreadPoolExecutor(max_workers=32) as pool:
        taken = list(pool.map(lambda i: _register_or_void(registers, i), range(160)))
    for code in ("PZ", "DA"):
        seqs = sorted(seq for c, seq in taken if c == code)
        assert seqs == list(range(1, 81))
        with session_scope(registers) as session:
            rows = numbering.entries(session, code, DAY.year)
        assert [r.seq for r in rows] == seqs
        assert len({r.number for r in rows}) == 80
        for row in rows:
            if row.status == EntryStatus.void:
                assert row.void_reason and row.document_id is None
            else:
                assert row.status == EntryStatus.registered and row.document_id


def test_confirming_a_void_number_is_refused(registers: Engine) -> None:
    entry = _reserve(registers)
    assert entry.id is not None
    with session_scope(registers) as session:
        numbering.void(session, entry.id, "Atšaukta")
    with pytest.raises(Conflict), session_scope(registers) as session:
        numbering.confirm(session, entry.id, "doc-1")
