"""The menu: each person sees only the pages their roles allow (the server checks again)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from service.access.policy import may
from service.runtime import Runtime
from service.users.models import Role, User
from service.users.pledge import has_pledge
from service.web.kind_forms import FORMS, UPLOADS, IssuePage

ADMINS = frozenset({Role.admin})
# Each entry shown to those the policy table lets open it (service/access/policy.py).
GUARDED_PAGES = (
    ("/registrai", "Registrai"),
    ("/planas", "Planas"),
    ("/archyvas", "Archyvas"),
    ("/pranesimai", "Pranešimai"),
    ("/admin/kalendorius", "Kalendorius"),
)


@dataclass(frozen=True, slots=True)
class MenuItem:
    href: str
    label: str
    active: bool


def issuable(runtime: Runtime, user: User) -> list[IssuePage]:
    """The kinds with a web page that this person may issue."""
    pages = [IssuePage(f.kind, f.title, f.intro) for f in FORMS.values()] + list(UPLOADS)
    return [
        p
        for p in pages
        if p.kind in runtime.kinds and user.role_set & runtime.kinds[p.kind].issue_roles
    ]


def menu(request: Request, user: User) -> list[MenuItem]:
    runtime: Runtime = request.app.state.runtime
    path = request.url.path
    items: list[tuple[str, str]] = [("/", "Pradžia")]
    if has_pledge(user):
        if any(user.role_set & spec.read_roles for spec in runtime.kinds.values()):
            items.append(("/dokumentai", "Dokumentai"))
        if issuable(runtime, user):
            items.append(("/isduoti", "Išduoti"))
        items += [(h, label) for h, label in GUARDED_PAGES if may(user.role_set, "GET", h)]
        pledge = runtime.kinds.get("confidentiality-pledge")
        registrars = pledge.issue_roles if pledge is not None else frozenset()
        if user.role_set & (ADMINS | registrars):
            items.append(("/admin/naudotojai", "Naudotojai"))
    return [
        MenuItem(href, label, path == href or (href != "/" and path.startswith(href + "/")))
        for href, label in items
    ]
