"""How one file's rows reach the store, all or nothing; and, for a file read in blocks, how
rows two blocks wrote for the same grain are merged.

A file read in blocks (:mod:`data_contracts.blocks`) is aggregated block by block, inside
the file's one transaction. Two blocks can hold events of the same cell, week, day, band and
category (or the same subject there), so :func:`merge_blocks` looks for grains this file
wrote more than once and replaces their rows by one summed row (one distinct subject row):
the store then holds exactly what a whole-file load writes. Grains are nearly all distinct,
so the merge rewrites a handful of rows, not the file.

While a file loads in blocks DuckDB's memory limit is lowered (:data:`LOAD_MEMORY`), so its
share of the process stays bounded (it writes to disk beyond it), until the file is
committed; then (or after a failure) the limit is put back.
"""
from __future__ import annotations

import math

#: DuckDB's memory limit while a file loads in blocks: with a block's own working memory
#: (a few times its 64 MiB) and Python's own, the whole process stays within about 1 GiB.
LOAD_MEMORY = "256MB"
#: ... and while the blocks' rows are merged, when no block is held in memory any more.
MERGE_MEMORY = "512MB"
#: Grains are looked for in parts of about this many rows (by hash), so that grouping 20
#: million rows never needs more than the memory limit in one hash table.
MERGE_PART_ROWS = 4_000_000

#: Per table: its grain (the columns a row is one of) and its summed columns, if any.
_GRAINS = {
    "facts": ("feed, cell, week, dow, band, category, detail, ingest_id",
              "CAST(sum(n) AS INTEGER) AS n, CAST(sum(n_keyed) AS INTEGER) AS n_keyed"),
    "subjects": ("feed, cell, week, dow, band, category, detail, subject, ingest_id", None),
    "environment": ("cell, feature_type, week, ingest_id", "CAST(sum(n) AS INTEGER) AS n"),
}


class FileWrite:
    """How one file's rows reach the store, all or nothing.

    Parameters
    ----------
    con : writable connection (a throwaway one in a dry run).
    blocks : bool
        The file is read in blocks: lower DuckDB's memory limit and merge at the end.
    per_block : bool
        Commit each block as it loads. Only for a private copy of the store that is discarded
        if the load fails (:func:`profiles.store.updating`, as ``lantern ingest`` uses):
        DuckDB keeps an open transaction's rows in memory, so one transaction for a 20-million
        row file would not stay bounded. The ``ingests`` row, which marks a file as loaded,
        is still written in the last transaction with the merge; a failure deletes what the
        earlier blocks committed. Otherwise the whole file is one transaction.
    scratch : bool
        ``con`` is a dry run's throwaway store: each block's rows are dropped once written
        (a dry run reports what validation found; the loaders run only to be checked).
    """

    def __init__(self, con, *, blocks: bool, per_block: bool = False,
                 scratch: bool = False) -> None:
        self.con, self.blocks, self.per_block = con, blocks, per_block and blocks
        self.scratch = scratch and blocks
        self._memory = None
        self._open = False
        if blocks:
            self._memory = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            con.execute(f"SET memory_limit = '{LOAD_MEMORY}'")
        self._begin()     # the file's transaction, or (per block) the first block's

    def block_done(self) -> None:
        """A block's rows are written: commit them when committing per block (in a dry run,
        drop them)."""
        if self.scratch:
            for table in _GRAINS:
                self.con.execute(f"DELETE FROM {table}")
        if self.per_block:
            self._commit()
            self._begin()

    def finish(self, ingest_id: int) -> int:
        """Merge rows of one grain written by different blocks; return how many were merged
        (the caller then records the file and calls :meth:`commit`)."""
        return merge_blocks(self.con, ingest_id) if self.blocks and not self.scratch else 0

    def commit(self) -> None:
        """Commit the file's last transaction, and restore the memory limit."""
        self._commit()
        self._restore()

    def fail(self, ingest_id: int | None) -> None:
        """Roll back; delete what earlier blocks committed; restore the memory limit."""
        if self._open:
            self.con.execute("ROLLBACK")
            self._open = False
        if self.per_block and ingest_id is not None:
            for table in _GRAINS:
                self.con.execute(f"DELETE FROM {table} WHERE ingest_id = ?", [int(ingest_id)])
        self._restore()

    def _begin(self) -> None:
        self.con.execute("BEGIN TRANSACTION")
        self._open = True

    def _commit(self) -> None:
        if self._open:
            self.con.execute("COMMIT")
            self._open = False

    def _restore(self) -> None:
        if self._memory is None:
            return
        self.con.execute("RESET memory_limit")   # the default, unless it was set otherwise
        if self.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] \
                != self._memory:
            self.con.execute(f"SET memory_limit = '{self._memory}'")
        self._memory = None


