"""Building blocks shared by the seed's document payloads: names, people, lesson counts.

Every string has an upper bound so a hostile payload (an 8 MiB "name") is refused with a 422
naming the field instead of being rendered into a document.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import format_decimal
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from service.lt import round_half_up
from service.validation import Prose as Prose  # re-exported: the kinds import it here
from service.validation import Text

# A person's name, a subject, a class: one line on paper.
Name = Annotated[Text, Field(max_length=200)]
Lessons = Annotated[int, Field(ge=0, le=10_000)]


_SCHOOL_YEAR = re.compile(r"^(\d{4})\s*[-–—]\s*(\d{4})$")


def _school_year(value: str) -> str:
    """``"2025-2026"`` (or with an en dash); the second year follows the first."""
    match = _SCHOOL_YEAR.match(value)
    if match is None or int(match[2]) != int(match[1]) + 1:
        raise ValueError(f"mokslo metai rašomi taip: „2025-2026“; gauta „{value}“")
    return f"{match[1]}-{match[2]}"


# "2025-2026" (printed "2025–2026").
SchoolYear = Annotated[Name, AfterValidator(_school_year)]


class Payload(BaseModel):
    # The contract allows extra fields; they are kept out of the document.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Pupil(Payload):
    first_name: Name
    last_name: Name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class NamedPerson(Payload):
    name: Name


class StaffMember(Payload):
    name: Name
    position: Name


def excused_within_missed(missed: int, excused: int, prefix: str = "") -> None:
    """Excused lessons are a part of the missed ones (domain.md §4)."""
    if excused > missed:
        raise ValueError(
            f"„{prefix}excused_lessons“: pateisintų pamokų negali būti daugiau nei praleistų "
            f"({excused} > {missed})"
        )


def decimal_lt(value: Decimal | float, places: int = 2) -> str:
    """``8.625`` -> ``"8,63"``: rounded half up (as schools round, not to even), then written
    with the Lithuanian decimal comma through Babel."""
    pattern = "0." + "0" * places if places else "0"
    rounded = round_half_up(Decimal(str(value)) if isinstance(value, float) else value, places)
    return format_decimal(rounded, format=pattern, locale="lt", decimal_quantization=False)


def numeric_marks(marks: list[str]) -> list[int]:
    return [int(m) for m in marks if m.isdigit()]


def average_text(marks: list[str]) -> str:
    """The average of the numeric marks, or a dash when there are none (only codes)."""
    numbers = numeric_marks(marks)
    if not numbers:
        return "–"
    return decimal_lt(Decimal(sum(numbers)) / Decimal(len(numbers)))


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
