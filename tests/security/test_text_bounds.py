"""Every string Bylos accepts is bounded and refuses characters that do not mean what they show.

Walks every pydantic model of the service (request bodies, the kinds' payloads, everything a
route or page validates) and every route parameter in the OpenAPI document; an answer model
(``...Out``) only carries what Bylos wrote and is left out.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from pydantic_settings import BaseSettings

import service
from service.app import create_app
from service.validation import TEXT_VALIDATORS


def _service_models() -> list[type[BaseModel]]:
    for info in pkgutil.walk_packages(service.__path__, "service."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)
    found: dict[str, type[BaseModel]] = {}
    stack: list[type[BaseModel]] = [BaseModel]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if (
                sub.__module__.startswith("service.")
                # The operator's environment, read at start-up: not a request.
                and sub.__module__ != "service.settings"
                and not sub.__name__.endswith("Out")
                and not issubclass(sub, BaseSettings)
                and not getattr(sub, "__pydantic_generic_metadata__", {}).get("origin")
                and "table" not in str(getattr(sub, "model_config", {}).get("table", ""))
            ):
                found[f"{sub.__module__}.{sub.__qualname__}"] = sub
    return [found[k] for k in sorted(found)]


def _table_model(model: type[BaseModel]) -> bool:
    return bool(getattr(model, "__tablename__", None))


MODELS = [m for m in _service_models() if not _table_model(m)]


def _closed_pattern(pattern: object) -> bool:
    """A whole-value pattern of plain character classes (``^[0-9a-f]{64}$``) lets nothing odd in."""
    return (
        isinstance(pattern, str)
        and pattern.startswith("^")
        and pattern.endswith("$")
        and not any(wild in pattern for wild in (".", "\\s", "\\S", "\\W", "\\D", "^]"))
    )


def _strings(schema: Any, path: str, cleaned: bool = False) -> Iterator[tuple[str, str]]:
    """(path, problem) for each string schema that is unbounded or not cleaned."""
    if isinstance(schema, list):
        for item in schema:
            yield from _strings(item, path, cleaned)
        return
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind == "int":
        # A number reaches the database too: one past its integer is a 500, not a 422.
        if schema.get("le") is None and schema.get("lt") is None:
            yield path, "neribotas skaičius"
        return
    if kind == "str":
        if schema.get("max_length") is None:
            yield path, "neribotas ilgis"
        if not (cleaned or _closed_pattern(schema.get("pattern"))):
            yield path, "netikrinami valdymo ir nematomi simboliai"
        return
    if kind in ("function-after", "function-before", "function-wrap", "function-plain"):
        function = schema.get("function", {}).get("function")
        inner_cleaned = cleaned or function in TEXT_VALIDATORS
        if kind == "function-plain":
            return
        yield from _strings(schema.get("schema"), path, inner_cleaned)
        return
    if kind == "model":
        return  # nested models are walked on their own
    for key, value in schema.items():
        if key in ("metadata", "ref", "cls", "function", "serialization", "custom_error_type"):
            continue
        step = path
        if isinstance(value, dict) and key == "fields":
            for name, field in value.items():
                yield from _strings(field, f"{path}.{name}" if path else name, cleaned)
            continue
        yield from _strings(value, step, cleaned)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.__module__}.{m.__qualname__}")
def test_every_string_of_every_model_is_bounded_and_cleaned(model: type[BaseModel]) -> None:
    core = model.__pydantic_core_schema__
    if core.get("type") == "definitions":
        core = core["schema"]
    problems = sorted(set(_strings(core.get("schema"), "")))
    assert problems == []


def test_the_walk_finds_the_models_that_matter() -> None:
    names = {m.__name__ for m in MODELS}
    assert {"LeavingCertificate", "CaseIn", "HoldIn", "ChangeAct", "SchoolProfileIn"} <= names


def _app() -> FastAPI:
    return create_app()


def _leaves(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("anyOf", "oneOf"):
        if key in schema:
            for option in schema[key]:
                yield from _leaves(option)
            return
    yield schema


def test_every_route_parameter_is_bounded() -> None:
    spec = _app().openapi()
    problems: list[str] = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['in']}:{parameter['name']}"
                for leaf in _leaves(parameter.get("schema", {})):
                    kind = leaf.get("type")
                    if kind == "string" and not (
                        "maxLength" in leaf or "enum" in leaf or leaf.get("format") == "date"
                    ):
                        problems.append(f"{where}: neribota eilutė")
                    if kind == "integer" and ("minimum" not in leaf or "maximum" not in leaf):
                        problems.append(f"{where}: neribotas skaičius")
    assert problems == []
