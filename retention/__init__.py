"""Retention rules and arithmetic: pure, no service or storage imports."""

from retention.compute import (
    PERMANENT_LOCK_HORIZON_YEARS,
    RetentionDate,
    extend_only,
    is_expired,
    lock_until,
    provisional_lock_until,
    retain_until,
)
from retention.rules import (
    RetentionRule,
    RuleDataError,
    RuleSet,
    UnknownRule,
    default_rules,
    load_rules,
    parse_rule,
)
from retention.terms import ParsedTerm, TermParseError, Trigger, parse_term

__all__ = [
    "PERMANENT_LOCK_HORIZON_YEARS",
    "ParsedTerm",
    "RetentionDate",
    "RetentionRule",
    "RuleDataError",
    "RuleSet",
    "TermParseError",
    "Trigger",
    "UnknownRule",
    "default_rules",
    "extend_only",
    "is_expired",
    "load_rules",
    "lock_until",
    "parse_rule",
    "parse_term",
    "provisional_lock_until",
    "retain_until",
]
