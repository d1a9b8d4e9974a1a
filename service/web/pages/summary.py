"""A class summary from a spreadsheet: upload -> every row error at once, or a preview -> issue.

The preview carries the parsed payload in the page; issuing validates it again through the
same issuer as the API, so an edited hidden field gains nothing.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from service.deps import ensure_role
from service.documents import service as documents
from service.documents import tabular_import
from service.documents.kinds import KindSpec, kind_or_404
from service.documents.models import Document
from service.errors import Conflict, InvalidPayload, NotFound
from service.limits import BULK_LIMIT
from service.output import content_disposition
from service.school_year import calendars
from service.school_year.calendar import summary_remark
from service.users.models import User
from service.web.access import (
    AppRuntime,
    PledgedUser,
    checked_upload,
    runtime_of,
    unit_of_work,
)
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

KIND = "achievement-summary"
BASE = f"/isduoti/{KIND}"


def _spec(request: Request, user: User) -> KindSpec:
    spec = kind_or_404(runtime_of(request).kinds, KIND)
    ensure_role(user, spec.issue_roles, f"išduoti: {spec.title}")
    return spec


def _page(request: Request, status_code: int = 200, **context: Any) -> Response:
    return render(request, "summary.html", {"base": BASE} | context, status_code=status_code)


MAX_REASON = 500


def _superseded(request: Request, document_id: str) -> Document | None:
    """The summary a correction replaces (the latest version only), when one is named."""
    if not document_id:
        return None
    old = documents.find_document(runtime_of(request).engine, document_id)
    if old is None or old.kind != KIND:
        raise NotFound(f"Taisoma suvestinė „{document_id[:64]}“ nerasta.")
    if old.superseded_by_id is not None:
        raise Conflict("Ši suvestinės versija jau pakeista naujesne; taisykite naujausią.")
    return old


def _reason(form: FormData, old: Document | None) -> tuple[str, str | None]:
    """The correction's reason and, when it is missing or too long, what is wrong with it."""
    reason = str(form.get("reason", "")).strip()
    if old is None:
        return "", None
    if not reason:
        return reason, "Nurodykite taisymo priežastį: be jos nauja versija neišduodama."
    if len(reason) > MAX_REASON:
        return reason, f"Taisymo priežastis per ilga (daugiausia {MAX_REASON} simbolių)."
    return reason, None


@router.get(BASE)
def upload_form(request: Request, user: PledgedUser, taisoma: str = "") -> Response:
    _spec(request, user)
    return _page(request, old=_superseded(request, taisoma))


@router.get(f"{BASE}/sablonas.xlsx")
def blank_template(request: Request, user: PledgedUser) -> Response:
    _spec(request, user)
    return Response(
        tabular_import.blank_summary_template(),
        media_type=tabular_import.XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition("suvestine.xlsx")},
    )


@router.post(f"{BASE}/perziura")
def preview(
    request: Request,
    form: Annotated[FormData, Depends(checked_upload)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    spec = _spec(request, user)
    old = _superseded(request, str(form.get("taisoma", "")))
    reason, reason_problem = _reason(form, old)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(
            request, 422, problem="Pasirinkite failą (XLSX arba CSV).", old=old, reason=reason
        )
    if reason_problem:
        return _page(
            request, 422, problem=reason_problem, problem_field="reason", old=old, reason=reason
        )
    data = upload.file.read(BULK_LIMIT + 1)
    if not data:
        return _page(request, 422, problem="Įkeltas failas tuščias.", old=old, reason=reason)
    try:
        payload = tabular_import.summary_from_file(data, upload.filename)
        spec.model.model_validate(payload)
    except tabular_import.SpreadsheetRejected as exc:
        return _page(
            request, 422, filename=upload.filename, cell_errors=exc.errors, old=old, reason=reason
        )
    except InvalidPayload as exc:
        return _page(
            request, 422, filename=upload.filename, problem=exc.detail, old=old, reason=reason
        )
    school_year = str(payload["school_year"])
    calendar = unit_of_work(runtime, lambda s: calendars.get(s, school_year))
    remark = (
        None
        if calendar is None
        else summary_remark(calendar, str(payload["class_name"]), str(payload["period"]))
    )
    return _page(
        request,
        old=old,
        reason=reason,
        filename=upload.filename,
        remark=remark,
        summary=payload,
        payload_json=json.dumps(payload, ensure_ascii=False),
        key=str(uuid.uuid4()),
    )


@router.post(f"{BASE}/isduoti")
def issue(
    request: Request,
    form: Annotated[FormData, Depends(checked_upload)],
    user: PledgedUser,
    runtime: AppRuntime,
) -> Response:
    spec = _spec(request, user)
    try:
        payload = json.loads(str(form.get("payload", "")))
    except ValueError:
        raise InvalidPayload("Peržiūros duomenys sugadinti; įkelkite failą iš naujo.") from None
    try:
        key = str(uuid.UUID(str(form.get("idempotency_key", ""))))
    except ValueError:
        key = str(uuid.uuid4())
    old = _superseded(request, str(form.get("taisoma", "")))
    reason, reason_problem = _reason(form, old)
    if reason_problem:
        raise InvalidPayload(reason_problem)
    issued = runtime.issuer.issue(
        spec, payload, user, idempotency_key=key, supersedes=old, reason=reason or None
    )
    return RedirectResponse(f"/dokumentai/{issued.document.id}?naujas=1", 303)
