"""Retention rules with their verified flag, the due list, and disposal: the archivist proposes,
the director approves, the archivist executes. All through the archive's use-cases, as the API's."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from retention import rules as retention_rules
from service.access.policy import may
from service.archive import disposal, retention_admin, service
from service.archive.service import DisposalIn
from service.errors import InvalidPayload, NotFound
from service.params import RowIdPath
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
)
from service.web.forms import FORM_ERROR, MAX_FIELD_CHARS
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

STATUS_LT = {
    "proposed": "laukia direktoriaus patvirtinimo",
    "approved": "patvirtintas, laukia vykdymo",
    "partially_executed": "įvykdytas iš dalies (dalis failų dar užrakinta)",
    "executed": "įvykdytas",
}


RULES_LIMIT = 10 * 1024 * 1024  # as the API's import


@router.get("/archyvas/taisykles")
def rules(request: Request, user: PledgedUser, pranesimas: str = "") -> Response:
    notice = "Taisyklė pakeista; pakeitimas įrašytas." if pranesimas == "pakeista" else ""
    return _rules_page(request, user, notice=notice)


def _date(value: str) -> dt.date:
    if not value:
        return today_vilnius()
    try:
        return dt.date.fromisoformat(forms.normalize_date(value))
    except ValueError:
        raise InvalidPayload(f"Data turi būti formatu MMMM-MM-DD, gauta „{value[:20]}“.") from None


@router.get("/archyvas/naikinimas")
def due_list(request: Request, user: PledgedUser, runtime: AppRuntime, data: str = "") -> Response:
    on = _date(data)
    due: dict[str, Any] = disposal.due(runtime, on)
    return render(
        request,
        "disposals.html",
        {
            "due": due,
            "on": on,
            "today": today_vilnius(),
            "disposals": service.disposals(runtime),
            "status_lt": STATUS_LT,
            "may_propose": may(user.role_set, "POST", "/archyvas/naikinimas")
            and on == today_vilnius(),
        },
    )


@router.post("/archyvas/naikinimas")
def propose(
    form: Annotated[FormData, Depends(checked_form)], user: PledgedUser, runtime: AppRuntime
) -> Response:
    chosen = [str(v) for v in form.getlist("cases")]
    if not chosen:
        raise InvalidPayload("Pažymėkite bent vieną naikintiną bylą. Nieko nepakeista.")
    # "year index" pairs: the same index exists in every year's plan.
    by_year: dict[int, list[str]] = {}
    for value in chosen:
        year_text, _, index = value.partition(" ")
        if not year_text.isdigit() or not index:
            raise InvalidPayload(f"Netinkama byla „{value[:40]}“. Nieko nepakeista.")
        by_year.setdefault(int(year_text), []).append(index)
    if len(by_year) > 1:
        raise InvalidPayload(
            "Viename naikinimo akte – vienų metų bylos: pažymėkite tų pačių metų bylas."
        )
    [(year, indexes)] = by_year.items()
    wanted = parse_payload(DisposalIn, {"case_indexes": indexes, "year": year})
    made = service.propose_disposal(runtime, user, wanted)
    return RedirectResponse(f"/archyvas/naikinimas/{made['id']}", 303)


@router.get("/archyvas/naikinimas/{disposal_id}")
def disposal_page(
    request: Request, disposal_id: RowIdPath, user: PledgedUser, runtime: AppRuntime
) -> Response:
    act: dict[str, Any] = disposal.get(runtime, disposal_id)
    path = "/archyvas/naikinimas/{disposal_id}"
    return render(
        request,
        "disposal.html",
        {
            "d": act,
            "status_lt": STATUS_LT,
            "may_approve": may(user.role_set, "POST", path + "/tvirtinti")
            and act["status"] == "proposed",
            "may_execute": may(user.role_set, "POST", path + "/vykdyti")
            and act["status"] in ("approved", "partially_executed"),
        },
    )


@router.post("/archyvas/naikinimas/{disposal_id}/tvirtinti")
def approve(
    disposal_id: RowIdPath,
    form: Annotated[FormData, Depends(checked_form)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    del form
    disposal.approve(runtime, user, disposal_id)
    return RedirectResponse(f"/archyvas/naikinimas/{disposal_id}", 303)


@router.post("/archyvas/naikinimas/{disposal_id}/vykdyti")
def execute(
    disposal_id: RowIdPath,
    form: Annotated[FormData, Depends(checked_form)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    del form
    disposal.execute(runtime, user, disposal_id)
    return RedirectResponse(f"/archyvas/naikinimas/{disposal_id}", 303)


# -- the archivist changes the rules ---------------------------------------------------------

# What the form edits: every field of a rule but its id, which the address names.
RULE_FIELDS = tuple(name for name in retention_rules.RULE_FIELDS if name != "id")
IMPORT_NOTICE = "Lentelė importuota: pakeista taisyklių – {changed}, nepakeista – {unchanged}."


def _rules_page(
    request: Request,
    user: User,
    *,
    import_errors: list[str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    data: dict[str, Any] = retention_admin.rules_out(runtime_of(request).rules)
    return render(
        request,
        "retention_rules.html",
        {
            "data": data,
            "may_edit": may(user.role_set, "POST", "/archyvas/taisykles/{rule_id}"),
            "import_errors": import_errors or [],
            "notice": notice,
        },
        status_code=status_code,
    )


def _problems(message: str) -> list[str]:
    """The table's row errors, one a line: the service joins them into one sentence."""
    head, sep, rest = message.partition("klaidos: ")
    if not sep:
        return [message]
    # One problem per row: split only where the next row's message starts.
    rows = re.split(r";\s+(?=\d+ eilutė)", rest.rstrip("."))
    return [head + sep.rstrip()] + [p.strip() for p in rows if p.strip()]


