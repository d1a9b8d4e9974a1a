"""Gapless registration numbers per register per calendar year.

A number is taken by incrementing the register-year counter and inserting its entry in the same
transaction: the UPDATE holds the counter's row lock (PostgreSQL) or the database write lock
(SQLite) until commit, so two requests can never take the same number, and a number can never
exist without its entry. The entry then becomes ``registered`` or ``void`` with a reason.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.db import insert_ignoring_conflicts, rows_affected
from service.errors import Conflict, NotFound
from service.registry.models import EntryStatus, Register, RegisterCounter, RegistryEntry
from service.timeutil import utcnow


def get_register(session: Session, code: str) -> Register:
    register = session.get(Register, code)
    if register is None:
        raise NotFound(f"Registras „{code}“ nerastas.")
    return register


def reserve(
    session: Session,
    register: Register,
    *,
    on: dt.date,
    title: str,
    reserved_by: int | None,
) -> RegistryEntry:
    """Take the next number of ``register`` for ``on.year``; the caller commits."""
    year = on.year
    insert_ignoring_conflicts(
        session, RegisterCounter, [{"register_code": register.code, "year": year, "last_seq": 0}]
    )
    seq = session.execute(
        update(RegisterCounter)
        .where(
            col(RegisterCounter.register_code) == register.code,
            col(RegisterCounter.year) == year,
        )
        .values(last_seq=RegisterCounter.last_seq + 1)
        .returning(col(RegisterCounter.last_seq))
    ).scalar_one()
    entry = RegistryEntry(
        register_code=register.code,
        year=year,
        seq=seq,
        number=register.number_format.format(code=register.code, seq=seq, year=year),
        date=on,
        title=title,
        status=EntryStatus.reserved,
        reserved_by=reserved_by,
    )
    session.add(entry)
    session.flush()
    return entry


def confirm(session: Session, entry_id: int, document_id: str) -> None:
    """Register the reserved entry to ``document_id``: one conditional UPDATE, so a number
    voided meanwhile (a stale reservation swept) is never registered."""
    confirmed = session.execute(
        update(RegistryEntry)
        .where(
            col(RegistryEntry.id) == entry_id,
            col(RegistryEntry.status) == EntryStatus.reserved,
        )
        .values(status=EntryStatus.registered, document_id=document_id, updated_at=utcnow())
    )
    if rows_affected(confirmed) != 1:
        raise Conflict("Registracijos numeris nebėra rezervuotas; dokumentas neužregistruotas.")


def void(session: Session, entry_id: int, reason: str) -> None:
    entry = session.get(RegistryEntry, entry_id)
    if entry is None or entry.status != EntryStatus.reserved:
        return
    entry.status = EntryStatus.void
    entry.void_reason = reason
    entry.updated_at = utcnow()
    session.add(entry)


def void_stale_reservations(session: Session, *, older_than: dt.datetime) -> int:
    """Void numbers whose issuing never finished (the service stopped mid-way)."""
    stale = session.exec(
        select(RegistryEntry).where(
            RegistryEntry.status == EntryStatus.reserved,
            col(RegistryEntry.created_at) < older_than,
        )
    ).all()
    for entry in stale:
        entry.status = EntryStatus.void
        entry.void_reason = "Registravimas nebaigtas: tarnyba sustojo dokumento rengimo metu."
        entry.updated_at = utcnow()
        session.add(entry)
    return len(stale)


def entries(session: Session, code: str, year: int) -> list[RegistryEntry]:
    get_register(session, code)
    return list(
        session.exec(
            select(RegistryEntry)
            .where(RegistryEntry.register_code == code, RegistryEntry.year == year)
            .order_by(col(RegistryEntry.seq))
        )
    )
