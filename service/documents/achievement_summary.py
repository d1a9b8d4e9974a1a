"""Mokinių mokymosi pasiekimų apskaitos suvestinė: a class's period results.

Seed p.12, 23.10, 24.15.

A table of pupils x subjects with each pupil's missed and excused lessons, notes and totals,
signed and dated by the class teacher and the deputy head. A correction is a new version
(p.23.10: errors are never corrected by hand), never an edit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import Field, field_validator, model_validator

from service.documents.common import (
    Lessons,
    Name,
    NamedPerson,
    Payload,
    Prose,
    average_text,
    decimal_lt,
    excused_within_missed,
    name_key,
    numeric_marks,
)
from service.documents.validation import Mark
from service.school_year.calendar import parse_school_year

MAX_PUPILS = 60
MAX_SUBJECTS = 40
DASH = "–"


class SummaryPupil(Payload):
    first_name: Name
    last_name: Name
    marks: Annotated[dict[Name, Mark], Field(max_length=MAX_SUBJECTS)]
    missed_lessons: Lessons
    excused_lessons: Lessons
    note: Prose | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @model_validator(mode="after")
    def _lessons(self) -> Self:
        excused_within_missed(self.missed_lessons, self.excused_lessons)
        return self


class AchievementSummary(Payload):
    class_name: Name
    school_year: Name
    period: Name
    class_teacher: NamedPerson
    # The deputy who checks and signs it (p.23.10); a blank line is printed when not given.
    deputy: NamedPerson | None = None
    subjects: Annotated[list[Name], Field(min_length=1, max_length=MAX_SUBJECTS)]
    students: Annotated[list[SummaryPupil], Field(min_length=1, max_length=MAX_PUPILS)]

    @field_validator("school_year")
    @classmethod
    def _school_year(cls, value: str) -> str:
        parse_school_year(value)
        return value

    @field_validator("subjects")
    @classmethod
    def _unique_subjects(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for subject in value:
            if name_key(subject) in seen:
                raise ValueError(f"dalykas „{subject}“ nurodytas du kartus")
            seen.add(name_key(subject))
        return value

    @model_validator(mode="after")
    def _pupils_match_subjects(self) -> Self:
        problems: list[str] = []
        subjects = set(self.subjects)
        seen: dict[str, int] = {}
        for i, pupil in enumerate(self.students):
            unknown = [s for s in pupil.marks if s not in subjects]
            if unknown:
                listed = ", ".join(f"„{s}“" for s in unknown)
                problems.append(
                    f"„students[{i}].marks“: dalyko {listed} nėra dalykų sąraše „subjects“"
                )
            key = name_key(pupil.full_name)
            if key in seen:
                problems.append(
                    f"„students[{i}]“: mokinys „{pupil.full_name}“ jau įrašytas "
                    f"(students[{seen[key]}])"
                )
            else:
                seen[key] = i
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def search_text(self) -> str:
        return f"{self.class_name} {self.school_year} {self.period} {self.class_teacher.name}"

    def template_context(self) -> dict[str, Any]:
        rows = []
        all_numbers: list[int] = []
        for i, pupil in enumerate(self.students, start=1):
            marks = [pupil.marks.get(s, DASH) for s in self.subjects]
            given = [m for m in marks if m != DASH]
            all_numbers += numeric_marks(given)
            rows.append(
                {
                    "no": i,
                    "full_name": f"{pupil.last_name} {pupil.first_name}",
                    "marks": marks,
                    "average": average_text(given),
                    "missed": pupil.missed_lessons,
                    "excused": pupil.excused_lessons,
                    "note": pupil.note or "",
                }
            )
        class_average = (
            decimal_lt(Decimal(sum(all_numbers)) / Decimal(len(all_numbers)))
            if all_numbers
            else DASH
        )
        return {
            "class_name": self.class_name,
            "school_year": self.school_year,
            "period": self.period,
            "class_teacher": {"name": self.class_teacher.name},
            "deputy": {"name": self.deputy.name if self.deputy else ""},
            "subjects": list(self.subjects),
            "rows": rows,
            "totals": {
                "pupils": len(self.students),
                "average": class_average,
                "missed": sum(p.missed_lessons for p in self.students),
                "excused": sum(p.excused_lessons for p in self.students),
            },
        }