@router.post("/archyvas/taisykles/importas")
async def import_rules(
    request: Request,
    form: Annotated[FormData, Depends(checked_upload)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    upload = form.get("failas")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _rules_page(
            request, user, import_errors=["Pasirinkite lentelės failą."], status_code=422
        )
    data = await upload.read(RULES_LIMIT + 1)
    if len(data) > RULES_LIMIT:
        problems = ["Lentelės failas per didelis (daugiausia 10 MiB)."]
        return _rules_page(request, user, import_errors=problems, status_code=422)
    try:
        result: dict[str, Any] = await to_thread.run_sync(
            retention_admin.import_table, runtime, data, user
        )
    except InvalidPayload as exc:
        problems = [*_problems(exc.detail), "Niekas nepakeista."]
        return _rules_page(request, user, import_errors=problems, status_code=422)
    notice = IMPORT_NOTICE.format(changed=len(result["changed"]), unchanged=result["unchanged"])
    return _rules_page(request, user, notice=notice)


def _rule_form(
    request: Request,
    rule_id: str,
    values: dict[str, str],
    errors: dict[str, list[str]],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "retention_rule.html",
        {
            "rule_id": rule_id,
            "v": values,
            "errors": errors,
            "triggers": TRIGGERS,
            "fields": RULE_FORM,
        },
        status_code=status_code,
    )


TRIGGERS = (("case_closed", "nuo bylos užbaigimo metų pabaigos"), ("event", "nuo įvykio"))
RULE_FORM = (
    forms.Field("index", "Rodyklė", hint="pvz., V-1511", width="narrow"),
    forms.Field("item", "Punktas", width="narrow"),
    forms.Field("title", "Dokumentai", width="wide"),
    forms.Field("term", "Terminas", hint="kaip rodyklėje, pvz., 10 m."),
    forms.Field("years", "Metų skaičius", type="number", required=False, width="narrow"),
    forms.Field("trigger", "Termino pradžia", type="select"),
    forms.Field("event_name", "Įvykis, nuo kurio skaičiuojama", required=False),
    forms.Field("source", "Šaltinis", width="wide"),
    forms.Field("note", "Pastaba", required=False, width="wide"),
    forms.Field("permanent", "Saugoti nuolat", type="checkbox", required=False),
    forms.Field("verified", "Patikrinta pagal oficialią rodyklę", type="checkbox", required=False),
)
RULE_LABELS = {f.name: f.label for f in RULE_FORM}
# The rule model's own words for two values (retention/ is pure and names its fields).
_RULE_WORDS = (
    ("trigger turi būti „event“", "termino pradžia turi būti „nuo įvykio“"),
    ("„event“", "„nuo įvykio“"),
    ("„case_closed“", "„nuo bylos užbaigimo metų pabaigos“"),
)


@router.get("/archyvas/taisykles/{rule_id}")
def rule_page(request: Request, rule_id: str, runtime: AppRuntime) -> Response:
    if rule_id not in runtime.rules:
        raise NotFound(f"Saugojimo taisyklė „{rule_id[:80]}“ nerasta.")
    rule = runtime.rules.get(rule_id).model_dump(mode="json")
    values = {k: "" if rule.get(k) is None else str(rule[k]) for k in RULE_FIELDS}
    for flag in ("permanent", "verified"):
        values[flag] = "1" if rule[flag] else ""
    return _rule_form(request, rule_id, values, {})


def _changes(values: dict[str, str], errors: dict[str, list[str]]) -> dict[str, object]:
    """The form as the API's JSON body: typed, an empty optional field an absent value."""
    changes: dict[str, object] = {}
    for name in ("index", "item", "title", "term", "source", "note"):
        if len(values[name]) > MAX_FIELD_CHARS:
            errors[name] = [forms.too_long()]
        changes[name] = values[name]
    changes["permanent"] = values["permanent"] == "1"
    changes["verified"] = values["verified"] == "1"
    changes["trigger"] = values["trigger"]
    changes["event_name"] = values["event_name"] or None
    years = values["years"]
    if not years:
        changes["years"] = None
    elif years.isdigit() and len(years) <= 4:
        changes["years"] = int(years)
    else:
        errors["years"] = ["metų skaičius turi būti sveikasis skaičius"]
    return changes


def _field_of(message: str) -> str:
    """The field a rule's validation message names ("... (years) ..." or "„years“")."""
    for name in RULE_FIELDS:
        if f"({name})" in message or f"„{name}“" in message or f"{name}:" in message:
            return name
    if message.startswith("trigger ") or " trigger " in message:
        return "trigger"
    return FORM_ERROR


_RULE_PART = re.compile(r"^(?:taisyklė(?: „[^“]*“)?)?(?:,\s*)?(?:laukas „(\w+)“)?:?\s*(.*)$", re.S)


def rule_errors(detail: str) -> dict[str, list[str]]:
    """A rule's refusal ("Netinkami saugojimo taisyklių duomenys: taisyklė „x“, laukas „years“:
    ...; taisyklė „x“: ... (event_name)") as errors beside each field, in the form's words."""
    body = detail.partition("duomenys: ")[2] or detail
    errors: dict[str, list[str]] = {}
    for part in re.split(r";\s+(?=taisyklė)", body.rstrip(".")):
        match = _RULE_PART.match(part.strip())
        named, message = (match.group(1), match.group(2)) if match else (None, part)
        name = named if named in RULE_LABELS else _field_of(message)
        for words, said in _RULE_WORDS:
            message = message.replace(words, said)
        message = forms.humanize(RULE_LABELS, message)
        errors.setdefault(name, []).append(message)
    return errors


@router.post("/archyvas/taisykles/{rule_id}")
def edit_rule(
    request: Request,
    rule_id: str,
    form: Annotated[FormData, Depends(checked_form)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    if rule_id not in runtime.rules:
        raise NotFound(f"Saugojimo taisyklė „{rule_id[:80]}“ nerasta.")
    values = {k: str(form.get(k, "")).strip() for k in RULE_FIELDS}
    errors: dict[str, list[str]] = {}
    changes = _changes(values, errors)
    if not errors:
        try:
            retention_admin.edit_rule(runtime, rule_id, changes, user)
        except InvalidPayload as exc:
            errors = rule_errors(exc.detail)
    if errors:
        return _rule_form(request, rule_id, values, errors, status_code=422)
    return RedirectResponse("/archyvas/taisykles?pranesimas=pakeista", 303)
