"""Issue 13 item 2 (in part): the OpenAPI document states the refusals Bylos really sends."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.cases.plan import FIRST_YEAR, LAST_YEAR
from service.contract import ERROR_REF, ErrorOut
from service.kinds import issuable_models
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


def test_published_year_bounds_are_the_ones_the_handlers_enforce() -> None:
    years = [
        (operation["operationId"], parameter["schema"])
        for _path, _method, operation in OPERATIONS
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "year"
    ]
    assert years
    for operation_id, schema in years:
        bounds = schema.get("anyOf", [schema])[0]
        # A plan is copied to the next year, which must be a plan year too.
        last = LAST_YEAR - 1 if operation_id == "copy_to_next" else LAST_YEAR
        assert (bounds["minimum"], bounds["maximum"]) == (FIRST_YEAR, last), schema


@pytest.mark.db
def test_a_query_date_is_written_as_a_date_not_a_number(service: Service) -> None:
    headers = service.user(Role.deputy)
    refused = service.client.get("/api/duties", params={"on": "0"}, headers=headers)
    assert refused.status_code == 422, refused.text
    assert "2026-09-01" in refused.json()["detail"]
    assert service.client.get("/api/duties?on=2026-10-01", headers=headers).status_code == 200


def test_every_json_body_is_a_published_model() -> None:
    """A body FastAPI saw as ``Any`` would be published as ``{}``: any JSON at all."""
    bodies = 0
    for path, method, operation in OPERATIONS:
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue
        bodies += 1
        schema = content["application/json"]["schema"]
        refs = [s.get("$ref") for s in schema.get("anyOf", [schema]) if s != {"type": "null"}]
        assert refs and all(refs), (method, path, schema)
        for ref in refs:
            assert ref.removeprefix("#/components/schemas/") in SPEC["components"]["schemas"]
    assert bodies >= 20
    assert "x-bylos-body" not in str(SPEC)


def test_each_kind_one_may_issue_is_named_with_its_payload_model_and_example() -> None:
    operation = SPEC["paths"]["/api/documents/{kind}"]["post"]
    (kind,) = [p for p in operation["parameters"] if p["name"] == "kind"]
    issuable = issuable_models()
    assert kind["schema"]["enum"] == list(issuable)
    assert "destruction-act" not in issuable  # only the archive's own flows issue it
    media = operation["requestBody"]["content"]["application/json"]
    models = [ref["$ref"].rsplit("/", 1)[1] for ref in media["schema"]["anyOf"]]
    assert models == [model.__name__ for model in issuable.values()]
    for slug, example in media["examples"].items():
        issuable[slug].model_validate(example["value"])


def test_allow_names_the_methods_of_the_resource_the_path_names() -> None:
    """/api/documents/{kind} and /api/documents/{document_id} share a shape; the published
    forms (a kind's name, a UUID) tell them apart, and a literal segment beats a parameter."""
    client = TestClient(create_app())
    for path, allowed in (
        ("/api/documents/leaving-certificate", "POST"),
        ("/api/documents/0b3f6f3e-8a5c-4c4e-9a55-0d1e2f3a4b5c", "GET"),
        ("/api/retention/rules/import", "POST"),
        ("/api/retention/rules/changes", "GET"),
        ("/api/retention/rules/vidaus-tvarka", "PUT, PATCH"),
    ):
        answer = client.request("OPTIONS", path)
        assert answer.status_code == 405, path
        assert answer.headers["Allow"] == allowed, path
