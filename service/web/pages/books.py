"""The archivist's year (metų bylos): every case's state, counts and missing documents, and
where its cover, inventory and destruction act are printed; the expert commission's agreement
is entered here. The books' use-cases, as the API's: the same refusals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.access.policy import may
from service.books import service
from service.books.service import AgreementIn
from service.books.year import STATES_LT
from service.cases.plan import validate_year
from service.errors import InvalidPayload, ServiceError
from service.output import content_disposition
from service.spreadsheets import XLSX_MEDIA_TYPE as XLSX
from service.timeutil import today_vilnius
from service.users.models import User
from service.validation import parse_payload
from service.web import forms
from service.web.access import AppRuntime, PledgedUser, checked_form, runtime_of
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

NOTICES = {
    "suderinta": "Ekspertų komisijos suderinimas įrašytas: įregistruota nauja apyrašo versija."
}
AGREEMENT_LABELS = {
    "protocol_date": "Posėdžio (protokolo) data",
    "protocol_number": "Protokolo Nr.",
}


def _year(value: str) -> int:
    if not value.isdigit() or len(value) > 4:
        raise InvalidPayload(f"Metai turi būti skaičius, gauta „{value[:20]}“.")
    return validate_year(int(value))


@router.get("/archyvas/metai")
def this_year() -> Response:
    return RedirectResponse(f"/archyvas/metai/{today_vilnius().year}", 303)


def _page(
    request: Request,
    user: User,
    year: int,
    *,
    notice: str = "",
    errors: list[dict[str, str]] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view: dict[str, Any] = service.year_view(runtime_of(request), year)
    return render(
        request,
        "year.html",
        {
            "view": view,
            "year": year,
            "states": STATES_LT,
            "notice": notice,
            "errors": errors or [],
            "values": values or {},
            "may_agree": may(user.role_set, "POST", "/archyvas/metai/{year}/suderinimas"),
        },
        status_code=status_code,
    )


@router.get("/archyvas/metai/{year}.xlsx")
def year_workbook(year: str, runtime: AppRuntime) -> Response:
    number = _year(year)
    return Response(
        service.year_workbook(runtime, number),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(f"bylos-{number}.xlsx")},
    )


@router.get("/archyvas/metai/{year}")
def year_page(request: Request, year: str, user: PledgedUser, pranesimas: str = "") -> Response:
    return _page(request, user, _year(year), notice=NOTICES.get(pranesimas, ""))


@router.get("/archyvas/metai/{year}/virselis/{index}.pdf")
def cover(year: str, index: str, user: PledgedUser, runtime: AppRuntime) -> Response:
    number = _year(year)
    pdf = service.cover_of(runtime, user.name, number, index[:20])
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(f"virselis-{number}-{index}.pdf")},
    )


@router.post("/archyvas/metai/{year}/suderinimas")
def agreement(
    request: Request,
    year: str,
    form: Annotated[FormData, Depends(checked_form)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    number = _year(year)
    values = forms.read_fields(form, ("document_id", "protocol_date", "protocol_number"))
    try:
        wanted = parse_payload(
            AgreementIn, {k: v for k, v in values.items() if k != "document_id" and v}
        )
        service.enter_agreement(runtime, user, values["document_id"][:64], wanted)
    except ServiceError as exc:
        if exc.status_code in (401, 403):
            raise
        errors = [{"text": exc.detail, "target": ""}]
        return _page(
            request, user, number, errors=errors, values=values, status_code=exc.status_code
        )
    return RedirectResponse(f"/archyvas/metai/{number}?pranesimas=suderinta", 303)
