"""The design's dependency direction, checked on the source (design.md, "Layout")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_READERS = {"service/app.py", "service/cli.py", "service/deps.py"}


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


def _is_edge(path: Path) -> bool:
    """Routes, pages, the app and the CLI sit on top: they may import anything."""
    rel = path.relative_to(ROOT / "service")
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


def test_cases_do_not_import_the_archive() -> None:
    """The archive builds on the cases (closed cases are what it disposes of and exports); what
    both need, such as a document's re-evaluated retention, lives below them in documents/."""
    offenders = {
        str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if n.startswith("service.archive"))
        for p in _sources("service/cases")
        if not _is_edge(p)
    }
    assert {k: v for k, v in offenders.items() if v} == {}
