"""The documentation plan of a year: its areas and cases; approval by the director; closing
cases at year end. Every action goes through the cases API's own functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.cases import plan as plans
from service.cases import routes as api
from service.db import session_scope
from service.deps import ensure_role
from service.errors import InvalidPayload, ServiceError
from service.runtime import Runtime
from service.timeutil import today_vilnius
from service.users.models import Role, User
from service.web import forms
from service.web.access import checked_form, checked_upload, pledged_user, runtime_of
from service.web.forms import MAX_FIELD_CHARS
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

NOTHING_CHOSEN = "Pažymėkite bent vieną bylą, kurią norite užbaigti. Nieko nepakeista."
NOTICES = {
    "patvirtintas": "Dokumentacijos planas patvirtintas.",
    "uzbaigtos": "Pažymėtos bylos užbaigtos; sudarytas bylų apyrašas.",
    "prideta": "Byla pridėta į planą.",
    "pakeista": "Byla pakeista.",
    "pasalinta": "Byla pašalinta iš plano.",
    "sritis": "Veiklos sritis išsaugota.",
    "importuota": "Dokumentacijos planas importuotas iš XLSX.",
    "nukopijuota": "Parengtas kitų metų plano projektas.",
}


def _year(value: str) -> int:
    if not value:
        return today_vilnius().year
    if not value.isdigit():
        raise InvalidPayload(f"Metai turi būti skaičius, gauta „{value[:20]}“.")
    return plans.validate_year(int(value))


@router.get("/planas")
def plan_page(request: Request, metai: str = "", pranesimas: str = "") -> Response:
    user = pledged_user(request)
    ensure_role(user, plans.PLAN_READERS, "peržiūrėti dokumentacijos planą")
    return _plan_page(request, user, _year(metai), notice=NOTICES.get(pranesimas, ""))


def _plan_page(
    request: Request,
    user: User,
    year: int,
    *,
    notice: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    runtime = runtime_of(request)
    with session_scope(runtime.engine) as session:
        plan = api.get_plan(year, runtime, session, user)
    this_year = today_vilnius().year
    return render(
        request,
        "plan.html",
        {
            "plan": plan,
            "year": year,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "may_approve": Role.director in user.role_set and plan.status == "draft",
            "may_close": bool(user.role_set & api.CLOSERS),
            # Only decides what is shown; the service checks again.
            "may_edit": plans.may_edit(plan.status, user),
            "may_copy": bool(user.role_set & plans.PLAN_EDITORS),
            "rules": list(runtime.rules),
            "notice": notice,
            "errors": errors or {},
            "values": values or {},
            "today": today_vilnius(),
        },
        status_code=status_code,
    )


@router.get("/planas/{year}.xlsx")
def plan_xlsx(request: Request, year: int) -> Response:
    user = pledged_user(request)
    runtime = runtime_of(request)
    with session_scope(runtime.engine) as session:
        return api.export_plan_xlsx(year, runtime, session, user)


@router.post("/planas/{year}/tvirtinti")
def approve(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    del form
    user = pledged_user(request)
    runtime = runtime_of(request)
    with session_scope(runtime.engine) as session:
        api.approve_plan(year, runtime, session, user)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=patvirtintas", 303)


@router.post("/planas/{year}/uzbaigti")
def close(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    user = pledged_user(request)
    indexes = [str(v) for v in form.getlist("cases")]
    if not indexes:
        raise InvalidPayload(NOTHING_CHOSEN)
    body: dict[str, object] = {"year": year, "indexes": indexes}
    closed_on = forms.normalize_date(str(form.get("closed_on", "")))
    if closed_on:
        body["closed_on"] = closed_on
    api.close_cases(runtime_of(request), user, body)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=uzbaigtos", 303)


# -- editing the plan: the cases API's own route functions, in one unit of work ------------

CASE_FIELDS = ("index", "title", "retention_rule", "registers")
AREA_FIELDS = ("index", "title")


# How the page names each field (templates/plan.html and plan_case.html show the same words).
LABELS = {
    "index": "Indeksas",
    "title": "Pavadinimas",
    "retention_rule": "Saugojimo taisyklė",
    "registers": "Registrai",
}


def field_errors(detail: str, prefix: str, fields: tuple[str, ...]) -> dict[str, str]:
    """A service refusal ("Netinkami duomenys. „title“: ...; „index“: ...") split per field,
    in the form's words; what names no field of this form is shown above it."""
    labels = {name: LABELS[name] for name in fields}
    errors: dict[str, str] = {}
    for name, messages in forms.split_refusal(detail, labels, _named_by_words).items():
        errors[f"{prefix}.{name}"] = "; ".join(messages)
    return errors


def _change_errors(
    request: Request,
    prefix: str,
    fields: tuple[str, ...],
    change: Callable[[Runtime, Session], object],
    *,
    page_errors: tuple[int, ...] = (403,),
) -> dict[str, str]:
    """Run one plan change in its own transaction; a refusal becomes the form's errors.

    A payload refusal lands beside its fields, any other refusal on the form; the statuses in
    ``page_errors`` (a foreign role, a missing case) are shown as their own page instead.
    """
    runtime = runtime_of(request)
    try:
        with session_scope(runtime.engine) as session:
            change(runtime, session)
    except InvalidPayload as exc:
        return field_errors(exc.detail, prefix, fields)
    except ServiceError as exc:
        if exc.status_code in page_errors:
            raise
        return {f"{prefix}._form": exc.detail}
    return {}


