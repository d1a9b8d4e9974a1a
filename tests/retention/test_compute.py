from __future__ import annotations

from datetime import date

import pytest

from retention.compute import (
    PERMANENT_LOCK_HORIZON_YEARS,
    RetentionDate,
    current_term,
    extend_only,
    is_expired,
    lock_until,
    provisional_lock_until,
    reevaluate,
    retain_until,
)
from tests.retention.factories import event_rule, make_rule, permanent_rule

CREATED = date(2026, 3, 10)


def test_term_ends_on_31_december_of_closing_year_plus_years() -> None:
    result = retain_until(make_rule(years=50), closed_on=date(2026, 12, 31), created_on=CREATED)
    assert result == RetentionDate(until=date(2076, 12, 31))


def test_closing_on_new_years_day_moves_the_end_by_a_year() -> None:
    rule = make_rule(years=50)
    on_eve = retain_until(rule, closed_on=date(2026, 12, 31), created_on=CREATED)
    next_day = retain_until(rule, closed_on=date(2027, 1, 1), created_on=CREATED)
    assert (on_eve.until, next_day.until) == (date(2076, 12, 31), date(2077, 12, 31))


def test_open_case_counts_from_the_year_the_document_was_created() -> None:
    result = retain_until(make_rule(years=50), created_on=CREATED)
    assert result.until == date(2076, 12, 31)


def test_leap_day_start_only_the_year_counts() -> None:
    result = retain_until(
        make_rule(years=1, term="1 m."), closed_on=date(2024, 2, 29), created_on=date(2024, 2, 29)
    )
    assert result.until == date(2025, 12, 31)


def test_case_closed_before_the_document_existed_is_rejected() -> None:
    with pytest.raises(ValueError, match="anksčiau nei sukurtas"):
        retain_until(make_rule(), closed_on=date(2025, 12, 31), created_on=CREATED)


def test_permanent_rule_has_no_end() -> None:
    result = retain_until(permanent_rule(), closed_on=date(2026, 12, 31), created_on=CREATED)
    assert result == RetentionDate(until=None, permanent=True)


def test_event_rule_without_event_is_pending_on_the_named_event() -> None:
    result = retain_until(event_rule(event_name="Mokinio išvykimas"), created_on=CREATED)
    assert result == RetentionDate(until=None, pending_event="Mokinio išvykimas")


def test_event_rule_counts_from_the_end_of_the_event_year() -> None:
    result = retain_until(event_rule(), event_on=date(2030, 6, 15), created_on=CREATED)
    assert result == RetentionDate(until=date(2040, 12, 31))


def test_event_rule_counts_from_a_later_case_closing() -> None:
    result = retain_until(
        event_rule(), event_on=date(2030, 6, 15), closed_on=date(2031, 1, 5), created_on=CREATED
    )
    assert result.until == date(2041, 12, 31)


def test_provisional_lock_for_event_rule_is_created_year_plus_years() -> None:
    assert provisional_lock_until(event_rule(years=10), CREATED) == date(2036, 12, 31)


def test_provisional_lock_for_permanent_rule_is_a_finite_horizon() -> None:
    expected = date(2026 + PERMANENT_LOCK_HORIZON_YEARS, 12, 31)
    assert provisional_lock_until(permanent_rule(), CREATED) == expected


def test_lock_until_never_before_the_provisional_lock() -> None:
    # The event happened a year before the record was made: the lock keeps the later date.
    rule = event_rule(years=10)
    assert lock_until(rule, created_on=CREATED, event_on=date(2025, 5, 1)) == date(2036, 12, 31)


def test_lock_until_follows_a_later_term_end() -> None:
    rule = event_rule(years=10)
    assert lock_until(rule, created_on=CREATED, event_on=date(2033, 5, 1)) == date(2043, 12, 31)


def test_not_expired_on_the_until_date() -> None:
    assert not is_expired(RetentionDate(until=date(2076, 12, 31)), date(2076, 12, 31))


def test_expired_the_day_after_the_until_date() -> None:
    assert is_expired(RetentionDate(until=date(2076, 12, 31)), date(2077, 1, 1))


def test_permanent_never_expires() -> None:
    assert not is_expired(RetentionDate(until=None, permanent=True), date(9999, 12, 31))


def test_pending_never_expires() -> None:
    pending = RetentionDate(until=None, pending_event="Mokinio išvykimas")
    assert not is_expired(pending, date(9999, 12, 31))


def test_retention_date_without_end_or_event_is_rejected() -> None:
    with pytest.raises(ValueError, match="pabaigos data"):
        RetentionDate(until=None)


@pytest.mark.parametrize(
    ("current", "proposed", "expected"),
    [
        (date(2076, 12, 31), date(2070, 12, 31), date(2076, 12, 31)),
        (date(2070, 12, 31), date(2076, 12, 31), date(2076, 12, 31)),
        (date(2076, 12, 31), None, date(2076, 12, 31)),
        (None, date(2076, 12, 31), date(2076, 12, 31)),
        (None, None, None),
    ],
    ids=["shorter-ignored", "longer-taken", "none-proposed", "no-current", "both-none"],
)
def test_extend_only_never_shortens(
    current: date | None, proposed: date | None, expected: date | None
) -> None:
    assert extend_only(current, proposed) == expected


TODAY = date(2027, 2, 15)


def test_an_open_case_counts_at_least_from_this_year() -> None:
    term = current_term(
        make_rule(years=10, term="10 m."),
        created_on=CREATED,
        closed_on=None,
        event_on=None,
        today=TODAY,
    )
    assert term.until == date(2037, 12, 31)


def test_a_closed_case_counts_from_its_closure_whatever_the_day() -> None:
    term = current_term(
        make_rule(years=10, term="10 m."),
        created_on=CREATED,
        closed_on=date(2026, 12, 31),
        event_on=None,
        today=TODAY,
    )
    assert term.until == date(2036, 12, 31)


def test_reevaluation_counts_from_the_later_of_event_and_closure() -> None:
    result = reevaluate(
        event_rule(years=10),
        created_on=CREATED,
        closed_on=date(2026, 12, 31),
        event_on=date(2027, 1, 10),
        today=TODAY,
        locked_until=date(2036, 12, 31),
    )
    assert result.term.until == result.lock_until == date(2037, 12, 31)


def test_reevaluation_never_shortens_the_lock_when_the_term_ends_earlier() -> None:
    result = reevaluate(
        event_rule(years=10),
        created_on=CREATED,
        closed_on=date(2026, 12, 31),
        event_on=date(2026, 5, 1),
        today=TODAY,
        locked_until=date(2037, 12, 31),
    )
    assert (result.term.until, result.lock_until) == (date(2036, 12, 31), date(2037, 12, 31))


def test_reevaluation_without_the_event_keeps_it_pending_under_the_provisional_lock() -> None:
    result = reevaluate(
        event_rule(years=10),
        created_on=CREATED,
        closed_on=date(2026, 12, 31),
        event_on=None,
        today=TODAY,
        locked_until=date(2036, 12, 31),
    )
    assert result.term.pending_event == "Mokinio išvykimas"
    assert result.lock_until == date(2036, 12, 31)
