"""The menu: each person sees only the pages their roles allow (the server checks again)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from service.archive.routes import AUDITORS
from service.cases.plan import PLAN_READERS

# Who may read registers: the same set the registry API allows.
from service.registry.routes import READERS as REGISTER_READERS
from service.runtime import Runtime
from service.school_year.calendars import EDITORS as CALENDAR_EDITORS
from service.users.models import Role, User
from service.users.pledge import has_pledge
from service.web.kind_forms import FORMS, UPLOADS, IssuePage

ADMINS = frozenset({Role.admin})
# Who reads and marks the change acts' notifications: the notifications API's set.
NOTIFICATION_READERS = frozenset({Role.admin, Role.deputy})
# Who may see the fixity runs and the audit chain: the archive API's own set.
ARCHIVE_READERS = AUDITORS


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
        if user.role_set & REGISTER_READERS:
            items.append(("/registrai", "Registrai"))
        if user.role_set & PLAN_READERS:
            items.append(("/planas", "Planas"))
        if user.role_set & ARCHIVE_READERS:
            items.append(("/archyvas", "Archyvas"))
        if user.role_set & NOTIFICATION_READERS:
            items.append(("/pranesimai", "Pranešimai"))
        if user.role_set & CALENDAR_EDITORS:
            items.append(("/admin/kalendorius", "Kalendorius"))
        pledge = runtime.kinds.get("confidentiality-pledge")
        registrars = pledge.issue_roles if pledge is not None else frozenset()
        if user.role_set & (ADMINS | registrars):
            items.append(("/admin/naudotojai", "Naudotojai"))
    return [
        MenuItem(href, label, path == href or (href != "/" and path.startswith(href + "/")))
        for href, label in items
    ]
