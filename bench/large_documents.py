"""The largest realistic document of each kind (issue 11): a 40 x 20 class summary, a 36-row
leaving certificate, a 40-pupil briefing sheet, a 46-mark monthly report, and names long enough
to wrap, with every Lithuanian letter. The document pictures (docs/documents/) and the
full-size tests issue these same payloads."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

SUBJECTS = [
    "Dorinis ugdymas (tikyba)",
    "Lietuvių kalba ir literatūra",
    "Anglų kalba (pirmoji užsienio kalba)",
    "Vokiečių kalba (antroji užsienio kalba)",
    "Matematika",
    "Informatika",
    "Biologija",
    "Chemija",
    "Fizika",
    "Istorija",
    "Geografija",
    "Pilietiškumo pagrindai",
    "Ekonomika ir verslumas",
    "Dailė",
    "Muzika",
    "Technologijos",
    "Fizinis ugdymas",
    "Žmogaus sauga",
    "Gyvenimo įgūdžiai",
    "Projektinė veikla",
]
# Every Lithuanian letter, capitals too, across the class.
LAST_NAMES = [
    "Žukauskas",
    "Ąžuolaitis",
    "Balčiūnaitė",
    "Čepulis",
    "Dambrauskaitė",
    "Ėmužis",
    "Gudžiūnas",
    "Įsakauskas",
    "Jankauskienė",
    "Kazlauskas",
    "Lukšys",
    "Mažeikaitė",
    "Navickas",
    "Okunevičiūtė",
    "Petrauskas",
    "Račkauskaitė",
    "Šimkus",
    "Tamošiūnas",
    "Ūselis",
    "Vaitkevičiūtė",
    "Yla",
    "Zubrus",
    "Ęsaitė",
    "Urbonas",
    "Sabonis",
    "Aleksandravičiūtė-Žemaitienė",
    "Čiurlionytė",
    "Šatkauskas",
    "Ivanauskaitė",
    "Cukras",
]
FIRST_NAMES = [
    "Augustė",
    "Ąžuolas",
    "Česlovas",
    "Dovilė",
    "Eglė",
    "Gabija",
    "Ieva",
    "Jonas",
    "Kęstutis",
    "Liepa",
    "Mantas",
    "Nojus",
    "Ona",
    "Paulius",
    "Rūta",
    "Saulė",
    "Šarūnas",
    "Tomas",
    "Ugnė",
    "Ūla",
    "Vytautas",
    "Žemyna",
    "Emilija",
    "Įveta",
]
LONG_PERSON = "Ąžuolė Kęstutė Aleksandravičiūtė-Žemaitienė"
LONG_POSITION = (
    "Direktoriaus pavaduotoja ugdymui, atsakinga už pradinio ir pagrindinio ugdymo programų "
    "įgyvendinimą, elektroninio dienyno priežiūrą ir mokinių pažangos stebėseną"
)


def _pupils(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    while len(out) < count:
        pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if pair not in seen:
            seen.add(pair)
            out.append(pair)
    return out


def summary(*, pupils: int = 40, subjects: int = 20, annual: bool = False) -> dict[str, Any]:
    """A class summary; the annual one has both semesters, additional work and decisions.

    Pupil 0 has exactly eight numeric marks summing to 69 (8.625: printed 8,63, half up)."""
    rng = random.Random(11)
    names = SUBJECTS[:subjects]
    students: list[dict[str, Any]] = []
    for i, (first, last) in enumerate(_pupils(pupils, 5)):
        marks: dict[str, Any] = {s: rng.choice([5, 6, 7, 8, 8, 9, 9, 10]) for s in names}
        marks[names[0]] = "įsk"
        if i == 0:
            numeric = [9, 9, 9, 9, 8, 8, 8, 9]  # 69 / 8 = 8.625
            for n, subject in enumerate(names[1:]):
                marks[subject] = numeric[n] if n < len(numeric) else "įsk"
        missed = rng.randint(0, 90)
        pupil: dict[str, Any] = {
            "first_name": first,
            "last_name": last,
            "marks": marks,
            "missed_lessons": missed,
            "excused_lessons": rng.randint(0, missed),
        }
        if i % 7 == 3:
            pupil["note"] = (
                "Mokinys (-ė) dalyvavo respublikinėje matematikos olimpiadoje ir laimėjo antrąją "
                "vietą; nuo kovo mėnesio mokosi pagal individualų ugdymo planą."
            )
        if annual:
            pupil["period_marks"] = {
                "I pusmetis": {s: rng.choice([5, 6, 7, 8, 9, 10]) for s in names[1:]},
                "II pusmetis": {s: rng.choice([5, 6, 7, 8, 9, 10]) for s in names[1:]},
            }
            pupil["decision"] = "promoted"
            if i == 5:
                marks["Matematika"] = 3
                pupil["additional_work"] = [{"subject": "Matematika", "mark": 5}]
            if i == 9:
                marks["Fizika"] = 3
                pupil["additional_work"] = [{"subject": "Fizika"}]
                pupil["decision"] = "additional_work"
            if i == 12:
                pupil["decision"] = "repeats"
        students.append(pupil)
    return {
        "class_name": "8a",
        "school_year": "2025-2026",
        "period": "Mokslo metai" if annual else "II pusmetis",
        **({"periods": ["I pusmetis", "II pusmetis"]} if annual else {}),
        "class_teacher": {"name": "Jūratė Mockienė"},
        "deputy": {"name": LONG_PERSON},
        "subjects": names,
        "students": students,
    }


def certificate(*, rows: int = 36) -> dict[str, Any]:
    periods = ["I trimestras", "II trimestras", "III trimestras"]
    results = [
        {"subject": SUBJECTS[i % len(SUBJECTS)], "period": periods[i // 12 % 3], "mark": 5 + i % 6}
        for i in range(rows)
    ]
    return {
        "student": {"first_name": "Ąžuolė Kęstutė", "last_name": "Aleksandravičiūtė-Žemaitienė"},
        "class_name": "7b",
        "enrolled_on": "2019-09-01",
        "left_on": "2026-03-13",
        "order": {"date": "2026-03-12", "number": "V-132"},
        "reason": "Šeima persikelia gyventi į Vilnių",
        "destination": "Vilniaus Žirmūnų gimnazija",
        "addressee": "Vilniaus Žirmūnų gimnazijai",
        "preparer_phone": "(8 37) 123 456",
        "preparer_email": "rastine@mokykla.lt",
        "results": results,
        "missed_lessons": 48,
        "excused_lessons": 40,
    }


def briefing(*, pupils: int = 40) -> dict[str, Any]:
    return {
        "class_name": "8a",
        "date": "2026-09-01",
        "topic": "Saugus elgesys mokykloje, kelyje ir renginiuose; priešgaisrinė sauga",
        "content": "\n".join(
            [
                "Elgesio taisyklės mokykloje, pertraukų metu ir valgykloje.",
                "Saugus eismas: pėsčiųjų perėjos, šviesą atspindinčios priemonės, dviračiai.",
                "Ką daryti kilus gaisrui: evakuacijos planas, susirinkimo vieta, telefonas 112.",
                "Elektros prietaisai, cheminės medžiagos, nežinomi daiktai – nelieskite.",
            ]
        ),
        "instructor": {"name": LONG_PERSON, "position": "Klasės vadovė"},
        "students": [f"{first} {last}" for first, last in _pupils(pupils, 9)],
    }


def report(*, marks: int = 46) -> dict[str, Any]:
    rng = random.Random(3)
    days = [d for d in range(1, 31) if dt.date(2026, 10, d).weekday() < 5]
    return {
        "student": {"first_name": "Ąžuolė Kęstutė", "last_name": "Aleksandravičiūtė-Žemaitienė"},
        "class_name": "8a",
        "month": "2026-10",
        "period": "I pusmetis",
        "marks": [
            {
                "subject": SUBJECTS[1 + i % 12],
                "date": f"2026-10-{rng.choice(days):02d}",
                "mark": rng.choice([6, 7, 8, 9, 10]),
            }
            for i in range(marks)
        ],
        "missed_lessons": 12,
        "excused_lessons": 10,
        "late": 3,
    }


def change_act(*, summary_id: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "class_name": "8a",
        "student": {"first_name": "Ąžuolė Kęstutė", "last_name": "Aleksandravičiūtė-Žemaitienė"},
        "subject": "Anglų kalba (pirmoji užsienio kalba)",
        "period": "II pusmetis",
        "wrong": {"mark": 7, "missed_lessons": 12, "excused_lessons": 10},
        "correct": {"mark": 8, "missed_lessons": 10, "excused_lessons": 10},
        "corrected_by": {
            "name": "Šarūnė Čiurlionytė-Ūselienė",
            "position": "Anglų kalbos mokytoja",
        },
        "administrator": {"name": "Žygimantas Ąžuolas Ėmužis"},
        "class_teacher": {"name": "Jūratė Mockienė"},
        "changed_on": "2026-06-25",
        "reason": "Į e. dienyną įrašytas ne to kontrolinio darbo įvertinimas; pamokos, kurių metu "
        "mokinė atstovavo mokyklai olimpiadoje, pažymėtos kaip praleistos.",
    }
    if summary_id:
        data["summary_id"] = summary_id
    return data


def pledge() -> dict[str, Any]:
    return {"person": {"name": LONG_PERSON, "position": LONG_POSITION}, "date": "2026-09-01"}
