"""Aktas apie duomenų keitimą: the record of a correction to locked journal data (seed p.17, 23.9).

It holds every item of p.17.1 / 23.9.3: the subject, the wrong and the correct mark (number and
words), the wrong and the correct missed and excused lessons, the pupil, who corrected the data,
the e-journal administrator, the date of the change, the reason and other related data.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from service.documents.common import (
    Lessons,
    Name,
    NamedPerson,
    Payload,
    Prose,
    Pupil,
    SchoolYear,
    StaffMember,
    excused_within_missed,
)
from service.lt import in_sentence, long_date, mark_text, school_year_of, school_year_text
from service.timeutil import today_vilnius
from service.validation import IsoDate, Mark


class JournalState(Payload):
    mark: Mark
    missed_lessons: Lessons
    excused_lessons: Lessons


class ChangeAct(Payload):
    class_name: Name
    student: Pupil
    subject: Name
    period: Name
    wrong: JournalState
    correct: JournalState
    corrected_by: StaffMember
    administrator: NamedPerson
    changed_on: IsoDate
    reason: Prose
    # The class summary this act corrects (p.17.3: the act is kept with it).
    summary_id: Annotated[str, Field(max_length=64)] | None = None
    other: Prose | None = None
    # The school year of the corrected data; by default the one the change date falls in.
    school_year: SchoolYear | None = None
    # Told when attendance changes (p.20, 24.6); "the class teacher" when not named.
    class_teacher: NamedPerson | None = None

    @property
    def attendance_changed(self) -> bool:
        return (self.wrong.missed_lessons, self.wrong.excused_lessons) != (
            self.correct.missed_lessons,
            self.correct.excused_lessons,
        )

    def notified(self) -> str:
        """Who will be told (p.20), in the dative; no pronoun guessed for the pupil."""
        told = ["e. dienyno administratoriui", "dalyko mokytojui"]
        if self.attendance_changed:
            told.append("klasės vadovui")
        told += ["mokiniui", "mokinio tėvams (globėjams, rūpintojams)"]
        return ", ".join(told[:-1]) + " ir " + told[-1]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for side in ("wrong", "correct"):
            state: JournalState = getattr(self, side)
            excused_within_missed(state.missed_lessons, state.excused_lessons, f"{side}.")
        if self.wrong == self.correct:
            raise ValueError("„correct“: teisingi duomenys sutampa su klaidingais, taisyti nėra ko")
        if self.changed_on > today_vilnius():
            raise ValueError(
                f"„changed_on“: duomenų keitimo data negali būti ateityje "
                f"({self.changed_on.isoformat()})"
            )
        return self

    def search_text(self) -> str:
        return f"{self.student.full_name} {self.class_name} {self.subject}"

    def heading(self) -> str:
        return (
            f"Aktas apie duomenų keitimą – {self.student.full_name}, {self.class_name}, "
            f"{self.subject}, {self.period}"
        )

    @staticmethod
    def _state(state: JournalState) -> dict[str, Any]:
        return {
            "mark_text": mark_text(state.mark),
            "missed_lessons": state.missed_lessons,
            "excused_lessons": state.excused_lessons,
        }

    def template_context(self) -> dict[str, Any]:
        return {
            "school_year": school_year_text(self.school_year or school_year_of(self.changed_on)),
            "notified": self.notified(),
            # The corrected summary's date and number; the issuing hook fills it in.
            "summary": None,
            "class_name": self.class_name,
            "student": {"full_name": self.student.full_name},
            "subject": self.subject,
            "period": self.period,
            "wrong": self._state(self.wrong),
            "correct": self._state(self.correct),
            "corrected_by": {
                "name": self.corrected_by.name,
                "position": self.corrected_by.position,
                "position_in_text": in_sentence(self.corrected_by.position),
            },
            "administrator": {"name": self.administrator.name},
            "changed_on_long": long_date(self.changed_on),
            "reason": self.reason,
            "other": self.other or "",
        }
