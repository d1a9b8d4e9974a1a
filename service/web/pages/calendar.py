"""The school year's calendar: periods, classes and the journal transfer deadline, set by those
who run the year. Through the same model and save as ``PUT /api/school-calendar/{year}``."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.documents import duties
from service.school_year import calendars
from service.school_year.calendar import (
    SchoolCalendar,
    parse_school_year,
    previous_school_year,
    same_name,
    school_year_of,
    suggested_calendar,
    summary_deadlines,
)
from service.timeutil import today_vilnius
from service.users import accounts
from service.users.models import Role
from service.web import forms
from service.web.access import AppRuntime, PledgedUser, checked_form, unit_of_work
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

ACTION = "nustatyti mokslo metų kalendorių"
URL = "/admin/kalendorius"
# Class names are suggested from the documents of the last year and a half.
SUGGEST_FROM_YEARS = 2

TEACHERS = "class_teachers"
FORM = forms.FormSpec(
    kind="school-calendar",
    title="Mokslo metų kalendorius",
    menu_label="Kalendorius",
    intro=(
        "Kada baigiasi pusmečiai ar trimestrai ir kurioms klasėms, kokios klasės mokosi ir iki "
        "kada perkeliamas e. dienynas. Iš šių datų pradžios puslapis skaičiuoja suvestinių, "
        "ataskaitų tėvams ir dienyno perkėlimo terminus."
    ),
    sections=(
        forms.Group(
            "Mokslo metai",
            (
                forms.Field("school_year", "Mokslo metai", hint="Pvz., 2026-2027", width="narrow"),
                forms.Field(
                    "journal_transfer_due",
                    "E. dienyną perkelti iki",
                    type="date",
                    required=False,
                    hint="Tuščia – paskutinė rugpjūčio darbo diena (Aprašo 30 p.).",
                ),
                forms.Field(
                    "classes",
                    "Klasės",
                    type="lines",
                    hint="Po vieną eilutėje, pvz., 5a. Gimnazijos klasės – Ia, IIb, IIIg, IVa.",
                ),
                forms.Field(
                    TEACHERS,
                    "Klasių vadovai",
                    type="lines",
                    required=False,
                    hint=(
                        "Po vieną eilutėje: klasė, dvitaškis ir klasės vadovo prisijungimo "
                        "vardas, pvz., 5a: jurate. Klasės vadovas tvarko ir mato tik savo "
                        "klasių dokumentus."
                    ),
                ),
            ),
        ),
        forms.Rows(
            "periods",
            "Laikotarpiai, už kuriuos rengiamos suvestinės",
            (
                forms.Field("name", "Pavadinimas", hint="Pvz., I pusmetis"),
                forms.Field("ends_on", "Pabaiga", type="date"),
                forms.Field("grades_from", "Klasės nuo", type="number", required=False),
                forms.Field("grades_to", "Klasės iki", type="number", required=False),
            ),
            rows=6,
            hint="Jei pusmečiai skiriasi pagal klases, įrašykite kiekvieną atskiru įrašu.",
        ),
    ),
    submit="Išsaugoti kalendorių",
)


# What the calendar's model checks: the form without the teachers' lines, which name logins
# (read by _teachers below) where the model wants account numbers.
CORE = dataclasses.replace(
    FORM,
    sections=tuple(
        dataclasses.replace(g, fields=tuple(f for f in g.fields if f.name != TEACHERS))
        if isinstance(g, forms.Group)
        else g
        for g in FORM.sections
    ),
)


def _teachers(session: Session, text: str, filled: forms.Filled) -> dict[str, int]:
    """``5a: jurate`` lines -> {class: user id}; problems are attached to the field."""
    found: dict[str, int] = {}
    classes = [c.strip() for c in filled.values.get("classes", "").splitlines() if c.strip()]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, login = line.partition(":")
        name, login = " ".join(name.split()), login.strip()
        if not sep or not name or not login:
            filled.add_error(TEACHERS, f"{number} eilutė: rašykite „klasė: prisijungimo vardas“.")
            continue
        if not any(same_name(name, c) for c in classes):
            filled.add_error(TEACHERS, f"{number} eilutė: klasės „{name}“ nėra sąraše „Klasės“.")
            continue
        user = accounts.by_login(session, login)
        if user is None or user.id is None or not user.active:
            filled.add_error(TEACHERS, f"{number} eilutė: naudotojo „{login}“ nėra.")
        elif Role.class_teacher not in user.role_set:
            filled.add_error(TEACHERS, f"{number} eilutė: „{login}“ neturi klasės vadovo vaidmens.")
        else:
            found[name] = user.id
    return found


def _year(value: str) -> str:
    try:
        parse_school_year(value)
    except ValueError:
        return school_year_of(today_vilnius())
    return value


def _filled(calendar: SchoolCalendar, logins: dict[int, str]) -> forms.Filled:
    return forms.Filled(
        values={
            "school_year": calendar.school_year,
            "journal_transfer_due": calendar.journal_transfer_due.isoformat(),
            "classes": "\n".join(calendar.classes),
            TEACHERS: "\n".join(
                f"{name}: {logins.get(user_id, user_id)}"
                for name, user_id in calendar.class_teachers
            ),
        },
        rows={
            "periods": [
                {
                    "name": p.name,
                    "ends_on": p.ends_on.isoformat(),
                    "grades_from": str(p.grades_from),
                    "grades_to": str(p.grades_to),
                }
                for p in calendar.periods
            ]
        },
    )


def _page(
    request: Request,
    school_year: str,
    filled: forms.Filled,
    saved: SchoolCalendar | None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    rows = {
        "periods": filled.rows.get("periods", [])
        + [{}] * max(1, 6 - len(filled.rows.get("periods", [])))
    }
    current = school_year_of(today_vilnius())
    start = int(current[:4])
    years = [previous_school_year(current), current, f"{start + 1}-{start + 2}"]
    if school_year not in years:
        years.append(school_year)
    return render(
        request,
        "calendar.html",
        {
            "form": FORM,
            "filled": filled,
            "rows": rows,
            "key": "",
            "action": URL,
            "cancel": "/",
            "error_title": "Kalendorius neišsaugotas: pataisykite pažymėtus laukus.",
            "error_note": "Niekas nepakeista.",
            "school_year": school_year,
            "years": years,
            "saved": saved,
            "deadlines": []
            if saved is None
            else [(p, summary_deadlines(p.ends_on)) for p in saved.periods],
            "notice": notice,
        },
        status_code=status_code,
    )


@router.get(URL)
def calendar_page(
    request: Request, runtime: AppRuntime, metai: str = "", pranesimas: str = ""
) -> Response:
    school_year = _year(metai)
    since = today_vilnius().year - SUGGEST_FROM_YEARS + 1

    def load(session: Session) -> tuple[SchoolCalendar | None, SchoolCalendar, dict[int, str]]:
        saved = calendars.get(session, school_year)
        classes = duties.recent_class_names(session, since)
        shown = saved or suggested_calendar(school_year, classes)
        return saved, shown, accounts.logins_by_id(session)

    saved, shown, logins = unit_of_work(runtime, load)
    notice = "Kalendorius išsaugotas." if pranesimas == "issaugota" and saved else ""
    return _page(request, school_year, _filled(shown, logins), saved, notice)


@router.post(URL)
def save_calendar(
    request: Request,
    user: PledgedUser,
    runtime: AppRuntime,
    posted: Annotated[FormData, Depends(checked_form)],
) -> Response:
    values = {k: v for k, v in posted.items() if isinstance(v, str)}
    filled = forms.read_form(FORM, values)
    school_year = _year(filled.values.get("school_year", ""))
    payload = forms.validate(CORE, calendars.CalendarIn, filled)
    teachers = unit_of_work(
        runtime, lambda session: _teachers(session, filled.values.get(TEACHERS, ""), filled)
    )
    if payload is None or filled.errors:
        saved = unit_of_work(runtime, lambda session: calendars.get(session, school_year))
        return _page(request, school_year, filled, saved, status_code=422)
    payload[TEACHERS] = teachers
    calendar = calendars.CalendarIn.model_validate(payload).calendar()
    unit_of_work(runtime, lambda session: calendars.save(session, calendar, user))
    return RedirectResponse(f"{URL}?metai={payload['school_year']}&pranesimas=issaugota", 303)
