"""Class scoping: a class teacher acts only on the classes the school year's calendar names
them to lead (their pupils' progress reports, the class's summaries, corrections and change
acts). Someone who also holds a wider role (deputy, director ...) for the same kind is not
scoped: that role already reads every class.

It reads nothing but the calendar, so it lives with it, below the issuing pipeline and the
access gate that ask it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlmodel import Session

from service.errors import NotPermitted
from service.school_year.calendar import parse_school_year, same_name, school_year_of
from service.school_year.models import SchoolCalendarRecord
from service.users.models import Role, User


def is_scoped(user: User, allowed: frozenset[Role]) -> bool:
    """True when the person reaches this kind only as a class teacher."""
    return (user.role_set & allowed) == {Role.class_teacher}


def class_of(payload: Mapping[str, object]) -> str | None:
    value = payload.get("class_name")
    return value if isinstance(value, str) and value.strip() else None


def school_year_for(payload: Mapping[str, object], day: dt.date) -> str:
    """The school year a class document belongs to: the one it names, else the one ``day`` is in."""
    named = payload.get("school_year")
    if isinstance(named, str):
        try:
            parse_school_year(named)
        except ValueError:
            pass
        else:
            return named.strip()
    return school_year_of(day)


def leads(session: Session, user_id: int | None, class_name: str, school_year: str) -> bool:
    record = session.get(SchoolCalendarRecord, school_year)
    if record is None or user_id is None:
        return False
    return any(
        same_name(name, class_name) and int(teacher) == user_id
        for name, teacher in (record.class_teachers or {}).items()
    )


def may_act(
    session: Session,
    user: User,
    allowed: frozenset[Role],
    payload: Mapping[str, object],
    day: dt.date,
) -> bool:
    class_name = class_of(payload)
    if class_name is None or not is_scoped(user, allowed):
        return True
    return leads(session, user.id, class_name, school_year_for(payload, day))


def ensure_may_act(
    session: Session,
    user: User,
    allowed: frozenset[Role],
    payload: Mapping[str, object],
    day: dt.date,
) -> None:
    if may_act(session, user, allowed, payload, day):
        return
    class_name = class_of(payload)
    year = school_year_for(payload, day)
    raise NotPermitted(
        f"{year} mokslo metų kalendoriuje jūs nenurodyta(s) klasės „{class_name}“ vadovu(-e), "
        "todėl šios klasės dokumentų tvarkyti ir peržiūrėti negalite. Kreipkitės į "
        "direktoriaus pavaduotoją, kad kalendoriuje būtų nurodytas klasės vadovas."
    )
