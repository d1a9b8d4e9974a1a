"""Bounded path and query parameters shared by the API's routes.

A parameter without bounds reached the database as it came: ``?year=99999999999999999999``
overflowed SQLite's integer and ``/api/holds/36552929188672929792`` answered 500. Every route
parameter uses one of these (tests/security/test_text_bounds.py checks the OpenAPI document).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator

from service.validation import DATE_PATTERN, published, sane_date

# A calendar year a plan or register can belong to: wide enough for old records, narrow enough
# to catch typos. The OpenAPI document publishes the same bounds the handlers enforce.
MIN_YEAR, MAX_YEAR = 1990, 2100
# Database row ids: positive and within a signed 32-bit integer, the id columns' type on
# PostgreSQL (SQLite's would take 64 bits; the smaller bound holds for both).
MAX_ROW_ID = 2**31 - 1
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_text(value: object) -> object:
    """A query date is written yyyy-mm-dd; pydantic would also read ``0`` as 1970-01-01."""
    if isinstance(value, str) and not ISO_DATE.fullmatch(value):
        raise ValueError(f"data rašoma taip: 2026-09-01; gauta „{value[:20]}“")
    return value


def _sane_date(value: dt.date | None) -> dt.date | None:
    return None if value is None else sane_date(value)


YearPath = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR)]
# A year whose next year is also one (copying a plan to the next year).
YearBeforeLastPath = Annotated[
    int, Path(ge=MIN_YEAR, le=MAX_YEAR, json_schema_extra={"maximum": MAX_YEAR - 1})
]
YearQuery = Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR)]
RowIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
DateQuery = Annotated[
    Annotated[dt.date, published(pattern=DATE_PATTERN)] | None,
    Query(),
    BeforeValidator(_iso_text),
    AfterValidator(_sane_date),
]
# A document id is a UUID (36 characters); a little room for whatever a client types instead.
# Published as a UUID (anything else is not found), which also tells /api/documents/{kind}
# apart from /api/documents/{document_id}.
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
DocumentIdPath = Annotated[str, Path(max_length=64, json_schema_extra={"pattern": UUID_PATTERN})]
KindPath = Annotated[str, Path(max_length=64)]
KindQuery = Annotated[str | None, Query(max_length=64)]
RegisterCodePath = Annotated[str, Path(max_length=20)]
# The forms cases/plan.py checks (CASE_INDEX, AREA_INDEX) with their own messages; published
# here so a client knows them.
CASE_INDEX_PATTERN = r"^[0-9]+(\.[0-9]+)+( E)?$"
CaseIndexPath = Annotated[
    str, Path(max_length=20, json_schema_extra={"pattern": CASE_INDEX_PATTERN})
]
AreaIndexPath = Annotated[str, Path(max_length=20, json_schema_extra={"pattern": r"^[0-9]+$"})]
RuleIdPath = Annotated[str, Path(max_length=200)]
SchoolYearPath = Annotated[str, Path(max_length=9, pattern=r"^[0-9]{4}-[0-9]{4}$")]
