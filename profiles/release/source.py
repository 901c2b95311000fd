"""Opening the store for reading: the connection every released figure is drawn from.

Callers above the release layer (the dashboard, the CLI's read commands, the pack) hold a
connection only to hand it back to release functions; they never query it. These helpers
are the one place they get it from, so none of them imports the store.
"""
from __future__ import annotations

from profiles import store


def open_read_only(path=None):
    """Return a read-only connection to the store at ``path`` (default: ``$LANTERN_DB``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty.duckdb"
    >>> store.connect(path).close()
    >>> is_synthetic(open_read_only(path))
    False
    """
    return store.connect(store.default_db_path() if path is None else path, read_only=True)


def open_snapshot(path):
    """Return a read-only connection to the snapshot of ``path`` that ingests never change.

    A load swaps in a new file; a server holding a snapshot keeps reading the one it opened
    until :func:`store_version` says the file changed.
    """
    return store.connect(store.snapshot_path(path), read_only=True)


def store_version(path) -> tuple:
    """Return what changes when a load swaps in a new store file at ``path``."""
    return store.file_version(path)


def default_db_path():
    """Return the database path: ``$LANTERN_DB`` or ``./lantern.duckdb``."""
    return store.default_db_path()


def cursor(con):
    """Return a cursor on ``con`` for one script run or thread."""
    return store.cursor(con)


def is_synthetic(con) -> bool:
    """Return whether the store holds the synthetic demo data (every screen then says so)."""
    return store.is_synthetic(con)
