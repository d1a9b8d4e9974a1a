"""Documents: the list with search and filters, one document's page, and its files."""

from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response

from service.audit.models import AuditEvent
from service.db import session_scope
from service.documents import corrections
from service.documents import routes as api
from service.documents.kinds import kind_or_404
from service.documents.models import Document
from service.documents.schemas import DocumentOut
from service.users.models import Role
from service.web.access import pledged_user, runtime_of
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


@router.get("/dokumentai")
def document_list(
    request: Request,
    q: str = "",
    rusis: str = "",
    metai: str = "",
    klase: str = "",
    registras: str = "",
    busena: str = "",
) -> Response:
    user = pledged_user(request)
    runtime = runtime_of(request)
    readable = {s.slug: s.title for s in runtime.kinds.values() if user.role_set & s.read_roles}
    problems: list[str] = []
    query = q.strip()
    if len(query) > MAX_QUERY:
        problems.append(f"Paieškos tekstas per ilgas (daugiausia {MAX_QUERY} simbolių).")
        query = ""
    year, problem = _year(metai.strip())
    if problem:
        problems.append(problem)
    kind = rusis or None
    if kind is not None and kind not in runtime.kinds:
        problems.append(f"Dokumento rūšis „{kind[:50]}“ nežinoma.")
        kind = None
    # The API's own listing: the same role rules (a kind you may not read -> 403).
    with session_scope(runtime.engine) as session:
        documents = api.list_documents(
            runtime, session, user, kind=kind, year=year, q=query or None, limit=500
        )
        registers = sorted({d.registration.register_code for d in documents} | {registras} - {""})
        # Narrowing the API's answer further: by register, version state and class.
        if registras:
            documents = [d for d in documents if d.registration.register_code == registras]
        if busena == "galiojantys":
            documents = [d for d in documents if d.superseded_by is None]
        elif busena == "pakeisti":
            documents = [d for d in documents if d.superseded_by is not None]
        class_name = klase.strip()[:20]
        classes = _classes(session, [d.id for d in documents])
        if class_name:
            wanted = class_name.casefold()
            documents = [d for d in documents if classes.get(d.id, "").casefold() == wanted]
    return render(
        request,
        "documents.html",
        {
            "documents": documents[:200],
            "total": len(documents),
            "kinds": readable,
            "registers": registers,
            "classes": classes,
            "filters": {
                "q": q[:MAX_QUERY],
                "rusis": rusis,
                "metai": metai,
                "klase": klase[:20],
                "registras": registras,
                "busena": busena,
            },
            "problems": problems,
        },
    )


def _classes(session: Session, ids: list[str]) -> dict[str, str]:
    """The class a document is about, where its payload names one."""
    if not ids:
        return {}
    rows = session.exec(select(Document.id, Document.payload).where(col(Document.id).in_(ids)))
    return {
        doc_id: str(payload.get("class_name", ""))
        for doc_id, payload in rows
        if isinstance(payload, dict)
    }


def _chain(session: Session, doc: Document) -> list[Document]:
    """Every version of this document, oldest first."""
    first = doc
    seen = {doc.id}
    while first.supersedes_id and first.supersedes_id not in seen:
        older = session.get(Document, first.supersedes_id)
        if older is None:
            break
        seen.add(older.id)
        first = older
    chain = [first]
    while chain[-1].superseded_by_id and len(chain) < 100:
        newer = session.get(Document, chain[-1].superseded_by_id)
        if newer is None:
            break
        chain.append(newer)
    return chain


def _reasons(session: Session, ids: list[str]) -> dict[str, str]:
    events = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "document.version_issued", col(AuditEvent.subject_id).in_(ids)
        )
    ).all()
    return {e.subject_id: str(e.detail.get("reason") or "") for e in events}


@router.get("/dokumentai/{document_id}")
def document_page(request: Request, document_id: str, naujas: str = "") -> Response:
    user = pledged_user(request)
    runtime = runtime_of(request)
    with session_scope(runtime.engine) as session:
        # The API's function: 404 for an unknown id, 403 for a kind this role may not read.
        out: DocumentOut = api.get_document(document_id, runtime, session, user)
        doc = session.get(Document, document_id)
        assert doc is not None
        chain = _chain(session, doc)
        reasons = _reasons(session, [d.id for d in chain])
        acts = corrections.acts_for_summary(session, doc) if doc.kind == SUMMARY else []
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
            "versions": chain,
            "reasons": reasons,
            "just_issued": naujas == "1",
            "acts": acts if may_read_acts else [],
            "acts_hidden": len(acts) if not may_read_acts else 0,
            "is_summary": doc.kind == SUMMARY,
            "new_version": new_version,
            "may_hold": Role.archivist in user.role_set,
        },
    )


@router.get("/dokumentai/{document_id}/{name}.{ext}")
def document_file(
    request: Request, document_id: str, name: str, ext: str, rodyti: str = ""
) -> Response:
    """The stored PDF or DOCX, verified against its hash (the API's own download)."""
    del name  # the registration number in the address only names the saved file
    user = pledged_user(request)
    response = api.get_file(document_id, runtime_of(request), user, format=ext)
    if ext == "pdf" and rodyti == "1":
        # Shown in the page's frame instead of saved.
        disposition = response.headers["content-disposition"]
        response.headers["content-disposition"] = disposition.replace("attachment", "inline", 1)
    return response
