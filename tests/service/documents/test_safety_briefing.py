"""The briefing sheet: its content as written, and a signature line for every pupil."""

from __future__ import annotations

from service.documents.safety_briefing import SafetyBriefing
from service.validation import parse_payload
from tests.service.documents.seed_kinds import payload, rendered_text


def test_each_line_of_content_is_its_own_paragraph() -> None:
    data = payload("safety-briefing", content="Pirma taisyklė.\n\n  Antra taisyklė.  ")
    ctx = parse_payload(SafetyBriefing, data).template_context()
    assert ctx["content_lines"] == ["Pirma taisyklė.", "Antra taisyklė."]


def test_every_pupil_gets_a_numbered_line_to_sign() -> None:
    text = rendered_text("safety-briefing", payload("safety-briefing"))
    for i, name in enumerate(payload("safety-briefing")["students"], start=1):
        assert f"{i}." in text and name in text
    assert "Parašas" in text and "2026 m. rugsėjo 2 d." in text
