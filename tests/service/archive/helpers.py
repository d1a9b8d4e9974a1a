"""Test helpers for the archive: the tests' own retention rules, old closed cases with
documents stored directly (unlocked or locked to a near date), users with known ids."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from bench.seeding import document_row
from retention.rules import RetentionRule, RuleSet, default_rules
from service.cases.models import Case, CaseStatus
from service.db import session_scope
from service.documents.models import Document
from service.registry import numbering
from service.runtime import Runtime
from service.users.accounts import create_user, issue_token
from service.users.models import Role, User
from tests.conftest import Service, auth
from tests.retention.factories import make_rule, permanent_rule

TEST_YEARS = 10

# A person and the auth headers of their token.
Who = tuple[User, dict[str, str]]


def runtime(service: Service) -> Runtime:
    rt: Runtime = service.client.app.state.runtime  # type: ignore[attr-defined]
    return rt


def own_rules() -> RuleSet:
    """The tests' own figures under the ids the manifest and plan refer to."""
    rules: list[RetentionRule] = []
    for shipped in default_rules():
        if shipped.permanent:
            rules.append(permanent_rule(id=shipped.id, index=shipped.index))
        elif shipped.id == "v1511-pupil-file":
            rules.append(
                make_rule(
                    id=shipped.id,
                    term=f"{TEST_YEARS} m. po mokinio išvykimo",
                    years=TEST_YEARS,
                    trigger="event",
                    event_name="Mokinio išvykimas",
                )
            )
        else:
            rules.append(
                make_rule(id=shipped.id, index=shipped.index, term=f"{TEST_YEARS} m.", years=10)
            )
    return RuleSet(rules, description="Bandymų taisyklės")


def use_test_rules(service: Service) -> RuleSet:
    rules = own_rules()
    runtime(service).rules = rules
    return rules


def person(
    service: Service, *roles: Role, name: str = "Aldona Archyvarė"
) -> tuple[User, dict[str, str]]:
    with session_scope(service.engine) as session:
        user = create_user(session, name=name, position="Archyvarė", roles=list(roles))
        # The pledge gate (issue 4) is not what these tests are about: mark it as given.
        user.pledge_document_id = f"pledge-{uuid.uuid4()}"
        session.add(user)
        token = issue_token(session, user)
    return user, auth(token)


def closed_case(
    service: Service, year: int, index: str = "3.3", rule: str = "v1511-progress-report"
) -> Case:
    with session_scope(service.engine) as session:
        case = Case(
            year=year,
            index=index,
            title=f"Bandomoji byla {index}",
            retention_rule=rule,
            status=CaseStatus.closed,
            closed_on=dt.date(year, 12, 31),
        )
        session.add(case)
        session.flush()
        return case


def stored_document(
    service: Service,
    case: Case,
    user: User,
    *,
    register: str = "TA",
    lock_until: dt.date | None = None,
    rule: str = "v1511-progress-report",
    content: bytes | None = None,
) -> Document:
    """A registered document of an old case whose objects were put straight into the store.

    Issuing through the pipeline always locks for years; destroying needs objects whose lock is
    over, so these are stored unlocked (``lock_until=None``) or locked to a near date.
    """
    on = dt.date(case.year, 6, 1)
    doc_id = str(uuid.uuid4())
    pdf = content or b"%PDF-1.7\n" + doc_id.encode() + b"\n%%EOF\n"
    docx = b"PK\x03\x04" + doc_id.encode()
    with session_scope(service.engine) as session:
        reg = numbering.get_register(session, register)
        entry = numbering.reserve(
            session, reg, on=on, title="Bandomasis dokumentas", reserved_by=user.id
        )
    stem = f"{case.year}/{register}/{entry.seq:06d}-{doc_id}"
    put_pdf = service.store.put(f"{stem}.pdf", pdf, retain_until=lock_until)
    put_docx = service.store.put(f"{stem}.docx", docx, retain_until=lock_until)
    doc = document_row(
        doc_id,
        entry,
        case.id,
        put_pdf,
        put_docx,
        title="Bandomasis dokumentas",
        retain_until=dt.date(case.year + TEST_YEARS, 12, 31),
        lock_until=lock_until or on,
        payload={"test": True},
        created_by=user.id or 0,
        retention_rule=rule,
    )
    with session_scope(service.engine) as session:
        session.add(doc)
        session.flush()
        numbering.confirm(session, entry.id or 0, doc_id)
    assert hashlib.sha256(pdf).hexdigest() == doc.sha256
    return doc


def leaving_certificate(example: Any) -> dict[str, Any]:
    data: dict[str, Any] = example("leaving-certificate")
    return data
