"""Registers by year: the list, one register-year's entries, and its XLSX/PDF listings."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import col, func, select
from starlette.requests import Request
from starlette.responses import Response

from service.cases.plan import validate_year
from service.db import session_scope
from service.deps import ensure_role
from service.errors import InvalidPayload, NotFound
from service.registry import admin, listing, numbering
from service.registry.models import EntryStatus, RegistryEntry
from service.registry.routes import READERS, XLSX
from service.timeutil import today_vilnius
from service.web.access import pledged_user, runtime_of
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)


def _year(value: str) -> int:
    if not value:
        return today_vilnius().year
    if not value.isdigit():
        raise InvalidPayload(f"Metai turi būti skaičius, gauta „{value[:20]}“.")
    return validate_year(int(value))


@router.get("/registrai")
def register_list(request: Request, metai: str = "") -> Response:
    user = pledged_user(request)
    ensure_role(user, READERS, "peržiūrėti registrus")
    year = _year(metai)
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
        {"registers": registers, "counts": counts, "year": year, "years": years},
    )


@router.get("/registrai/{code}")
def register_page(request: Request, code: str, metai: str = "") -> Response:
    user = pledged_user(request)
    ensure_role(user, READERS, "peržiūrėti registrą")
    year = _year(metai)
    with session_scope(runtime_of(request).engine) as session:
        register = numbering.get_register(session, code)
        entries = [listing.entry_out(e) for e in numbering.entries(session, code, year)]
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
        entries = numbering.entries(session, code, year)
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
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
