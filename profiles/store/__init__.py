"""The write side: the DuckDB schema and connection, ingest, copy-and-swap, keyed hashes.

Only :mod:`profiles.release` (to read) and the write paths (``lantern ingest`` and
``lantern demo`` in :mod:`profiles.cli`, and the dashboard's loader for analysts,
:mod:`dashboard.loading`, through :func:`load_files`) import this package; an import contract in the test
suite holds that, so every figure that leaves the store passes through the release layer.

The store holds aggregated facts only: no coordinates, exact times, names, free text,
addresses or raw references are ever written (see :mod:`profiles.store.database`).
"""
from profiles.store.database import (DEFAULT_DB, SCHEMA_VERSION, TIME_BANDS, StoreTooOld,
                                     base_resolution,
                                     connect, cursor, default_db_path, fetch_row, get_meta,
                                     is_synthetic, set_meta, set_option,
                                     table_names)
from profiles.store.keys import keyed_hashes, load_key
from profiles.store.swap import (connect_snapshot, file_version, leftover_kind,
                                 remove_leftovers, remove_own_copies, snapshot_path, updating)
from profiles.store.ingest import IngestOptions, IngestResult, force_extent, ingest_file
from profiles.store.demo import build_demo
from profiles.store.loading import FileLoad, default_quarantine_dir, load_files
from profiles.store.retention import retain_store

__all__ = ["DEFAULT_DB", "SCHEMA_VERSION", "TIME_BANDS", "FileLoad", "IngestOptions",
           "IngestResult", "StoreTooOld",
           "base_resolution", "build_demo", "connect", "connect_snapshot", "cursor",
           "default_db_path", "default_quarantine_dir", "fetch_row", "file_version",
           "force_extent", "get_meta", "ingest_file", "is_synthetic", "keyed_hashes",
           "leftover_kind", "load_files", "load_key", "remove_leftovers", "remove_own_copies",
           "retain_store", "set_meta", "set_option", "snapshot_path", "table_names",
           "updating"]
