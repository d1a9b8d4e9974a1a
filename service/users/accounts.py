"""Creating people, issuing API tokens and checking them."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from service.audit import log as audit
from service.audit.log import Actor
from service.db import session_scope
from service.errors import Conflict, InvalidPayload, NotAuthenticated, NotFound, NotPermitted
from service.timeutil import utcnow
from service.users import sessions
from service.users.models import ApiToken, Role, User

# The operator at the server's console (`bylos users ...`): no account of their own.
SYSTEM_CLI = Actor(id=None, name="Bylos (komandinė eilutė)")

TOKEN_PREFIX = "byl_"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile); the parameters travel in
# the hash itself, so raising them later only needs `password_needs_rehash`.
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        # Accounts created before Argon2: still accepted, rehashed at the next sign-in.
        _scheme, salt_hex, digest_hex = stored.split("$")
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), n=2**14, r=8, p=1)
        return hmac.compare_digest(digest.hex(), digest_hex)
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(stored: str) -> bool:
    return stored.startswith("scrypt$") or _HASHER.check_needs_rehash(stored)


def parse_roles(values: Iterable[str]) -> list[Role]:
    roles: list[Role] = []
    for value in values:
        try:
            roles.append(Role(value))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise InvalidPayload(f"Nežinomas vaidmuo „{value}“. Galimi: {allowed}.") from None
    if not roles:
        raise InvalidPayload("Naudotojui būtinas bent vienas vaidmuo (--role).")
    return roles


def create_user(
    session: Session,
    *,
    name: str,
    position: str,
    roles: list[Role],
    login: str | None = None,
    password: str | None = None,
) -> User:
    if not name.strip() or not position.strip():
        raise InvalidPayload("Naudotojo vardas ir pareigos negali būti tušti.")
    if (login is None) != (password is None):
        raise InvalidPayload("Prisijungimo vardas ir slaptažodis nurodomi kartu.")
    if login is not None and password is not None:
        if len(password) < 8:
            raise InvalidPayload("Slaptažodis turi būti bent 8 simbolių.")
        if session.exec(select(User).where(User.login == login)).first():
            raise Conflict(f"Prisijungimo vardas „{login}“ jau užimtas.")
    user = User(
        name=name.strip(),
        position=position.strip(),
        roles=" ".join(sorted({r.value for r in roles})),
        login=login,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def issue_token(session: Session, user: User) -> str:
    assert user.id is not None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token)))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User:
    row = session.exec(
        select(User)
        .join(ApiToken, col(ApiToken.user_id) == col(User.id))
        .where(ApiToken.token_hash == _token_hash(token), col(ApiToken.revoked_at).is_(None))
    ).first()
    if row is None or not row.active:
        raise NotAuthenticated("Prieigos raktas neteisingas arba atšauktas.")
    return row


def set_roles(session: Session, user_id: int, roles: list[Role]) -> User:
    if not roles:
        raise InvalidPayload("Naudotojui būtinas bent vienas vaidmuo.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"Naudotojas Nr. {user_id} nerastas.")
    user.roles = " ".join(sorted({r.value for r in roles}))
    session.add(user)
    session.flush()
    return user


# -- ending credentials, and who may change whose account ------------------------------------
# Every change is audited with its actor (service/audit/log.py).

MIN_PASSWORD = 8
MAX_PASSWORD = 200


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"Naudotojas Nr. {user_id} nerastas.")
    return user


def _record(
    session: Session,
    actor: User | None,
    action: str,
    user_id: int | None,
    detail: dict[str, object] | None = None,
) -> None:
    """Audit a change to person ``user_id`` made by ``actor`` (None: the console operator)."""
    audit.record(
        session,
        actor.actor if actor else SYSTEM_CLI,
        action,
        subject_type="user",
        subject_id=str(user_id),
        detail=detail,
    )


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidPayload(f"Slaptažodis turi būti bent {MIN_PASSWORD} simbolių.")
    if len(password) > MAX_PASSWORD:
        raise InvalidPayload(f"Slaptažodis per ilgas (daugiausia {MAX_PASSWORD} simbolių).")


def change_roles(session: Session, actor: User, user_id: int, roles: list[Role]) -> User:
    """Separation of duties: nobody changes their own roles (an administrator could otherwise
    make themselves director and archivist and dispose of records alone)."""
    if actor.id == user_id:
        raise NotPermitted(
            "Savo vaidmenų keisti negalima: juos keičia kitas administratorius. Nieko nepakeista."
        )
    before = sorted(_get(session, user_id).role_set)
    user = set_roles(session, user_id, roles)
    _record(
        session,
        actor,
        "user.roles_changed",
        user_id,
        {"before": [r.value for r in before], "after": sorted(user.roles.split())},
    )
    return user


def deactivate(session: Session, actor: User | None, user_id: int) -> User:
    """The account stops working at once: its sessions end and its tokens are refused."""
    if actor is not None and actor.id == user_id:
        raise NotPermitted("Savo paskyros išjungti negalima. Nieko nepakeista.")
    user = _get(session, user_id)
    user.active = False
    session.add(user)
    ended = sessions.end_all(session, user_id)
    _record(session, actor, "user.deactivated", user_id, {"sessions_ended": ended})
    return user


def reactivate(session: Session, actor: User | None, user_id: int) -> User:
    user = _get(session, user_id)
    user.active = True
    session.add(user)
    _record(session, actor, "user.reactivated", user_id)
    return user


def change_own_password(session: Session, user: User, current: str, new: str) -> None:
    """The person's own change: the current password first; every session of theirs ends."""
    assert user.id is not None
    stored = _get(session, user.id)
    if not stored.password_hash or not check_password(current, stored.password_hash):
        raise InvalidPayload(
            "Netinkami duomenys. „current“: dabartinis slaptažodis neteisingas. Nieko nepakeista."
        )
    check_new_password(new)
    stored.password_hash = hash_password(new)
    session.add(stored)
    ended = sessions.end_all(session, user.id)
    _record(session, user, "user.password_changed", user.id, {"sessions_ended": ended})


