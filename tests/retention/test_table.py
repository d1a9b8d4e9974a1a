"""Importing an official table: its rows to rules, every bad row named at once.

Reading the bytes of a CSV or XLSX (bounded) is the service's: tests/service/archive/
test_retention_import.py."""

from __future__ import annotations

import csv
import io

import pytest

from retention.rules import RetentionRule, RuleDataError
from retention.table import parse_rows
from retention.terms import Trigger

CSV = (
    "id;rodyklė;punktas;pavadinimas;terminas;šaltinis\n"
    "v1511-a;V-1511;6.1;Suvestinės;50 m.;V-1511 6.1 p.\n"
    "v100-b;V-100;4.2;Naikinimo aktai;P;V-100 4.2 p.\n"
    "v1511-c;V-1511;6.3;Mokinių bylos;10 m. po mokinio išvykimo;V-1511 6.3 p.\n"
)


def parse_csv(data: bytes) -> list[RetentionRule]:
    text = data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text else ","))
    return parse_rows(rows[0], rows[1:])


def test_csv_with_lithuanian_headers_reads_terms_from_text() -> None:
    a, b, c = parse_csv(CSV.encode())
    assert (a.years, a.permanent, a.trigger, a.verified) == (50, False, Trigger.CASE_CLOSED, True)
    assert (b.years, b.permanent) == (None, True)
    assert (c.years, c.trigger, c.event_name) == (10, Trigger.EVENT, "10 m. po mokinio išvykimo")


def test_every_bad_row_is_named_at_once() -> None:
    bad = (
        CSV
        + "v1511-d;V-9999;1;X;5 m.;s\n"
        + "v1511-e;V-1511;1;Y;penki metai;s\n"
        + "v1511-a;V-1511;1;Z;5 m.;s\n"
    )
    with pytest.raises(RuleDataError) as caught:
        parse_csv(bad.encode())
    message = str(caught.value)
    assert "5 eilutė" in message and "index" in message
    assert "6 eilutė" in message
    assert "7 eilutė" in message and "v1511-a" in message


def test_missing_columns_are_named() -> None:
    with pytest.raises(RuleDataError, match=r"terminas|term"):
        parse_csv(b"id,index,item,title,source\nx,V-1511,1,T,s\n")
