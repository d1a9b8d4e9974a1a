"""Accounts, roles and API tokens."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from service.audit.log import Actor
from service.db_types import AwareDateTime
from service.timeutil import utcnow


class Role(StrEnum):
    office_manager = "office_manager"
    deputy = "deputy"
    class_teacher = "class_teacher"
    archivist = "archivist"
    director = "director"
    admin = "admin"


ROLE_TITLES: dict[Role, str] = {
    Role.office_manager: "raštinės vadovas",
    Role.deputy: "direktoriaus pavaduotojas ugdymui",
    Role.class_teacher: "klasės vadovas",
    Role.archivist: "archyvaras",
    Role.director: "direktorius",
    Role.admin: "e. dienyno administratorius",
}


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    position: str
    # Space-separated role values: a handful per person, always read together with the user.
    roles: str = ""
    login: str | None = Field(default=None, unique=True, index=True)
    password_hash: str | None = None
    active: bool = True
    # Set when the person's confidentiality pledge is registered (the pledge gate, domain.md §7).
    pledge_document_id: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles.split())

    @property
    def actor(self) -> Actor:
        """Who the audit log names for what this person does."""
        return Actor(id=self.id, name=self.name)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    # Only the SHA-256 of the token is kept: a copied database does not leak usable tokens.
    token_hash: str = Field(unique=True, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)


class WebSessionRecord(SQLModel, table=True):
    """A signed-in browser session. The cookie holds only a random id; this row (found by the
    id's SHA-256) says whose it is, so signing out or deactivating ends it at once."""

    __tablename__ = "web_sessions"

    id_hash: str = Field(primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    csrf: str
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    expires_at: dt.datetime = Field(sa_type=AwareDateTime)
    ended_at: dt.datetime | None = Field(default=None, sa_type=AwareDateTime)
