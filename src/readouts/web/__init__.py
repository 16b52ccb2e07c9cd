"""Explore a readouts database in the browser: ``readouts serve`` (see ``readouts.web.app``)."""
from __future__ import annotations

__all__ = ["create_app"]


def create_app(db_path):  # noqa: ANN001, ANN201 - lazy import keeps the CLI fast
    from readouts.web.app import create_app as _create_app

    return _create_app(db_path)
