"""The design's dependency direction, checked on the source (design.md, "Layout")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_READERS = {"service/app.py", "service/cli.py", "service/deps.py"}


# service/, lowest first. A module may import its own unit and any unit before it, never one after
# it; the edges (``_is_edge``) sit above them all. A unit is a top-level module or a feature
# package. The kernel comes first: plain values and helpers every feature uses (errors, dates,
# Lithuanian text, payload validation, case indexes, stored-file errors, the school's records
# settings). Then the features in the order they build on each other, then what composes them.
ORDER = [
    # kernel
    "errors",
    "timeutil",
    "lt",
    "at_rest",
    "access_log",
    "headers",
    "proxies",
    "apidocs",
    "db_types",
    "db",
    "limits",
    "password_slots",  # Argon2 checks a few at a time, for the API's routes and the pages
    "spreadsheets",
    "output",
    "contract",
    "validation",
    "params",
    "case_index",
    "stored_files",
    "records",
    "settings",
    # features
    "audit",  # the hash-chained log every change writes to
    "users",  # accounts, roles, the pledge
    "school_profile",
    "rendering",  # DOCX -> PDF/A, no domain knowledge
    "school_year",  # the calendar, and who leads which class
    "registry",  # registers and gapless numbers
    "documents",  # the issuing pipeline, versions, the seed's kinds
    "runtime",  # what the running service holds (the issuer among it)
    "cases",  # the plan, its cases, closing them: counts and closes the documents filed
    "archive",  # holds, disposal, fixity: acts on closed cases
    "books",  # the books of record, and the year-end export that bundles them
    # composition
    "kinds",  # the kinds registry: names payload models that documents/, cases/, archive/ own
    "bootstrap",
    "operations",  # backups, restore, monitoring: over everything stored
    "access",  # the route policy table and the gate that applies it
    "deps",
    "models",  # every table, for the migrations
]
# Imports that run against ORDER, each kept on purpose: (importing module, imported module).
ALLOWED_UPWARD: dict[tuple[str, str], str] = {
    # Issuing files each new document in its case: the one step of the pipeline that needs the
    # documentation plan, while the plan's cases count, describe and close the documents filed in
    # them (cases/ builds on documents/ everywhere else).
    ("service.documents.issuing", "service.cases.plan"): "a document is filed in its case",
    # A document's API view names the case it is filed in (index, title, year): read from the
    # case's row, as the response has always shown it.
    ("service.documents.schemas", "service.cases.models"): "a document names its case",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["retention", "storage"])
def test_pure_packages_never_import_the_service(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            n for n in _imports(path) if n.split(".")[0] == "service"
        )
        for path in _sources(package)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_retention_imports_nothing_from_storage() -> None:
    offenders = [
        p for p in _sources("retention") if any(n.startswith("storage") for n in _imports(p))
    ]
    assert offenders == []


def test_only_the_edges_read_settings() -> None:
    readers = {
        str(path.relative_to(ROOT))
        for path in _sources("service")
        if "service.settings.Settings" in _imports(path)
    }
    assert readers <= SETTINGS_READERS


def _is_edge(path: Path, root: Path = ROOT) -> bool:
    """Routes, pages, the app and the CLI sit on top: they may import anything."""
    rel = path.relative_to(root / "service")
    return (
        rel.parts[0] in {"web", "migrations"}
        or path.name in {"app.py", "cli.py", "routes.py"}
        or path.name.endswith("_routes.py")
    )


def test_domain_does_not_import_routes_pages_or_the_app() -> None:
    domain = [p for p in _sources("service") if not _is_edge(p)]
    offenders = {
        str(p.relative_to(ROOT))
        for p in domain
        if any(
            n.startswith(("service.app", "service.web", "service.cli")) or n.endswith("routes")
            for n in _imports(p)
        )
    }
    assert offenders == set()


def test_api_routes_do_not_import_the_pages() -> None:
    """The API and the pages are both edges over the application layer; what they share (the
    password-check slots, say) sits below them, so the API runs without the web package."""
    api_routes = [
        p
        for p in _sources("service")
        if _is_edge(p)
        and p.relative_to(ROOT / "service").parts[0] not in {"web", "migrations"}
        and p.name not in {"app.py", "cli.py"}
    ]
    assert len(api_routes) >= 10
    offenders = {
        str(p.relative_to(ROOT))
        for p in api_routes
        if any(n.startswith("service.web") for n in _imports(p))
    }
    assert offenders == set()


def _module(path: Path, root: Path = ROOT) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def _unit(module: str) -> str:
    """``service.documents.issuing`` -> ``documents``; ``service.lt`` -> ``lt``."""
    return module.split(".")[1]


def _is_module(root: Path, name: str) -> bool:
    path = root / name.replace(".", "/")
    return path.with_suffix(".py").exists() or path.is_dir()


def _service_imports(path: Path, root: Path = ROOT) -> set[str]:
    """The service modules ``path`` imports, wherever the import stands (a function's, one under
    TYPE_CHECKING): ``from service.x import y`` names ``service.x.y`` when ``y`` is a module,
    else ``service.x``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                names.add(sub if _is_module(root, sub) else node.module)
    return {n for n in names if n.startswith("service.") and _is_module(root, n)}


def _upward_imports(root: Path = ROOT) -> set[tuple[str, str]]:
    """(module, imported module) for every import against ORDER; an edge counts as above all."""
    rank = {unit: i for i, unit in enumerate(ORDER)}
    upward: set[tuple[str, str]] = set()
    for path in sorted((root / "service").rglob("*.py")):
        if _is_edge(path, root) or path == root / "service" / "__init__.py":
            continue
        source = _module(path, root)
        for target in _service_imports(path, root):
            if rank.get(_unit(target), len(ORDER)) > rank[_unit(source)]:
                upward.add((source, target))
    return upward


def test_every_unit_has_its_place_in_the_order() -> None:
    units = {
        _unit(_module(p))
        for p in _sources("service")
        if not _is_edge(p) and p != ROOT / "service" / "__init__.py"
    }
    assert sorted(units - set(ORDER)) == []
    assert len(ORDER) == len(set(ORDER))


def test_imports_point_down_the_order() -> None:
    """Only the listed exceptions import a unit above their own; each one still stands."""
    upward = _upward_imports()
    assert sorted(upward - ALLOWED_UPWARD.keys()) == []
    assert sorted(ALLOWED_UPWARD.keys() - upward) == []
    assert len(ALLOWED_UPWARD) <= 2
