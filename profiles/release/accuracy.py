"""Utility, measured: how close the released figures are to the truth, per view family.

For each audience and event feed, and for each *view family* - the force by quarter, month
and week, each area by month, and each floor hexagon by quarter - this compares the figures
users read (through :func:`~profiles.release.api.release_counts`, exactly as the pages ask)
with the true counts in the store:

    accuracy = 1 - sum(|shown - true|) / sum(true)

over the views whose truth holds at least the audience's threshold of *people* (the views
that plain blanking at the view's own grain would show). A view shown as nothing counts as
shown 0, so for suppression this is the share shown.

Who may read it: it is computed from the unprotected store, so it is a tool for the policy
owner; it shows only ratios to two decimals, never counts, places or periods.

Examples
--------
>>> from profiles import store
>>> accuracy_table(store.connect(":memory:"), audiences=["partnership"]).empty
True
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from profiles import store
from profiles.release.audiences import get_policy, load_policies
from profiles.release.request import EVENT_FEEDS

FAMILIES = ("force x quarter", "force x month", "force x week", "area x month",
            "floor hexagon x quarter")
#: The targets of each family (the least accuracy allowed where a feed has >= 5 views).
TARGETS = {"force x quarter": 0.9, "force x month": 0.9, "force x week": 0.8,
           "area x month": 0.8, "floor hexagon x quarter": 0.8}
MIN_VIEWS = 5


def _truth(con, feed: str, *, grain: str, floor: int | None = None, areas: bool = False
           ) -> pd.DataFrame:
    """True events and people per view key (place, period start) of one family."""
    if grain == "week":
        period = "week"
    else:
        period = {"month": "date_trunc('month', week)",
                  "quarter": "date_trunc('quarter', week)"}[grain]
    if areas:
        place, join = "a.area_id", "JOIN area_cells a ON a.cell = f.cell"
    elif floor is not None:
        place, join = f"CAST(h3_parent(f.cell, {int(floor)}) AS UBIGINT)", ""
    else:
        place, join = "0", ""
    per = "week" if grain == "week" else period
    sql = f"""
        WITH e AS (SELECT {place} AS place, CAST({per} AS DATE) AS period,
                          sum(n) AS events, sum(n - n_keyed) AS anon
                   FROM facts f {join} WHERE feed = ? GROUP BY ALL),
             s AS (SELECT {place} AS place, CAST({per} AS DATE) AS period,
                          count(DISTINCT subject) AS keyed
                   FROM subjects f {join} WHERE feed = ? GROUP BY ALL)
        SELECT e.place, e.period, e.events, e.anon + coalesce(s.keyed, 0) AS people
        FROM e LEFT JOIN s USING (place, period)"""
    return store.cursor(con).execute(sql, [feed, feed]).df()


def _shown(con, policy, feed, family: str, areas: pd.DataFrame) -> pd.Series:
    """Released figures of one family, indexed like :func:`_truth` (place, period)."""
    from profiles.release.api import release_counts

    if family.startswith("force"):
        period = family.split(" x ")[1]
        frame = release_counts(con, policy, feed, period=period).frame
        frame = frame[frame["period_grain"] == period]
        got = frame.groupby("period_start")["count"].sum()
        return pd.Series(got.to_numpy(), index=pd.MultiIndex.from_arrays(
            [np.zeros(len(got), dtype=np.int64), pd.to_datetime(got.index)]))
    if family == "area x month":
        parts = []
        for area_id, name in zip(areas["area_id"], areas["name"]):
            frame = release_counts(con, policy, feed, period="month", area=name).frame
            frame = frame[frame["period_grain"] == "month"]
            got = frame.groupby("period_start")["count"].sum()
            parts.append(pd.Series(got.to_numpy(), index=pd.MultiIndex.from_arrays(
                [np.full(len(got), area_id, dtype=np.int64), pd.to_datetime(got.index)])))
        return pd.concat(parts) if parts else pd.Series(dtype=np.int64)
    floor = policy.floor_for(feed)
    frame = release_counts(con, policy, feed, period="quarter", place="hexagon").frame
    frame = frame[(frame["period_grain"] == "quarter") & (frame["resolution"] == floor)]
    got = frame.groupby(["cell", "period_start"])["count"].sum()
    return pd.Series(got.to_numpy(), index=pd.MultiIndex.from_arrays(
        [got.index.get_level_values(0).astype(np.uint64),
         pd.to_datetime(got.index.get_level_values(1))]))


def family_accuracy(con, policy, feed: str, family: str) -> tuple[float | None, int]:
    """Return (accuracy, number of eligible views) of one family; None when none is."""
    if family == "area x month":
        truth = _truth(con, feed, grain="month", areas=True)
    elif family == "floor hexagon x quarter":
        truth = _truth(con, feed, grain="quarter", floor=policy.floor_for(feed))
        truth["place"] = truth["place"].astype(np.uint64)
    else:
        truth = _truth(con, feed, grain=family.split(" x ")[1])
    truth = truth[truth["people"] >= policy.threshold]
    if truth.empty:
        return None, 0
    areas = store.cursor(con).execute("SELECT area_id, name FROM areas").df()
    shown = _shown(con, policy, feed, family, areas)
    index = pd.MultiIndex.from_arrays([truth["place"].to_numpy(),
                                       pd.to_datetime(truth["period"])])
    got = shown.reindex(index).fillna(0).to_numpy(np.float64)
    true = truth["events"].to_numpy(np.float64)
    return float(1 - np.abs(got - true).sum() / true.sum()), int(len(truth))


def accuracy_table(con, *, audiences=None, feeds=None) -> pd.DataFrame:
    """Return ``audience, feed, family, accuracy, views`` for every audience and feed."""
    names = list(audiences) if audiences is not None else list(load_policies())
    rows = []
    loaded = {r[0] for r in store.cursor(con).execute(
        "SELECT DISTINCT feed FROM facts").fetchall()}
    for name in names:
        policy = get_policy(name)
        for feed in feeds or EVENT_FEEDS:
            if not policy.may_see(feed) or feed not in loaded:
                continue
            for family in FAMILIES:
                acc, views = family_accuracy(con, policy, feed, family)
                rows.append({"audience": name, "feed": feed, "family": family,
                             "accuracy": acc, "views": views})
    return pd.DataFrame(rows, columns=["audience", "feed", "family", "accuracy", "views"])


def misses(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of an :func:`accuracy_table` under their family's target (>= 5 views)."""
    if table.empty:
        return table
    target = table["family"].map(TARGETS)
    return table[(table["views"] >= MIN_VIEWS) & (table["accuracy"] < target)]


def as_text(table: pd.DataFrame) -> str:
    """The table as one line per audience and feed, a column per family (``-``: no views)."""
    if table.empty:
        return "No event feeds are loaded."
    wide = table.assign(cell=[("-" if a is None or v == 0 else f"{a:.2f}")
                              + ("" if v >= MIN_VIEWS or v == 0 else "*")
                              for a, v in zip(table["accuracy"], table["views"])]) \
        .pivot_table(index=["audience", "feed"], columns="family", values="cell",
                     aggfunc="first")[list(FAMILIES)]
    head = ["audience", "feed", *FAMILIES]
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for (audience, feed), row in wide.iterrows():
        lines.append(" | ".join([audience, feed, *[str(row[f]) for f in FAMILIES]]))
    lines.append("(* fewer than 5 views: no target)")
    return "\n".join(lines)


__all__ = ["FAMILIES", "TARGETS", "accuracy_table", "as_text", "family_accuracy", "misses"]
