"""Opening a store for reading only (the web UI): ``connect`` refuses a database whose schema is
older than this readouts (``readouts ingest`` upgrades it), so every table of docs/SCHEMA.md is there."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from readouts.store import SCHEMA_VERSION, open_readonly

__all__ = ["OldSchema", "connect"]


class OldSchema(RuntimeError):
    """A database written by an older readouts."""


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the database read-only (the file must exist; a read-only copy will do)."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no database at {path} (run 'readouts ingest' first)")
    conn = open_readonly(p)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version < SCHEMA_VERSION:
        conn.close()
        raise OldSchema(f"{path} has schema version {version}, older than this readouts ({SCHEMA_VERSION}): "
                        "run 'readouts ingest' (any input) on it once to upgrade it")
    return conn
