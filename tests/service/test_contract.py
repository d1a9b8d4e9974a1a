"""Issue 13 item 2 (in part): the OpenAPI document states the refusals Bylos really sends."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.contract import ERROR_REF, ErrorOut
from service.users.models import Role
from tests.conftest import Service

SPEC = create_app().openapi()
OPERATIONS = [
    (path, method, operation)
    for path, operations in SPEC["paths"].items()
    for method, operation in operations.items()
]


def test_every_operation_documents_the_error_body_for_client_errors_and_outages() -> None:
    assert len(OPERATIONS) > 40
    for path, method, operation in OPERATIONS:
        responses: dict[str, Any] = operation["responses"]
        for code in ("4XX", "503"):
            schema = responses[code]["content"]["application/json"]["schema"]
            assert schema == ERROR_REF, (method, path, code)
        assert "Retry-After" in responses["503"]["headers"], (method, path)


def test_fastapis_validation_schema_is_not_published_because_it_is_never_sent() -> None:
    text = str(SPEC)
    assert "HTTPValidationError" not in text
    assert SPEC["components"]["schemas"]["ErrorOut"]["required"] == ["error", "detail"]


def test_a_wrong_method_answers_405_with_allow_and_the_error_body() -> None:
    client = TestClient(create_app())
    for method, path, allowed in (
        ("DELETE", "/api/registers", {"GET", "POST"}),
        ("PUT", "/api/documents/leaving-certificate", {"POST"}),
    ):
        answer = client.request(method, path)
        assert answer.status_code == 405, (method, path)
        assert set(answer.headers["Allow"].replace(" ", "").split(",")) >= allowed
        ErrorOut.model_validate(answer.json())
        assert "neleidžiamas" in answer.json()["detail"]


@pytest.mark.db
def test_refusals_sent_by_the_service_fit_the_published_body(service: Service) -> None:
    headers = service.user(Role.office_manager)
    refusals = [
        service.client.get("/api/documents"),  # no credentials: 401
        service.client.get("/api/documents/nera-tokio", headers=headers),  # 404
        service.client.post(
            "/api/documents/leaving-certificate", json={"student": 1}, headers=headers
        ),  # 422
    ]
    for answer in refusals:
        assert 400 <= answer.status_code < 500, answer.text
        ErrorOut.model_validate(answer.json())


def test_every_schema_has_its_own_plain_name() -> None:
    """Two models of one name get module-path names that client generators refuse."""
    names = list(SPEC["components"]["schemas"])
    assert [n for n in names if "__" in n] == []
