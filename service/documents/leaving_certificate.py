"""Mokinio pasiekimų pažyma: the certificate for a pupil who leaves mid-year (seed p.29, 32)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.documents.common import Name, SchoolYear
from service.lt import long_date, mark_text, school_year_of, school_year_text
from service.validation import IsoDate, Mark, Text


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
    # The period's school year when it is not the certificate's (an earlier year's result).
    school_year: SchoolYear | None = None


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
    # The school year of the results; by default the one the pupil left in.
    school_year: SchoolYear | None = None
    # The receiving school as the certificate is addressed to it, in the dative as it is to
    # print ("Vilniaus Žirmūnų gimnazijai"); the PDF names it as the recipient.
    addressee: Name | None = None
    # The preparer's phone or e-mail; by default the school office's (school profile).
    preparer_phone: Name | None = None
    preparer_email: Name | None = None

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

    def heading(self) -> str:
        return f"Mokinio pasiekimų pažyma – {self.student.full_name}, {self.class_name}"

    # The certificate is signed by the head of the school (seed p.29).
    signed_by_director: ClassVar[bool] = True

    def recipients(self) -> list[str]:
        addressee = self.addressee or self.destination
        return [addressee] if addressee else []

    def template_context(self) -> dict[str, Any]:
        year = school_year_text(self.school_year or school_year_of(self.left_on))
        contact = ", ".join(
            part
            for part in (
                f"tel. {self.preparer_phone}" if self.preparer_phone else "",
                f"el. p. {self.preparer_email}" if self.preparer_email else "",
            )
            if part
        )
        return {
            "school_year": year,
            "addressee": self.addressee or "",
            # The template falls back to the school office's contact when this is empty.
            "preparer_contact": contact,
            "student": {"full_name": self.student.full_name},
            "class_name": self.class_name,
            "enrolled_on_long": long_date(self.enrolled_on),
            "left_on_long": long_date(self.left_on),
            "order": {"date_long": long_date(self.order.date), "number": self.order.number},
            "reason": self.reason,
            "destination": self.destination or "",
            "results": [
                {
                    "subject": r.subject,
                    "period": r.period,
                    "school_year": school_year_text(r.school_year) if r.school_year else year,
                    "mark_text": mark_text(r.mark),
                }
                for r in self.results
            ],
            "missed_lessons": self.missed_lessons,
            "excused_lessons": self.excused_lessons,
        }

    def retention_event_on(self) -> date:
        # Pupil-file terms run from the pupil's leaving, which the certificate itself records.
        return self.left_on
