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


# -- compiled modules never shadow the sources (issue 13, item 25) ----------------------------

def test_no_compiled_module_in_the_sources() -> None:
    compiled = sorted(str(p.relative_to(REPO)) for pattern in ("*.so", "*.pyd")
                      for p in (REPO / "src").rglob(pattern))
    assert compiled == [], (f"compiled modules in src/ shadow the sources: {compiled}; "
                            "delete them and reinstall with pip install -e '.[test]'")


def test_no_module_loads_from_a_compiled_file_older_than_its_source() -> None:
    import importlib
    import pkgutil

    import readouts

    stale = []
    for info in pkgutil.walk_packages(readouts.__path__, "readouts."):
        module = importlib.import_module(info.name)
        path = Path(getattr(module, "__file__", "") or "")
        if path.suffix in (".so", ".pyd"):
            source = path.parent / (path.name.split(".")[0] + ".py")
            if source.exists() and source.stat().st_mtime > path.stat().st_mtime:
                stale.append(info.name)
    assert stale == [], f"modules load from compiled files older than their source: {stale}"


def _build_ext_class():
    import importlib.util

    spec = importlib.util.spec_from_file_location("readouts_setup", REPO / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not __main__: setup() is not run
    return module.OptionalBuildExt


@pytest.mark.slow
@pytest.mark.parametrize(("editable", "built"), [(True, False), (False, True)])
def test_an_editable_build_compiles_nothing_into_the_sources(tmp_path: Path, monkeypatch, editable, built) -> None:
    from setuptools import Distribution, Extension

    (tmp_path / "fast.c").write_text(
        "#include <Python.h>\nstatic struct PyModuleDef m = {PyModuleDef_HEAD_INIT, \"fast\", NULL, -1, NULL};\n"
        "PyMODINIT_FUNC PyInit_fast(void) { return PyModule_Create(&m); }\n")
    monkeypatch.chdir(tmp_path)
    dist = Distribution({"name": "probe", "ext_modules": [Extension("fast", ["fast.c"])]})
    command = _build_ext_class()(dist)
    command.initialize_options()
    command.editable_mode = editable
    command.inplace = editable
    command.build_temp = str(tmp_path / "tmp")
    command.finalize_options()
    command.run()
    assert bool(list(tmp_path.rglob("fast*.so"))) == built
