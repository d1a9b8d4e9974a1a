"""Creating people, issuing API tokens and checking them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, select

from service.errors import Conflict, InvalidPayload, NotAuthenticated, NotFound
from service.users.models import ApiToken, Role, User

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
