"""The monthly report for parents: marks grouped by subject with dates, attendance, and the
parents' acknowledgement line."""

from __future__ import annotations

from service.documents.progress_report import ProgressReport
from service.validation import parse_payload
from tests.service.documents.seed_kinds import payload, rendered_text


def test_pupil_may_be_given_as_one_name() -> None:
    report = parse_payload(ProgressReport, payload("progress-report", student="Ieva Navickaitė"))
    assert report.student.full_name == "Ieva Navickaitė"


def test_marks_are_grouped_by_subject_in_date_order() -> None:
    data = payload("progress-report")
    data["marks"] = [
        {"subject": "Matematika", "date": "2026-10-20", "mark": 9},
        {"subject": "Muzika", "date": "2026-10-02", "mark": "įsk"},
        {"subject": "Matematika", "date": "2026-10-05", "mark": "7"},
    ]
    ctx = parse_payload(ProgressReport, data).template_context()
    assert [(r["subject"], r["date"], r["mark_text"]) for r in ctx["rows"]] == [
        ("Matematika", "2026-10-05", "7 (septyni)"),
        ("", "2026-10-20", "9 (devyni)"),
        ("Muzika", "2026-10-02", "įskaityta"),
    ]
    assert ctx["period_text"] == "2026 m. spalio mėn."
    # Full dates and the school year the month falls in (issue 11).
    assert ctx["school_year"] == "2026–2027"
    assert (ctx["first_day"], ctx["last_day"]) == ("2026-10-01", "2026-10-31")


def test_attendance_and_acknowledgement_are_printed() -> None:
    text = rendered_text("progress-report", payload("progress-report", missed_lessons=9))
    assert "Su ataskaita susipažinau" in text
    assert "tėvų (globėjų, rūpintojų)" in text
    assert "pagrindinis lygis" in text
