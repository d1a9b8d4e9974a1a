"""The pledge gate (seed p.9, domain.md §7): no registered confidentiality pledge, no personal data.

A user whose ``pledge_document_id`` is empty gets 403 PledgeMissing on every call that touches
personal data. The one call they may make is registering their OWN pledge (an office manager or
administrator who is new themselves must be able to start somewhere); the CLI's
``users add --with-pledge`` does the same for any new person.

Which account a registered pledge opens:
- the payload's ``user_id`` when given (the person's name must then match the account's name);
- otherwise the single active account with exactly that name (case and spacing ignored) that has
  no pledge yet; several such accounts -> 422 asking for ``user_id``; none -> the pledge is
  registered for a person without an account and opens nothing.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.errors import InvalidPayload, NotPermitted, PledgeMissing
from service.users.models import User

PLEDGE_KIND = "confidentiality-pledge"
MISSING = (
    "Neturite įregistruoto konfidencialumo pasižadėjimo, todėl asmens duomenys jums "
    "nepasiekiami (Aprašo 9 p.). Kreipkitės į raštinę, kad jis būtų įregistruotas."
)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def has_pledge(user: User) -> bool:
    return user.pledge_document_id is not None


def ensure_pledge(user: User, *, registering_own: bool = False) -> None:
    """Raise PledgeMissing unless the user has a pledge (or is registering their own)."""
    if not has_pledge(user) and not registering_own:
        raise PledgeMissing(MISSING)


def pledge_owner(
    session: Session, *, name: str, user_id: int | None, exclude_pledged: bool = True
) -> User | None:
    """The account a pledge for ``name`` opens (see the module docstring)."""
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None:
            raise InvalidPayload(
                f"Netinkami duomenys. „user_id“: naudotojas Nr. {user_id} nerastas."
            )
        if _key(user.name) != _key(name):
            raise InvalidPayload(
                f"Netinkami duomenys. „person.name“: „{name}“ nesutampa su naudotojo "
                f"Nr. {user_id} vardu „{user.name}“."
            )
        return user
    stmt = select(User).where(col(User.active).is_(True))
    if exclude_pledged:
        stmt = stmt.where(col(User.pledge_document_id).is_(None))
    matches = [u for u in session.exec(stmt) if _key(u.name) == _key(name)]
    if len(matches) > 1:
        ids = ", ".join(str(u.id) for u in matches)
        raise InvalidPayload(
            f"Netinkami duomenys. „person.name“: yra keli naudotojai vardu „{name}“ "
            f"(Nr. {ids}); nurodykite „user_id“."
        )
    return matches[0] if matches else None


def ensure_may_register(session: Session, issuer: User, *, name: str, user_id: int | None) -> None:
    """Someone without a pledge may register only their own."""
    if has_pledge(issuer):
        return
    owner = pledge_owner(session, name=name, user_id=user_id)
    if owner is None or owner.id != issuer.id:
        raise PledgeMissing(
            MISSING + " Kol jūsų pasižadėjimas neįregistruotas, galite registruoti tik savo."
        )


def link(session: Session, user_id: int, document_id: str) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise NotPermitted(f"Naudotojas Nr. {user_id} nerastas.")
    user.pledge_document_id = document_id
    session.add(user)
