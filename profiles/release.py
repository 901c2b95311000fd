"""The release layer: THE ONLY WAY numbers leave the store, for an audience.

Every figure the dashboard, the CLI or an export shows comes from :func:`release_counts` (or
the small reference-data releases below it), which applies the audience's policy from
:mod:`profiles.audiences`:

* cells are shown no finer than the audience's resolution floor;
* a count is shown only when the number of *people or premises* behind it (distinct keyed
  subjects, plus events without a subject key, each taken as a different person) reaches the
  threshold; smaller groups are not shown at all — not even as "suppressed", since a blank
  cell among zeros would itself say "1 to 4 here";
* shown counts are rounded to the audience's rounding base.

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> release_counts(con, "partnership", "on_street").frame.empty
True
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.cells import cells_to_str
from profiles import store
from profiles.audiences import BREAKDOWNS, Policy, PolicyError, get_policy

PERIODS = ("week", "month", "quarter", "all")
_BY_COLUMN = {"category": "category", "detail": "detail", "band": "band", "dow": "dow"}
_PERIOD_SQL = {
    "week": "week",
    "month": "CAST(date_trunc('month', week) AS DATE)",
    "quarter": "CAST(date_trunc('quarter', week) AS DATE)",
    "all": "DATE '1970-01-01'",
}


class ReleaseError(ValueError):
    """A release was asked for something the audience may not see, or that does not exist."""


@dataclass
class ReleasedTable:
    """Released counts for one audience and feed.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per released cell and period: ``h3_id`` (string), ``cell`` (uint64),
        ``resolution``, ``period_start`` (date), the requested breakdown columns, ``count``.
    policy : Policy
    feed, period : str
    by : tuple of str
    """

    frame: pd.DataFrame
    policy: Policy
    feed: str
    period: str
    by: tuple = ()
    area: str | None = None
    notes: list = field(default_factory=list)

    @property
    def total(self) -> int:
        """Sum of the released counts (itself built only from released values)."""
        return int(self.frame["count"].sum()) if len(self.frame) else 0

    @property
    def statement(self) -> str:
        """The plain-words disclosure statement for this release's audience."""
        return disclosure_statement(self.policy)


def _policy(audience) -> Policy:
    return audience if isinstance(audience, Policy) else get_policy(audience)


def release_counts(con, audience, feed: str, *, period: str = "week", by=(), area=None,
                   start: dt.date | None = None, end: dt.date | None = None) -> ReleasedTable:
    """Return the counts of ``feed`` that ``audience`` may see.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
        ``partnership``, ``command`` or ``analyst`` (or a Policy).
    feed : str
        A feed the audience may see.
    period : {"week", "month", "quarter", "all"}
        Weeks are assigned to the month and quarter their Monday falls in.
    by : sequence of {"category", "detail", "band", "dow"}
        Breakdowns; each must be allowed for the audience.
    area : str or int, optional
        An area name or id from the ``areas`` feed; default the whole force.
    start, end : date, optional
        Only weeks whose Monday is in [start, end].

    Returns
    -------
    ReleasedTable

    Raises
    ------
    ReleaseError
        For a feed, breakdown, period or area the audience may not see or that is unknown.
    PolicyError
        For an unknown audience.
    """
    policy = _policy(audience)
    by = tuple(by)
    if not policy.may_see(feed):
        raise ReleaseError(f"audience {policy.name!r} may not see feed {feed!r}; it may see: "
                           f"{', '.join(policy.feeds)}")
    if period not in PERIODS:
        raise ReleaseError(f"period= must be one of {', '.join(PERIODS)}, not {period!r}")
    for b in by:
        if b not in BREAKDOWNS:
            raise ReleaseError(f"by= takes {', '.join(BREAKDOWNS)}, not {b!r}")
        if b not in policy.breakdowns:
            raise ReleaseError(f"audience {policy.name!r} may not see the {b!r} breakdown; "
                               f"it may see: {', '.join(policy.breakdowns) or 'none'}")
    area_id = resolve_area(con, area) if area is not None else None
    frame = _aggregate(con, policy, feed, period, by, area_id, start, end)
    frame = frame[frame["units"] >= policy.threshold].copy()
    frame["count"] = round_counts(frame["n"].to_numpy(), policy.rounding_base)
    frame = frame[frame["count"] > 0]
    frame.insert(0, "h3_id", cells_to_str(frame["cell"]))
    frame["resolution"] = policy.resolution_floor
    cols = ["h3_id", "cell", "resolution", "period_start", *by, "count"]
    frame = frame[cols].sort_values(["period_start", "h3_id", *by]).reset_index(drop=True)
    return ReleasedTable(frame, policy, feed, period, by,
                         area=str(area) if area is not None else None)


