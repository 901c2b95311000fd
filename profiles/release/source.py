"""Opening the store for reading: the connection every released figure is drawn from.

Callers above the release layer (the dashboard, the CLI's read commands, the pack) hold a
connection only to hand it back to release functions; they never query it. These helpers
are the one place they get it from, so none of them imports the store.
"""
from __future__ import annotations

import os

from profiles import store
from profiles.store import StoreTooOld  # noqa: F401 - refused stores, said by the callers

#: DuckDB's memory limit for a reading connection unless ``$LANTERN_DB_MEMORY`` says otherwise
#: (DuckDB's own default is 80% of the machine's memory, which a server shares with Streamlit
#: and every session). Queries that need more spill to disk.
DEFAULT_MEMORY = "1GB"


def read_settings(environ=None) -> dict:
    """Return the DuckDB settings of a reading connection: ``memory_limit`` from
    ``$LANTERN_DB_MEMORY`` (default :data:`DEFAULT_MEMORY`) and, when set,
    ``threads`` from ``$LANTERN_DB_THREADS``.

    Examples
    --------
    >>> read_settings({})
    {'memory_limit': '1GB'}
    >>> read_settings({"LANTERN_DB_MEMORY": "512MB", "LANTERN_DB_THREADS": "1"})
    {'memory_limit': '512MB', 'threads': 1}
    >>> read_settings({"LANTERN_DB_THREADS": "two"})
    Traceback (most recent call last):
    ...
    ValueError: LANTERN_DB_THREADS must be a whole number of threads, e.g. 2, not 'two'
    """
    environ = os.environ if environ is None else environ
    out = {"memory_limit": environ.get("LANTERN_DB_MEMORY") or DEFAULT_MEMORY}
    threads = environ.get("LANTERN_DB_THREADS")
    if threads:
        if not threads.strip().isdigit() or int(threads) < 1:
            raise ValueError(f"LANTERN_DB_THREADS must be a whole number of threads, e.g. 2, "
                             f"not {threads!r}")
        out["threads"] = int(threads)
    return out


def _limited(con):
    """Apply :func:`read_settings` to ``con``'s database instance and return ``con``."""
    for name, value in read_settings().items():
        try:
            store.set_option(con, name, value)
        except ValueError:
            raise ValueError(f"LANTERN_DB_{name.split('_')[0].upper()} is {value!r}, which the "
                             f"database does not accept; give e.g. "
                             f"{'1GB' if name == 'memory_limit' else '2'}") from None
    return con


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
    return _limited(store.connect(store.default_db_path() if path is None else path,
                                  read_only=True))


def open_snapshot(path):
    """Return a read-only connection to the snapshot of ``path`` that ingests never change.

    A load swaps in a new file; a server holding a snapshot keeps reading the one it opened
    until :func:`store_version` says the file changed. DuckDB's memory (and, if set, its
    threads) are bounded by :func:`read_settings`.
    """
    return _limited(store.connect(store.snapshot_path(path), read_only=True))


def remove_leftover_copies(path) -> list:
    """Remove the full copies of the store at ``path`` that ended processes left behind (see
    :func:`profiles.store.remove_leftovers`); return ``(path, kind)`` pairs, kind
    ``"snapshot"`` or ``"update"``. ``lantern serve`` calls it at start and records each in
    the audit log."""
    return [(p, store.leftover_kind(p)) for p in store.remove_leftovers(path)]


def close_snapshots() -> list:
    """Remove the snapshot links (and any unfinished update copy) this process made; the
    server calls it as it shuts down, so no copy of the store outlives it."""
    return store.remove_own_copies()


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
