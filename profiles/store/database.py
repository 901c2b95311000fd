"""The DuckDB store: aggregated facts only.

Tables
------
``facts``           feed, cell (H3 uint64 at the base resolution), week (Monday of the ISO
                    week), dow (0 = Monday), band (night/morning/afternoon/evening/unknown),
                    category, detail, n (count), n_keyed (how many of n carried a subject
                    key), ingest_id
``subjects``        the same grain plus ``subject``: a keyed hash (64 bits, UBIGINT) of a
                    pseudonymous subject or premises reference, one row per distinct subject,
                    so thresholds can count people or premises rather than rows
``environment``     cell, feature_type, week (NULL for standing features), n, ingest_id
``outreach_sites``  cell, site_type, days (7-bit mask, bit 0 = Monday), opens/closes (minutes
                    after midnight), confidential, ingest_id
``areas`` / ``area_cells``   area name and type, and the base-resolution cells covering it
``area_shapes``              each area's outline (public boundary data, simplified to a
                             tolerance in whole metres that suits its size), GeoJSON text
``ingests``         one row per loaded file: feed, file name, SHA-256, counts read / loaded /
                    quarantined / excluded / flagged, the day it was loaded
``quarantine``      per ingest: column, reason and count of quarantined values (never values)
``meta``            key/value: schema version, base resolution, synthetic flag, and the
                    secret release salt behind every unit's cell key (never shown)

Never stored: coordinates, exact timestamps, names, free text, addresses, raw references.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import duckdb

from data_contracts.private_files import make_private
from geo.cells import BASE_RESOLUTION

#: The store's layout. 3 (Lantern 0.4): a random secret release salt in ``meta``, behind every
#: unit's cell key. 2 (0.3): ``subjects.subject`` the 64-bit keyed hash as UBIGINT, not hex.
#: A store of an earlier version is refused until ``lantern migrate`` brings it up to date.
SCHEMA_VERSION = "3"
DEFAULT_DB = "lantern.duckdb"
TIME_BANDS = ("night", "morning", "afternoon", "evening", "unknown")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE SEQUENCE IF NOT EXISTS ingest_seq START 1;
CREATE TABLE IF NOT EXISTS ingests (
    ingest_id INTEGER PRIMARY KEY, feed VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL UNIQUE, file_format VARCHAR NOT NULL, loaded_on DATE NOT NULL,
    rows_read BIGINT NOT NULL, rows_loaded BIGINT NOT NULL, rows_quarantined BIGINT NOT NULL,
    rows_excluded BIGINT NOT NULL, rows_flagged BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS facts (
    feed VARCHAR NOT NULL, cell UBIGINT NOT NULL, week DATE NOT NULL, dow TINYINT NOT NULL,
    band VARCHAR NOT NULL, category VARCHAR NOT NULL, detail VARCHAR NOT NULL,
    n INTEGER NOT NULL, n_keyed INTEGER NOT NULL, ingest_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS subjects (
    feed VARCHAR NOT NULL, cell UBIGINT NOT NULL, week DATE NOT NULL, dow TINYINT NOT NULL,
    band VARCHAR NOT NULL, category VARCHAR NOT NULL, detail VARCHAR NOT NULL,
    subject UBIGINT NOT NULL, ingest_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS environment (
    cell UBIGINT NOT NULL, feature_type VARCHAR NOT NULL, week DATE, n INTEGER NOT NULL,
    ingest_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outreach_sites (
    cell UBIGINT NOT NULL, site_type VARCHAR NOT NULL, days TINYINT NOT NULL,
    opens SMALLINT NOT NULL, closes SMALLINT NOT NULL, confidential BOOLEAN NOT NULL,
    ingest_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS areas (
    area_id INTEGER NOT NULL, name VARCHAR NOT NULL, area_type VARCHAR NOT NULL,
    ingest_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS area_cells (area_id INTEGER NOT NULL, cell UBIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS area_shapes (
    area_id INTEGER NOT NULL, outline VARCHAR NOT NULL, tolerance_m INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS quarantine (
    ingest_id INTEGER NOT NULL, column_name VARCHAR NOT NULL, reason VARCHAR NOT NULL,
    n BIGINT NOT NULL);
"""

#: H3 parent by bit arithmetic on uint64 ids (same as geo.cells.cells_to_parents).
_MACROS = """
CREATE OR REPLACE TEMP MACRO h3_res(c) AS CAST((c >> 52) & 15 AS INTEGER);
CREATE OR REPLACE TEMP MACRO h3_parent(c, r) AS
    CASE WHEN h3_res(c) <= r THEN c ELSE
    ((c & ~(CAST(15 AS UBIGINT) << 52)) | (CAST(r AS UBIGINT) << 52)
     | ((CAST(1 AS UBIGINT) << (3 * (15 - r))) - CAST(1 AS UBIGINT))) END;
"""


def default_db_path() -> Path:
    """Return the database path: ``$LANTERN_DB`` or ``./lantern.duckdb``."""
    return Path(os.environ.get("LANTERN_DB") or DEFAULT_DB)


class StoreTooOld(Exception):
    """The store was written by an earlier Lantern: ``lantern migrate`` brings it up to date."""

    def __init__(self, path, found: int):
        self.path, self.found = str(path), int(found)
        super().__init__(
            f"{path} was written by an earlier Lantern (store layout {found}; this version "
            f"reads layout {SCHEMA_VERSION}). Run `lantern migrate --db {path}`: it backs the "
            f"store up first, then brings it up to date in one step, figures unchanged.")


