"""The committed .docx templates are the source of truth (issue 13 item 6): a secretary edits
them in Word, and these tests keep each one in step with its kind's payload model.

- every variable a template reads exists in the context its kind gives it;
- every required payload field is printed somewhere (directly, or through the context entry
  derived from it);
- the templates stay plain Word documents: tags in runs, real tables, sections carrying the
  headers that number continuation pages.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from typing import Any

import pytest
from pydantic import BaseModel

from service.documents.issuing import build_context
from service.kinds import load_kinds
from service.rendering.docx import render_docx, template_variables
from service.validation import parse_payload
from tests.conftest import EXAMPLES, example
from tests.school import TEST_SCHOOL

# The kinds whose templates this package owns (the registers' and the archive's own listings
# are tested with their features).
KINDS = [
    "leaving-certificate",
    "change-act",
    "confidentiality-pledge",
    "achievement-summary",
    "safety-briefing",
    "progress-report",
    "journal-transfer",
]
JOURNAL_TRANSFER = {
    "school_year": "2025-2026",
    "file_name": "dienynas.zip",
    "media_type": "application/zip",
    "size": 1024,
    "sha256": "a" * 64,
    "transferred_on": "2026-08-28",
    "transferred_by": {"name": "Ona Archyvarė", "position": "Archyvarė"},
}
# A required payload field printed through a context entry of another name.
PRINTED_AS = {
    "achievement-summary": {"students": "sections"},
    "progress-report": {"marks": "rows", "month": "period_text"},
    "safety-briefing": {"date": "date_long", "content": "content_lines"},
    "confidentiality-pledge": {"date": "date_long"},
    "journal-transfer": {"size": "size_text", "transferred_on": "transferred_on_long"},
}


def _payload(kind: str) -> dict[str, Any]:
    if kind == "journal-transfer":
        return dict(JOURNAL_TRANSFER)
    return example(kind)


def _context(kind: str) -> dict[str, Any]:
    spec = load_kinds()[kind]
    model: Any = parse_payload(spec.model, _payload(kind))
    return build_context(
        model, TEST_SCHOOL, f"{spec.register}-1", dt.date(2026, 6, 20), "Rasa", "Raštinės vedėja"
    )


def test_every_kind_with_an_example_is_covered() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.json")} <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_variable_the_template_reads_is_in_the_context(kind: str) -> None:
    used = template_variables(load_kinds()[kind].template)
    missing = used - set(_context(kind))
    assert missing == set(), f"{kind}.docx reads {sorted(missing)}, which its context lacks"


@pytest.mark.parametrize("kind", KINDS)
def test_every_required_field_is_printed(kind: str) -> None:
    spec = load_kinds()[kind]
    model: type[BaseModel] = spec.model
    used = template_variables(spec.template)
    aliases = PRINTED_AS.get(kind, {})
    for name, field in model.model_fields.items():
        if not field.is_required():
            continue
        printed = aliases.get(name, name)
        assert any(v == printed or v.startswith(f"{printed}_") for v in used), (
            f"{kind}: required field {name!r} never reaches the template"
        )


@pytest.mark.parametrize("kind", KINDS)
def test_template_renders_its_example(kind: str) -> None:
    data = render_docx(load_kinds()[kind].template, _context(kind))
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        body = archive.read("word/document.xml").decode()
    assert "{{" not in body and "{%" not in body


@pytest.mark.parametrize("kind", KINDS)
def test_template_stays_word_editable(kind: str) -> None:
    with zipfile.ZipFile(load_kinds()[kind].template) as archive:
        names = archive.namelist()
        document = archive.read("word/document.xml").decode()
        headers = [archive.read(n).decode() for n in names if n.startswith("word/header")]
    assert "word/styles.xml" in names
    # From page 2 a header with the PAGE field, kept in the section (not in the body), and the
    # first page's own (empty) header: a batch that joins documents keeps each one's.
    assert "<w:titlePg" in document and 'w:start="1"' in document
    assert any("PAGE" in h and "registration.number" in h for h in headers)
    assert ("<w:tbl>" in document and "<w:tblHeader" in document) or kind in {
        "confidentiality-pledge",
        "journal-transfer",
    }
    assert "<w:cantSplit" in document
