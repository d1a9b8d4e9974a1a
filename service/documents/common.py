"""Building blocks shared by the seed's document payloads: names, people, lesson counts.

Every string has an upper bound so a hostile payload (an 8 MiB "name") is refused with a 422
naming the field instead of being rendered into a document.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict, Field

from service.documents.validation import Prose as Prose  # re-exported: the kinds import it here
from service.documents.validation import Text

# A person's name, a subject, a class: one line on paper.
Name = Annotated[Text, Field(max_length=200)]
Lessons = Annotated[int, Field(ge=0, le=10_000)]


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


def name_key(name: str) -> str:
    """Two spellings of one person compare equal (case and inner spaces do not matter)."""
    return " ".join(name.split()).casefold()


def decimal_lt(value: Decimal | float, places: int = 2) -> str:
    """``8.375`` -> ``"8,38"``: Lithuanian decimal comma through Babel."""
    pattern = "0." + "0" * places if places else "0"
    return format_decimal(value, format=pattern, locale="lt")


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
