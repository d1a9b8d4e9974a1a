"""The published OpenAPI document says what the API really answers when it refuses.

Every refusal Bylos gives has one body, ``{"error", "detail"}`` (service/app.py's handlers turn
ServiceError, FastAPI's validation errors and Starlette's HTTP errors into it), so each
operation documents that body for the answers the shared machinery can give it:

- 4XX: any client error (no or wrong credentials, no pledge, not found, conflict, gone, too
  large, unreadable input, too many attempts). One range, because the same handlers answer
  them all; FastAPI's own 422 schema (``{"detail": [...]}``) is never what is sent.
- 503: a dependency (database, store, converter) is down, or every password-check slot is
  taken; ``Retry-After`` says when to ask again.

An operation that documents its own answer for one of these codes keeps it.

Request bodies are read by ``parse_payload`` inside the handler, not by FastAPI: the role is
checked first (a refused person learns nothing about the form) and the refusal names the
fields in Lithuanian. Such a route publishes its model with ``openapi_extra=json_body(Model)``,
so the document shows exactly the schema the handler validates against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from service.spreadsheets import XLSX_MEDIA_TYPE

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
# An instant as the service writes it (datetime.isoformat()): the document says so, while the
# answer stays the very string the service produced.
InstantText = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
# FastAPI adds these for every operation with parameters or a body; Bylos never sends them.
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


class ErrorOut(BaseModel):
    """What every refusal carries."""

    error: str = Field(description="Klaidos kodas (angliškai), pvz. InvalidPayload, NotPermitted.")
    detail: str = Field(description="Kas negerai ir ką daryti, lietuviškai.")


def _refusals() -> dict[str, dict[str, Any]]:
    body = {"application/json": {"schema": ERROR_REF}}
    return {
        "4XX": {"description": "Užklausa atmesta (priežastis – detail).", "content": body},
        "503": {
            "description": (
                "Duomenų bazė, saugykla ar keitiklis laikinai nepasiekiami arba tarnyba užimta."
            ),
            "headers": {
                "Retry-After": {
                    "description": "Po kiek sekundžių bandyti vėl.",
                    "schema": {"type": "integer"},
                }
            },
            "content": body,
        },
    }


# The key json_body() leaves on an operation for publish_bodies() to expand (then removed).
_BODY_KEY = "x-bylos-body"
_REF_TEMPLATE = "#/components/schemas/{model}"


def json_body(
    *models: type[BaseModel],
    required: bool = True,
    examples: dict[str, Any] | None = None,
    changes_of: type[BaseModel] | None = None,
    nullable: bool = False,
) -> dict[str, Any]:
    """``openapi_extra=`` for a route that reads its JSON body with ``parse_payload``: the
    model's validation schema as the request body (several models: any one of them, each under
    its own name), ``examples`` as named examples of the body. ``changes_of=Model`` instead:
    an edit, any non-empty part of Model's fields (published as ``<Model>Changes``).
    ``nullable``: a JSON null is taken as no body."""
    refs, defs = models_json_schema(
        [(model, "validation") for model in (*models, *([changes_of] if changes_of else []))],
        ref_template=_REF_TEMPLATE,
    )
    schemas = [refs[(model, "validation")] for model in models]
    if changes_of is not None:
        name = changes_of.__name__
        whole = defs["$defs"][name]
        partial = {k: v for k, v in whole.items() if k != "required"}
        defs["$defs"][f"{name}Changes"] = partial | {"title": f"{name}Changes", "minProperties": 1}
        schemas.append({"$ref": _REF_TEMPLATE.format(model=f"{name}Changes")})
    if nullable:  # JSON null: the same as no body
        schemas.append({"type": "null"})
    schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
    media: dict[str, Any] = {"schema": schema}
    if examples:
        media["examples"] = {name: {"value": value} for name, value in examples.items()}
    body = {"required": required, "content": {"application/json": media}}
    return {_BODY_KEY: {"requestBody": body, "schemas": defs.get("$defs", {})}}


def publish_bodies(spec: dict[str, Any]) -> dict[str, Any]:
    """Expand each json_body() mark: the body replaces FastAPI's untyped one, the models join
    the components (a name already taken by a different schema is an error, not a silent
    overwrite: clients would get the wrong class)."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            mark = operation.pop(_BODY_KEY, None) if isinstance(operation, dict) else None
            if mark is None:
                continue
            operation["requestBody"] = mark["requestBody"]
            for name, schema in mark["schemas"].items():
                if schemas.setdefault(name, schema) != schema:
                    raise ValueError(f"{method.upper()} {path}: schema name {name} is taken")
    return spec


def document_refusals(spec: dict[str, Any]) -> dict[str, Any]:
    """Put the error body on every operation of an OpenAPI document (in place; returned)."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorOut"] = ErrorOut.model_json_schema()
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    for operations in spec.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            validation = responses.get("422", {})
            schema = validation.get("content", {}).get("application/json", {}).get("schema")
            if schema == {"$ref": "#/components/schemas/HTTPValidationError"}:
                # Validation errors are client errors like the rest: the 4XX entry covers them.
                del responses["422"]
            for code, answer in _refusals().items():
                responses.setdefault(code, answer)
    return spec


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and /openapi.json) publish the refusals; built once, cached."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_refusals(publish_bodies(build()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = XLSX_MEDIA_TYPE
ZIP = "application/zip"
BYTES = "application/octet-stream"


def file_answer(*media_types: str, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route whose answer is a file (use with ``response_class=Response``,
    which publishes no JSON of its own): the media types it really sends, as binary."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {status: {"description": "Failas.", "content": dict.fromkeys(media_types, binary)}}
