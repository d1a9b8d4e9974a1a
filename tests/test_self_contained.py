"""The repository stands alone: nothing in it reaches a path outside its own root.

A user clones Bylos with nothing beside it, so every file the tests, benchmarks and the README's
flows read must be inside the clone (the contract's example payloads live in examples/). CI also
runs the whole suite from a clone in an otherwise empty directory (.ci/run); this test catches
the mistake earlier and names the line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYTHON_DIRS = ("service", "storage", "retention", "tests", "bench", "doc_templates")
TEXT_FILES = ("Makefile", "README.md", ".ci/run", "pyproject.toml")
# "../" in a path, or the reference folder that sits beside the clone on a developer's machine.
_OUTSIDE = re.compile(r"(?<![\w.])\.\./|(?<![\w-])shared/(examples|seed|reference)\b")


class _PathEvaluator:
    """Computes the paths a module builds from ``__file__`` (``Path(__file__).parents[1]``,
    ``ROOT.parent / "x"``), following its module-level names, so each can be checked."""

    def __init__(self, path: Path, tree: ast.Module) -> None:
        self.file = path.resolve()
        self.names: dict[str, Path] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                value = self.evaluate(node.value)
                if isinstance(target, ast.Name) and value is not None:
                    self.names[target.id] = value

    def evaluate(self, node: ast.expr) -> Path | None:
        if isinstance(node, ast.Name):
            return self.file if node.id == "__file__" else self.names.get(node.id)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "Path" and len(node.args) == 1:
                return self.evaluate(node.args[0])
            if isinstance(func, ast.Attribute) and func.attr in {"resolve", "absolute"}:
                return self.evaluate(func.value)
            return None
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            base = self.evaluate(node.value)
            return base.parent if base is not None else None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            if node.value.attr == "parents" and isinstance(node.slice, ast.Constant):
                base = self.evaluate(node.value.value)
                index = node.slice.value
                if base is not None and isinstance(index, int) and index < len(base.parents):
                    return base.parents[index]
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            base = self.evaluate(node.left)
            if base is not None and isinstance(node.right, ast.Constant):
                return (base / str(node.right.value)).resolve()
        return None


def _python_sources() -> list[Path]:
    return sorted(p for d in PYTHON_DIRS for p in (ROOT / d).rglob("*.py"))


def _escaping_paths(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    evaluator = _PathEvaluator(path, tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):
            value = evaluator.evaluate(node)
            if value is not None and not value.is_relative_to(ROOT):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_python_path_built_from_a_module_leaves_the_repository() -> None:
    offenders = [line for path in _python_sources() for line in _escaping_paths(path)]
    assert offenders == []


@pytest.mark.parametrize("name", TEXT_FILES)
def test_build_files_and_readme_name_no_path_outside_the_repository(name: str) -> None:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    offenders = [f"{name}:{n}: {line}" for n, line in enumerate(lines, 1) if _OUTSIDE.search(line)]
    assert offenders == []


def test_python_string_literals_name_no_path_outside_the_repository() -> None:
    offenders = []
    for path in _python_sources():
        if path == Path(__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if _OUTSIDE.search(node.value):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert offenders == []


def test_the_evaluator_sees_a_path_that_climbs_out() -> None:
    """Guards the guard: the old conftest line is found, its fixed form is not."""
    module = ROOT / "tests" / "probe.py"
    climbing = 'EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"\n'
    staying = 'EXAMPLES = Path(__file__).resolve().parents[1] / "examples"\n'
    for source, escapes in ((climbing, True), (staying, False)):
        tree = ast.parse(source)
        evaluator = _PathEvaluator(module, tree)
        assigned = tree.body[0]
        assert isinstance(assigned, ast.Assign)
        value = evaluator.evaluate(assigned.value)
        assert value is not None
        assert (not value.is_relative_to(ROOT)) is escapes


def test_the_contract_examples_are_in_the_repository() -> None:
    kinds = {
        "leaving-certificate",
        "change-act",
        "confidentiality-pledge",
        "achievement-summary",
        "safety-briefing",
        "progress-report",
    }
    assert {p.stem for p in (ROOT / "examples").glob("*.json")} >= kinds