def _named_by_words(message: str) -> str:
    """A refusal that names no field (``Netinkamas bylos indeksas „1.x“ ...``)."""
    return "index" if "indeksas" in message.lower() else forms.FORM_ERROR


def _read(form: FormData, prefix: str, fields: tuple[str, ...]) -> dict[str, str]:
    return {f"{prefix}.{f}": str(form.get(f, "")).strip()[: MAX_FIELD_CHARS + 1] for f in fields}


def _too_long(values: dict[str, str]) -> dict[str, str]:
    limit = f"reikšmė per ilga (daugiausia {MAX_FIELD_CHARS} simbolių)"
    return {k: limit for k, v in values.items() if len(v) > MAX_FIELD_CHARS}


def _registers(text: str) -> list[str]:
    return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]


@router.post("/planas/{year}/bylos")
def add_case(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    user = pledged_user(request)
    ensure_role(user, plans.PLAN_EDITORS, "keisti dokumentacijos planą")
    values = _read(form, "case", CASE_FIELDS)
    errors = _too_long(values)
    if not errors:
        body = {
            "index": values["case.index"],
            "title": values["case.title"],
            "retention_rule": values["case.retention_rule"],
            "registers": _registers(values["case.registers"]),
        }
        errors = _change_errors(
            request,
            "case",
            CASE_FIELDS,
            lambda runtime, session: api.add_case(year, runtime, session, user, body),
        )
    if errors:
        return _plan_page(request, user, year, errors=errors, values=values, status_code=422)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=prideta", 303)


@router.post("/planas/{year}/sritys")
def put_area(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    user = pledged_user(request)
    ensure_role(user, plans.PLAN_EDITORS, "keisti dokumentacijos planą")
    values = _read(form, "area", AREA_FIELDS)
    errors = _too_long(values)
    if not errors and not values["area.index"]:
        errors = {"area.index": "nurodykite srities indeksą (pvz., „1“)"}
    if not errors:
        errors = _change_errors(
            request,
            "area",
            AREA_FIELDS,
            lambda runtime, session: api.put_area(
                year, values["area.index"], runtime, session, user, {"title": values["area.title"]}
            ),
        )
    if errors:
        return _plan_page(request, user, year, errors=errors, values=values, status_code=422)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=sritis", 303)


@router.post("/planas/{year}/importas")
async def import_plan(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_upload)]
) -> Response:
    user = pledged_user(request)
    upload = form.get("failas")
    if not isinstance(upload, UploadFile) or not upload.filename:
        ensure_role(user, plans.PLAN_EDITORS, "importuoti dokumentacijos planą")
        errors = {"import.file": "Pasirinkite XLSX failą."}
        return _plan_page(request, user, year, errors=errors, status_code=422)
    data = await upload.read()
    runtime = runtime_of(request)

    def apply() -> None:
        with session_scope(runtime.engine) as session:
            api.import_plan(year, runtime, session, user, data)

    try:
        await to_thread.run_sync(apply)
    except ServiceError as exc:
        if exc.status_code == 403:
            raise
        problems = {"import.file": exc.detail + " Niekas nepakeista."}
        return _plan_page(request, user, year, errors=problems, status_code=422)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=importuota", 303)


@router.post("/planas/{year}/kopijuoti")
def copy_to_next(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    del form
    user = pledged_user(request)
    runtime = runtime_of(request)
    with session_scope(runtime.engine) as session:
        api.copy_to_next(year, runtime, session, user)
    return RedirectResponse(f"/planas?metai={year + 1}&pranesimas=nukopijuota", 303)


def _case_page(
    request: Request,
    year: int,
    index: str,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "plan_case.html",
        {
            "year": year,
            "index": index,
            "values": values,
            "errors": errors,
            "rules": list(runtime_of(request).rules),
        },
        status_code=status_code,
    )


@router.get("/planas/{year}/byla")
def case_page(request: Request, year: int, indeksas: str = "") -> Response:
    user = pledged_user(request)
    ensure_role(user, plans.PLAN_EDITORS, "keisti dokumentacijos planą")
    with session_scope(runtime_of(request).engine) as session:
        plans.validate_year(year)
        case = plans.find_case(session, year, indeksas)
        values = {
            "case.title": case.title,
            "case.retention_rule": case.retention_rule,
            "case.registers": ", ".join(case.register_codes),
        }
    return _case_page(request, year, indeksas, values, {})


@router.post("/planas/{year}/byla")
def change_case(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    user = pledged_user(request)
    ensure_role(user, plans.PLAN_EDITORS, "keisti dokumentacijos planą")
    index = str(form.get("index", "")).strip()[:40]
    values = _read(form, "case", CASE_FIELDS[1:])
    errors = _too_long(values)
    if not errors:
        body = {
            "title": values["case.title"],
            "retention_rule": values["case.retention_rule"],
            "registers": _registers(values["case.registers"]),
        }
        errors = _change_errors(
            request,
            "case",
            CASE_FIELDS,
            lambda runtime, session: api.change_case(year, index, runtime, session, user, body),
            page_errors=(403, 404),
        )
    if errors:
        return _case_page(request, year, index, values, errors, status_code=422)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=pakeista", 303)


@router.post("/planas/{year}/byla/salinti")
def remove_case(
    request: Request, year: int, form: Annotated[FormData, Depends(checked_form)]
) -> Response:
    user = pledged_user(request)
    index = str(form.get("index", "")).strip()[:40]
    with session_scope(runtime_of(request).engine) as session:
        api.remove_case(year, index, session, user)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=pasalinta", 303)
