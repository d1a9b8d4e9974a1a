"""Registers by year: the list, one register-year's entries, and its XLSX/PDF listings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlmodel import col, func, select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.books import register as books_register
from service.cases.plan import validate_year
from service.db import session_scope
from service.deps import ensure_role
from service.errors import InvalidPayload, NotFound, ServiceError
from service.output import content_disposition
from service.registry import admin, listing, numbering
from service.registry import routes as api
from service.registry.models import EntryStatus, RegistryEntry
from service.registry.routes import ADMINS, READERS
from service.spreadsheets import XLSX_MEDIA_TYPE as XLSX
from service.timeutil import today_vilnius
from service.users.models import User
from service.web import forms
from service.web.access import checked_form, pledged_user, runtime_of
from service.web.forms import FORM_ERROR, MAX_FIELD_CHARS
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)


def _year(value: str) -> int:
    if not value:
        return today_vilnius().year
    if not value.isdigit():
        raise InvalidPayload(f"Metai turi būti skaičius, gauta „{value[:20]}“.")
    return validate_year(int(value))


@router.get("/registrai")
def register_list(request: Request, metai: str = "", pranesimas: str = "") -> Response:
    user = pledged_user(request)
    ensure_role(user, READERS, "peržiūrėti registrus")
    return _list_page(request, user, _year(metai), pranesimas=pranesimas)


def _list_page(
    request: Request,
    user: User,
    year: int,
    *,
    pranesimas: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    with session_scope(runtime_of(request).engine) as session:
        registers = admin.all_registers(session)
        counts: dict[tuple[str, str], int] = {}
        for code, status, n in session.exec(
            select(RegistryEntry.register_code, RegistryEntry.status, func.count())
            .where(RegistryEntry.year == year)
            .group_by(col(RegistryEntry.register_code), col(RegistryEntry.status))
        ):
            counts[(code, str(status))] = n
        years = sorted(
            set(session.exec(select(RegistryEntry.year).distinct())) | {today_vilnius().year},
            reverse=True,
        )
    return render(
        request,
        "registers.html",
        {
            "registers": registers,
            "counts": counts,
            "year": year,
            "years": years,
            "may_manage": bool(user.role_set & ADMINS),
            "values": values or {"number_format": admin.DEFAULT_FORMAT},
            "errors": errors or {},
            "fields": NEW_REGISTER,
            "notice": NOTICES.get(pranesimas, ""),
        },
        status_code=status_code,
    )


@router.get("/registrai/{code}")
def register_page(request: Request, code: str, metai: str = "") -> Response:
    user = pledged_user(request)
    ensure_role(user, READERS, "peržiūrėti registrą")
    year = _year(metai)
    with session_scope(runtime_of(request).engine) as session:
        register = numbering.get_register(session, code)
        entries = [listing.entry_out(r) for r in books_register.rows(session, code, year)]
    return render(
        request,
        "register.html",
        {
            "register": register,
            "entries": entries,
            "year": year,
            "status_lt": {s.value: t for s, t in listing.STATUS_LT.items()},
            "void": EntryStatus.void.value,
        },
    )


@router.get("/registrai/{code}/{year}.{ext}")
def register_export(request: Request, code: str, year: int, ext: str) -> Response:
    user = pledged_user(request)
    ensure_role(user, READERS, "spausdinti registrą")
    year = _year(str(year))
    runtime = runtime_of(request)
    with session_scope(runtime.engine) as session:
        register = numbering.get_register(session, code)
        entries = books_register.rows(session, code, year)
    if ext == "xlsx":
        data, media = listing.to_xlsx(register, year, entries), XLSX
    elif ext == "pdf":
        data = listing.to_pdf(
            register,
            year,
            entries,
            school=runtime.school,
            converter=runtime.converter,
            printed_on=today_vilnius(),
            printed_by=user.name,
        )
        media = "application/pdf"
    else:
        raise NotFound("Galimi formatai: XLSX arba PDF.")
    filename = f"registras-{code}-{year}.{ext}"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": content_disposition(filename)},
    )


# -- the admin adds and renames registers: the registry API's own route functions ----------

NEW_REGISTER = (
    forms.Field("code", "Kodas", hint="1–6 didžiosios raidės, pvz., SU", width="narrow"),
    forms.Field("title", "Pavadinimas", width="wide"),
    forms.Field("case_index", "Bylos indeksas", hint="pvz., 1.12", width="narrow"),
    forms.Field(
        "number_format",
        "Numerio formatas",
        required=False,
        hint="pvz., {code}-{seq}; numeriai kasmet pradedami nuo 1",
    ),
)
EDIT_REGISTER = (
    forms.Field("title", "Pavadinimas"),
    forms.Field("case_index", "Bylos indeksas", hint="pvz., 1.12"),
    forms.Field("number_format", "Numerio formatas", hint="pvz., {code}-{seq}"),
)
NEW_FIELDS = tuple(f.name for f in NEW_REGISTER)
LABELS = {f.name: f.label for f in NEW_REGISTER}
NOTICES = {
    "pridetas": "Registras pridėtas.",
    "pakeistas": "Registras pakeistas.",
}
# Which field a service refusal is about, by the words it uses (its messages name no field).
_FIELD_WORDS = (
    ("code", ("registro kodas", "„code“", "jau yra")),
    ("number_format", ("numerio format", "„number_format“")),
    ("case_index", ("bylos indeks", "„case_index“", "indeksas")),
    ("title", ("pavadinimas", "„title“")),
)


def _field_of(detail: str) -> str:
    lowered = detail.lower()
    for name, words in _FIELD_WORDS:
        if any(word.lower() in lowered for word in words):
            return name
    return FORM_ERROR


def _read(form: FormData, fields: tuple[str, ...]) -> tuple[dict[str, str], dict[str, list[str]]]:
    values = {f: str(form.get(f, "")).strip()[: MAX_FIELD_CHARS + 1] for f in fields}
    limit = f"reikšmė per ilga (daugiausia {MAX_FIELD_CHARS} simbolių)"
    return values, {f: [limit] for f, v in values.items() if len(v) > MAX_FIELD_CHARS}


@router.post("/registrai")
def add_register(request: Request, form: Annotated[FormData, Depends(checked_form)]) -> Response:
    user = pledged_user(request)
    ensure_role(user, ADMINS, "pridėti registrą")
    values, errors = _read(form, NEW_FIELDS)
    if not errors:
        body = {k: v for k, v in values.items() if v or k != "number_format"}
        try:
            with session_scope(runtime_of(request).engine) as session:
                api.add_register(session, user, body)
        except ServiceError as exc:
            if exc.status_code == 403:
                raise
            # Each problem beside its own field, in the form's words.
            errors = forms.split_refusal(exc.detail, LABELS, _field_of)
    if errors:
        year = today_vilnius().year
        return _list_page(request, user, year, values=values, errors=errors, status_code=422)
    return RedirectResponse("/registrai?pranesimas=pridetas", 303)


def _edit_page(
    request: Request,
    code: str,
    values: dict[str, str],
    errors: dict[str, list[str]],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "register_edit.html",
        {"code": code, "values": values, "errors": errors, "fields": EDIT_REGISTER},
        status_code=status_code,
    )


@router.get("/registrai/{code}/keisti")
def edit_page(request: Request, code: str) -> Response:
    user = pledged_user(request)
    ensure_role(user, ADMINS, "keisti registrą")
    with session_scope(runtime_of(request).engine) as session:
        register = numbering.get_register(session, code)
        values = {
            "title": register.title,
            "case_index": register.case_index,
            "number_format": register.number_format,
        }
    return _edit_page(request, code, values, {})


@router.post("/registrai/{code}/keisti")
def change_register(
    request: Request, code: str, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    user = pledged_user(request)
    ensure_role(user, ADMINS, "keisti registrą")
    values, errors = _read(form, NEW_FIELDS[1:])
    if not errors:
        try:
            with session_scope(runtime_of(request).engine) as session:
                api.change_register(code, session, user, values)
        except ServiceError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = forms.split_refusal(exc.detail, LABELS, _field_of)
    if errors:
        return _edit_page(request, code, values, errors, status_code=422)
    return RedirectResponse("/registrai?pranesimas=pakeistas", 303)
