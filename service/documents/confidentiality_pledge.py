"""Konfidencialumo pasižadėjimas: the seed's annex 1, signed before any work with the journal (p.9).

The payload may name the account it belongs to (``user_id``); registering the pledge then opens
that person's pledge gate (service/users/pledge.py explains how an account is matched otherwise).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from service.documents.common import Payload, StaffMember
from service.lt import in_sentence, long_date
from service.validation import IsoDate


class ConfidentialityPledge(Payload):
    person: StaffMember
    date: IsoDate
    # An account id: within the database's integer (PostgreSQL's is 32-bit).
    user_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None

    def search_text(self) -> str:
        return f"{self.person.name} {self.person.position}"

    def heading(self) -> str:
        position = in_sentence(self.person.position)
        return f"Konfidencialumo pasižadėjimas – {self.person.name}, {position}"

    def signer(self) -> str:
        return self.person.name

    def template_context(self) -> dict[str, Any]:
        return {
            "person": {
                "name": self.person.name,
                "position": self.person.position,
                "position_in_text": in_sentence(self.person.position),
            },
            "date_long": long_date(self.date),
        }
