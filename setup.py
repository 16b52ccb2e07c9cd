"""Build hook: the hot stages are compiled with mypyc when a C compiler is at hand.

The compiled modules are the same Python source (src/readouts/*.py, src/readouts/extract/*.py), about 1.8x faster.
Set READOUTS_PURE=1 to install without compiling (the package then runs as plain Python,
as it also does when compiling fails). An editable install is never compiled. Everything else is declared in pyproject.toml.
"""
import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = [
    "src/readouts/annotate.py",
    "src/readouts/clean.py",
    "src/readouts/codes.py",
    "src/readouts/dates.py",
    "src/readouts/extract/__init__.py",
    "src/readouts/extract/candidates.py",
    "src/readouts/extract/context.py",
    "src/readouts/extract/merge.py",
    "src/readouts/extract/model.py",
    "src/readouts/extract/occasion.py",
    "src/readouts/extract/participants.py",
    "src/readouts/extract/place.py",
    "src/readouts/extract/planned.py",
    "src/readouts/extract/readout.py",
    "src/readouts/extract/roles.py",
    "src/readouts/extract/rules.py",
    "src/readouts/extract/state.py",
    "src/readouts/extract/statements.py",
    "src/readouts/gazetteer.py",
    "src/readouts/patterns.py",
    "src/readouts/records.py",
]


class OptionalBuildExt(build_ext):
    """Compiling is an optimisation: a failure falls back to the pure-Python modules.

    An editable install (``pip install -e``) is never compiled: setuptools would put the
    compiled modules into src/readouts/, where they shadow the sources being edited.
    """

    def run(self):
        if getattr(self, "editable_mode", False) or self.inplace:
            print("readouts: editable install: not compiled (the sources in src/ run as they are)",
                  file=sys.stderr)
            return
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001
            print(f"readouts: not compiled ({exc}); using the pure-Python modules", file=sys.stderr)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            print(f"readouts: {ext.name} not compiled ({exc})", file=sys.stderr)


def ext_modules():
    if os.environ.get("READOUTS_PURE") == "1" or {"editable_wheel", "develop"} & set(sys.argv):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    try:
        return mypycify(["--ignore-missing-imports", *COMPILED], opt_level="3")
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a type error must not stop the install
        print(f"readouts: not compiled ({exc}); using the pure-Python modules", file=sys.stderr)
        return []


if __name__ == "__main__":  # setuptools runs this file as __main__; tests import it
    setup(ext_modules=ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