def stored_version(con) -> int | None:
    """The layout version a store records (``meta.schema_version``), or None when it records
    none (an empty file, or tables made outside Lantern)."""
    try:
        row = fetch_row(con, "SELECT value FROM meta WHERE key = 'schema_version'")
    except duckdb.CatalogException:
        return None
    return int(row[0]) if row else None


def connect(path=None, *, read_only: bool = False,
            migrating: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, when writable, create or migrate) the store.

    Parameters
    ----------
    path : str or Path, optional
        Database file; default :func:`default_db_path`. ``":memory:"`` for a throwaway store.
    read_only : bool
        Open without write access (the dashboard does).

    Returns
    -------
    duckdb.DuckDBPyConnection
        With the ``h3_res`` and ``h3_parent`` macros defined. A file it creates is made
        readable by its owner only (0600, with its ``.wal``), whatever the umask: it holds
        the counts before disclosure control.

    Raises
    ------
    FileNotFoundError
        When ``read_only`` and the file does not exist (say how to build it).
    StoreTooOld
        When the store was written by an earlier Lantern (unless ``migrating``: only
        :func:`profiles.store.migrate.migrate_store` opens it so).
    """
    path = str(path or default_db_path())
    existed = path != ":memory:" and Path(path).exists()
    if read_only and path != ":memory:" and not existed:
        raise FileNotFoundError(
            f"no Lantern database at {path}; build the demo with `lantern demo --no-serve` "
            f"or load feeds with `lantern ingest FEED FILE`")
    con = duckdb.connect(path, read_only=read_only)
    # no progress bar: a long load's queries would draw one into the CLI's summary
    con.execute("SET enable_progress_bar = false")
    if existed and not migrating:
        found = stored_version(con)
        if found is not None and found < int(SCHEMA_VERSION):
            con.close()
            raise StoreTooOld(path, found)
    if not read_only:
        con.execute(_SCHEMA)
        if migrating:
            _migrate(con)
        con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?), "
                    "('base_resolution', ?), ('release_salt', ?)",
                    [SCHEMA_VERSION, str(BASE_RESOLUTION), secrets.token_hex(16)])
        if path != ":memory:":
            make_private(path, f"{path}.wal")
    con.execute(_MACROS)
    return con


def _migrate(con) -> None:
    """The layout changes of earlier versions, on a writable ``con`` being migrated.

    Version 1 held ``subjects.subject`` as 16 hex characters; version 2 holds the same 64 bits
    as UBIGINT (half the space, and faster to write). Version 3 adds the release salt, which
    :func:`connect` writes (a random one) where there is none. The version itself is set by
    :func:`profiles.store.migrate.migrate_store` once every step has run.
    """
    kind = fetch_row(con, "SELECT data_type FROM information_schema.columns WHERE "
                          "table_name = 'subjects' AND column_name = 'subject'")
    if kind and kind[0] == "VARCHAR":
        con.execute("ALTER TABLE subjects ALTER COLUMN subject TYPE UBIGINT "
                    "USING CAST('0x' || subject AS UBIGINT)")


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Return a cursor (its own connection to the same database) with the macros defined."""
    cur = con.cursor()
    cur.execute(_MACROS)
    return cur


#: DuckDB settings :func:`set_option` may change (those of a reading connection).
OPTIONS = ("memory_limit", "threads")


def set_option(con, name: str, value) -> None:
    """Set a DuckDB setting of ``con``'s database instance (one of :data:`OPTIONS`).

    Raises
    ------
    ValueError
        When ``name`` is not one of :data:`OPTIONS`, or DuckDB refuses ``value``.
    """
    if name not in OPTIONS:
        raise ValueError(f"{name!r} is not a setting Lantern changes; use one of {OPTIONS}")
    try:
        con.execute(f"SET {name} = ?", [value])
    except duckdb.Error as exc:
        raise ValueError(f"DuckDB refused {name} = {value!r}: {exc}") from None


def base_resolution(con) -> int:
    """Return the store's base H3 resolution."""
    row = fetch_row(con, "SELECT value FROM meta WHERE key = 'base_resolution'")
    return int(row[0]) if row else BASE_RESOLUTION


def get_meta(con, key: str, default: str | None = None) -> str | None:
    """Return a ``meta`` value, or ``default``."""
    try:
        row = fetch_row(con, "SELECT value FROM meta WHERE key = ?", [key])
    except duckdb.CatalogException:
        return default
    return row[0] if row else default


def set_meta(con, key: str, value: str) -> None:
    """Set a ``meta`` value."""
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, str(value)])


def is_synthetic(con) -> bool:
    """Return True when the store was built from Lantern's synthetic town."""
    return get_meta(con, "synthetic", "false") == "true"


def remove_synthetic(db_path, refusal: str) -> None:
    """Remove the synthetic store at ``db_path`` (and its WAL), if there is one, so that it
    can be built again; a store of real data is never removed.

    Raises
    ------
    FileExistsError
        ``"<db_path> <refusal>"`` when ``db_path`` holds a store that is not synthetic.
    """
    db_path = Path(db_path)
    if not db_path.exists():
        return
    con = connect(db_path, read_only=True)
    synthetic = is_synthetic(con)
    con.close()
    if not synthetic:
        raise FileExistsError(f"{db_path} {refusal}")
    db_path.unlink()
    Path(f"{db_path}.wal").unlink(missing_ok=True)


def table_names(con) -> list[str]:
    """Return the names of the store's tables."""
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "ORDER BY table_name").fetchall()]


def fetch_row(con, sql: str, params=None):
    """Run ``sql`` and return its first row (or None), finishing the result.

    DuckDB 2 refuses further work on a connection whose last result was not fully fetched,
    so ``fetchone()`` is never used on its own.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None
