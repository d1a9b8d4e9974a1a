"""The leaving certificate's payload: what is accepted, what is refused and how it reads."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from service.documents.leaving_certificate import LeavingCertificate
from service.errors import InvalidPayload
from service.validation import parse_payload
from tests.conftest import example


def _payload(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(example("leaving-certificate"))
    data.update(changes)
    return data


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(InvalidPayload) as info:
        parse_payload(LeavingCertificate, data)
    return info.value.detail


def test_example_payload_is_accepted() -> None:
    cert = parse_payload(LeavingCertificate, _payload())
    assert cert.student.full_name == "Gabija Žukauskaitė"
    assert [r.mark for r in cert.results] == ["9", "8", "10", "įsk", "atl"]


def test_context_writes_dates_and_marks_in_lithuanian() -> None:
    ctx = parse_payload(LeavingCertificate, _payload()).template_context()
    assert ctx["left_on_long"] == "2026 m. lapkričio 20 d."
    assert ctx["order"] == {"date_long": "2026 m. lapkričio 19 d.", "number": "V-214"}
    assert [r["mark_text"] for r in ctx["results"]] == [
        "9 (devyni)",
        "8 (aštuoni)",
        "10 (dešimt)",
        "įskaityta",
        "atleistas (-a)",
    ]


def test_missing_destination_renders_empty() -> None:
    data = _payload()
    del data["destination"]
    assert parse_payload(LeavingCertificate, data).template_context()["destination"] == ""


def test_bad_mark_is_named_with_its_position() -> None:
    data = _payload()
    data["results"][2]["mark"] = "11"
    detail = _error(data)
    assert "„results[2].mark“" in detail
    assert "„11“" in detail


def test_excused_above_missed_is_refused() -> None:
    detail = _error(_payload(excused_lessons=15, missed_lessons=14))
    assert "excused_lessons" in detail
    assert "15 > 14" in detail


def test_leaving_before_enrolment_is_refused() -> None:
    detail = _error(_payload(left_on="2019-01-01"))
    assert "left_on" in detail


@pytest.mark.parametrize("value", ["2026-02-30", "20.11.2026", "2026-11-2", 1732060800])
def test_malformed_or_impossible_date_is_refused(value: object) -> None:
    detail = _error(_payload(left_on=value))
    assert "„left_on“" in detail


def test_missing_required_field_is_named() -> None:
    data = _payload()
    del data["order"]["number"]
    assert "„order.number“: privalomas laukas nepateiktas" in _error(data)


def test_negative_lessons_are_refused() -> None:
    assert "„missed_lessons“: turi būti ne mažiau kaip 0" in _error(_payload(missed_lessons=-1))


def test_blank_name_is_refused() -> None:
    data = _payload()
    data["student"]["first_name"] = "   "
    assert "„student.first_name“: reikšmė negali būti tuščia" in _error(data)


def test_body_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidPayload):
        parse_payload(LeavingCertificate, ["not", "an", "object"])
