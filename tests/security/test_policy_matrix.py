"""Issue 10 item 8: one policy table decides every route's access, pages included.

The matrix: every route the app serves (walked from app.routes, API and pages) x every role,
a person without a pledge and nobody signed in, and for routes on a document the teacher's own
class and another's. Each answer must be what service/access/policy.py's entry says: 401 (API)
or the sign-in form (page) for nobody, 403 PledgeMissing (API) or the pledge page for the
unpledged, 403 NotPermitted for a role the entry leaves out, and anything but a refusal for
those it lets through."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from service.access import policy
from service.access.policy import Rule
from service.app import _check_policy
from service.db import session_scope
from service.documents.kinds import KindSpec
from service.kinds import load_kinds
from service.users.accounts import create_user, issue_token
from service.users.models import Role
from tests.conftest import Service, auth, example, lead_classes
from tests.web.conftest import csrf_of, sign_in

PASSWORD = "Slaptas-žodis-2026"
KIND = "progress-report"
# Values for the path parameters that are not a document: the gate decides before they are
# read, so any well-formed value shows the decision; none of them names a real row.
SAMPLES = {
    "kind": KIND,
    "year": "2026",
    "code": "NERA",
    "index": "9.99",
    "rule_id": "nera",
    "hold_id": "999999",
    "disposal_id": "999999",
    "notification_id": "999999",
    "user_id": "999999",
    "token_id": "999999",
    "school_year": "2026-2027",
    "name": "failas",
    "ext": "pdf",
}


@dataclass(frozen=True)
class Persona:
    name: str
    roles: frozenset[Role]
    pledge: bool = True
    signed_in: bool = True


PERSONAS = [Persona(r.value, frozenset({r})) for r in Role] + [
    Persona("no-pledge", frozenset(Role), pledge=False),
    Persona("anonymous", frozenset(), signed_in=False),
]


def routes(app: FastAPI) -> Iterator[tuple[str, str, bool]]:
    for context in iter_route_contexts(app.routes):
        route = context.route
        if isinstance(route, APIRoute):
            is_page = not (route.path.startswith("/api") or route.path in {"/metrics", "/docs"})
            for method in sorted(route.methods or ()):
                yield method, route.path, is_page


def expected(rule: Rule, who: Persona, kinds: dict[str, KindSpec], other_class: bool) -> str:
    if not who.signed_in:
        return "ok" if rule.public else "anon"
    if rule.public:
        return "ok"
    if rule.pledge and not who.pledge:
        return "pledge"
    if rule.kind is not None:
        spec = kinds[KIND]
        allowed = spec.issue_roles if rule.kind == "issue" else spec.read_roles
    else:
        allowed = rule.roles if rule.roles is not None else frozenset(Role)
    if not who.roles & allowed:
        return "role"
    if rule.scoped and other_class and (who.roles & allowed) == {Role.class_teacher}:
        return "role"
    return "ok"


def observed_api(status: int, body: dict[str, object] | None) -> str:
    if status == 401:
        return "anon"
    if status == 403:
        assert body is not None and set(body) >= {"error", "detail"}, body
        assert re.search("[ąčęėįšųūž]", str(body["detail"]).lower()), body  # Lithuanian
        return "pledge" if body["error"] == "PledgeMissing" else "role"
    return "ok"


def observed_page(status: int, location: str, text: str) -> str:
    if status in (302, 303, 307) and location.startswith("/prisijungti?grizti="):
        return "anon"
    if status == 403:
        return "pledge" if "konfidencialumo pasižadėjim" in text else "role"
    return "ok"


@pytest.fixture
def world(service: Service) -> dict[str, object]:
    """Staff of every role with a login, token and pledge; two class teachers each leading
    their class, each with one progress report issued."""
    engine = service.engine
    people: dict[str, tuple[dict[str, str], str]] = {}
    ids: dict[str, int] = {}
    with session_scope(engine) as session:
        for who in PERSONAS:
            if not who.signed_in:
                continue
            user = create_user(
                session,
                name=f"Darbuotoja {who.name}",
                position="Darbuotoja",
                roles=sorted(who.roles),
                login=f"u-{who.name}",
                password=PASSWORD,
            )
            if who.pledge:
                user.pledge_document_id = "pledge-registered-in-fixture"
            people[who.name] = (auth(issue_token(session, user)), f"u-{who.name}")
            assert user.id is not None
            ids[who.name] = user.id
        stranger = create_user(
            session,
            name="Kita Mokytoja",
            position="Mokytoja",
            roles=[Role.class_teacher],
        )
        stranger.pledge_document_id = "pledge-registered-in-fixture"
        stranger_token = auth(issue_token(session, stranger))
        assert stranger.id is not None
        stranger_id = stranger.id
    lead_classes(engine, ids[Role.class_teacher.value], "3b")
    lead_classes(engine, stranger_id, "4a")
    own = service.client.post(
        f"/api/documents/{KIND}", json=example(KIND), headers=people["class_teacher"][0]
    )
    assert own.status_code == 201, own.text
    other = service.client.post(
        f"/api/documents/{KIND}",
        json=example(KIND) | {"class_name": "4a"},
        headers=stranger_token,
    )
    assert other.status_code == 201, other.text
    return {"people": people, "own": own.json()["id"], "other": other.json()["id"]}


def test_every_route_answers_as_the_policy_table_says(
    service: Service, world: dict[str, object]
) -> None:
    app = service.client.app
    assert isinstance(app, FastAPI)
    kinds = load_kinds()
    people = world["people"]
    assert isinstance(people, dict)
    pages: dict[str, tuple[TestClient, str]] = {}
    for who in PERSONAS:
        client = TestClient(app)
        if who.signed_in:
            sign_in(client, people[who.name][1], PASSWORD)
        token = csrf_of(client.get("/prisijungti" if not who.signed_in else "/").text)
        pages[who.name] = (client, token)

    mismatches: list[str] = []
    checked = 0
    # Approving a plan or a disposal changes who may edit it afterwards: asked last.
    ordered = sorted(routes(app), key=lambda r: "approve" in r[1] or "tvirtinti" in r[1])
    for method, path, is_page in ordered:
        rule = policy.rule_for(method, path)
        if rule.self_checked:
            continue
        targets = ["own", "other"] if "{document_id}" in path else ["own"]
        for target in targets:
            params = SAMPLES | {"document_id": str(world[target])}
            url = path.format(**{k: v for k, v in params.items() if "{" + k + "}" in path})
            for who in PERSONAS:
                if rule.public and who.signed_in:
                    continue  # the sign-in form and sign-out: asked anonymously only
                want = expected(rule, who, kinds, other_class=target == "other")
                if is_page:
                    client, token = pages[who.name]
                    data = {"csrf": token} if method == "POST" else None
                    # Upload forms carry the token in a header (checked before the body).
                    r = client.request(
                        method,
                        url,
                        data=data,
                        headers={"X-CSRF-Token": token},
                        follow_redirects=False,
                    )
                    got = observed_page(r.status_code, r.headers.get("location", ""), r.text)
                else:
                    headers = people[who.name][0] if who.signed_in else {}
                    query = "?year=1" if method == "GET" else ""
                    r = service.client.request(method, url + query, headers=headers)
                    ctype = r.headers.get("content-type", "")
                    body = r.json() if ctype.startswith("application/json") else None
                    got = observed_api(r.status_code, body if isinstance(body, dict) else None)
                assert r.status_code < 500, (method, url, who.name, r.text[:300])
                checked += 1
                if got != want:
                    mismatches.append(
                        f"{method} {path} [{target}] as {who.name}: {got} "
                        f"(HTTP {r.status_code}), table says {want}"
                    )
    assert mismatches == [], "\n".join(mismatches)
    assert checked > 500


def test_a_route_without_an_entry_stops_the_app(service: Service) -> None:
    app = service.client.app
    assert isinstance(app, FastAPI)

    @app.get("/api/nobody-decided")
    def undecided() -> dict[str, str]:
        return {}

    with pytest.raises(policy.MissingRule, match="/api/nobody-decided"):
        _check_policy(app)


def test_every_entry_names_a_route_the_app_serves(service: Service) -> None:
    app = service.client.app
    assert isinstance(app, FastAPI)
    served = {(method, path) for method, path, _ in routes(app)}
    assert set(policy.TABLE) - served == set()