def reset_password(session: Session, actor: User | None, user_id: int, new: str) -> None:
    """An administrator sets a new password (the person forgot theirs); their sessions end."""
    if actor is not None and actor.id == user_id:
        raise NotPermitted(
            "Savo slaptažodį keiskite paskyros puslapyje, nurodę dabartinį. Nieko nepakeista."
        )
    user = _get(session, user_id)
    if user.login is None:
        raise Conflict(
            f"Naudotojas Nr. {user_id} neturi prisijungimo vardo: slaptažodis nenaudojamas."
        )
    check_new_password(new)
    user.password_hash = hash_password(new)
    session.add(user)
    ended = sessions.end_all(session, user_id)
    _record(session, actor, "user.password_reset", user_id, {"sessions_ended": ended})


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    _get(session, user_id)
    stmt = select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id))
    return list(session.exec(stmt))


def revoke_token(
    session: Session, actor: User | None, token_id: int, *, owner_id: int | None = None
) -> ApiToken:
    """Revoke a token (``owner_id``: only if it is that person's own)."""
    token = session.get(ApiToken, token_id)
    if token is None or (owner_id is not None and token.user_id != owner_id):
        raise NotFound(f"Prieigos raktas Nr. {token_id} nerastas.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        _record(session, actor, "token.revoked", token.user_id, {"token_id": token_id})
    return token


def issue_token_for(session: Session, actor: User | None, user_id: int) -> str:
    user = _get(session, user_id)
    if not user.active:
        raise Conflict(f"Naudotojas Nr. {user_id} išjungtas: prieigos rakto išduoti negalima.")
    token = issue_token(session, user)
    _record(session, actor, "token.issued", user_id)
    return token


def people_by_name(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.name))))


def by_login(session: Session, login: str) -> User | None:
    return session.exec(select(User).where(User.login == login)).first()


def people_by_number(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.id))))


def by_number_or_login(session: Session, who: str) -> User | None:
    """A person by their number (digits) or their login, as the CLI names them."""
    return session.get(User, int(who)) if who.isdigit() else by_login(session, who)


def add_user(
    session: Session,
    actor: User,
    *,
    name: str,
    position: str,
    roles: list[Role],
    login: str,
    password: str,
) -> User:
    """A new account with a login, created by an admin and audited with them."""
    user = create_user(
        session, name=name, position=position, roles=roles, login=login, password=password
    )
    _record(session, actor, "user.created", user.id, {"login": user.login, "roles": user.roles})
    return user


@functools.cache
def dummy_hash() -> str:
    """Checked against when the login is unknown, so both cases take the same time (the
    sign-in page computes it when it loads, not at the first unknown login)."""
    return hash_password("bylos-nera-tokio-naudotojo")


def verify_sign_in(engine: Engine, login: str, password: str, address: str) -> int | None:
    """The account these credentials open, or None; the sign-in is audited and an outdated
    hash replaced. Slow on purpose (Argon2): run it in a worker thread."""
    with session_scope(engine) as db:
        user = by_login(db, login)
        stored = user.password_hash if user and user.password_hash else dummy_hash()
        ok = check_password(password, stored) and user is not None and user.active
        if not ok or user is None or user.id is None:
            return None
        if password_needs_rehash(stored):
            user.password_hash = hash_password(password)
            db.add(user)
        _record(db, user, "user.signed_in", user.id, {"address": address})
        return user.id


def user_by_id(engine: Engine, user_id: int) -> User | None:
    """The account as it is now (roles, active), detached: the web reads it on every request."""
    with session_scope(engine) as db:
        user = db.get(User, user_id)
        if user is not None:
            db.expunge(user)
    return user


def logins_by_id(session: Session) -> dict[int, str]:
    return {u.id: u.login for u in session.exec(select(User)) if u.id and u.login}
