"""Helpers shared by the tests of the seed's document kinds."""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any

import docx as docx_reader

from service.documents.issuing import build_context
from service.kinds import load_kinds
from service.rendering.docx import render_docx, template_variables
from service.validation import parse_payload
from tests.conftest import example
from tests.school import TEST_SCHOOL

SEED_KINDS = [
    "change-act",
    "confidentiality-pledge",
    "achievement-summary",
    "safety-briefing",
    "progress-report",
]
# What build_context adds to every payload's own context.
COMMON = {"school", "registration", "issued_by", "correction"}
NASTY = 'Ąžuolas & <Co> "Jonas" O\'Brien > Ėglė'


def payload(kind: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(example(kind))
    data.update(changes)
    return data


def rendered_text(kind: str, data: dict[str, Any]) -> str:
    """All the text of the rendered DOCX (paragraphs and table cells, nested too)."""
    spec = load_kinds()[kind]
    model: Any = parse_payload(spec.model, data)
    context = build_context(
        model, TEST_SCHOOL, f"{spec.register}-1", dt.date(2026, 11, 28), NASTY, "vedėja"
    )
    document = docx_reader.Document(io.BytesIO(render_docx(spec.template, context)))
    body = document.element.body
    return "\n".join(t.text or "" for t in body.iter() if t.tag.endswith("}t"))


def template_matches_model(kind: str) -> tuple[set[str], set[str]]:
    """(names the template reads, names the payload's context gives)."""
    spec = load_kinds()[kind]
    model: Any = parse_payload(spec.model, payload(kind))
    own = set(model.template_context())
    return template_variables(spec.template) - COMMON, own
