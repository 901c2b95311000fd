"""Upgrades: bring a store written by an earlier Lantern up to this version's layout.

A store records its layout (``meta.schema_version``, :data:`SCHEMA_VERSION`). One written by an
earlier version is refused by :func:`profiles.store.connect` with this command named, until
:func:`migrate_store` (``lantern migrate``) has

1. made a backup beside it (:func:`profiles.store.backup.backup_store`: the store and its audit
   log, with a manifest; the key stays where it is), and then
2. changed a private copy and swapped it in (:func:`profiles.store.updating`): the whole
   migration lands at once or not at all, and readers keep the old file until it has.

What changes, by version: 1 -> 2 the subject hashes from hex text to 64-bit integers (the same
bits); 2 -> 3 a random secret release salt (Lantern 0.4's cell keys). No count, hexagon, week,
area or hash changes: every table's rows are the same after as before.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from profiles.store import database as store

#: The tables whose rows a migration must leave exactly as they were.
KEPT_TABLES = ("facts", "subjects", "environment", "outreach_sites", "areas", "area_cells",
               "area_shapes", "ingests", "quarantine")


@dataclass(frozen=True)
class Migrated:
    """What ``lantern migrate`` did (no figure, no key: safe for the audit log)."""

    db: str
    found: int | None
    now: int
    backup: str | None

    def as_text(self) -> str:
        """Plain words for the CLI."""
        if self.found is None or self.found >= self.now:
            return f"{self.db} is already at layout {self.now}: nothing to migrate."
        return (f"{self.db} migrated from layout {self.found} to {self.now}. A backup of it "
                f"as it was is in {self.backup} (restore it with `lantern restore "
                f"{self.backup}` if ever needed); every table's rows are unchanged.")


def version_of(db) -> int | None:
    """The layout version the store at ``db`` records (None for none), read without refusing."""
    con = store.connect(db, read_only=True, migrating=True)
    try:
        return store.stored_version(con)
    finally:
        con.close()


def table_digest(con) -> dict:
    """Row count and an order-independent checksum of every kept table (what must not
    change)."""
    out = {}
    names = set(store.table_names(con))
    for table in KEPT_TABLES:
        if table not in names:
            continue
        cols = [c if (table, kind) != ("subjects", "VARCHAR") or c != "subject" else
                "CAST('0x' || subject AS UBIGINT)"      # layout 1: the same bits as text
                for c, kind in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = ? ORDER BY ordinal_position", [table]).fetchall()]
        row = con.execute(f"SELECT count(*), coalesce(bit_xor(hash({', '.join(cols)})), 0) "
                          f"FROM {table}").fetchone()
        out[table] = (int(row[0]), int(row[1]))
    return out


def migrate_store(db, *, backup_dir=None, wait: float = 60.0) -> Migrated:
    """Back the store at ``db`` up, then bring it to :data:`SCHEMA_VERSION` in one swap.

    Parameters
    ----------
    db : path of the store
    backup_dir : path, optional
        A new folder for the backup; default ``<db>.before-migrate-<YYYYMMDD-HHMMSS>`` beside
        the store.
    wait : float
        Seconds to wait for an ingest in progress (as ``lantern backup``).

    Raises
    ------
    FileNotFoundError
        When there is no store at ``db``.
    profiles.store.backup.BackupError
        When the backup cannot be made (nothing is migrated then).
    RuntimeError
        When a migrated table's rows would differ (nothing is swapped in then).
    """
    from profiles.store.backup import backup_store
    from profiles.store.swap import updating

    db = Path(db)
    if not db.is_file():
        raise FileNotFoundError(f"no Lantern database at {db}; name it with --db")
    now = int(store.SCHEMA_VERSION)
    con = store.connect(db, read_only=True, migrating=True)
    try:
        found = store.stored_version(con)
        if found is not None and found >= now:
            return Migrated(str(db), found, now, None)
        before = table_digest(con)
    finally:
        con.close()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = Path(backup_dir) if backup_dir else db.with_name(
        f"{db.name}.before-migrate-{stamp}")
    backup_store(db, backup, wait=wait)
    with updating(db, migrating=True) as con:
        con.execute("BEGIN TRANSACTION")
        store.set_meta(con, "schema_version", store.SCHEMA_VERSION)
        after = table_digest(con)
        # the subjects' type change keeps the same 64 bits; tables a layout adds start empty
        changed = sorted([t for t in before if after.get(t) != before[t]]
                         + [t for t in after if t not in before and after[t][0]])
        if changed:
            con.execute("ROLLBACK")
            raise RuntimeError(f"migration would change the rows of {', '.join(changed)}; "
                               f"nothing was changed (the backup is in {backup})")
        con.execute("COMMIT")
    return Migrated(str(db), found, now, str(backup))


__all__ = ["KEPT_TABLES", "Migrated", "migrate_store", "table_digest", "version_of"]