def merge_blocks(con, ingest_id: int) -> int:
    """Merge rows of one grain that different blocks of one file wrote; return how many.

    Grains seen twice are found by grouping a 64-bit hash of each row's grain (one narrow
    column, quick to group even at 20 million rows, in parts of :data:`MERGE_PART_ROWS`
    rows); only rows with such a hash are grouped
    on the grain itself, so a hash collision merges nothing wrongly. The merged row keeps the
    table's column order; ``week`` may be null in ``environment`` (IS NOT DISTINCT FROM
    matches nulls). DuckDB's limit is raised to :data:`MERGE_MEMORY` meanwhile: the blocks'
    own memory is free by then.
    """
    merged = 0
    con.execute(f"SET memory_limit = '{MERGE_MEMORY}'")
    for table, (grain, sums) in _GRAINS.items():
        columns = [c.strip() for c in grain.split(",")]
        key = f"hash({grain})"
        rows = con.execute(f"SELECT count(*) FROM {table} WHERE ingest_id = ?",
                           [int(ingest_id)]).fetchone()[0]
        parts = max(1, math.ceil(rows / MERGE_PART_ROWS))
        # A subject row two blocks wrote has its facts row's grain written by both as well:
        # only those rows are looked at.
        within = (" AND hash(" + _GRAINS["facts"][0] + ") IN (SELECT h FROM facts_twice)"
                  if table == "subjects" else "")
        con.execute("CREATE OR REPLACE TEMP TABLE twice (h UBIGINT)")
        for part in range(parts if not within else 1):  # each part's hash table fits
            con.execute(f"""INSERT INTO twice SELECT h FROM (
                SELECT {key} AS h FROM {table} WHERE ingest_id = $id{within})
                WHERE h % $parts = $part GROUP BY h HAVING count(*) > 1""",
                        {"id": int(ingest_id), "parts": parts if not within else 1,
                         "part": part})
        if table == "facts":
            con.execute("CREATE OR REPLACE TEMP TABLE facts_twice AS SELECT h FROM twice")
        if not con.execute("SELECT count(*) FROM twice").fetchone()[0]:
            continue
        select = grain + (f", {sums}" if sums else "")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE merged_rows AS
            SELECT {select} FROM {table}
            WHERE ingest_id = $id AND {key} IN (SELECT h FROM twice)
            GROUP BY {grain} HAVING count(*) > 1""", {"id": int(ingest_id)})
        count = con.execute("SELECT count(*) FROM merged_rows").fetchone()[0]
        if count:
            match = " AND ".join(f"t.{c} IS NOT DISTINCT FROM m.{c}" for c in columns)
            con.execute(f"DELETE FROM {table} t USING merged_rows m WHERE {match}")
            order = ", ".join(_columns(con, table))
            con.execute(f"INSERT INTO {table} SELECT {order} FROM merged_rows")
        con.execute("DROP TABLE merged_rows")
        merged += count
    con.execute("DROP TABLE IF EXISTS twice")
    con.execute("DROP TABLE IF EXISTS facts_twice")
    return merged


def _columns(con, table: str) -> list[str]:
    return [row[0] for row in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND NOT internal "
        "AND database_name = current_database() ORDER BY column_index", [table]).fetchall()]
