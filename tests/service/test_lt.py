"""Lithuanian formatting: long dates, marks as words, act citations."""

from __future__ import annotations

import datetime as dt

import pytest

from service.lt import MARK_NAMES, cite_order, long_date, mark_text, normalize_mark


def test_long_date_uses_genitive_month_without_leading_zero() -> None:
    assert long_date(dt.date(2019, 6, 14)) == "2019 m. birželio 14 d."
    assert long_date(dt.date(2026, 1, 5)) == "2026 m. sausio 5 d."


@pytest.mark.parametrize(
    ("mark", "text"),
    [("1", "1 (vienas)"), ("6", "6 (šeši)"), ("9", "9 (devyni)"), ("10", "10 (dešimt)")],
)
def test_numeric_mark_is_written_as_number_and_word(mark: str, text: str) -> None:
    assert mark_text(mark) == text


def test_non_numeric_mark_is_written_in_full() -> None:
    assert mark_text("įsk") == "įskaityta"
    assert mark_text("np") == "nepadarė pažangos"


@pytest.mark.parametrize("value", [9, "9", " 10 ", "ĮSK", "pg", "a"])
def test_accepted_marks_normalize(value: object) -> None:
    assert normalize_mark(value) in {str(n) for n in range(1, 11)} | set(MARK_NAMES)


@pytest.mark.parametrize("value", [0, 11, "11", "09", "8.5", 8.5, True, "puikiai", "", None])
def test_rejected_mark_names_the_value(value: object) -> None:
    with pytest.raises(ValueError, match="netinkamas įvertinimas") as info:
        normalize_mark(value)
    assert f"„{value}“" in str(info.value)


def test_order_citation() -> None:
    assert (
        cite_order(dt.date(2019, 6, 14), "V-132")
        == "direktoriaus 2019 m. birželio 14 d. įsakymu Nr. V-132"
    )
