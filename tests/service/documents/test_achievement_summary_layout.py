"""The class summary as printed: LibreOffice's page breaks never leave the signatures alone on
the last page, and the table's header row repeats on every page."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

import pytest

from service.documents.issuing import build_context
from service.kinds import load_kinds
from service.lt import person_key
from service.rendering.docx import render_docx
from service.rendering.pdf import ConverterPool
from service.validation import parse_payload
from tests.school import TEST_SCHOOL
from tests.service.documents.seed_kinds import payload

FIRST = ["Augustas", "Emilija", "Dominykas", "Gabija", "Matas", "Ugnė", "Lukas", "Austėja"]
LAST = ["Balčiūnas", "Šimkutė", "Ūselis", "Žukauskaitė", "Petrauskas", "Jankauskas"]


def _class(pupils: int, *, notes: bool) -> dict[str, Any]:
    """The example class grown to ``pupils`` (a note on every third one, as in the example)."""
    data = payload("achievement-summary")
    examples = data["students"]
    data["students"] = []
    for i in range(pupils):
        pupil = dict(examples[i % len(examples)])
        pupil["first_name"] = FIRST[i % len(FIRST)]
        pupil["last_name"] = f"{LAST[i % len(LAST)]}{i + 1}"
        if not notes:
            pupil.pop("note", None)
        data["students"].append(pupil)
    data["deputy"] = {"name": "Rimantė Pavaduotoja"}
    return data


def _pages(pdf: bytes) -> list[str]:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    count = next(
        int(line.split()[1])
        for line in info.stdout.decode().splitlines()
        if line.startswith("Pages:")
    )
    return [
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-layout", "-f", str(n), "-l", str(n), "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        for n in range(1, count + 1)
    ]


# Sizes at which the signatures used to fall alone onto a page of their own (the last pupil's
# row filled the page), with and without the taller rows a note makes, and a one-page class.
@pytest.mark.parametrize(
    ("pupils", "notes"), [(1, True), (15, True), (33, True), (35, True), (17, False), (40, False)]
)
def test_signatures_never_stand_alone_on_the_last_page(
    converter_pool: ConverterPool, pupils: int, notes: bool
) -> None:
    spec = load_kinds()["achievement-summary"]
    model: Any = parse_payload(spec.model, _class(pupils, notes=notes))
    context = build_context(
        model, TEST_SCHOOL, "SV-1", dt.date(2026, 6, 20), "Jūratė Mockienė", "mokytoja"
    )
    pages = _pages(converter_pool.convert_to_pdfa(render_docx(spec.template, context)))

    last = pages[-1]
    assert "Klasės vadovas" in last and "Direktoriaus pavaduotojas" in last
    assert f"Iš viso mokinių: {pupils}" in last
    # Any pupil row on the last page means the last pupil's row is there: the last in
    # Lithuanian alphabetical order, surname then first name.
    data = _class(pupils, notes=notes)["students"]
    final = max(data, key=lambda p: person_key(p["last_name"], p["first_name"]))
    assert f"{final['last_name']} {final['first_name']}" in last
    for number, text in enumerate(pages, start=1):
        assert "Mokinio pavardė, vardas" in text, f"page {number} has no header row"
