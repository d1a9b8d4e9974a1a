"""Registers by year: the list, one register-year's entries, and its XLSX/PDF listings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.access.policy import may
from service.books import registers as service
from service.books.registers import RegisterIn, RegisterPatch
from service.cases.plan import validate_year
from service.errors import InvalidPayload, NotFound, ServiceError
from service.output import content_disposition
from service.registry import admin, listing
from service.registry.models import EntryStatus
from service.spreadsheets import XLSX_MEDIA_TYPE as XLSX
from service.timeutil import today_vilnius
from service.users.models import User
from service.validation import parse_payload
from service.web import forms
from service.web.access import (
    AppRuntime,
    PledgedUser,
    checked_form,
    runtime_of,
    unit_of_work,
)
from service.web.forms import FORM_ERROR
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)


def _year(value: str) -> int:
    if not value:
        return today_vilnius().year
    if not value.isdigit():
        raise InvalidPayload(f"Metai turi būti skaičius, gauta „{value[:20]}“.")
    return validate_year(int(value))


@router.get("/registrai")
def register_list(
    request: Request, user: PledgedUser, metai: str = "", pranesimas: str = ""
) -> Response:
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
    found = service.overview(runtime_of(request).engine, year)
    return render(
        request,
        "registers.html",
        {
            "registers": found.registers,
            "counts": found.counts,
            "year": year,
            "years": found.years,
            "may_manage": may(user.role_set, "POST", "/registrai"),
            "values": values or {"number_format": admin.DEFAULT_FORMAT},
            "errors": errors or {},
            "fields": NEW_REGISTER,
            "notice": NOTICES.get(pranesimas, ""),
        },
        status_code=status_code,
    )


@router.get("/registrai/{code}")
def register_page(request: Request, code: str, runtime: AppRuntime, metai: str = "") -> Response:
    register, year, rows = service.entries(runtime.engine, code, _year(metai))
    entries = [listing.entry_out(r) for r in rows]
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
def register_export(
    code: str, year: int, ext: str, user: PledgedUser, runtime: AppRuntime
) -> Response:
    year = _year(str(year))
    if ext == "xlsx":
        register, year, entries = service.entries(runtime.engine, code, year)
        data, media = listing.to_xlsx(register, year, entries), XLSX
    elif ext == "pdf":
        year, data = service.entries_pdf(runtime, user, code, year)
        media = "application/pdf"
    else:
        service.register(runtime.engine, code)  # an unknown register is named first, as before
        raise NotFound("Galimi formatai: XLSX arba PDF.")
    filename = f"registras-{code}-{year}.{ext}"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": content_disposition(filename)},
    )


# -- the admin adds and renames registers: the registry's use-cases, as the API's ----------

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
    values = forms.read_fields(form, fields)
    return values, {name: [refusal] for name, refusal in forms.over_limit(values).items()}


@router.post("/registrai")
def add_register(
    request: Request,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    values, errors = _read(form, NEW_FIELDS)
    if not errors:
        body = {k: v for k, v in values.items() if v or k != "number_format"}
        try:
            unit_of_work(
                runtime,
                lambda session: service.add_register(
                    session, user, parse_payload(RegisterIn, body)
                ),
            )
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
def edit_page(request: Request, code: str, runtime: AppRuntime) -> Response:
    register = service.register(runtime.engine, code)
    values = {
        "title": register.title,
        "case_index": register.case_index,
        "number_format": register.number_format,
    }
    return _edit_page(request, code, values, {})


@router.post("/registrai/{code}/keisti")
def change_register(
    request: Request,
    code: str,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    values, errors = _read(form, NEW_FIELDS[1:])
    if not errors:
        try:
            unit_of_work(
                runtime,
                lambda session: service.change_register(
                    session, user, code, parse_payload(RegisterPatch, values)
                ),
            )
        except ServiceError as exc:
            if exc.status_code in (403, 404):
                raise
            errors = forms.split_refusal(exc.detail, LABELS, _field_of)
    if errors:
        return _edit_page(request, code, values, errors, status_code=422)
    return RedirectResponse("/registrai?pranesimas=pakeistas", 303)
