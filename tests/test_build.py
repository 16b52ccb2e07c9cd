"""The build: the modules setup.py compiles must type-check, or the build quietly installs
them uncompiled (and about a third slower)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def compiled_modules() -> list[str]:
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "COMPILED" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no COMPILED list")


def test_compiled_modules_exist() -> None:
    modules = compiled_modules()
    assert modules and all((REPO / m).is_file() for m in modules)


def test_compiled_modules_type_check(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    paths = [str(REPO / m) for m in compiled_modules()]
    stdout, stderr, status = api.run(["--ignore-missing-imports", "--cache-dir", str(tmp_path), *paths])
    assert status == 0, stdout + stderr
