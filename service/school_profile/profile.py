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
from service.errors import Conflict
from service.school_profile.models import SchoolProfileRecord
from service.settings import SchoolProfile
from service.timeutil import utcnow
from service.users.models import Role, User
from service.validation import OptionalText, Text, exactly

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
    code: Annotated[
        Text, AfterValidator(_code), Field(json_schema_extra=exactly(pattern="^[0-9]{9}$"))
    ]
    address: Line
    city: Line
    director_name: Line
    director_title: Line = "Direktorius"
    phone: Annotated[OptionalText, Field(max_length=MAX_CHARS)] = ""
    email: Annotated[OptionalText, Field(max_length=MAX_CHARS)] = ""
    name_genitive: Annotated[OptionalText, Field(max_length=MAX_CHARS)] = ""

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
    session: Session,
    profile: SchoolProfile,
    user: User | None,
    before: SchoolProfile,
    *,
    actor: Actor | None = None,
) -> SchoolProfile:
    """Save ``profile``; ``user`` is the admin who changed it, or None from the command line
    (then ``actor`` names who did it in the audit trail)."""
    user_id = user.id if user is not None else None
    row = session.get(SchoolProfileRecord, 1)
    values = profile.model_dump()
    if row is None:
        row = SchoolProfileRecord(id=1, updated_by=user_id, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = user_id
        row.updated_at = utcnow()
    session.add(row)
    if actor is None:
        assert user is not None
        actor = user.actor
    audit.record(
        session,
        actor,
        "school_profile.saved",
        subject_type="school_profile",
        subject_id="1",
        detail={"before": before.model_dump(), "after": values},
    )
    session.flush()
    return profile


# What a document must print about the school, with how a person names each item.
REQUIRED: tuple[tuple[str, str], ...] = (
    ("name", "pavadinimas"),
    ("code", "kodas"),
    ("address", "adresas"),
    ("city", "miestas (dokumento sudarymo vieta)"),
    ("director_name", "direktoriaus vardas ir pavardė"),
)
# Names that only stand for someone: a document must never print them as a real signatory.
PLACEHOLDER_NAMES = frozenset(
    {"vardenis pavardenis", "vardas pavardė", "vardas pavarde", "vardas", "pavardė"}
)
SET_HINT = (
    "Nustatykite juos komanda `bylos school set --name … --code … --address … --city … "
    "--director …`, administratoriaus puslapyje /admin/mokykla arba nustatymais "
    "BYLOS_SCHOOL_NAME, BYLOS_SCHOOL_CODE, BYLOS_SCHOOL_ADDRESS, BYLOS_SCHOOL_CITY, "
    "BYLOS_SCHOOL_DIRECTOR_NAME."
)


def missing(school: SchoolProfile) -> list[str]:
    """What the profile still lacks, as a person would name it (empty when complete)."""
    lacking = [label for field, label in REQUIRED if not getattr(school, field).strip()]
    director = " ".join(school.director_name.split()).casefold()
    if director in PLACEHOLDER_NAMES:
        lacking.append(f"tikras direktoriaus vardas ir pavardė (dabar „{school.director_name}“)")
    if school.code.strip() and not _CODE.match(school.code.strip()):
        lacking.append(f"teisingas kodas (9 skaitmenys, dabar „{school.code}“)")
    return lacking


class SchoolProfileIncomplete(Conflict):
    """The school profile lacks what an official document prints: 409, nothing issued."""


def ensure_complete(school: SchoolProfile) -> None:
    """Refuse an official document while the school's own data is missing or a placeholder."""
    lacking = missing(school)
    if lacking:
        raise SchoolProfileIncomplete(
            "Oficialių dokumentų išduoti negalima: neužpildyti mokyklos duomenys – trūksta: "
            + ", ".join(lacking)
            + ". "
            + SET_HINT
        )


def current(session: Session, configured: SchoolProfile) -> SchoolProfile:
    """The profile in force now, read in the caller's transaction: a profile saved by the
    command line while the server runs is used at once."""
    return saved(session) or configured
