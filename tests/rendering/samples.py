"""A leaving-certificate context as the documents layer passes it (strings already Lithuanian)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from service.documents.issuing import build_context
from service.documents.leaving_certificate import LeavingCertificate
from service.settings import SchoolProfile
from service.validation import parse_payload

ROOT = Path(__file__).resolve().parents[2]
CERTIFICATE = ROOT / "doc_templates" / "leaving-certificate.docx"

SCHOOL = SchoolProfile(
    name="Kauno Milikonių progimnazija",
    code="190145678",
    address="Sodžiaus g. 1, Kaunas",
    city="Kaunas",
    director_name="Ona Direktorė",
    director_title="Direktorė",
)
PAYLOAD: dict[str, Any] = {
    "student": {"first_name": "Gabija", "last_name": "Žukauskaitė"},
    "class_name": "6b",
    "enrolled_on": "2020-09-01",
    "left_on": "2026-11-20",
    "order": {"date": "2026-11-19", "number": "V-214"},
    "reason": "Išvyksta gyventi į kitą miestą",
    "destination": "Vilniaus Žirmūnų progimnazija",
    "results": [
        {"subject": "Lietuvių kalba ir literatūra", "period": "I trimestras", "mark": 9},
        {"subject": "Matematika", "period": "I trimestras", "mark": 8},
        {"subject": "Anglų kalba", "period": "I trimestras", "mark": 10},
        {"subject": "Etika", "period": "I trimestras", "mark": "įsk"},
        {"subject": "Fizinis ugdymas", "period": "I trimestras", "mark": "atl"},
    ],
    "missed_lessons": 14,
    "excused_lessons": 12,
}


def certificate_context(**overrides: Any) -> dict[str, Any]:
    """The context issuing builds for the sample certificate; ``overrides`` replace keys."""
    model = parse_payload(LeavingCertificate, PAYLOAD)
    context = build_context(
        model, SCHOOL, "PZ-1", dt.date(2026, 11, 20), "Rūta Raštinienė", "Raštinės vedėja"
    )
    context.update(overrides)
    return context
