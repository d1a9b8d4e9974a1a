"""The printed register's template against the context the listing gives it."""

from __future__ import annotations

import datetime as dt
import io

import docx as docx_reader

from service.registry.listing import LISTING_TEMPLATE, bare_rows, listing_context
from service.registry.models import EntryStatus, Register, RegistryEntry
from service.rendering.docx import render_docx, template_variables
from service.settings import SchoolProfile

SCHOOL = SchoolProfile(
    name="Kauno Milikonių progimnazija",
    code="190148134",
    address="Sodžiaus g. 1, Kaunas",
    city="Kaunas",
    director_name="Vardenis Pavardenis",
)
REGISTER = Register(code="PZ", title="Pažymų & <kitų> registras", case_index="3.4")
DAY = dt.date(2026, 11, 28)


def _entry(seq: int, status: EntryStatus, reason: str | None = None) -> RegistryEntry:
    return RegistryEntry(
        register_code="PZ",
        year=2026,
        seq=seq,
        number=f"PZ-{seq}",
        date=DAY,
        title="Mokinio pasiekimų pažyma",
        status=status,
        void_reason=reason,
    )


def test_template_reads_only_the_listing_context() -> None:
    context = listing_context(REGISTER, 2026, bare_rows([]), SCHOOL, DAY, "Rasa")
    assert template_variables(LISTING_TEMPLATE) <= set(context)


def test_listing_shows_every_number_and_the_totals() -> None:
    entries = [
        _entry(1, EntryStatus.registered),
        _entry(2, EntryStatus.void, "Saugykla nepasiekiama"),
        _entry(3, EntryStatus.registered),
    ]
    context = listing_context(REGISTER, 2026, bare_rows(entries), SCHOOL, DAY, "Rasa Raštinienė")
    rendered = docx_reader.Document(io.BytesIO(render_docx(LISTING_TEMPLATE, context)))
    rows = [[c.text for c in row.cells] for row in rendered.tables[0].rows]
    assert [r[1] for r in rows[1:]] == ["PZ-1", "PZ-2", "PZ-3"]
    assert rows[2][7:] == ["anuliuotas", "Anuliuotas: Saugykla nepasiekiama"]
    text = "\n".join(p.text for p in rendered.paragraphs)
    assert "PAŽYMŲ & <KITŲ> REGISTRAS" in text
    assert (
        "Iš viso numerių: 3; įregistruota dokumentų: 2; anuliuota numerių: 1; pakeista naujomis "
        "versijomis: 0; sunaikinta: 0." in text
    )
    assert "Šiais metais registre įrašų nėra." not in text


def test_empty_register_says_so() -> None:
    context = listing_context(REGISTER, 2026, bare_rows([]), SCHOOL, DAY, "Rasa")
    rendered = docx_reader.Document(io.BytesIO(render_docx(LISTING_TEMPLATE, context)))
    assert "Šiais metais registre įrašų nėra." in "\n".join(p.text for p in rendered.paragraphs)
