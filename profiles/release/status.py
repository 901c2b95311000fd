"""What is loaded: feeds, weeks covered, ingests and quarantine counts.

Row counts are operational metadata, but they are counts all the same: for an audience they are
shown through that audience's threshold and rounding (``fewer than 5``), never raw.
"""
from __future__ import annotations

import datetime as dt

from dataclasses import dataclass

import pandas as pd

from profiles import store
from profiles.release.caps import in_force
from profiles.release.audiences import Policy, get_policy
from profiles.release.disclosure import round_counts

_COUNT_COLUMNS = ("rows_read", "rows_loaded", "rows_quarantined", "rows_excluded",
                  "rows_flagged", "n")


def mask_count(n: int, policy: Policy) -> str:
    """Return ``n`` as the audience may see it: rounded, or ``fewer than T``; 0 stays 0."""
    n = int(n)
    if n == 0:
        return "0"
    if n < policy.threshold:
        return f"fewer than {policy.threshold}"
    return f"{int(round_counts([n], policy.rounding_base)[0]):,}"


@dataclass
class DataStatus:
    """Loaded feeds (``feeds``), files (``ingests``) and quarantine reasons (``quarantine``)."""

    feeds: pd.DataFrame
    ingests: pd.DataFrame
    quarantine: pd.DataFrame
    synthetic: bool
    audience: str | None = None
    retention: str = ""

    @property
    def empty(self) -> bool:
        """True when nothing has been loaded yet."""
        return self.ingests.empty

    @property
    def not_loaded(self) -> list[str]:
        """The feeds with no file loaded, in contract order."""
        from data_contracts.feeds import FEEDS

        have = set(self.feeds["feed"]) if len(self.feeds) else set()
        return [f for f in FEEDS if f not in have]

    def as_text(self) -> str:
        """Return the status as plain text (for ``lantern status``)."""
        if self.empty:
            return ("Nothing is loaded yet. Load feeds with `lantern ingest FEED FILE...` "
                    "(areas first), or build the synthetic demo with `lantern demo --no-serve`.")
        lines = []
        if self.synthetic:
            lines.append("SYNTHETIC DEMONSTRATION DATA — not real people or places.")
        lines.append("Feeds:")
        for r in self.feeds.itertuples():
            span = (f"weeks {r.first_week} to {r.last_week}" if isinstance(r.first_week, str)
                    else "reference data (no weeks)")
            lines.append(f"  {r.feed:<20} {span}  files {r.files}")
        if self.retention:
            lines.append(self.retention)
        if self.not_loaded:
            lines.append("Not loaded (no file yet, so their figures read 'not loaded', never "
                         "0): " + ", ".join(self.not_loaded))
        lines.append("Files loaded:")
        for r in self.ingests.itertuples():
            lines.append(f"  #{r.ingest_id} {r.feed:<20} {r.file_name}  on {r.loaded_on}: "
                         f"read {r.rows_read}, loaded {r.rows_loaded}, "
                         f"quarantined {r.rows_quarantined}, excluded {r.rows_excluded}, "
                         f"flagged {r.rows_flagged}")
        if not self.quarantine.empty:
            lines.append("Quarantine reasons:")
            for r in self.quarantine.itertuples():
                lines.append(f"  #{r.ingest_id} {r.column_name}: {r.reason} ({r.n})")
        return "\n".join(lines)


def landed_file_hashes(con) -> set[str]:
    """Return the SHA-256 of every file whose load landed (for ``lantern audit``).

    File hashes are not figures about people; they let the audit log name a recorded load
    whose swap never happened.
    """
    return {row[0] for row in store.cursor(con).execute(
        "SELECT file_sha256 FROM ingests").fetchall()}


def data_status(con, audience=None) -> DataStatus:
    """Return what is loaded. With ``audience``, counts are masked by its policy."""
    ingests = con.execute(
        "SELECT ingest_id, feed, file_name, file_format, CAST(loaded_on AS VARCHAR) AS loaded_on, rows_read, rows_loaded, "
        "rows_quarantined, rows_excluded, rows_flagged FROM ingests ORDER BY ingest_id").df()
    weeks = con.execute(
        "SELECT feed, CAST(min(week) AS VARCHAR) AS first_week, "
        "CAST(max(week) AS VARCHAR) AS last_week FROM facts GROUP BY feed "
        "UNION ALL SELECT 'environment', CAST(min(week) AS VARCHAR), CAST(max(week) AS VARCHAR) "
        "FROM environment WHERE EXISTS (SELECT 1 FROM environment)").df()
    files = ingests.groupby("feed").size().rename("files").reset_index() if len(ingests) else \
        pd.DataFrame({"feed": [], "files": []})
    feeds = files.merge(weeks, on="feed", how="left").sort_values("feed").reset_index(drop=True)
    quarantine = con.execute("SELECT ingest_id, column_name, reason, n FROM quarantine "
                             "ORDER BY ingest_id, n DESC").df()
    if audience is not None:
        policy = get_policy(audience)
        for frame in (ingests, quarantine):
            for col in _COUNT_COLUMNS:
                if col in frame:
                    frame[col] = [mask_count(v, policy) for v in frame[col]]
        audience = policy.name
    return DataStatus(feeds, ingests, quarantine, store.is_synthetic(con), audience,
                      retention_words(con))


def retention_words(con) -> str:
    """The retention policy in words, with the oldest subject hash still linked to the key
    (to the month: hashes are not figures about people, but their weeks need not show)."""
    months = store.get_meta(con, "retention_months")
    before = store.get_meta(con, "retention_frozen_before")
    since = before or "0001-01-01"
    row = store.fetch_row(con, "SELECT min(week) FROM subjects WHERE week >= CAST(? AS DATE)",
                          [since])
    oldest = f"{row[0]:%B %Y}" if row and row[0] else "none"
    if not months:
        return (f"Retention: no retention run yet (it runs after each load); oldest subject "
                f"hash kept: {oldest}." + _held_words(con))
    cut = dt.date.fromisoformat(before) if before else None
    return (f"Retention: subject hashes kept {months} months"
            + (f"; those before {cut.day} {cut:%B %Y} are cut loose from the key" if cut else "")
            + f"; oldest subject hash kept: {oldest}." + _held_words(con))


def _held_words(con) -> str:
    return (" Since the last erasure, released figures are held at or below what they were "
            "until the next load." if in_force(store.cursor(con)) else "")
