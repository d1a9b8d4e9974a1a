"""Documents: the list with search and filters, one document's page, and its files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from service.access.policy import may
from service.archive import service as archive
from service.documents import service
from service.documents.kinds import KindSpec, kind_or_404
from service.documents.schemas import DocumentOut
from service.output import content_disposition
from service.web.access import AppRuntime, PledgedUser
from service.web.kind_forms import FORMS
from service.web.rendering import WebRoute, render

router = APIRouter(route_class=WebRoute)

MAX_QUERY = 200
SUMMARY = "achievement-summary"


def _year(value: str | None) -> tuple[int | None, str | None]:
    if not value:
        return None, None
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value), None
    return None, f"Metai turi būti skaičius nuo 2000 iki 2100, gauta „{value[:20]}“."


@dataclass(frozen=True, slots=True)
class _Search:
    """What the API's listing is asked for; a field it cannot take is dropped, with a problem."""

    query: str
    year: int | None
    kind: str | None
    problems: list[str]


def _search(kinds: Mapping[str, KindSpec], q: str, rusis: str, metai: str) -> _Search:
    problems: list[str] = []
    query = q.strip()
    if len(query) > MAX_QUERY:
        problems.append(f"Paieškos tekstas per ilgas (daugiausia {MAX_QUERY} simbolių).")
        query = ""
    year, problem = _year(metai.strip())
    if problem:
        problems.append(problem)
    kind = rusis or None
    if kind is not None and kind not in kinds:
        problems.append(f"Dokumento rūšis „{kind[:50]}“ nežinoma.")
        kind = None
    return _Search(query, year, kind, problems)


def _narrowed(
    documents: list[DocumentOut], classes: dict[str, str], registras: str, busena: str, klase: str
) -> list[DocumentOut]:
    """Narrowing the API's answer further: by register, version state and class."""
    if registras:
        documents = [d for d in documents if d.registration.register_code == registras]
    if busena == "galiojantys":
        documents = [d for d in documents if d.superseded_by is None]
    elif busena == "pakeisti":
        documents = [d for d in documents if d.superseded_by is not None]
    class_name = klase.strip()[:20]
    if class_name:
        wanted = class_name.casefold()
        documents = [d for d in documents if classes.get(d.id, "").casefold() == wanted]
    return documents


@router.get("/dokumentai")
def document_list(
    request: Request,
    user: PledgedUser,
    runtime: AppRuntime,
    q: str = "",
    rusis: str = "",
    metai: str = "",
    klase: str = "",
    registras: str = "",
    busena: str = "",
) -> Response:
    readable = {s.slug: s.title for s in runtime.kinds.values() if user.role_set & s.read_roles}
    search = _search(runtime.kinds, q, rusis, metai)
    # The API's own listing: the same role rules (a kind you may not read -> 403).
    listing = service.DocumentFilter(
        kind=search.kind, year=search.year, q=search.query or None, limit=500
    )
    found = service.find_with_classes(runtime.engine, runtime.kinds, runtime.rules, user, listing)
    # The register filter offers every register in the answer, and the one asked for.
    registers = sorted({d.registration.register_code for d in found.documents} | {registras} - {""})
    documents = _narrowed(found.documents, found.classes, registras, busena, klase)
    return render(
        request,
        "documents.html",
        {
            "documents": documents[:200],
            "total": len(documents),
            "kinds": readable,
            "registers": registers,
            "classes": found.classes,
            "filters": {
                "q": q[:MAX_QUERY],
                "rusis": rusis,
                "metai": metai,
                "klase": klase[:20],
                "registras": registras,
                "busena": busena,
            },
            "problems": search.problems,
        },
    )


@router.get("/dokumentai/{document_id}")
def document_page(
    request: Request, document_id: str, user: PledgedUser, runtime: AppRuntime, naujas: str = ""
) -> Response:
    # The API's own answer (404 for an unknown id), with the versions and change acts.
    found = service.history(runtime.engine, runtime.rules, document_id)
    out, doc, acts = found.out, found.record, found.acts
    spec = kind_or_404(runtime.kinds, out.kind)
    acts_spec = runtime.kinds.get("change-act")
    # Linked acts are listed only to those who may read change acts themselves.
    may_read_acts = acts_spec is not None and bool(user.role_set & acts_spec.read_roles)
    new_version = None
    if doc.superseded_by_id is None and user.role_set & spec.issue_roles:
        if doc.kind in FORMS:
            new_version = f"/dokumentai/{doc.id}/nauja-versija"
        elif doc.kind == SUMMARY:
            new_version = f"/isduoti/{SUMMARY}?taisoma={doc.id}"
    return render(
        request,
        "document.html",
        {
            "doc": out,
            "record": doc,
            "spec": spec,
            "versions": found.versions,
            "reasons": found.reasons,
            "just_issued": naujas == "1",
            "acts": acts if may_read_acts else [],
            "acts_hidden": len(acts) if not may_read_acts else 0,
            "is_summary": doc.kind == SUMMARY,
            "new_version": new_version,
            "may_hold": may(user.role_set, "POST", "/archyvas/sulaikymai"),
        },
    )


@router.get("/dokumentai/{document_id}/{name}.{ext}")
def document_file(
    document_id: str, name: str, ext: str, user: PledgedUser, runtime: AppRuntime, rodyti: str = ""
) -> Response:
    """The stored PDF or DOCX, verified against its hash (the API's own download)."""
    del name  # the registration number in the address only names the saved file
    found = archive.stored_file(runtime, user, document_id, ext)
    disposition = content_disposition(found.filename)
    if ext == "pdf" and rodyti == "1":
        # Shown in the page's frame instead of saved.
        disposition = disposition.replace("attachment", "inline", 1)
    return Response(
        found.data,
        media_type=found.media_type,
        headers={"Content-Disposition": disposition, "X-Content-SHA256": found.sha256},
    )
