"""Who is asking: the signed-in person (fresh from the database), their pledge, the CSRF check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.requests import Request

from service.access.gate import authorize
from service.db import session_scope
from service.deps import route_rule
from service.errors import NotPermitted, PledgeMissing
from service.limits import BULK_LIMIT, MiB, PayloadTooLarge
from service.runtime import Runtime
from service.users import accounts
from service.users.models import User
from service.users.pledge import has_pledge
from service.web.rendering import PledgeRequired, SignInRequired, web_session

CSRF_FIELD = "csrf"
# Far above any real form (a certificate is a few KiB), far below what would strain memory.
FORM_LIMIT = 1 * MiB
CSRF_REFUSED = (
    "Formos apsaugos žetonas netinkamas arba pasibaigęs, todėl nieko nepakeista. "
    "Atnaujinkite puslapį ir bandykite dar kartą."
)


T = TypeVar("T")


def unit_of_work(runtime: Runtime, work: Callable[[Session], T]) -> T:
    """A page's one way to run a use-case that takes a unit of work (as the API's request has
    one): committed when ``work`` returns, rolled back when it raises."""
    with session_scope(runtime.engine) as session:
        return work(session)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def current_user(request: Request) -> User:
    """The signed-in person; read on every request, so removed roles or accounts apply at once."""
    session = web_session(request)
    if session.user_id is None:
        raise SignInRequired
    user = accounts.user_by_id(runtime_of(request).engine, session.user_id)
    if user is None or not user.active:
        session.sign_out()
        raise SignInRequired
    request.state.web_user = user
    return user


def page_gate(request: Request) -> None:
    """Every page's first dependency: the policy table decides (service/access/policy.py).
    No one signed in: the sign-in form; no pledge: the page saying so; else a 403 page."""
    rule = route_rule(request)
    if rule.answers_json:
        request.state.json_errors = True
    if rule.public:
        return
    user = current_user(request)
    runtime = runtime_of(request)
    try:
        authorize(
            rule, user, engine=runtime.engine, kinds=runtime.kinds, path_params=request.path_params
        )
    except PledgeMissing:
        raise PledgeRequired from None


def pledged_user(request: Request) -> User:
    """The signed-in person, who must have a registered pledge to see any personal data.
    The gate (page_gate) has read them from the database for this request: used as read."""
    known: User | None = getattr(request.state, "web_user", None)
    user = known if known is not None else current_user(request)
    if not has_pledge(user):
        raise PledgeRequired
    return user


# What a page declares instead of asking for them by hand: ``user: PledgedUser``.
PledgedUser = Annotated[User, Depends(pledged_user)]
SignedInUser = Annotated[User, Depends(current_user)]
AppRuntime = Annotated[Runtime, Depends(runtime_of)]


async def checked_form(request: Request) -> FormData:
    """The posted form, refused unless it carries this session's CSRF token."""
    return await read_checked_form(request, FORM_LIMIT)


async def checked_upload(request: Request) -> FormData:
    """A posted form with a file (a spreadsheet): the signed-in person, their pledge and the
    CSRF token (in the form's address, ``?csrf=``, or the X-CSRF-Token header) are checked
    before a byte of the body is read, so nobody else can make the service spool a file."""
    pledged_user(request)
    sent = request.headers.get("x-csrf-token") or request.query_params.get(CSRF_FIELD)
    if not web_session(request).csrf_ok(sent):
        raise NotPermitted(CSRF_REFUSED)
    return await read_checked_form(request, BULK_LIMIT)


async def read_checked_form(request: Request, limit: int) -> FormData:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise PayloadTooLarge(
            f"Formos duomenų per daug: leidžiama ne daugiau kaip {limit // MiB} MiB. "
            "Nieko nepakeista."
        )
    form = await request.form(max_fields=2000)
    sent = form.get(CSRF_FIELD)
    if not web_session(request).csrf_ok(sent if isinstance(sent, str) else None):
        raise NotPermitted(CSRF_REFUSED)
    return form
