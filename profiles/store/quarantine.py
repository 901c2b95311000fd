"""The quarantine report of one file: every bad value, for the data owner, written as it is found.

The report is a CSV beside the database (file, row, column, value, reason), readable by its
owner only (0600, in a 0700 folder: it quotes the rejected values), opened when the
first problem arrives and appended to block by block, so a large file's problems never sit in
memory all at once. The store keeps only counts by column and reason (:attr:`counts`).
"""
from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path

from data_contracts.cell_safety import safe_cell
from data_contracts.private_files import open_private, private_dir


#: The report's columns, as :meth:`data_contracts.errors.Problem.as_dict` names them.
COLUMNS = ("file", "row", "column", "value", "reason")


class QuarantineReport:
    """Problems of one file, as they are found.

    Parameters
    ----------
    directory : path
        Where the report goes (made when the first problem arrives).
    feed, path, sha : str
        Name the report ``<feed>-<file stem>-<first 8 of the SHA-256>.csv``. When the hash
        is not known yet (a file hashed as its blocks are read), the report is written under
        a provisional name and takes its name in :meth:`close`.
    """

    def __init__(self, directory, feed: str, path, sha: str | None) -> None:
        self._name = (Path(directory), feed, Path(path).stem)
        self.path = self._named(sha) if sha else \
            Path(directory) / f".{feed}-{Path(path).stem}-{os.getpid()}.partial.csv"
        self.rows = 0            # rows with at least one problem
        self.first = None        # the first problem (the file's lowest row)
        self.counts: dict = {}   # (column, reason) -> problems
        self._fh = self._writer = None
        # the file, column and reason repeat from row to row (a reason's detail may quote
        # the value, so the cache is bounded)
        self._safe = lru_cache(maxsize=4096)(safe_cell)

    def add(self, problems: list, rows: int) -> None:
        """Record one block's problems (in row order) naming ``rows`` distinct rows."""
        if not problems:
            return
        if self._writer is None:
            private_dir(self.path.parent)
            self._fh = open_private(self.path, "w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(COLUMNS)
            self.first = problems[0]
        # Every cell is made safe: the file name and the value both come from the partner.
        once, counts = self._safe, self.counts
        lines = []
        for p in problems:
            lines.append((once(p.file), p.row, once(p.column), safe_cell(p.value),
                          once(p.report_reason)))
            counts[(p.column, p.reason)] = counts.get((p.column, p.reason), 0) + 1
        self._writer.writerows(lines)
        self.rows += rows

    def close(self, sha: str | None = None) -> str | None:
        """Finish the report (named for ``sha`` if it was provisional); return its path, or
        None when the file had no problem."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            if sha and self.path != self._named(sha):
                self.path = self.path.replace(self._named(sha))
        return str(self.path) if self._writer is not None else None

    def discard(self) -> None:
        """Close and delete the report (the load stopped part-way, or was not needed)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._writer is not None:
            self.path.unlink(missing_ok=True)
            self._writer = None

    def _named(self, sha: str) -> Path:
        directory, feed, stem = self._name
        return directory / f"{feed}-{stem}-{sha[:8]}.csv"

    def by_count(self) -> list[tuple[str, str, int]]:
        """(column, reason, problems), most frequent first (ties by column, then reason)."""
        return sorted(((c, r, n) for (c, r), n in self.counts.items()),
                      key=lambda t: (-t[2], t[0], t[1]))

    def lines(self, limit: int = 8) -> list[str]:
        """The most frequent reasons in words, for a dry run's summary."""
        top = self.by_count()
        lines = [f"quarantined {n:,} ({column}): {reason}" for column, reason, n in top[:limit]]
        if len(top) > limit:
            lines.append(f"... and {len(top) - limit} other reasons (see the quarantine report)")
        return lines


def write_quarantine_report(checked, directory, sha: str) -> Path:
    """Write one validated file's problems as CSV (file, row, column, value, reason); return
    its path."""
    report = QuarantineReport(directory, checked.feed, checked.path, sha)
    report.add(checked.problems, checked.n_quarantined)
    report.close()
    return report.path
