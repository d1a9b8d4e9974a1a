"""Issue 10 item 4: no request the OpenAPI document allows, or nearly allows, answers 500.

Schemathesis generates requests for every operation of /openapi.json (fixed seed: the same
examples on every run) and sends each, in-process, to the real app (real store, converter,
database) as a user of every role, each with a registered pledge. The check is
``not_a_server_error``: zero failures. Conformance of the whole contract (status codes,
schemas, content types) is issue 13's: that run will switch the other checks on.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.case import Case

from service.app import create_app
from service.users.models import Role
from tests.conftest import Service

# Examples per operation; each is sent once per role. Enough to reach the boundaries (huge and
# negative numbers, odd dates, control characters) within a few minutes of CI.
MAX_EXAMPLES = 12

SCHEMA = schemathesis.openapi.from_dict(create_app().openapi())
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@schemathesis.serializer(XLSX)
def _xlsx(_context: schemathesis.SerializationContext, value: object) -> bytes:
    """The plan import takes a workbook's bytes: whatever was generated, as bytes."""
    return value if isinstance(value, bytes) else str(value).encode()


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
        case.validate_response(response, checks=[not_a_server_error])
