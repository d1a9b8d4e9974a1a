"""The school year's deadline arithmetic and the calendar's checks: pure, no database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from service.school_year.calendar import (
    add_working_days,
    default_journal_transfer_due,
    grade_of,
    is_working_day,
    school_year_of,
    suggested_calendar,
    summary_deadlines,
    summary_remark,
)
from service.school_year.calendars import CalendarIn
from service.validation import describe

D = dt.date


def test_school_year_turns_on_the_first_of_september() -> None:
    assert school_year_of(D(2026, 8, 31)) == "2025-2026"
    assert school_year_of(D(2026, 9, 1)) == "2026-2027"


def test_weekends_and_lithuanian_holidays_are_not_working_days() -> None:
    assert is_working_day(D(2027, 2, 15))  # Monday
    assert not is_working_day(D(2027, 2, 16))  # Restoration of the State
    assert not is_working_day(D(2027, 2, 13))  # Saturday
    assert not is_working_day(D(2026, 12, 24))  # Christmas Eve


def test_class_teacher_has_five_working_days_and_deputy_ten_calendar_days() -> None:
    # Friday 12 February 2027: Monday 15, (16 is a holiday), 17, 18, 19, Monday 22.
    deadlines = summary_deadlines(D(2027, 2, 12))
    assert deadlines.teacher == D(2027, 2, 22)
    assert deadlines.deputy == D(2027, 2, 22)
    # Friday 29 January 2027: no holiday in the next week.
    assert summary_deadlines(D(2027, 1, 29)).teacher == D(2027, 2, 5)
    assert summary_deadlines(D(2027, 1, 29)).deputy == D(2027, 2, 8)


def test_add_working_days_counts_from_the_next_day() -> None:
    assert add_working_days(D(2026, 12, 23), 1) == D(2026, 12, 28)


@pytest.mark.parametrize(
    ("name", "grade"),
    [("5a", 5), ("10 b", 10), ("1", 1), ("Ia", 9), ("IIg", 10), ("III gimn.", 11), ("IVb", 12)],
)
def test_grade_is_read_from_the_class_name(name: str, grade: int) -> None:
    assert grade_of(name) == grade


@pytest.mark.parametrize("name", ["abc", "13a", "0a", "Va", "", "Specialioji"])
def test_names_without_a_grade_are_not_guessed(name: str) -> None:
    assert grade_of(name) is None


def test_journal_transfer_defaults_to_the_last_working_day_of_august() -> None:
    assert default_journal_transfer_due("2026-2027") == D(2027, 8, 31)  # a Tuesday
    assert default_journal_transfer_due("2025-2026") == D(2026, 8, 31)  # a Monday
    assert default_journal_transfer_due("2027-2028") == D(2028, 8, 31)  # a Thursday
    assert default_journal_transfer_due("2019-2020") == D(2020, 8, 31)  # a Monday


def test_teaching_months_run_from_september_to_the_last_period() -> None:
    calendar = suggested_calendar("2026-2027", ("1a", "5a"))
    months = calendar.months()
    assert months[0] == D(2026, 9, 1)
    assert months[-1] == D(2027, 6, 1)
    assert len(months) == 10
    assert calendar.teaching_ends == max(p.ends_on for p in calendar.periods)
    assert all(any(p.covers(c) for p in calendar.periods) for c in calendar.classes)


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "school_year": "2026-2027",
        "periods": [
            {"name": "I pusmetis", "ends_on": "2027-01-29"},
            {"name": "II pusmetis", "ends_on": "2027-06-10", "grades_from": 1, "grades_to": 4},
            {"name": "II pusmetis", "ends_on": "2027-06-18", "grades_from": 5, "grades_to": 10},
        ],
        "classes": ["1a", "4b", "5a", "10c"],
    }
    body.update(changes)
    return body


def _error(body: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        CalendarIn.model_validate(body)
    return describe(caught.value.errors(include_url=False))


def test_a_valid_calendar_sorts_periods_and_defaults_the_transfer() -> None:
    calendar = CalendarIn.model_validate(_body()).calendar()
    assert [p.ends_on for p in calendar.periods] == [D(2027, 1, 29), D(2027, 6, 10), D(2027, 6, 18)]
    assert calendar.journal_transfer_due == D(2027, 8, 31)
    assert calendar.teaching_ends == D(2027, 6, 18)


def test_period_outside_the_school_year_is_named() -> None:
    body = _body()
    body["periods"][0]["ends_on"] = "2026-06-30"
    assert "periods[0].ends_on" in _error(body)
    assert "nepatenka į 2026-2027 mokslo metus" in _error(body)


def test_reversed_grades_are_refused() -> None:
    body = _body()
    body["periods"][1]["grades_from"] = 4
    body["periods"][1]["grades_to"] = 1
    assert "„periods[1].grades_to“: klasės „iki“ (1) negali būti mažesnė už „nuo“ (4)" in _error(
        body
    )


def test_the_same_period_twice_for_the_same_grades_is_refused() -> None:
    body = _body()
    body["periods"][2]["grades_from"] = 4
    assert "toms pačioms klasėms jau nurodytas 2 eilutėje" in _error(body)


def test_a_class_no_period_covers_is_refused() -> None:
    body = _body(classes=["1a", "12a"])
    body["periods"][0]["grades_to"] = 10
    message = _error(body)
    assert "„classes[1]“" in message
    assert "klasei „12a“ netaikomas nė vienas laikotarpis" in message


def test_a_class_name_without_a_grade_is_refused() -> None:
    message = _error(_body(classes=["5a", "Gėlių"]))
    assert "iš pavadinimo „Gėlių“ neaišku, kuri tai klasė" in message


def test_duplicate_classes_are_refused_whatever_the_case() -> None:
    assert "„classes[1]“: klasė „5A“ nurodyta du kartus" in _error(_body(classes=["5a", "5A"]))


def test_transfer_before_teaching_ends_is_refused() -> None:
    message = _error(_body(journal_transfer_due="2027-06-01"))
    assert "„journal_transfer_due“" in message
    assert "2027-06-18" in message


def test_wrong_school_year_text_is_refused() -> None:
    assert "mokslo metai rašomi taip" in _error(_body(school_year="2026-2028"))


def test_summary_remark_names_a_class_or_period_the_calendar_does_not_know() -> None:
    calendar = CalendarIn.model_validate(_body()).calendar()
    assert summary_remark(calendar, "5A", "i pusmetis") is None
    unknown_class = summary_remark(calendar, "7a", "I pusmetis")
    assert unknown_class is not None and "Klasės „7a“ nėra 2026-2027 m. m. kalendoriuje" in (
        unknown_class
    )
    typo = summary_remark(calendar, "5a", "I pusm.")
    assert typo is not None
    assert "Laikotarpio „I pusm.“" in typo and "(yra: I pusmetis, II pusmetis)" in typo