def round_counts(values, base: int) -> np.ndarray:
    """Round counts to the nearest multiple of ``base`` (halves up); base 1 leaves them.

    Examples
    --------
    >>> round_counts([5, 7, 8, 12, 13], 5).tolist()
    [5, 5, 10, 10, 15]
    """
    values = np.asarray(values, dtype=np.int64)
    if base <= 1:
        return values
    return (np.floor(values / base + 0.5) * base).astype(np.int64)


def _aggregate(con, policy: Policy, feed: str, period: str, by: tuple, area_id, start, end):
    floor = int(policy.resolution_floor)
    cols = "".join(f", {_BY_COLUMN[b]}" for b in by)
    where = ["feed = ?"]
    params: list = [feed]
    if area_id is not None:
        where.append("cell IN (SELECT cell FROM area_cells WHERE area_id = ?)")
        params.append(int(area_id))
    if start is not None:
        where.append("week >= ?")
        params.append(pd.Timestamp(start).date())
    if end is not None:
        where.append("week <= ?")
        params.append(pd.Timestamp(end).date())
    cond = " AND ".join(where)
    pexpr = _PERIOD_SQL[period]
    sql = f"""
    WITH f AS (
        SELECT h3_parent(cell, {floor}) AS cell, {pexpr} AS period_start{cols},
               sum(n) AS n, sum(n - n_keyed) AS anon
        FROM facts WHERE {cond} GROUP BY ALL),
    s AS (
        SELECT h3_parent(cell, {floor}) AS cell, {pexpr} AS period_start{cols},
               count(DISTINCT subject) AS subj
        FROM subjects WHERE {cond} GROUP BY ALL)
    SELECT CAST(f.cell AS BIGINT) AS cell, f.period_start{''.join(f', f.{_BY_COLUMN[b]}' for b in by)},
           CAST(f.n AS BIGINT) AS n, CAST(f.anon + coalesce(s.subj, 0) AS BIGINT) AS units
    FROM f LEFT JOIN s USING (cell, period_start{cols})
    """
    frame = store.cursor(con).execute(sql, params + params).df()
    frame["cell"] = frame["cell"].astype("uint64")  # DuckDB hands UBIGINT to pandas as float
    if len(frame):
        frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


def resolve_area(con, area) -> int:
    """Return the id of an area given by name or id; refuse an unknown one."""
    rows = con.execute("SELECT area_id, name FROM areas ORDER BY area_id").fetchall()
    for area_id, name in rows:
        if str(area) == name or str(area) == str(area_id):
            return int(area_id)
    known = ", ".join(repr(n) for _, n in rows) or "none loaded"
    raise ReleaseError(f"unknown area {area!r}; areas are: {known}")


def disclosure_statement(policy: Policy) -> str:
    """Return the plain-words statement of the disclosure control applied for ``policy``."""
    parts = [f"{policy.marking}. Figures are for the {policy.label.lower()} audience."]
    parts.append(f"Counts are shown only where at least {policy.threshold} people or premises "
                 f"lie behind them; smaller groups are not shown.")
    parts.append(f"Places are shown as hexagons no smaller than H3 resolution "
                 f"{policy.resolution_floor}.")
    if policy.rounding_base > 1:
        parts.append(f"Counts are rounded to the nearest {policy.rounding_base}.")
    parts.append("Nothing here identifies a person or a premises.")
    return " ".join(parts)


def release_areas(con) -> pd.DataFrame:
    """Return the loaded areas (id, name, type, number of base cells). Areas are public."""
    return con.execute("""SELECT a.area_id, a.name, a.area_type, count(c.cell) AS cells
                          FROM areas a LEFT JOIN area_cells c USING (area_id)
                          GROUP BY ALL ORDER BY a.area_type, a.name""").df()


def release_area_cells(con, area, audience) -> list[str]:
    """Return the string ids of an area's cells at the audience's resolution floor."""
    policy = _policy(audience)
    area_id = resolve_area(con, area)
    rows = con.execute(f"SELECT DISTINCT h3_parent(cell, {int(policy.resolution_floor)}) "
                       f"FROM area_cells WHERE area_id = ?", [area_id]).fetchall()
    return cells_to_str(sorted(r[0] for r in rows))


def release_periods(con) -> list[dt.date]:
    """Return the weeks (Mondays) that hold any data, oldest first."""
    rows = con.execute("SELECT DISTINCT week FROM facts ORDER BY week").fetchall()
    return [r[0] for r in rows]


__all__ = ["PERIODS", "PolicyError", "ReleaseError", "ReleasedTable", "disclosure_statement",
           "release_area_cells", "release_areas", "release_counts", "release_periods",
           "resolve_area", "round_counts"]
