"""Shared test helpers: the CLI as a real process, another user for permission tests.

Markers (registered in pyproject.toml): ``slow`` (seconds of real processes or a large
corpus), ``browser`` (headless Chromium), ``gate`` (the quality gate on the shared evaluation
set). ``python -m pytest -m "not slow and not browser"`` runs the quick part.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

NOBODY = 65534


def readouts_command(*args: object) -> list[str]:
    """The ``readouts`` command line, run with this interpreter."""
    return [sys.executable, "-m", "readouts", *(os.fsdecode(a) if isinstance(a, bytes) else str(a) for a in args)]


def run_cli(*args: object, user: int | None = None, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run ``readouts ARGS`` as a real process (as ``user`` when given: needs root)."""
    command = readouts_command(*args)
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, **kwargs)


@pytest.fixture
def unprivileged() -> Callable[..., subprocess.CompletedProcess]:
    """Run the CLI as a user that file permissions apply to: ``nobody`` when the tests run as
    root (CI does; root reads and writes everything), else the current user."""
    if os.geteuid() != 0:
        return run_cli
    if shutil.which("setpriv") is None:
        pytest.fail("tests run as root need setpriv (util-linux) to drop privileges")
    _check_unprivileged_python()
    return lambda *args, **kw: run_cli(*args, user=NOBODY, **kw)


_PROBED: list[str] = []


def _check_unprivileged_python() -> None:
    """The unprivileged user must be able to run this interpreter and import this checkout."""
    if not _PROBED:
        probe = subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable, "-c",
             "import readouts.cli"], capture_output=True, text=True, timeout=120)
        _PROBED.append(probe.stderr.strip() if probe.returncode else "")
    if _PROBED[0]:
        pytest.fail(f"user nobody cannot run {sys.executable} with this checkout (a folder on the way is "
                    f"private?): {_PROBED[0][-300:]}")


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder other users can enter (pytest's tmp_path is private to its owner)."""
    path = Path(tempfile.mkdtemp(prefix="readouts-test-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for p in [path, *path.rglob("*")]:
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(path)


def give_to_unprivileged(*paths: Path) -> None:
    """Make paths writable by the user of ``unprivileged`` (a no-op when not root)."""
    if os.geteuid() == 0:
        for p in paths:
            os.chown(p, NOBODY, NOBODY)


def make_read_only(paths: Sequence[Path]) -> None:
    """Files 0444 and folders 0555: nobody but root may change them."""
    for p in paths:
        p.chmod(0o555 if p.is_dir() else 0o444)
