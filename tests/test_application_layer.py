"""One application layer: pages and CLI commands are thin adapters over the features'
use-cases, as the API's routes are. Checked on the source of service/web and of the CLI modules:
no page or command imports a route module (it calls the use-case the route calls), and no query
is written there (queries live in the features)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "service" / "web"

# SQLAlchemy's (and SQLModel's) statement builders: a query written in a page.
QUERY_BUILDERS = {"select", "update", "delete", "insert", "func", "col", "text", "and_", "or_"}
QUERY_MODULES = ("sqlalchemy", "sqlmodel")
# A database session's methods that run or stage statements.
SESSION_METHODS = {"exec", "execute", "scalar", "scalars", "get", "add", "add_all", "delete"}
SESSION_NAMES = {"session", "db"}
# Where service/web may open a unit of work itself: the pages' one helper (unit_of_work) and
# the server-side sessions behind the cookie. Everything else calls a feature's function.
OPENS_SESSIONS = {"service/web/access.py", "service/web/session.py"}


def _web_sources() -> list[Path]:
    return sorted(WEB.rglob("*.py"))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _is_route_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "routes" or last.endswith("_routes")


def _route_imports(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if _is_route_module(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if _is_route_module(node.module):
                found.append(node.module)
            # from service.archive import routes (as api)
            found += [f"{node.module}.{a.name}" for a in node.names if _is_route_module(a.name)]
    return found


def _query_constructs(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in QUERY_MODULES:
                found += [
                    f"from {node.module} import {a.name}"
                    for a in node.names
                    if a.name in QUERY_BUILDERS
                ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if (
                isinstance(owner, ast.Name)
                and owner.id in SESSION_NAMES
                and node.func.attr in SESSION_METHODS
            ):
                found.append(f"line {node.lineno}: {owner.id}.{node.func.attr}(...)")
    return found


def _opens_sessions(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"session_scope", "Session"}
    ]


def test_no_web_module_imports_a_route_module() -> None:
    offenders = {
        _rel(p): found
        for p in _web_sources()
        if (found := _route_imports(ast.parse(p.read_text())))
    }
    assert offenders == {}


def test_no_queries_in_web() -> None:
    offenders = {
        _rel(p): found
        for p in _web_sources()
        if (found := _query_constructs(ast.parse(p.read_text())))
    }
    assert offenders == {}


def test_pages_open_no_database_sessions_of_their_own() -> None:
    offenders = {
        _rel(p): lines
        for p in _web_sources()
        if _rel(p) not in OPENS_SESSIONS and (lines := _opens_sessions(ast.parse(p.read_text())))
    }
    assert offenders == {}


def test_the_checks_see_what_they_forbid() -> None:
    """Each check finds its target in a sample, so an empty answer above means something."""
    sample = ast.parse(
        "from service.archive import routes as api\n"
        "from service.documents.seed_routes import x\n"
        "from sqlmodel import select, col\n"
        "with session_scope(engine) as session:\n"
        "    session.exec(select(User))\n"
        "    db.get(User, 1)\n"
    )
    assert _route_imports(sample) == [
        "service.archive.routes",
        "service.documents.seed_routes",
    ]
    assert _query_constructs(sample) == [
        "from sqlmodel import select",
        "from sqlmodel import col",
        "line 5: session.exec(...)",
        "line 6: db.get(...)",
    ]
    assert _opens_sessions(sample) == [4]


def _cli_sources() -> list[Path]:
    return sorted([ROOT / "service" / "cli.py", *(ROOT / "service").glob("*/cli.py")])


def test_cli_commands_are_adapters_too() -> None:
    """The `bylos` commands call the features' use-cases as the routes and pages do: no route
    module, no query of their own (they open the unit of work a command runs in)."""
    assert len(_cli_sources()) > 3
    offenders = {
        _rel(p): found
        for p in _cli_sources()
        if (found := _route_imports(tree := ast.parse(p.read_text())) + _query_constructs(tree))
    }
    assert offenders == {}
