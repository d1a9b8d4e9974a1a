"""Retention arithmetic: when a record's term ends and what lock the object store holds it under.

Pure functions over ``datetime.date``. A term of N years runs from the end of the calendar year
its count starts in (domain.md §2), so it ends on 31 December of that year + N; the day of the
month never matters, hence no leap-day cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from retention.rules import RetentionRule
from retention.terms import ParsedTerm, TermParseError, Trigger, parse_term

__all__ = [
    "PERMANENT_LOCK_HORIZON_YEARS",
    "ParsedTerm",
    "Reevaluation",
    "RetentionDate",
    "TermParseError",
    "current_term",
    "extend_only",
    "is_expired",
    "lock_until",
    "parse_term",
    "provisional_lock_until",
    "reevaluate",
    "retain_until",
]

# Permanent records go to a state archive within 20 years (domain.md §2) and leave the school's
# store then; a write-once lock can never be shortened, so an infinite lock would be unfixable.
# A century is far beyond any hand-over; whoever still holds the record extends it.
PERMANENT_LOCK_HORIZON_YEARS = 100


@dataclass(frozen=True, slots=True)
class RetentionDate:
    """When a record's term ends: a date, never (permanent), or not yet known (pending event)."""

    until: date | None
    permanent: bool = False
    pending_event: str | None = None

    def __post_init__(self) -> None:
        if self.permanent and (self.until is not None or self.pending_event is not None):
            raise ValueError("Nuolat saugomas dokumentas neturi saugojimo pabaigos datos.")
        if self.pending_event is not None and self.until is not None:
            raise ValueError("Laukiant įvykio saugojimo pabaigos data dar nežinoma.")
        if not self.permanent and self.pending_event is None and self.until is None:
            raise ValueError("Terminuotam saugojimui būtina pabaigos data arba laukiamas įvykis.")


def _end_of_year_plus(year: int, years: int) -> date:
    return date(year + years, 12, 31)


def retain_until(
    rule: RetentionRule,
    *,
    closed_on: date | None = None,
    event_on: date | None = None,
    created_on: date,
) -> RetentionDate:
    """The end of a record's retention term under ``rule``.

    ``case_closed`` rules count from the year the case was closed. A case not closed yet counts
    from the year of ``created_on``: documents are filed into that year's case, which closes at
    the year end, so this is the provisional closing year (re-evaluate when the case closes).

    ``event`` rules wait for ``event_on``; without it the result is pending. If the case was
    closed in a later year than the event, that later year counts: §2 counts from the closing,
    and keeping a record longer is the safe error.
    """
    if closed_on is not None and closed_on < created_on:
        raise ValueError(
            f"Byla uždaryta {closed_on.isoformat()}, anksčiau nei sukurtas dokumentas "
            f"({created_on.isoformat()})."
        )
    if rule.permanent:
        return RetentionDate(until=None, permanent=True)
    years = _years(rule)
    if rule.trigger is Trigger.EVENT:
        if event_on is None:
            return RetentionDate(until=None, pending_event=rule.event_name or rule.term)
        start_year = event_on.year if closed_on is None else max(event_on.year, closed_on.year)
        return RetentionDate(until=_end_of_year_plus(start_year, years))
    closing_year = closed_on.year if closed_on is not None else created_on.year
    return RetentionDate(until=_end_of_year_plus(closing_year, years))


def provisional_lock_until(rule: RetentionRule, created_on: date) -> date:
    """A lock date for a record whose final term is not known yet (open case, pending event).

    It is the end of ``created_on``'s year + the rule's years: a case cannot close before its
    document exists, and an event is normally recorded after the record it concerns. (If the
    event is back-dated before that year, the lock outlasts the term a little; locks are never
    shortened, so over-holding is the only safe direction.) Permanent rules get a finite horizon,
    see ``PERMANENT_LOCK_HORIZON_YEARS``.
    """
    if rule.permanent:
        return _end_of_year_plus(created_on.year, PERMANENT_LOCK_HORIZON_YEARS)
    return _end_of_year_plus(created_on.year, _years(rule))


def lock_until(
    rule: RetentionRule,
    *,
    created_on: date,
    closed_on: date | None = None,
    event_on: date | None = None,
) -> date:
    """The lock date to put on a stored record: the known term end, never before the provisional
    lock, so every record always has a finite lock."""
    provisional = provisional_lock_until(rule, created_on)
    result = retain_until(rule, closed_on=closed_on, event_on=event_on, created_on=created_on)
    if result.until is None:
        return provisional
    return max(provisional, result.until)


@dataclass(frozen=True, slots=True)
class Reevaluation:
    """A stored record's term as known now, and the lock it must be held under."""

    term: RetentionDate
    lock_until: date


def current_term(
    rule: RetentionRule,
    *,
    created_on: date,
    closed_on: date | None,
    event_on: date | None,
    today: date,
) -> RetentionDate:
    """The term as known on ``today``.

    ``closed_on`` None means the case is still open: it can close this year at the earliest, so
    the term counts at least from ``today``'s year (not from the record's own year, as at
    issuing). A closure dated before the record was created counts from its creation.
    """
    if closed_on is not None and closed_on < created_on:
        closed_on = created_on
    term = retain_until(rule, closed_on=closed_on, event_on=event_on, created_on=created_on)
    if closed_on is None and term.until is not None:
        floor = _end_of_year_plus(today.year, _years(rule))
        if floor > term.until:
            return RetentionDate(until=floor)
    return term


def reevaluate(
    rule: RetentionRule,
    *,
    created_on: date,
    closed_on: date | None,
    event_on: date | None,
    today: date,
    locked_until: date,
) -> Reevaluation:
    """A stored record's term and lock once something moved: its case closed, its event was
    recorded, or its rule changed. The one computation for all three, so closing a case and the
    archive's re-evaluation can never disagree.

    The lock is the later of ``locked_until`` (what the store holds now: never shortened) and
    what the term needs; a term that shrank below the lock leaves the lock where it is.
    """
    term = current_term(
        rule, created_on=created_on, closed_on=closed_on, event_on=event_on, today=today
    )
    if closed_on is not None and closed_on < created_on:
        closed_on = created_on
    needed = lock_until(rule, created_on=created_on, closed_on=closed_on, event_on=event_on)
    if term.until is not None and term.until > needed:
        needed = term.until
    return Reevaluation(term=term, lock_until=max(locked_until, needed))


def is_expired(result: RetentionDate, on: date) -> bool:
    """Whether the term is over on ``on``: the ``until`` day itself is still within the term."""
    if result.permanent or result.until is None:
        return False
    return on > result.until


def extend_only(current: date | None, proposed: date | None) -> date | None:
    """The lock after a re-evaluation: the later date, so a lock is never shortened.

    ``None`` means "no date yet" and yields to any date.
    """
    if current is None:
        return proposed
    if proposed is None:
        return current
    return max(current, proposed)


def _years(rule: RetentionRule) -> int:
    # RetentionRule guarantees years >= 1 for non-permanent rules; this keeps mypy honest.
    if rule.years is None:
        raise ValueError(f"Taisyklei „{rule.id}“ nenurodytas metų skaičius.")
    return rule.years
