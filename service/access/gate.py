"""Applying a route's entry of the policy table to the person asking.

Called before every handler: by the API's dependency (service/deps.py) and by the pages'
(service/web/access.py); only how the person is found differs (a token, a session cookie).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.access.policy import Rule
from service.documents.kinds import KindSpec, kind_or_404
from service.documents.models import Document
from service.errors import NotPermitted, PledgeMissing
from service.school_year import classes
from service.users.models import ROLE_TITLES, Role, User
from service.users.pledge import MISSING, has_pledge


def refuse_roles(allowed: frozenset[Role], action: str = "") -> NotPermitted:
    """The refusal names the action and who may do it (one role: "tik …")."""
    titles = sorted(ROLE_TITLES[r] for r in allowed)
    what = f"Veiksmui „{action}“" if action else "Šiam veiksmui"
    if len(titles) == 1:
        return NotPermitted(
            f"{what} reikia vieno iš vaidmenų: {titles[0]} (tai gali tik {titles[0]})."
        )
    return NotPermitted(f"{what} reikia vieno iš vaidmenų: {', '.join(titles) or 'nė vienas'}.")


def authorize(
    rule: Rule,
    user: User,
    *,
    engine: Engine,
    kinds: Mapping[str, KindSpec],
    path_params: Mapping[str, object],
) -> None:
    """Raise PledgeMissing or NotPermitted unless the entry lets this person through."""
    if rule.pledge and not has_pledge(user):
        own = rule.unpledged_kind is not None and path_params.get("kind") == rule.unpledged_kind
        if not own:
            raise PledgeMissing(MISSING)
    if rule.kind is None:
        if rule.roles is not None and not (user.role_set & rule.roles):
            raise refuse_roles(rule.roles, rule.action)
        return
    document: Document | None = None
    kind = path_params.get("kind")
    if isinstance(kind, str):
        spec = kind_or_404(dict(kinds), kind)
    else:
        document_id = path_params.get("document_id")
        with Session(engine) as session:
            document = session.get(Document, str(document_id)) if document_id else None
            if document is not None:
                session.expunge(document)
        if document is None:
            # Nothing to decide on: the handler answers 404 to everyone alike.
            return
        spec = kind_or_404(dict(kinds), document.kind)
    allowed = spec.issue_roles if rule.kind == "issue" else spec.read_roles
    if not (user.role_set & allowed):
        action = f"išduoti: {spec.title}" if rule.kind == "issue" else "peržiūrėti dokumentą"
        raise refuse_roles(allowed, action)
    if rule.scoped and document is not None:
        with Session(engine) as session:
            classes.ensure_may_act(session, user, allowed, document.payload, document.registered_on)
