"""The documentation plan of a year: its areas and cases; approval by the director; closing
cases at year end. Every action is one of the cases' use-cases (service/cases/service.py),
as the API's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.access.policy import may
from service.cases import plan as plans
from service.cases import service
from service.cases.schemas import AreaIn, CaseChange, CaseIn, CloseRequest
from service.errors import InvalidPayload, ServiceError
from service.output import content_disposition
from service.spreadsheets import XLSX_MEDIA_TYPE as XLSX
from service.timeutil import today_vilnius
from service.users.models import User
from service.validation import parse_payload
from service.web import forms
from service.web.access import (
    AppRuntime,
    PledgedUser,
    checked_form,
    checked_upload,
    runtime_of,
    unit_of_work,
)
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
def plan_page(
    request: Request, user: PledgedUser, metai: str = "", pranesimas: str = ""
) -> Response:
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
    plan = unit_of_work(runtime, lambda session: service.plan(session, runtime, year))
    this_year = today_vilnius().year
    return render(
        request,
        "plan.html",
        {
            "plan": plan,
            "year": year,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "may_approve": may(user.role_set, "POST", "/planas/{year}/tvirtinti")
            and plan.status == "draft",
            "may_close": may(user.role_set, "POST", "/planas/{year}/uzbaigti"),
            # Only decides what is shown; the service checks again.
            "may_edit": plans.may_edit(plan.status, user),
            "may_copy": may(user.role_set, "POST", "/planas/{year}/kopijuoti"),
            "rules": list(runtime.rules),
            "notice": notice,
            "errors": errors or {},
            "values": values or {},
            "today": today_vilnius(),
        },
        status_code=status_code,
    )


@router.get("/planas/{year}.xlsx")
def plan_xlsx(year: int, runtime: AppRuntime) -> Response:
    data = unit_of_work(runtime, lambda session: service.plan_workbook(session, runtime, year))
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"dokumentacijos-planas-{year}.xlsx")},
    )


@router.post("/planas/{year}/tvirtinti")
def approve(
    year: int,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    del form
    unit_of_work(runtime, lambda session: service.approve_plan(session, runtime, user, year))
    return RedirectResponse(f"/planas?metai={year}&pranesimas=patvirtintas", 303)


@router.post("/planas/{year}/uzbaigti")
def close(
    year: int,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    indexes = [str(v) for v in form.getlist("cases")]
    if not indexes:
        raise InvalidPayload(NOTHING_CHOSEN)
    body: dict[str, object] = {"year": year, "indexes": indexes}
    closed_on = forms.normalize_date(str(form.get("closed_on", "")))
    if closed_on:
        body["closed_on"] = closed_on
    service.close_cases(runtime, user, parse_payload(CloseRequest, body))
    return RedirectResponse(f"/planas?metai={year}&pranesimas=uzbaigtos", 303)


# -- editing the plan: the cases' use-cases, each in one unit of work ----------------------

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
    change: Callable[[Session], object],
    *,
    page_errors: tuple[int, ...] = (403,),
) -> dict[str, str]:
    """Run one plan change in its own transaction; a refusal becomes the form's errors.

    A payload refusal lands beside its fields, any other refusal on the form; the statuses in
    ``page_errors`` (a foreign role, a missing case) are shown as their own page instead.
    """
    try:
        unit_of_work(runtime_of(request), change)
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


def _read(
    form: FormData, prefix: str, fields: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, str]]:
    """The fields under their names on the page (``case.title``), and those too long."""
    values = {f"{prefix}.{name}": value for name, value in forms.read_fields(form, fields).items()}
    return values, forms.over_limit(values)


def _case_body(values: dict[str, str]) -> dict[str, object]:
    """The case fields read (all or all but the index) as the API's JSON body."""
    body: dict[str, object] = {name.removeprefix("case."): value for name, value in values.items()}
    body["registers"] = [
        code.strip()
        for code in values["case.registers"].replace(";", ",").split(",")
        if code.strip()
    ]
    return body


@router.post("/planas/{year}/bylos")
def add_case(
    request: Request,
    year: int,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    values, errors = _read(form, "case", CASE_FIELDS)
    if not errors:
        body = _case_body(values)
        errors = _change_errors(
            request,
            "case",
            CASE_FIELDS,
            lambda session: service.add_case(
                session, runtime, user, year, parse_payload(CaseIn, body)
            ),
        )
    if errors:
        return _plan_page(request, user, year, errors=errors, values=values, status_code=422)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=prideta", 303)


@router.post("/planas/{year}/sritys")
def put_area(
    request: Request,
    year: int,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    values, errors = _read(form, "area", AREA_FIELDS)
    if not errors and not values["area.index"]:
        errors = {"area.index": "nurodykite srities indeksą (pvz., „1“)"}
    if not errors:
        errors = _change_errors(
            request,
            "area",
            AREA_FIELDS,
            lambda session: service.put_area(
                session,
                runtime,
                user,
                year,
                values["area.index"],
                parse_payload(AreaIn, {"title": values["area.title"]}),
            ),
        )
    if errors:
        return _plan_page(request, user, year, errors=errors, values=values, status_code=422)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=sritis", 303)


@router.post("/planas/{year}/importas")
async def import_plan(
    request: Request,
    year: int,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_upload)],
) -> Response:
    upload = form.get("failas")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors = {"import.file": "Pasirinkite XLSX failą."}
        return _plan_page(request, user, year, errors=errors, status_code=422)
    data = await upload.read()

    def apply() -> None:
        unit_of_work(
            runtime, lambda session: service.import_plan(session, runtime, user, year, data)
        )

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
    year: int,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    del form
    unit_of_work(runtime, lambda session: service.copy_to_next(session, runtime, user, year))
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
def case_page(request: Request, year: int, runtime: AppRuntime, indeksas: str = "") -> Response:
    case = unit_of_work(runtime, lambda session: service.find_case(session, year, indeksas))
    values = {
        "case.title": case.title,
        "case.retention_rule": case.retention_rule,
        "case.registers": ", ".join(case.register_codes),
    }
    return _case_page(request, year, indeksas, values, {})


@router.post("/planas/{year}/byla")
def change_case(
    request: Request,
    year: int,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    index = str(form.get("index", "")).strip()[:40]
    values, errors = _read(form, "case", CASE_FIELDS[1:])
    if not errors:
        body = _case_body(values)
        errors = _change_errors(
            request,
            "case",
            CASE_FIELDS,
            lambda session: service.change_case(
                session, runtime, user, year, index, parse_payload(CaseChange, body)
            ),
            page_errors=(403, 404),
        )
    if errors:
        return _case_page(request, year, index, values, errors, status_code=422)
    return RedirectResponse(f"/planas?metai={year}&pranesimas=pakeista", 303)


@router.post("/planas/{year}/byla/salinti")
def remove_case(
    year: int,
    user: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    index = str(form.get("index", "")).strip()[:40]
    unit_of_work(runtime, lambda session: service.remove_case(session, user, year, index))
    return RedirectResponse(f"/planas?metai={year}&pranesimas=pasalinta", 303)
