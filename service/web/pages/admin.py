"""Administration: people, their roles and whether their pledge is registered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.access.policy import may
from service.deps import ensure_role
from service.errors import Conflict, InvalidPayload
from service.params import RowIdPath
from service.password_slots import VerificationBusy, password_work
from service.school_profile import profile
from service.users import accounts
from service.users.models import ROLE_TITLES, Role, User
from service.web import forms
from service.web.access import (
    AppRuntime,
    PledgedUser,
    checked_form,
    runtime_of,
    unit_of_work,
)
from service.web.forms import MAX_FIELD_CHARS
from service.web.rendering import WebRoute, render, retry_later

router = APIRouter(route_class=WebRoute)

ADMINS = frozenset({Role.admin})
ACTION = "tvarkyti naudotojus"
# The new-user form, drawn by ui.html's macros (labels, errors and the summary tied together).
NEW_USER_FIELDS = (
    forms.Field("name", "Vardas ir pavardė"),
    forms.Field("position", "Pareigos"),
    forms.Field("login", "Prisijungimo vardas", autocomplete="off"),
    forms.Field("password", "Pradinis slaptažodis", type="password", hint="Bent 8 simboliai."),
)
FIELDS = tuple(f.name for f in NEW_USER_FIELDS)
ROLES_FIELD = forms.Field("roles", "Vaidmenys")
ROW_PASSWORD = "password-"  # an error of one row's password reset: password-<user id>


def _error_items(errors: dict[str, str], people: Sequence[User]) -> list[forms.ErrorItem]:
    """One summary for the page: the new-user form's problems by their labels, then a row's
    password reset, linked to that row's field."""
    form_errors = {k: v for k, v in errors.items() if not k.startswith(ROW_PASSWORD)}
    items = forms.error_items((*NEW_USER_FIELDS, ROLES_FIELD), form_errors)
    for person in people:
        message = errors.get(f"{ROW_PASSWORD}{person.id}")
        if message:
            items.append(
                forms.ErrorItem(f"pw-{person.id}", f"Naujas slaptažodis ({person.name}): {message}")
            )
    return items


