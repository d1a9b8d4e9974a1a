"""Clock helpers: timestamps are aware UTC; document dates are dates in Europe/Vilnius."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VILNIUS = ZoneInfo("Europe/Vilnius")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today_vilnius() -> dt.date:
    """The school's calendar day: a document registered at 00:30 local time is dated that day."""
    return dt.datetime.now(VILNIUS).date()
