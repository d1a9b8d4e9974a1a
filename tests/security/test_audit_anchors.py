"""The audit chain is anchored outside the database.

Whoever can write the database can rewrite an old event and recompute every later hash (and
the head): the chain alone is then satisfied. The anchors in the write-once store are not:
verify names the rewritten event, a cut-off tail, an event slipped into an anchored stretch.
Anchors are COMPLIANCE-locked, written on demand and after a fixity run, and fixity counts
them as its own objects, not as orphans.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from service.audit import anchors
from service.audit import log as audit
from service.audit.models import AuditEvent
from service.db import session_scope
from service.users.models import Role
from storage.errors import RetentionLocked
from tests.conftest import Service
from tests.service.archive.helpers import person, runtime

pytestmark = pytest.mark.db

ACTOR = audit.Actor(id=None, name="Testas")
BYLOS = Path(sys.executable).parent / "bylos"


def _append(engine: Engine, n: int, tag: str = "d") -> None:
    for i in range(n):
        with session_scope(engine) as session:
            audit.record(session, ACTOR, "document.issued", subject_id=f"{tag}{i}", detail={"i": i})


def _ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT id FROM audit_events ORDER BY id"))]


def _rechain(engine: Engine) -> None:
    """What an attacker with the database does after an edit: recompute every hash and the
    head, so the chain alone verifies again."""
    with session_scope(engine) as session:
        prev = audit.GENESIS
        for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
            event.prev_hash = prev
            event.hash = audit.event_hash(prev, event)
            prev = event.hash
        session.flush()
        session.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})


def _chain_alone_ok(engine: Engine) -> bool:
    with session_scope(engine) as session:
        return audit.verify(session).ok


def _verify(service: Service, headers: dict[str, str]) -> dict[str, object]:
    answer = service.client.get("/api/audit/verify", headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def _anchor(service: Service, headers: dict[str, str]) -> dict[str, object]:
    answer = service.client.post("/api/audit/anchors", headers=headers)
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_a_rewritten_old_event_with_recomputed_hashes_is_named(service: Service) -> None:
    _, archivist = person(service, Role.archivist)
    _append(service.engine, 6)
    _anchor(service, archivist)
    _append(service.engine, 2, tag="later")
    ids = _ids(service.engine)
    victim = ids[2]
    with service.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET actor_name = 'Kažkas kitas' WHERE id = :id"),
            {"id": victim},
        )
    _rechain(service.engine)
    assert _chain_alone_ok(service.engine)  # the unkeyed chain is fooled

    body = _verify(service, archivist)
    assert (body["ok"], body["first_broken"]) == (False, victim)
    assert f"Nr. {victim}" in str(body["detail"])
    assert "inkar" in str(body["detail"])


def test_a_cut_off_tail_below_an_anchor_is_caught(service: Service) -> None:
    _, archivist = person(service, Role.archivist)
    _append(service.engine, 5)
    _anchor(service, archivist)
    ids = _ids(service.engine)
    with service.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": ids[-2]})
    _rechain(service.engine)  # the head now names the new last event
    assert _chain_alone_ok(service.engine)

    body = _verify(service, archivist)
    assert (body["ok"], body["first_broken"]) == (False, ids[-2])


def test_an_event_slipped_into_an_anchored_stretch_is_caught(service: Service) -> None:
    _, archivist = person(service, Role.archivist)
    _append(service.engine, 4)
    _anchor(service, archivist)
    first, second = _ids(service.engine)[:2]
    # Room for a forged event between two anchored ones: renumber the later events up by one.
    with service.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET id = id + 1000 WHERE id > :id"), {"id": first})
        conn.execute(text("UPDATE audit_events SET id = id - 999 WHERE id > 1000"))
        conn.execute(
            text(
                "INSERT INTO audit_events (id, at, actor_id, actor_name, action, subject_type,"
                " subject_id, detail, prev_hash, hash) VALUES (:id, :at, NULL, 'Bylos',"
                " 'document.issued', '', 'forged', '{}', '', :hash)"
            ),
            {"id": second, "at": dt.datetime.now(dt.UTC), "hash": "f" * 64},
        )
    _rechain(service.engine)
    assert _chain_alone_ok(service.engine)

    body = _verify(service, archivist)
    assert (body["ok"], body["first_broken"]) == (False, second)


def test_an_untouched_chain_verifies_against_its_anchors(service: Service) -> None:
    _, archivist = person(service, Role.archivist)
    _append(service.engine, 3)
    first = _anchor(service, archivist)
    _append(service.engine, 2, tag="more")
    second = _anchor(service, archivist)
    # Nothing new since: nothing written.
    again = service.client.post("/api/audit/anchors", headers=archivist)
    assert (again.status_code, again.json()["written"]) == (200, [])

    body = _verify(service, archivist)
    assert body["ok"] is True and body["first_broken"] is None
    assert body["events"] == 5
    assert body["anchors"] == {
        "checked": 2,
        "covered_events": 5,
        "latest": {
            "event_id": second["event_id"],
            "written_at": body["anchors"]["latest"]["written_at"],  # type: ignore[index]
            "key": second["written"][-1]["key"],  # type: ignore[index]
        },
        "problems": [],
    }
    # The second anchor starts where the first ended.
    assert second["written"][0]["from_event_id"] == first["event_id"]  # type: ignore[index]


def test_anchors_are_locked_in_the_store_and_say_what_they_cover(service: Service) -> None:
    _, archivist = person(service, Role.archivist)
    _append(service.engine, 2)
    row = _anchor(service, archivist)["written"][0]  # type: ignore[index]
    info = service.store.stat(row["key"], row["version_id"])
    assert info.mode == "COMPLIANCE"
    assert info.retain_until is not None and info.retain_until.year >= dt.date.today().year + 75
    content = json.loads(service.store.read(row["key"], row["version_id"]))
    assert content["events"] == [[i, h] for i, h in _hashes(service.engine)]
    with pytest.raises(RetentionLocked):
        service.store.delete_version(row["key"], row["version_id"])


def _hashes(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, hash FROM audit_events ORDER BY id"))
        return [(row[0], row[1]) for row in rows]


def test_a_fixity_run_is_anchored_and_anchors_are_not_orphans(service: Service) -> None:
    _, archivist = person(service, Role.archivist)
    _append(service.engine, 2)
    first = service.client.post("/api/fixity/runs", headers=archivist)
    assert first.status_code == 200, first.text
    listed = service.client.get("/api/audit/anchors", headers=archivist).json()
    assert [a["reason"] for a in listed] == ["fixity.run"]
    assert listed[0]["event_id"] == _ids(service.engine)[-1]  # the run's own event included
    second = service.client.post("/api/fixity/runs", headers=archivist).json()
    assert second["clean"] is True and second["orphans"] == []
    assert second["ok"] == second["checked"] == 1  # the anchor, checked like a record


def test_only_the_archivist_and_admin_write_anchors(service: Service) -> None:
    _append(service.engine, 1)
    for role in (Role.class_teacher, Role.office_manager, Role.director):
        _, headers = person(service, role, name=f"Asmuo {role.value}")
        assert service.client.post("/api/audit/anchors", headers=headers).status_code == 403
    _, teacher = person(service, Role.class_teacher, name="Klasės Vadovė")
    assert service.client.get("/api/audit/anchors", headers=teacher).status_code == 403
    _, admin = person(service, Role.admin, name="Adminas")
    assert service.client.post("/api/audit/anchors", headers=admin).status_code == 201


def test_a_database_row_claiming_a_newer_anchor_does_not_stop_anchoring(
    service: Service,
) -> None:
    """The anchors table is only an index: a forged row (pointing at no stored anchor) saying
    the head is anchored already must not make Bylos skip the next anchor."""
    _, archivist = person(service, Role.archivist)
    _append(service.engine, 2)
    _anchor(service, archivist)
    _append(service.engine, 2, tag="later")
    with service.engine.begin() as conn:
        conn.execute(text("UPDATE audit_anchors SET event_id = 999999, key = 'audit/x'"))
    written = _anchor(service, archivist)["written"]
    assert written[0]["from_event_id"] == 0  # type: ignore[index]
    assert anchors.verify(service.engine, runtime(service).store).ok


def test_the_cli_anchors_and_verification_names_the_rewritten_event(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    env = os.environ | {"BYLOS_DATA_DIR": str(tmp_path), "BYLOS_DATABASE_URL": database_url}

    def bylos(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BYLOS), *args], env=env, capture_output=True, text=True, timeout=180
        )

    _append(engine, 4)
    anchored = bylos("audit", "anchor")
    assert anchored.returncode == 0, anchored.stderr
    assert "Inkaras įrašytas" in anchored.stdout

    victim = _ids(engine)[1]
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET detail = '{}' WHERE id = :id"), {"id": victim})
    _rechain(engine)
    broken = bylos("audit", "verify", "--json")
    assert broken.returncode == 1
    assert json.loads(broken.stdout[: broken.stdout.rindex("}") + 1])["first_broken"] == victim
    assert f"Nr. {victim}" in broken.stdout
