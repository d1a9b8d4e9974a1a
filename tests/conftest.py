"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when
BYLOS_TEST_POSTGRES_URL is set), and the real object store and converter for the session."""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from service.app import create_app
from service.db import make_engine, session_scope
from service.rendering.pdf import ConverterPool
from service.school_year import calendars
from service.school_year.calendar import previous_school_year, school_year_of, suggested_calendar
from service.settings import Settings
from service.timeutil import today_vilnius
from service.users.accounts import create_user, issue_token
from service.users.models import Role, User
from storage.objectstore import ObjectStore
from storage.seaweed import EmbeddedSeaweed
from tests.school import TEST_SCHOOL_SETTINGS

if TYPE_CHECKING:
    # Only a type here: importing the plugin module first would stop pytest rewriting its asserts.
    from tests.fixtures.database import Databases

pytest_plugins = [
    "tests.fixtures.objectstore",
    "tests.fixtures.converter",
    "tests.fixtures.database",
]

# The contract's example payloads, kept in the repository (examples/).
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
POSTGRES_URL = os.environ.get("BYLOS_TEST_POSTGRES_URL")


@pytest.fixture
def database_url(tmp_path: Path, databases: Databases) -> Iterator[str]:
    """A database nobody else uses, at the newest schema: a SQLite file, or a PostgreSQL
    database (tests/fixtures/database.py copies both from one migrated per session)."""
    with databases.copy(tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    # database_url is already at the newest schema (a copy of the session's migrated template).
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


# Every class the examples, fixtures and tests name: a class teacher who issues for them in a
# test is named their teacher in the calendar (lead_classes), as a school would.
EXAMPLE_CLASSES = ("3b", "4a", "5a", "5b", "6b", "6c", "7a", "7b", "8a", "8c")


def add_user(
    engine: Engine,
    *roles: Role,
    name: str = "Rasa Raštinienė",
    pledge: bool = True,
    leads: tuple[str, ...] = (),
) -> str:
    with session_scope(engine) as session:
        user = create_user(session, name=name, position="Raštinės vedėja", roles=list(roles))
        if pledge:
            # Stands for a registered pledge so the gate opens; tests of the pledge itself
            # (tests/service/users/test_pledge*.py) register real ones.
            user.pledge_document_id = "pledge-registered-in-fixture"
        token = issue_token(session, user)
        user_id = user.id
    if leads:
        assert user_id is not None
        lead_classes(engine, user_id, *leads)
    return token


def lead_classes(
    engine: Engine, user_id: int, *class_names: str, school_years: tuple[str, ...] = ()
) -> None:
    """Name the person the class teacher of these classes in the school years' calendars (by
    default this school year and the last: the examples are dated in both), through the same
    save an editor's PUT /api/school-calendar makes."""
    today = today_vilnius()
    years = school_years or (school_year_of(today), previous_school_year(school_year_of(today)))
    with session_scope(engine) as session:
        editor = session.get(User, user_id)
        assert editor is not None
        for year in years:
            found = calendars.get(session, year)
            base = found or suggested_calendar(year, tuple(class_names))
            names = list(base.classes) + [c for c in class_names if c not in base.classes]
            teachers = dict(base.class_teachers) | dict.fromkeys(class_names, user_id)
            calendars.save(
                session,
                dataclasses.replace(
                    base, classes=tuple(names), class_teachers=tuple(sorted(teachers.items()))
                ),
                editor,
            )


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def calendar_body(school_year: str, teachers: dict[str, int]) -> dict[str, Any]:
    """A PUT /api/school-calendar body: the suggested periods, these classes and teachers."""
    suggested = suggested_calendar(school_year, tuple(teachers))
    return {
        "periods": [
            {
                "name": p.name,
                "ends_on": p.ends_on.isoformat(),
                "grades_from": p.grades_from,
                "grades_to": p.grades_to,
            }
            for p in suggested.periods
        ],
        "classes": list(teachers),
        "class_teachers": teachers,
    }


class Service:
    """A running app on its own database and bucket, sharing the session's store and pool."""

    def __init__(self, client: TestClient, engine: Engine, store: ObjectStore) -> None:
        self.client = client
        self.engine = engine
        self.store = store

    def user(
        self,
        *roles: Role,
        name: str = "Rasa Raštinienė",
        pledge: bool = True,
        leads: tuple[str, ...] = (),
    ) -> dict[str, str]:
        return auth(add_user(self.engine, *roles, name=name, pledge=pledge, leads=leads))


@pytest.fixture
def service(
    tmp_path: Path,
    database_url: str,
    seaweed: EmbeddedSeaweed,
    converter_pool: ConverterPool,
) -> Iterator[Service]:
    bucket = f"t-{uuid.uuid4().hex[:16]}"
    store = ObjectStore(
        endpoint=seaweed.endpoint,
        access_key=seaweed.access_key,
        secret_key=seaweed.secret_key,
        bucket=bucket,
    )
    # An explicit test school: without one every official document is refused (409).
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        s3_bucket=bucket,
        **TEST_SCHOOL_SETTINGS,
    )
    app = create_app(settings, store=store, converter=converter_pool)
    with TestClient(app) as client:
        eng = make_engine(database_url)
        try:
            yield Service(client, eng, store)
        finally:
            eng.dispose()
