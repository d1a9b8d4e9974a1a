"""Issuing a document from its web form, through the same issuer as the API."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.documents import service as documents
from service.documents.kinds import KindSpec, kind_or_404
from service.documents.models import Document
from service.errors import Conflict, InvalidPayload, NotFound, NotPermitted
from service.timeutil import today_vilnius
from service.users import accounts
from service.users.models import User
from service.web import forms
from service.web.access import AppRuntime, PledgedUser, checked_form, runtime_of
from service.web.kind_forms import FORMS
from service.web.navigation import issuable
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

# The reason field of a new version: not part of any payload.
REASON = "reason_for_version"


def _form_of(request: Request, kind: str, user: User) -> tuple[KindSpec, forms.FormSpec]:
    spec = kind_or_404(runtime_of(request).kinds, kind)
    form = FORMS.get(kind)
    if form is None:
        raise NotFound(f"Dokumentui „{spec.title}“ internetinės formos dar nėra.")
    # Who may issue it: the gate has asked the policy table (the kind's issue roles).
    return spec, form


def _page(
    request: Request,
    spec: forms.FormSpec,
    filled: forms.Filled,
    key: str,
    status_code: int = 200,
    **extra: object,
) -> Response:
    rows = {
        r.name: filled.rows.get(r.name, [])
        + [{}] * max(1, r.rows - len(filled.rows.get(r.name, [])))
        for r in spec.row_sets()
    }
    return render(
        request,
        "issue.html",
        {"form": spec, "filled": filled, "rows": rows, "key": key} | extra,
        status_code=status_code,
    )


def _key(value: object) -> str:
    # A fresh key per form shown: pressing "submit" twice issues one document, not two.
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(uuid.uuid4())


@router.get("/isduoti")
def issue_index(request: Request, user: PledgedUser, runtime: AppRuntime) -> Response:
    forms_here = issuable(runtime, user)
    if not forms_here:
        raise NotPermitted("Jūsų vaidmenys neleidžia išduoti jokių dokumentų.")
    return render(request, "issue_index.html", {"forms": forms_here})


@router.get("/isduoti/{kind}")
def issue_form(request: Request, kind: str, user: PledgedUser, naudotojas: str = "") -> Response:
    _, form = _form_of(request, kind, user)
    filled = forms.Filled()
    if kind == PLEDGE and naudotojas.isdigit() and len(naudotojas) < 12:
        filled = _pledge_for(request, int(naudotojas))
    return _page(request, form, filled, str(uuid.uuid4()))


PLEDGE = "confidentiality-pledge"


def _pledge_for(request: Request, user_id: int) -> forms.Filled:
    """A pledge form filled in for one staff member (from the users page): the registering
    hook then links it to their account, which opens personal data to them."""
    person = accounts.user_by_id(runtime_of(request).engine, user_id)
    if person is None:
        raise NotFound(f"Naudotojas Nr. {user_id} nerastas.")
    values = {
        "person.name": person.name,
        "person.position": person.position,
        "date": today_vilnius().isoformat(),
        "user_id": str(user_id),
    }
    return forms.Filled(values=values)


@router.post("/isduoti/{kind}")
def issue(
    request: Request,
    kind: str,
    posted: Annotated[FormData, Depends(checked_form)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    spec, form = _form_of(request, kind, user)
    values = {k: v for k, v in posted.items() if isinstance(v, str)}
    filled = forms.read_form(form, values)
    key = _key(values.get("idempotency_key"))
    payload = forms.validate(form, spec.model, filled)
    if payload is None:
        return _page(request, form, filled, key, status_code=422)
    try:
        issued = runtime.issuer.issue(spec, payload, user, idempotency_key=key)
    except InvalidPayload as exc:
        # A rule the issuer checks beyond the model (e.g. against the records): shown above.
        filled.add_error(forms.FORM_ERROR, exc.detail)
        return _page(request, form, filled, key, status_code=422)
    return RedirectResponse(f"/dokumentai/{issued.document.id}?naujas=1", 303)


MAX_REASON = 500


def _old(
    request: Request, document_id: str, user: User
) -> tuple[KindSpec, forms.FormSpec, Document]:
    old = documents.find_document(runtime_of(request).engine, document_id)
    if old is None:
        raise NotFound(f"Dokumentas „{document_id}“ nerastas.")
    spec, form = _form_of(request, old.kind, user)
    if old.superseded_by_id is not None:
        raise Conflict("Ši dokumento versija jau pakeista naujesne; taisykite naujausią.")
    return spec, form, old


@router.get("/dokumentai/{document_id}/nauja-versija")
def version_form(request: Request, document_id: str, user: PledgedUser) -> Response:
    _, form, old = _old(request, document_id, user)
    filled = forms.from_payload(form, old.payload)
    return _page(
        request,
        form,
        filled,
        str(uuid.uuid4()),
        action=f"/dokumentai/{old.id}/nauja-versija",
        supersedes=old,
        reason="",
    )


@router.post("/dokumentai/{document_id}/nauja-versija")
def issue_version(
    request: Request,
    document_id: str,
    posted: Annotated[FormData, Depends(checked_form)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    spec, form, old = _old(request, document_id, user)
    values = {k: v for k, v in posted.items() if isinstance(v, str)}
    filled = forms.read_form(form, values)
    reason = values.get("reason_for_version", "").strip()
    if not reason:
        filled.add_error(REASON, "nurodykite, kodėl dokumentas taisomas")
    elif len(reason) > MAX_REASON:
        filled.add_error(REASON, f"reikšmė per ilga (daugiausia {MAX_REASON} simbolių)")
    key = _key(values.get("idempotency_key"))
    payload = forms.validate(form, spec.model, filled)
    extra = {"action": f"/dokumentai/{old.id}/nauja-versija", "supersedes": old, "reason": reason}
    if payload is None:
        return _page(request, form, filled, key, status_code=422, **extra)
    try:
        issued = runtime.issuer.issue(
            spec, payload, user, idempotency_key=key, supersedes=old, reason=reason
        )
    except InvalidPayload as exc:
        filled.add_error(forms.FORM_ERROR, exc.detail)
        return _page(request, form, filled, key, status_code=422, **extra)
    return RedirectResponse(f"/dokumentai/{issued.document.id}?naujas=1", 303)
