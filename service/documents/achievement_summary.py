"""Mokinių mokymosi pasiekimų apskaitos suvestinė: a class's period or annual results.

Seed p.12, 13, 23.10, 23.11, 24.15, 24.16.

A table of pupils x subjects with each pupil's missed and excused lessons, notes and totals,
signed and dated by the class teacher and the deputy head. An annual summary (``periods``
given) shows each period's marks, the annual marks, additional work (papildomi darbai) with
its mark and each pupil's decision. A correction is a new version (p.23.10: errors are never
corrected by hand), never an edit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from service.documents.common import (
    Lessons,
    Name,
    NamedPerson,
    Payload,
    Prose,
    SchoolYear,
    decimal_lt,
    excused_within_missed,
    numeric_marks,
)
from service.lt import name_key, period_genitive, person_key, school_year_text
from service.validation import Mark

MAX_PUPILS = 60
MAX_SUBJECTS = 40
MAX_PERIODS = 4
# A subject's heading prints whole, turned up in its column: two lines of about 30 letters.
MAX_SUBJECT_CHARS = 60
DASH = "–"
BLANK = ""

Subject = Annotated[Name, Field(max_length=MAX_SUBJECT_CHARS)]
Decision = Literal["promoted", "additional_work", "repeats"]

# How a decision reads in the table's narrow column, and in full in its legend.
DECISIONS: dict[str, tuple[str, str]] = {
    "promoted": ("keliamas", "keliamas (-a) į aukštesnę klasę"),
    "additional_work": ("papild. d.", "skirti papildomi darbai"),
    "repeats": ("kartoja", "paliekamas (-a) kartoti kurso"),
}

AVERAGES_DEFINED = (
    "Mokinio vidurkis – jo dalykų įvertinimų pažymiais (1–10) aritmetinis vidurkis; klasės "
    "vidurkis – visų klasės mokinių visų dalykų įvertinimų pažymiais aritmetinis vidurkis (ne "
    "mokinių vidurkių vidurkis). Įskaitos, lygiai ir kiti žodiniai įvertinimai vidurkiuose "
    "neskaičiuojami. Vidurkiai apvalinami iki šimtųjų, penketas – į didesnę pusę."
)


class AdditionalWork(Payload):
    subject: Subject
    # The additional work's own mark; none while it is not yet assessed.
    mark: Mark | None = None


class SummaryPupil(Payload):
    first_name: Name
    last_name: Name
    # The period's marks; in an annual summary, the annual marks.
    marks: Annotated[dict[Subject, Mark], Field(max_length=MAX_SUBJECTS)]
    missed_lessons: Lessons
    excused_lessons: Lessons
    note: Prose | None = None
    # Annual summary only: each period's marks, additional work and the decision.
    period_marks: Annotated[
        dict[Name, Annotated[dict[Subject, Mark], Field(max_length=MAX_SUBJECTS)]],
        Field(max_length=MAX_PERIODS),
    ] = Field(default_factory=dict)
    additional_work: Annotated[list[AdditionalWork], Field(max_length=MAX_SUBJECTS)] = Field(
        default_factory=list
    )
    decision: Decision | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def listed_name(self) -> str:
        return f"{self.last_name} {self.first_name}"

    @model_validator(mode="after")
    def _lessons(self) -> Self:
        excused_within_missed(self.missed_lessons, self.excused_lessons)
        return self


class AchievementSummary(Payload):
    class_name: Name
    school_year: SchoolYear
    period: Name
    # An annual summary names the periods whose marks stand beside the annual ones, e.g.
    # ["I pusmetis", "II pusmetis"]; empty for one period's summary.
    periods: Annotated[list[Name], Field(max_length=MAX_PERIODS)] = Field(default_factory=list)
    class_teacher: NamedPerson
    # The deputy who checks and signs it (p.23.10); a blank line is printed when not given.
    deputy: NamedPerson | None = None
    subjects: Annotated[list[Subject], Field(min_length=1, max_length=MAX_SUBJECTS)]
    students: Annotated[list[SummaryPupil], Field(min_length=1, max_length=MAX_PUPILS)]

    @field_validator("subjects", "periods")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for item in value:
            if name_key(item) in seen:
                raise ValueError(f"„{item}“ nurodytas du kartus")
            seen.add(name_key(item))
        return value

    @property
    def annual(self) -> bool:
        return bool(self.periods)

    @model_validator(mode="after")
    def _pupils_match_subjects(self) -> Self:
        problems: list[str] = []
        subjects = set(self.subjects)
        periods = set(self.periods)
        seen: dict[str, int] = {}

        def unknown(where: str, marks: dict[str, str]) -> None:
            missing = [s for s in marks if s not in subjects]
            if missing:
                listed = ", ".join(f"„{s}“" for s in missing)
                problems.append(f"„{where}“: dalyko {listed} nėra dalykų sąraše „subjects“")

        for i, pupil in enumerate(self.students):
            unknown(f"students[{i}].marks", pupil.marks)
            key = name_key(pupil.full_name)
            if key in seen:
                problems.append(
                    f"„students[{i}]“: mokinys „{pupil.full_name}“ jau įrašytas "
                    f"(students[{seen[key]}])"
                )
            else:
                seen[key] = i
            problems += self._annual_problems(i, pupil, periods, unknown)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _annual_problems(
        self, i: int, pupil: SummaryPupil, periods: set[str], unknown: Any
    ) -> list[str]:
        where = f"students[{i}]"
        if not self.annual:
            given = [
                field
                for field in ("period_marks", "additional_work", "decision")
                if getattr(pupil, field)
            ]
            return [
                f"„{where}.{field}“: pildoma tik metinėje suvestinėje (nurodžius „periods“)"
                for field in given
            ]
        problems: list[str] = []
        for period, marks in pupil.period_marks.items():
            if period not in periods:
                problems.append(
                    f"„{where}.period_marks“: laikotarpio „{period}“ nėra sąraše „periods“"
                )
            unknown(f"{where}.period_marks.{period}", marks)
        if pupil.decision is None:
            problems.append(f"„{where}.decision“: metinėje suvestinėje nurodykite sprendimą")
        works = [w.subject for w in pupil.additional_work]
        unknown(f"{where}.additional_work", dict.fromkeys(works, ""))
        if len(set(works)) != len(works):
            problems.append(f"„{where}.additional_work“: dalykas nurodytas du kartus")
        if pupil.decision == "additional_work" and not works:
            problems.append(
                f"„{where}.additional_work“: sprendimas „papildomi darbai“, bet jie nenurodyti"
            )
        return problems

    def search_text(self) -> str:
        return f"{self.class_name} {self.school_year} {self.period} {self.class_teacher.name}"

    def heading(self) -> str:
        year = school_year_text(self.school_year)
        period = period_genitive(self.period)
        if period is None:
            return (
                f"{self.class_name} klasės {year} m. m. mokymosi pasiekimų apskaitos suvestinė "
                f"({self.period})"
            )
        return (
            f"{self.class_name} klasės {year} m. m. {period} mokymosi pasiekimų apskaitos suvestinė"
        )

    def signer(self) -> str:
        signers = [f"klasės vadovas (-ė) {self.class_teacher.name}"]
        if self.deputy:
            signers.append(f"direktoriaus pavaduotojas (-a) {self.deputy.name}")
        return "; ".join(signers)

    # -- what the template prints ------------------------------------------------------------

    def _ordered(self) -> list[SummaryPupil]:
        return sorted(self.students, key=lambda p: person_key(p.last_name, p.first_name))

    def _section(
        self,
        title: str,
        pupils: list[SummaryPupil],
        marks_of: Any,
        *,
        annual: bool,
        attendance: bool,
        note_numbers: dict[int, int],
    ) -> dict[str, Any]:
        rows = []
        all_numbers: list[int] = []
        for no, pupil in enumerate(pupils, start=1):
            marks: dict[str, str] = marks_of(pupil)
            given = [m for s in self.subjects if (m := marks.get(s))]
            numbers = numeric_marks(given)
            all_numbers += numbers
            works = {w.subject: w for w in pupil.additional_work} if annual else {}
            cells = []
            for subject in self.subjects:
                mark = marks.get(subject, DASH)
                work = works.get(subject)
                if work is not None:
                    # p.13: the annual mark, then the additional work's ("pd" while pending).
                    mark = f"{mark}→{work.mark}" if work.mark else f"{mark} pd"
                cells.append(mark)
            remark = DECISIONS[pupil.decision][0] if annual and pupil.decision else ""
            note = note_numbers.get(id(pupil))
            if note is not None:
                remark = f"{remark} ({note})" if remark else f"({note})"
            rows.append(
                {
                    "no": no,
                    "full_name": pupil.listed_name,
                    "marks": cells,
                    "average": _average(numbers),
                    "missed": pupil.missed_lessons if attendance else BLANK,
                    "excused": pupil.excused_lessons if attendance else BLANK,
                    "remark": remark or BLANK,
                }
            )
        return {
            "title": title,
            "annual": annual,
            "rows": rows,
            "remark_heading": "Sprendimas, pastabos" if annual else "Pastabos",
            "totals": {
                "pupils": len(pupils),
                "average": _average(all_numbers),
                "missed": sum(p.missed_lessons for p in pupils) if attendance else BLANK,
                "excused": sum(p.excused_lessons for p in pupils) if attendance else BLANK,
            },
        }

    def template_context(self) -> dict[str, Any]:
        pupils = self._ordered()
        noted = [p for p in pupils if p.note]
        note_numbers = {id(p): n for n, p in enumerate(noted, start=1)}
        sections = [
            self._section(
                period,
                pupils,
                lambda p, period=period: p.period_marks.get(period, {}),
                annual=False,
                attendance=False,
                note_numbers={},
            )
            for period in self.periods
        ]
        sections.append(
            self._section(
                f"{self.period} (metiniai įvertinimai)" if self.annual else self.period,
                pupils,
                lambda p: p.marks,
                annual=self.annual,
                attendance=True,
                note_numbers=note_numbers,
            )
        )
        works = [
            {
                "full_name": p.listed_name,
                "subject": w.subject,
                "annual_mark": p.marks.get(w.subject, DASH),
                "mark": w.mark or "dar neįvertinta",
            }
            for p in pupils
            for w in p.additional_work
        ]
        return {
            "class_name": self.class_name,
            "school_year": school_year_text(self.school_year),
            "period": self.period,
            "annual": self.annual,
            "class_teacher": {"name": self.class_teacher.name},
            "deputy": {"name": self.deputy.name if self.deputy else ""},
            "subjects": list(self.subjects),
            "sections": sections,
            "notes": [
                {"no": note_numbers[id(p)], "full_name": p.listed_name, "text": p.note}
                for p in noted
            ],
            "additional_work": works,
            "decisions": [f"{short} – {full}" for short, full in DECISIONS.values()]
            if self.annual
            else [],
            "averages_defined": AVERAGES_DEFINED,
        }


def _average(numbers: list[int]) -> str:
    if not numbers:
        return DASH
    return decimal_lt(Decimal(sum(numbers)) / Decimal(len(numbers)))
