"""No placeholder ever prints as real: official documents wait for the school's own profile."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from service.app import create_app
from service.db import make_engine, session_scope
from service.documents.models import Document
from service.registry.models import RegistryEntry
from service.rendering.pdf import ConverterPool
from service.school_profile.profile import ensure_complete, missing
from service.settings import SchoolProfile, Settings
from service.users.models import Role
from storage.seaweed import EmbeddedSeaweed
from tests.conftest import EXAMPLE_CLASSES, Service, example
from tests.school import TEST_SCHOOL, TEST_SCHOOL_SETTINGS

pytestmark = pytest.mark.db


def test_a_complete_profile_lacks_nothing() -> None:
    assert missing(TEST_SCHOOL) == []
    ensure_complete(TEST_SCHOOL)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"name": ""}, "pavadinimas"),
        ({"code": " "}, "kodas"),
        ({"address": ""}, "adresas"),
        ({"city": ""}, "miestas"),
        ({"director_name": ""}, "direktoriaus vardas ir pavardė"),
        ({"director_name": "Vardenis  Pavardenis"}, "tikras direktoriaus vardas"),
        ({"code": "12345"}, "teisingas kodas"),
    ],
)
def test_each_missing_item_is_named(change: dict[str, str], named: str) -> None:
    lacking = missing(TEST_SCHOOL.model_copy(update=change))
    assert len(lacking) == 1 and named in lacking[0]


def test_out_of_the_box_nothing_is_set() -> None:
    # No default school or director is invented: each BYLOS_SCHOOL_* starts empty.
    for field in ("name", "code", "address", "city", "director_name"):
        assert Settings.model_fields[f"school_{field}"].default == ""
    assert len(missing(SchoolProfile())) == 5


def _service(
    tmp_path: Path,
    database_url: str,
    seaweed: EmbeddedSeaweed,
    converter_pool: ConverterPool,
    **school: Any,
) -> Iterator[Service]:
    bucket = f"t-{uuid.uuid4().hex[:16]}"
    store = seaweed.object_store(bucket)
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, s3_bucket=bucket, **school
    )
    with TestClient(create_app(settings, store=store, converter=converter_pool)) as client:
        engine = make_engine(database_url)
        try:
            yield Service(client, engine, store)
        finally:
            engine.dispose()


@pytest.fixture
def unset_school(
    tmp_path: Path,
    database_url: str,
    seaweed: EmbeddedSeaweed,
    converter_pool: ConverterPool,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Service]:
    for key in list(__import__("os").environ):
        if key.startswith("BYLOS_SCHOOL_"):
            monkeypatch.delenv(key)
    yield from _service(tmp_path, database_url, seaweed, converter_pool)


@pytest.fixture
def placeholder_director(
    tmp_path: Path, database_url: str, seaweed: EmbeddedSeaweed, converter_pool: ConverterPool
) -> Iterator[Service]:
    school = TEST_SCHOOL_SETTINGS | {"school_director_name": "Vardenis Pavardenis"}
    yield from _service(tmp_path, database_url, seaweed, converter_pool, **school)


def _nothing_registered(service: Service) -> None:
    with session_scope(service.engine) as session:
        assert session.exec(select(Document)).first() is None
        assert session.exec(select(RegistryEntry)).all() == []


def test_documents_are_refused_until_the_profile_is_set(unset_school: Service) -> None:
    office = unset_school.user(Role.office_manager)
    refused = unset_school.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    )
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "SchoolProfileIncomplete"
    for named in ("pavadinimas", "kodas", "adresas", "direktoriaus vardas ir pavardė"):
        assert named in body["detail"]
    for how in ("bylos school set", "/admin/mokykla", "BYLOS_SCHOOL_NAME"):
        assert how in body["detail"]
    _nothing_registered(unset_school)

    # Bad input still gets its 422 first: the profile is not the first thing a user must fix.
    bad = unset_school.client.post(
        "/api/documents/leaving-certificate", json={"student": {}}, headers=office
    )
    assert bad.status_code == 422

    admin = unset_school.user(Role.admin, name="Admin Adminas")
    saved = unset_school.client.put("/api/school", json=TEST_SCHOOL.model_dump(), headers=admin)
    assert saved.status_code == 200, saved.text
    issued = unset_school.client.post(
        "/api/documents/leaving-certificate", json=example("leaving-certificate"), headers=office
    )
    assert issued.status_code == 201, issued.text
    assert issued.json()["registration"]["number"] == "PZ-1"  # the refusals consumed no number


def test_a_placeholder_director_is_refused(placeholder_director: Service) -> None:
    office = placeholder_director.user(Role.office_manager)
    for kind in ("leaving-certificate", "safety-briefing"):
        headers = (
            office
            if kind == "leaving-certificate"
            else placeholder_director.user(
                Role.class_teacher, name=f"Mokytoja {kind}", leads=EXAMPLE_CLASSES
            )
        )
        refused = placeholder_director.client.post(
            f"/api/documents/{kind}", json=example(kind), headers=headers
        )
        assert refused.status_code == 409, refused.text
        assert "Vardenis Pavardenis" in refused.json()["detail"]
    _nothing_registered(placeholder_director)
