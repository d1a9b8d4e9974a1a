"""A leaving-certificate context as the documents layer passes it (strings already Lithuanian)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CERTIFICATE = ROOT / "doc_templates" / "leaving-certificate.docx"


def certificate_context(**overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "school": {
            "name": "Kauno Milikonių progimnazija",
            "code": "190145678",
            "address": "Sodžiaus g. 1, Kaunas",
            "city": "Kaunas",
            "director_name": "Vardenis Pavardenis",
            "director_title": "Direktorius",
        },
        "registration": {"number": "PZ-1", "date_long": "2026 m. lapkričio 20 d."},
        "student": {"full_name": "Gabija Žukauskaitė"},
        "class_name": "6b",
        "enrolled_on_long": "2020 m. rugsėjo 1 d.",
        "left_on_long": "2026 m. lapkričio 20 d.",
        "order": {"date_long": "2026 m. lapkričio 19 d.", "number": "V-214"},
        "reason": "Išvyksta gyventi į kitą miestą",
        "destination": "Vilniaus Žirmūnų progimnazija",
        "results": [
            {
                "subject": "Lietuvių kalba ir literatūra",
                "period": "I trimestras",
                "mark_text": "9 (devyni)",
            },
            {"subject": "Matematika", "period": "I trimestras", "mark_text": "8 (aštuoni)"},
            {"subject": "Anglų kalba", "period": "I trimestras", "mark_text": "10 (dešimt)"},
            {"subject": "Etika", "period": "I trimestras", "mark_text": "įskaityta"},
            {"subject": "Fizinis ugdymas", "period": "I trimestras", "mark_text": "atleistas"},
        ],
        "missed_lessons": 14,
        "excused_lessons": 12,
        "issued_by": {"name": "Rūta Raštinienė", "position": "raštinės vedėja"},
    }
    context.update(overrides)
    return context
