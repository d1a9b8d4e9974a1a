"""Bylos viršelis: the cover printed and put on a case's paper file.

Dokumentų tvarkymo ir apskaitos taisyklės (V-118 in the edition of VE-68, as amended; the
chapter on forming cases and the cover's particulars): the institution, the case index and
heading, the volume, the dates of the first and last document, the number of sheets, the
retention term with the index item it comes from, and room for the state archive's marks
(fond, inventory and case numbers). The cover is not registered: like the printed register it
is identified by what it describes, and it is printed again whenever asked (its sheets and
dates come from the case's documents at that moment).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from retention.rules import RuleSet
from service.cases.facts import CaseFacts
from service.cases.models import Case
from service.lt import count_text
from service.records import Group, RecordsSettings
from service.rendering.docx import TEMPLATES_DIR, render_docx
from service.rendering.pdfmeta import PdfMetadata, stamp_and_check
from service.settings import SchoolProfile

COVER_TEMPLATE = TEMPLATES_DIR / "case-cover.docx"


class Converter(Protocol):
    def convert_to_pdfa(self, docx: bytes) -> bytes: ...


GROUP_TEXT = {
    Group.permanent: "Nuolat saugoma byla",
    Group.long_term: "Ilgai saugoma byla",
    Group.temporary: "Laikinai saugoma byla",
}


def cover_context(
    case: Case,
    facts: CaseFacts,
    rules: RuleSet,
    records: RecordsSettings,
    school: SchoolProfile,
) -> dict[str, Any]:
    rule = rules.get(case.retention_rule) if case.retention_rule in rules else None
    group = records.group(rule) if rule is not None else Group.long_term
    sheets = count_text(facts.sheets, "lapas")
    if facts.uncounted:
        sheets += f" (be {facts.uncounted} dok., kurių puslapiai nesuskaičiuoti)"
    return {
        "school": school.model_dump(),
        "case": {
            "index": case.index,
            "title": case.title,
            "year": case.year,
            # A case of Bylos is one volume: its documents are electronic and a new year opens
            # a new case.
            "volume": 1,
            "first": facts.first.isoformat() if facts.first else "–",
            "last": facts.last.isoformat() if facts.last else "–",
            "sheets_text": sheets,
            "documents": facts.documents,
            "closed_on": case.closed_on.isoformat() if case.closed_on else "neužbaigta",
            "term": ("nuolat" if rule.permanent else rule.term) if rule else case.retention_rule,
            "rule_text": f"{rule.index} {rule.item} p." if rule else "–",
            "group_text": GROUP_TEXT[group],
        },
    }


def cover_pdf(
    case: Case,
    facts: CaseFacts,
    *,
    rules: RuleSet,
    records: RecordsSettings,
    school: SchoolProfile,
    converter: Converter,
    printed_on: dt.date,
    printed_by: str,
) -> bytes:
    context = cover_context(case, facts, rules, records, school)
    title = f"Bylos {case.index} ({case.year} m.) viršelis"
    docx = render_docx(COVER_TEMPLATE, context, title=title, author=school.name)
    return stamp_and_check(
        converter.convert_to_pdfa(docx),
        PdfMetadata(
            title=title,
            creator=school.name,
            subject=case.title,
            registration_number=f"{case.year}/{case.index}",
            registration_date=printed_on,
            authors=[printed_by],
        ),
    ).data