def _page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    roles: list[str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    people = unit_of_work(runtime_of(request), accounts.people_by_name)
    return render(
        request,
        "users.html",
        {
            "people": people,
            "roles": list(ROLE_TITLES.items()),
            "new_user_fields": NEW_USER_FIELDS,
            "error_summary": _error_items(errors or {}, people),
            "values": values or {},
            "errors": errors or {},
            "chosen": roles or [],
            "notice": notice,
            "may_manage": getattr(request.state, "may_manage", True),
            "may_pledge": getattr(request.state, "may_pledge", True),
        },
        status_code=status_code,
    )


PLEDGE = "confidentiality-pledge"


@router.get("/admin/naudotojai")
def users(
    request: Request, user: PledgedUser, runtime: AppRuntime, pranesimas: str = ""
) -> Response:
    # Whoever registers pledges (the office) sees the list to do it; only the admin changes it.
    registrars = runtime.kinds[PLEDGE].issue_roles
    ensure_role(user, ADMINS | registrars, ACTION)
    request.state.may_manage = may(user.role_set, "POST", "/admin/naudotojai")
    request.state.may_pledge = bool(user.role_set & registrars)
    notices = {
        "sukurtas": "Naudotojas sukurtas.",
        "vaidmenys": "Vaidmenys pakeisti.",
        "isjungtas": "Paskyra išjungta: jos sesijos baigtos, prieigos raktai nebepriimami.",
        "ijungtas": "Paskyra vėl įjungta.",
        "slaptazodis": "Slaptažodis pakeistas, naudotojo sesijos baigtos.",
    }
    return _page(request, notice=notices.get(pranesimas, ""))


def _roles(form: FormData) -> list[Role]:
    return accounts.parse_roles(str(v) for v in form.getlist("roles"))


async def _page_later(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    roles: list[str] | None = None,
    status_code: int = 422,
) -> Response:
    # The page lists everyone from the database: in a worker thread, off the event loop.
    return await to_thread.run_sync(
        lambda: _page(request, values, errors, roles, status_code=status_code)
    )


@router.post("/admin/naudotojai")
async def add_user(
    request: Request,
    admin: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    values = {f: str(form.get(f, "")).strip() for f in FIELDS}
    chosen = [str(v) for v in form.getlist("roles")]
    errors: dict[str, str] = {}
    for name in ("name", "position", "login"):
        if not values[name]:
            errors[name] = "Privalomas laukas."
        elif len(values[name]) > MAX_FIELD_CHARS:
            errors[name] = f"Per ilga reikšmė (daugiausia {MAX_FIELD_CHARS} simbolių)."
    password = str(form.get("password", ""))
    if len(password) < 8:
        errors["password"] = "Slaptažodis turi būti bent 8 simbolių."
    elif len(password) > 200:
        errors["password"] = "Slaptažodis per ilgas (daugiausia 200 simbolių)."
    if not chosen:
        errors["roles"] = "Pažymėkite bent vieną vaidmenį."
    values.pop("password")  # never sent back into the page
    if errors:
        return await _page_later(request, values, errors, chosen)
    try:
        roles = _roles(form)
        # The new password is hashed with Argon2: in a verification slot, as at sign-in.
        await password_work(
            request,
            lambda: unit_of_work(
                runtime,
                lambda session: accounts.add_user(
                    session,
                    admin,
                    name=values["name"],
                    position=values["position"],
                    roles=roles,
                    login=values["login"],
                    password=password,
                ),
            ),
        )
    except VerificationBusy as busy:
        page = await _page_later(
            request, values, {forms.FORM_ERROR: busy.detail}, chosen, busy.status_code
        )
        return retry_later(page, busy)
    except Conflict as exc:
        return await _page_later(request, values, {"login": exc.detail}, chosen, 409)
    except InvalidPayload as exc:
        return await _page_later(request, values, {forms.FORM_ERROR: exc.detail}, chosen)
    return RedirectResponse("/admin/naudotojai?pranesimas=sukurtas", 303)


@router.post("/admin/naudotojai/{user_id}/vaidmenys")
def change_roles(
    user_id: RowIdPath,
    admin: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    roles = _roles(form)
    # Nobody changes their own roles (separation of duties); audited with the actor.
    unit_of_work(runtime, lambda session: accounts.change_roles(session, admin, user_id, roles))
    return RedirectResponse("/admin/naudotojai?pranesimas=vaidmenys", 303)


@router.post("/admin/naudotojai/{user_id}/busena")
def change_state(
    user_id: RowIdPath,
    admin: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    """Deactivate (its sessions end at once, its tokens are refused) or reactivate."""
    wanted = str(form.get("busena", ""))
    if wanted not in ("isjungti", "ijungti"):
        raise InvalidPayload("Nenurodyta, ar paskyrą išjungti, ar įjungti. Nieko nepakeista.")
    change = accounts.deactivate if wanted == "isjungti" else accounts.reactivate
    unit_of_work(runtime, lambda session: change(session, admin, user_id))
    notice = "isjungtas" if wanted == "isjungti" else "ijungtas"
    return RedirectResponse(f"/admin/naudotojai?pranesimas={notice}", 303)


@router.post("/admin/naudotojai/{user_id}/slaptazodis")
async def reset_password(
    request: Request,
    user_id: RowIdPath,
    admin: PledgedUser,
    runtime: AppRuntime,
    form: Annotated[FormData, Depends(checked_form)],
) -> Response:
    """A new password for someone who forgot theirs; their sessions end."""
    password = str(form.get("password", ""))
    try:
        # The new password is hashed with Argon2: in a verification slot, as at sign-in.
        await password_work(
            request,
            lambda: unit_of_work(
                runtime,
                lambda session: accounts.reset_password(session, admin, user_id, password),
            ),
        )
    except VerificationBusy as busy:
        page = await _page_later(request, errors={forms.FORM_ERROR: busy.detail}, status_code=503)
        return retry_later(page, busy)
    except InvalidPayload as exc:
        return await _page_later(request, errors={f"{ROW_PASSWORD}{user_id}": exc.detail})
    return RedirectResponse("/admin/naudotojai?pranesimas=slaptazodis", 303)


SCHOOL_URL = "/admin/mokykla"
SCHOOL_FORM = forms.FormSpec(
    kind="school",
    title="Mokyklos duomenys",
    menu_label="Mokykla",
    intro=(
        "Šie duomenys spausdinami kiekvieno naujo dokumento antraštėje ir parašo bloke. "
        "Jau išduoti dokumentai nesikeičia: jų failai užrakinti."
    ),
    sections=(
        forms.Group(
            "Mokykla",
            (
                forms.Field("name", "Pavadinimas", width="wide"),
                forms.Field("code", "Juridinio asmens kodas", hint="9 skaitmenys"),
                forms.Field("address", "Adresas", width="wide"),
                forms.Field("city", "Miestas"),
                forms.Field("phone", "Raštinės telefonas", required=False),
                forms.Field("email", "Raštinės el. paštas", required=False),
                forms.Field(
                    "name_genitive",
                    "Pavadinimas kilmininku",
                    width="wide",
                    required=False,
                    hint="Jei automatiškai sudarytas netinka, pvz., „… progimnazijos“",
                ),
            ),
        ),
        forms.Group(
            "Vadovas",
            (
                forms.Field("director_title", "Pareigos", hint="Pvz., Direktorius"),
                forms.Field("director_name", "Vardas ir pavardė"),
            ),
        ),
    ),
    submit="Išsaugoti",
)


def _school_page(
    request: Request, filled: forms.Filled, notice: str = "", status_code: int = 200
) -> Response:
    return render(
        request,
        "school.html",
        {
            "form": SCHOOL_FORM,
            "filled": filled,
            "rows": {},
            "key": "",
            "action": SCHOOL_URL,
            "cancel": "/",
            "error_title": "Mokyklos duomenys neišsaugoti: pataisykite pažymėtus laukus.",
            "error_note": "Niekas nepakeista.",
            "notice": notice,
        },
        status_code=status_code,
    )


@router.get(SCHOOL_URL)
def school(request: Request, runtime: AppRuntime, pranesimas: str = "") -> Response:
    current = runtime.school.model_dump()
    notice = "Mokyklos duomenys išsaugoti." if pranesimas == "issaugota" else ""
    return _school_page(request, forms.Filled(values=current), notice)


@router.post(SCHOOL_URL)
def save_school(
    request: Request,
    admin: PledgedUser,
    runtime: AppRuntime,
    posted: Annotated[FormData, Depends(checked_form)],
) -> Response:
    values = {k: v for k, v in posted.items() if isinstance(v, str)}
    filled = forms.read_form(SCHOOL_FORM, values)
    payload = forms.validate(SCHOOL_FORM, profile.SchoolProfileIn, filled)
    if payload is None:
        return _school_page(request, filled, status_code=422)
    changed = profile.SchoolProfileIn.model_validate(payload).profile()
    unit_of_work(
        runtime, lambda session: profile.save(session, changed, admin, before=runtime.school)
    )
    # After the commit: documents issued from now on carry the new letterhead.
    runtime.school = changed
    return RedirectResponse(f"{SCHOOL_URL}?pranesimas=issaugota", 303)
