"""Mokinio pasiekimų pažyma: the certificate for a pupil who leaves mid-year (seed p.29, 32)."""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.documents.validation import IsoDate, Mark, Text
from service.lt import long_date, mark_text


class _Payload(BaseModel):
    # The contract allows extra fields; they are kept out of the document.
    model_config = ConfigDict(extra="ignore", frozen=True)


class Student(_Payload):
    first_name: Text
    last_name: Text

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RemovalOrder(_Payload):
    date: IsoDate
    number: Text


class Result(_Payload):
    subject: Text
    period: Text
    mark: Mark


class LeavingCertificate(_Payload):
    student: Student
    class_name: Text
    enrolled_on: IsoDate
    left_on: IsoDate
    order: RemovalOrder
    reason: Text
    destination: Text | None = None
    results: list[Result] = Field(max_length=200)
    missed_lessons: int = Field(ge=0, le=10_000)
    excused_lessons: int = Field(ge=0, le=10_000)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.left_on < self.enrolled_on:
            raise ValueError(
                "„left_on“: išvykimo data negali būti ankstesnė už priėmimo datą "
                f"({self.left_on.isoformat()} < {self.enrolled_on.isoformat()})"
            )
        if self.excused_lessons > self.missed_lessons:
            raise ValueError(
                "„excused_lessons“: pateisintų pamokų negali būti daugiau nei praleistų "
                f"({self.excused_lessons} > {self.missed_lessons})"
            )
        return self

    def search_text(self) -> str:
        return f"{self.student.full_name} {self.class_name}"

    def template_context(self) -> dict[str, Any]:
        return {
            "student": {"full_name": self.student.full_name},
            "class_name": self.class_name,
            "enrolled_on_long": long_date(self.enrolled_on),
            "left_on_long": long_date(self.left_on),
            "order": {"date_long": long_date(self.order.date), "number": self.order.number},
            "reason": self.reason,
            "destination": self.destination or "",
            "results": [
                {"subject": r.subject, "period": r.period, "mark_text": mark_text(r.mark)}
                for r in self.results
            ],
            "missed_lessons": self.missed_lessons,
            "excused_lessons": self.excused_lessons,
        }

    def retention_event_on(self) -> date:
        # Pupil-file terms run from the pupil's leaving, which the certificate itself records.
        return self.left_on
