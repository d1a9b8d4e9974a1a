"""Issue 13 item 2: every request the OpenAPI document allows, or nearly allows, is answered as
the document says; issue 10 item 4: none answers 500.

Schemathesis generates requests for every operation of /openapi.json (fixed seed: the same
examples on every run) and sends each, in-process, to the real app (real store, converter,
database) as a user of every role, each with a registered pledge. Every check schemathesis has
runs on every answer: status codes, content types, headers and bodies as documented; valid data
accepted, invalid data refused; no server error; 405 with a true ``Allow``. Zero failures.
A check that cannot apply to one operation is switched off for it alone, by name, in
NOT_APPLICABLE, with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation.case import Case

from service.app import create_app
from service.users.models import Role
from service.validation import (
    EARLIEST_DATE,
    LATEST_DATE,
    LINE_FORMAT,
    PROSE_FORMAT,
)
from tests.conftest import Service

# Examples per operation; each is sent once per role and checked by every check. Enough to reach
# the boundaries (huge and negative numbers, odd dates, every kind of character) while the run
# stays within about five minutes of one idle core.
MAX_EXAMPLES = 4

SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The published string formats (service/validation.py): what a person could type.
_SHOWN = st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
schemathesis.openapi.format(LINE_FORMAT, st.text(_SHOWN, max_size=40))
schemathesis.openapi.format(
    PROSE_FORMAT, st.text(st.one_of(_SHOWN, st.sampled_from("\t\n")), max_size=80)
)
# The days a record can carry (the published pattern bounds the year; this keeps every day valid).
schemathesis.openapi.format("date", st.dates(EARLIEST_DATE, LATEST_DATE).map(dt.date.isoformat))


@schemathesis.serializer(XLSX)
def _xlsx(_context: schemathesis.SerializationContext, value: object) -> bytes:
    """The plan import takes a workbook's bytes: whatever was generated, as bytes."""
    return value if isinstance(value, bytes) else str(value).encode()


# Checks that cannot apply to one operation, by its label: the check and why. Everything else
# about these operations is still checked.
_POSITIVE = positive_data_acceptance
NOT_APPLICABLE: dict[str, dict[Any, str]] = {
    "POST /api/documents/{kind}": {
        _POSITIVE: "the body is the model of the kind in the path, which OpenAPI cannot tie to "
        "the path's value; and each payload has rules between its fields (dates in order, a "
        "mark for each subject) and on the school's data (a class teacher's own classes)",
    },
    "POST /api/documents/{document_id}/versions": {
        _POSITIVE: "the payload is the document kind's (as above), and the document must exist",
    },
    "POST /api/documents/achievement-summary/upload": {
        _POSITIVE: "the file must be the summary's workbook; a schema can only say 'bytes'",
    },
    "POST /api/retention/rules/import": {
        _POSITIVE: "the file must be a retention table workbook; a schema can only say 'bytes'",
    },
    "POST /api/plans/{year}/import": {
        _POSITIVE: "the file must be a plan workbook; a schema can only say 'bytes'",
    },
    "POST /api/journal-transfers": {
        _POSITIVE: "the body must be a journal's file, named; a schema can only say 'bytes'",
    },
    "POST /api/holds": {
        _POSITIVE: "exactly one of document_id and case_index (a rule between two fields)",
    },
    "GET /api/school-calendar/{school_year}": {
        _POSITIVE: "the second year must follow the first (a rule between two parts of a value)",
    },
    "PUT /api/school-calendar/{school_year}": {
        _POSITIVE: "the second year of the address must follow the first, and the periods must "
        "lie in that school year (rules between values)",
    },
    "POST /api/cases/close": {
        _POSITIVE: "closed_on (today when left out) must not be before the end of the year "
        "closed: a rule relative to today and between two fields",
    },
    "POST /api/plans/{year}/cases": {
        _POSITIVE: "the case's area, retention rule and registers must exist (references to "
        "the plan and the rule table, which a schema cannot list)",
    },
    "POST /api/me/password": {
        _POSITIVE: "'current' must be the person's password: no schema can know it",
    },
}


def _headers_by_role(service: Service) -> dict[Role, dict[str, str]]:
    cached: dict[Role, dict[str, str]] | None = getattr(service, "role_headers", None)
    if cached is None:
        cached = {role: service.user(role, name=f"Bandomasis {role.value}") for role in Role}
        service.role_headers = cached  # type: ignore[attr-defined]
    return cached


def _send(service: Service, case: Case[Any], headers: dict[str, str]) -> Any:
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    method, url = kwargs.pop("method"), kwargs.pop("url")
    kwargs.pop("auth", None)
    cookies = kwargs.pop("cookies", None) or {}
    if cookies:
        kwargs["headers"] = kwargs["headers"] | {
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())
        }
    data = kwargs.pop("data", None)
    # The requests-style arguments schemathesis prepares, in httpx's spelling.
    if isinstance(data, bytes | str):
        kwargs["content"] = data
    elif data is not None:
        kwargs["data"] = data
    if kwargs.get("files") is not None:
        kwargs["files"] = _files(kwargs["files"])
    response = service.client.request(method, url, **kwargs)
    # Schemathesis reads the request back for its report; a multipart body is a stream.
    response.request.read()
    return response


def _content(value: object) -> object:
    """A generated file part's content as httpx takes it (schemathesis may generate a number)."""
    if isinstance(value, bytes | str) or hasattr(value, "read"):
        return value
    return str(value).encode()


def _files(files: Any) -> list[tuple[str, Any]]:
    pairs = list(files.items()) if isinstance(files, dict) else list(files)
    out: list[tuple[str, Any]] = []
    for name, part in pairs:
        if isinstance(part, tuple):
            out.append((name, (part[0], _content(part[1]), *part[2:])))
        else:
            out.append((name, _content(part)))
    return out


@pytest.mark.db
@SCHEMA.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error(case: Case[Any], service: Service) -> None:
    for headers in _headers_by_role(service).values():
        response = _send(service, case, headers)
        excluded = list(NOT_APPLICABLE.get(case.operation.label, {}))
        case.validate_response(response, excluded_checks=excluded)
