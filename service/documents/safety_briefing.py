"""Saugaus elgesio ir kitų instruktažų lapas: printed after every briefing, signed by each pupil
and the instructor, kept separately in the binder of briefings (seed p.15, 24.4, 31)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from service.documents.common import Name, Payload, Prose, StaffMember
from service.lt import in_sentence, long_date, name_key
from service.validation import IsoDate

MAX_PUPILS = 60


class SafetyBriefing(Payload):
    class_name: Name
    date: IsoDate
    topic: Name
    content: Prose
    instructor: StaffMember
    students: Annotated[list[Name], Field(min_length=1, max_length=MAX_PUPILS)]

    @field_validator("students")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        seen: dict[str, int] = {}
        for i, name in enumerate(value):
            if name_key(name) in seen:
                raise ValueError(
                    f"mokinys „{name}“ įrašytas du kartus (students[{seen[name_key(name)]}] "
                    f"ir students[{i}])"
                )
            seen[name_key(name)] = i
        return value

    def search_text(self) -> str:
        return f"{self.class_name} {self.topic} {self.instructor.name}"

    def heading(self) -> str:
        return (
            f"Saugaus elgesio instruktažo lapas – {self.class_name} klasė, {self.topic}, "
            f"{self.date.isoformat()}"
        )

    def signer(self) -> str:
        return self.instructor.name

    def template_context(self) -> dict[str, Any]:
        return {
            "class_name": self.class_name,
            "date_long": long_date(self.date),
            "topic": self.topic,
            # One paragraph per line the teacher wrote.
            "content_lines": [line.strip() for line in self.content.splitlines() if line.strip()],
            "instructor": {
                "name": self.instructor.name,
                "position": self.instructor.position,
                "position_in_text": in_sentence(self.instructor.position),
            },
            "students": list(self.students),
        }
