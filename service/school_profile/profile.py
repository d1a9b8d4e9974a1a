"""Reading, checking and saving the school profile.

Documents already issued keep the letterhead they were made with (their files are locked);
a change applies to documents issued after it, e.g. when a new director takes office.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from sqlmodel import Session

from service.audit import log as audit
from service.audit.log import Actor
from service.db import session_scope
from service.documents.validation import Text
from service.school_profile.models import SchoolProfileRecord
from service.settings import SchoolProfile
from service.timeutil import utcnow
from service.users.models import Role, User

EDITORS = frozenset({Role.admin})
MAX_CHARS = 200
_CODE = re.compile(r"^\d{9}$")


def _code(value: str) -> str:
    if not _CODE.match(value):
        raise ValueError(f"mokyklos kodas – 9 skaitmenys (juridinio asmens kodas), gauta „{value}“")
    return value


Line = Annotated[Text, Field(max_length=MAX_CHARS)]


class SchoolProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line
    code: Annotated[Text, AfterValidator(_code)]
    address: Line
    city: Line
    director_name: Line
    director_title: Line = "Direktorius"

    def profile(self) -> SchoolProfile:
        return SchoolProfile(**self.model_dump())


FIELDS = tuple(SchoolProfileIn.model_fields)


def _from_record(row: SchoolProfileRecord) -> SchoolProfile:
    return SchoolProfile(**{f: getattr(row, f) for f in FIELDS})


def saved(session: Session) -> SchoolProfile | None:
    row = session.get(SchoolProfileRecord, 1)
    return None if row is None else _from_record(row)


def in_force(engine: Engine, configured: SchoolProfile) -> SchoolProfile:
    """The admin's saved profile once there is one, else the configured one."""
    with session_scope(engine) as session:
        return saved(session) or configured


def save(
    session: Session, profile: SchoolProfile, user: User, before: SchoolProfile
) -> SchoolProfile:
    assert user.id is not None
    row = session.get(SchoolProfileRecord, 1)
    values = profile.model_dump()
    if row is None:
        row = SchoolProfileRecord(id=1, updated_by=user.id, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = user.id
        row.updated_at = utcnow()
    session.add(row)
    audit.record(
        session,
        Actor(id=user.id, name=user.name),
        "school_profile.saved",
        subject_type="school_profile",
        subject_id="1",
        detail={"before": before.model_dump(), "after": values},
    )
    session.flush()
    return profile
