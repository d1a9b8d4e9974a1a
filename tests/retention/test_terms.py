from __future__ import annotations

import re

import pytest

from retention.compute import TermParseError, parse_term
from retention.terms import ParsedTerm, Trigger


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50 m.", ParsedTerm(50, False, Trigger.CASE_CLOSED)),
        ("1 m", ParsedTerm(1, False, Trigger.CASE_CLOSED)),
        ("75 metai", ParsedTerm(75, False, Trigger.CASE_CLOSED)),
        ("P", ParsedTerm(None, True, Trigger.CASE_CLOSED)),
        ("nuolat", ParsedTerm(None, True, Trigger.CASE_CLOSED)),
        ("Nuolat", ParsedTerm(None, True, Trigger.CASE_CLOSED)),
        ("10 m. (pasibaigus sutarčiai)", ParsedTerm(10, False, Trigger.EVENT)),
        ("10 m. po mokinio išvykimo", ParsedTerm(10, False, Trigger.EVENT)),
        ("iki mokinio išvykimo + 10 m.", ParsedTerm(10, False, Trigger.EVENT)),
        ("Iki mokyklos baigimo+5 m.", ParsedTerm(5, False, Trigger.EVENT)),
        ("10\u00a0m.", ParsedTerm(10, False, Trigger.CASE_CLOSED)),
    ],
)
def test_parse_term_forms(text: str, expected: ParsedTerm) -> None:
    assert parse_term(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "kol reikalinga", "iki išregistravimo", "0 m.", "6 mėn.", "10 m. (1)", "P 10 m."],
)
def test_parse_term_rejects_unknown_forms_naming_the_text(text: str) -> None:
    with pytest.raises(TermParseError, match=re.escape(f"termino „{text}“")):
        parse_term(text)
