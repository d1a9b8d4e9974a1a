"""Rules built by the tests themselves, so no test depends on the shipped figures."""

from __future__ import annotations

from typing import Any

from retention.rules import RetentionRule


def rule_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "test-rule",
        "index": "V-1511",
        "item": "9.9",
        "title": "Bandomoji taisyklė",
        "term": "50 m.",
        "years": 50,
        "permanent": False,
        "trigger": "case_closed",
        "event_name": None,
        "source": "Bandymas",
        "verified": False,
        "note": "",
    }
    data.update(overrides)
    return data


def make_rule(**overrides: Any) -> RetentionRule:
    return RetentionRule.model_validate(rule_data(**overrides))


def permanent_rule(**overrides: Any) -> RetentionRule:
    return make_rule(**{"term": "P", "years": None, "permanent": True, **overrides})


def event_rule(**overrides: Any) -> RetentionRule:
    defaults = {
        "term": "10 m. po mokinio išvykimo",
        "years": 10,
        "trigger": "event",
        "event_name": "Mokinio išvykimas",
    }
    return make_rule(**{**defaults, **overrides})
