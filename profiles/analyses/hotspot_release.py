"""Hotspots from released counts: the glue between a release and :mod:`profiles.analyses.hotspots`.

:func:`hotspots_for` and :func:`classify_for` ask :func:`profiles.release.api.release_counts` for
one audience's counts, lay them on every cell of the study area at the audience's resolution
floor (cells the release does not show get 0 — "none shown": none, or fewer than the
threshold), and run Gi* (:func:`profiles.analyses.hotspots.hotspot_gistar`) or the pattern over time
(:func:`profiles.analyses.hotspots.hotspot_classify`). The statistics therefore see only what the
audience may see, and are exactly as safe as its release.

Choices made for you (``None`` means "choose for me", and the result says what it chose):

* ``area=None``: the force area (the one area of type ``force``); with none loaded, every
  loaded area together. The study area is that area's cells at the audience's resolution
  floor (:func:`profiles.release.api.release_area_cells`), plus any cell the release shows outside
  it.
* ``start=None`` / ``end=None``: the first / last loaded week.
* Figures a release shows only for a larger hexagon than the floor (a disclosure roll-up:
  quiet places pooled together) cannot be placed on the floor grid; they are left out, which
  reads those places as quiet, and the result says how many events that was. Patterns over
  time likewise leave out figures shown only over a longer period than the one asked for.

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> hotspots_for(con, "analyst", "on_street")
Traceback (most recent call last):
...
profiles.analyses.hotspot_release.HotspotRunError: no areas are loaded, so there is no study area; load the areas feed first (lantern ingest areas FILE)
"""
from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_contracts.words import agrees, plural
from profiles.release import PlainWordsError
from profiles.release import ReleasedForAudience, get_policy
from profiles.analyses.change import FEED_WORDS
from profiles.analyses.periods import TREND_PERIODS, released_series


class HotspotRunError(PlainWordsError):
    """Hotspots could not be computed for this audience, feed, area and weeks."""


@dataclass
class HotspotRun(ReleasedForAudience):
    """One Gi* run on released counts: inputs, parameters, choices made, and results.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per study-area cell, hottest first: ``h3_id``, ``count`` (released; 0 = none
        shown), ``n_neighbours``, ``z``, ``p``, ``p_adjusted``, ``hotspot``
        (``hot``/``cold``/``none``).
    counts : pandas.Series
        The zero-filled released counts Gi* was run on, indexed by ``h3_id``.
    chosen : dict
        What was used for arguments left to default: ``area``, ``start``, ``end``,
        ``resolution`` (the audience's floor), ``study_cells``.
    notes : list of str
        The same choices and any caveats, in words.
    """

    feed: str
    policy: object
    area: object
    start: object
    end: object
    k: int
    alpha: float
    fdr: bool
    chosen: dict
    counts: pd.Series
    table: pd.DataFrame
    notes: list = field(default_factory=list)

    @property
    def hot_cells(self) -> list:
        """``h3_id`` of the cells labelled ``hot``, hottest first."""
        return self.table.loc[self.table["hotspot"] == "hot", "h3_id"].tolist()

    @property
    def cold_cells(self) -> list:
        """``h3_id`` of the cells labelled ``cold``."""
        return self.table.loc[self.table["hotspot"] == "cold", "h3_id"].tolist()

    @property
    def summary(self) -> str:
        """The result in plain words."""
        words = FEED_WORDS.get(self.feed, self.feed)
        c = self.chosen
        hot, cold = len(self.hot_cells), len(self.cold_cells)
        text = (f"Getis-Ord Gi* hotspots of {words} in {c['area']}, {c['start']} to "
                f"{c['end']}, over {c['study_cells']} cells at H3 resolution "
                f"{c['resolution']} (neighbours within {plural(self.k, 'ring')}; "
                f"{'false discovery rate' if self.fdr else 'unadjusted'} p below "
                f"{self.alpha:g}): {hot} hot and {plural(cold, 'cold cell')}.")
        return " ".join([text, *self.notes])


def hotspots_for(con, audience, feed: str, *, area=None, start=None, end=None, k: int = 1,
                 alpha: float = 0.05, fdr: bool = True) -> HotspotRun:
    """Return Gi* hotspots of ``feed`` from ``audience``'s released counts.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
    feed : str
        A feed the audience may see, e.g. ``on_street``.
    area : str or int, optional
        The study area (name or id); default the force area (see the module notes).
    start, end : date, optional
        Only weeks whose Monday is in [start, end]; default all loaded weeks.
    k, alpha, fdr
        As for :func:`profiles.analyses.hotspots.hotspot_gistar`.

    Returns
    -------
    HotspotRun

    Raises
    ------
    HotspotRunError
        If no study area can be found, or nothing (or no variation) is released to test.
    profiles.release.api.ReleaseError
        If the audience may not see ``feed``, or ``area`` is unknown.
    """
    from profiles.analyses.hotspots import hotspot_gistar

    policy = get_policy(audience)
    _check_settings(k, alpha)
    released = released_series(con, policy, feed, period="all", area=area, start=start,
                               end=end).released
    by_cell, chosen, notes, _ = _grid(con, policy, feed, released.frame, area, start, end)
    if not (by_cell > 0).any():
        raise HotspotRunError(_nothing_message(policy, feed, chosen),
                              words=_NOTHING_WORDS)
    try:
        table = hotspot_gistar(by_cell, k=k, alpha=alpha, fdr=fdr)
    except ValueError:
        raise HotspotRunError(f"Gi* cannot run on what the {policy.name} release shows for "
                              f"{chosen['area']}: {_why_not(by_cell)}",
                              words=_TOO_LITTLE_WORDS) from None
    table = table.rename_axis("h3_id").reset_index()
    table = table[["h3_id", "count", "n_neighbours", "z", "p", "p_adjusted", "hotspot"]]
    table["count"] = table["count"].astype(np.int64)
    order = np.lexsort((table["h3_id"].to_numpy(), -np.nan_to_num(table["z"], nan=-np.inf)))
    table = table.iloc[order].reset_index(drop=True)
    return HotspotRun(feed=feed, policy=policy, area=area, start=start, end=end, k=k,
                      alpha=alpha, fdr=fdr, chosen=chosen, counts=by_cell, table=table,
                      notes=notes)


def released_cube(con, policy, feed: str, period: str, area, start, end, *, left_out: str):
    """The study area's released hexagon counts, one column per period: what Gi* runs on
    period by period (:func:`classify_for`, :func:`profiles.analyses.emerging_for`).

    Cells the release does not show in a period get 0; figures shown only over a longer
    period, or only for a larger hexagon, belong to no cell-period and are left out (the notes
    say how many: "... are shown only over periods longer than a month and are
    ``left_out``").

    Returns
    -------
    tuple
        ``(released, policy, chosen, notes, starts, cube)``: the ReleasedTable, the policy
        with the cube's resolution as its floor, the choices made, the notes, every period
        start, and the zero-filled cube (index ``h3_id``, columns ``period_start``).

    Raises
    ------
    HotspotRunError
        When no study area can be found, or nothing at all is released.
    """
    series = released_series(con, policy, feed, period=period, area=area, start=start, end=end,
                             place="hexagon")
    released, frame, longer, starts = series.released, series.frame, series.longer, series.starts
    policy = dataclasses.replace(policy, resolution_floor=released.resolution)
    _, chosen, notes, cells = _grid(con, policy, feed, frame, area, start, end)
    if longer:
        notes.append(f"{longer:,} {FEED_WORDS.get(feed, feed)} are shown only over periods "
                     f"longer than a {period} and are {left_out}.")
    floor = frame[frame["resolution"] == policy.resolution_floor]
    cube = floor.pivot_table(index="h3_id", columns="period_start", values="count",
                             aggfunc="sum")
    cube = cube.reindex(index=cells, columns=starts).fillna(0)
    cube.index.name, cube.columns.name = "h3_id", "period_start"
    if not (cube.to_numpy() > 0).any():
        raise HotspotRunError(_nothing_message(policy, feed, chosen), words=_NOTHING_WORDS)
    return released, policy, chosen, notes, starts, cube


def classify_for(con, audience, feed: str, *, period: str = "month", area=None, start=None,
                 end=None, recent: int | None = 3, k: int = 1, alpha: float = 0.05,
                 fdr: bool = True) -> pd.DataFrame:
    """Return each study-area cell's hot/cold-spot pattern over periods of released counts.

    Gi* runs on every period from the first to the last loaded week (within ``start``/``end``);
    the rules are those of :func:`profiles.analyses.hotspots.hotspot_classify`.

    Parameters
    ----------
    con, audience, feed, area, start, end, k, alpha, fdr
        As for :func:`hotspots_for`.
    period : {"week", "month", "quarter", "year"}, default "month"
    recent : int or None, default 3
        The recent window, in periods. None chooses for you: 3, or one fewer than the
        periods when there are no more than 3 (the notes say so).

    Returns
    -------
    pandas.DataFrame
        ``h3_id``, ``pattern``, ``hot_periods``, ``cold_periods``, ``periods``, ``total``
        (sum of the released counts over the periods). ``attrs`` holds ``audience``, ``feed``,
        ``period``, ``recent``, ``k``, ``alpha``, ``fdr``, ``chosen``, ``notes``,
        ``period_starts``, ``undefined_periods`` and ``statement``.

    Raises
    ------
    HotspotRunError
        If ``period`` is not a trend period, no study area can be found, nothing is released,
        or there are not more periods than ``recent``.
    """
    from profiles.analyses.hotspots import hotspot_classify

    policy = get_policy(audience)
    if period not in TREND_PERIODS:
        raise HotspotRunError(f"patterns over time need a period of "
                              f"{', '.join(TREND_PERIODS)}, not {period!r}")
    _check_settings(k, alpha)
    released, policy, chosen, notes, starts, wide = released_cube(
        con, policy, feed, period, area, start, end, left_out=f"not in any {period}'s Gi*")
    if recent is None:
        recent = max(1, min(3, len(starts) - 1))
        notes.append(f"The recent window is the last {plural(recent, period)} of the "
                     f"{len(starts)} shown.")
    if isinstance(recent, bool) or not isinstance(recent, (int, np.integer)) \
            or not 1 <= recent < len(starts):
        raise HotspotRunError(
            f"hot-spot patterns cannot be found in what the {policy.name} release shows "
            f"({len(starts)} {period}s): the recent window must be a whole number of "
            f"{period}s from 1 to one fewer than the {period}s shown "
            f"({max(0, len(starts) - 1)}), not {recent!r}; choose a shorter window, a "
            f"shorter period or more weeks")
    try:
        table = hotspot_classify(wide, k=k, alpha=alpha, fdr=fdr, recent=recent)
    except ValueError:
        raise HotspotRunError(f"hot-spot patterns cannot be found in what the {policy.name} "
                              f"release shows ({len(starts)} {period}s): "
                              f"{_why_not(wide.iloc[:, 0])}",
                              words=_TOO_LITTLE_WORDS) from None
    attrs = dict(table.attrs)
    table = table.rename_axis("h3_id").reset_index()
    table["total"] = wide.sum(axis=1).to_numpy().astype(np.int64)
    table.attrs.update(attrs, audience=policy.name, feed=feed, period=period, chosen=chosen,
                       notes=notes, period_starts=starts, statement=released.statement)
    return table


def pattern_key(table: pd.DataFrame) -> pd.DataFrame:
    """Return what each hot/cold-spot pattern in ``table`` means, and how many cells have it.

    ``table`` is what :func:`classify_for` returns. The meanings use its own settings: the
    number of periods, the period, the recent window and the share needed to be persistent.

    Returns
    -------
    pandas.DataFrame
        ``pattern``, ``meaning`` (in words, with the number of periods it takes) and
        ``hexagons``, in the order of :data:`profiles.analyses.hotspots.PATTERNS`, patterns
        no cell has left out.
    """
    from profiles.analyses.hotspots import PATTERNS

    a = table.attrs
    n = len(a.get("period_starts", ())) or int(table["periods"].max())
    unit, recent = a.get("period", "period"), int(a.get("recent", 1))
    need = int(np.ceil(a.get("persistent_share", 0.8) * n - 1e-9))
    words = {
        "persistent": f"a {{side}} spot in at least {need} of the {n} {unit}s",
        "emerging": f"a {{side}} spot in the last {plural(recent, unit)} and in none before",
        "former": f"a {{side}} spot before the last {plural(recent, unit)} and in none of "
                  f"them",
        "intermittent": f"a {{side}} spot both before and within the last "
                        f"{plural(recent, unit)}, but in fewer than {need} of the {n}",
    }
    counts = table["pattern"].value_counts()
    rows = []
    for pattern in PATTERNS:
        if pattern not in counts:
            continue
        if pattern == "mixed":
            meaning = f"a hot spot in some {unit}s and a cold spot in others"
        elif pattern == "no pattern":
            meaning = f"neither a hot nor a cold spot in any of the {n} {unit}s"
        else:
            kind, side = pattern.split(" ")
            meaning = words[kind].format(side=side)
        rows.append({"pattern": pattern, "meaning": meaning,
                     "hexagons": int(counts[pattern])})
    return pd.DataFrame(rows, columns=["pattern", "meaning", "hexagons"])


def _grid(con, policy, feed, frame, area, start, end):
    """Return (zero-filled counts by h3_id, chosen, notes, study cells) for a release."""
    from profiles.release import release_periods

    cells, area_name, notes = _study_cells(con, policy, area)
    floor_rows = frame["resolution"] == policy.resolution_floor
    coarse = frame[~floor_rows]
    if len(coarse):
        notes.append(f"{int(coarse['count'].sum()):,} {FEED_WORDS.get(feed, feed)} are shown "
                     f"only for hexagons larger than H3 resolution {policy.resolution_floor} "
                     f"(quiet places pooled together) and are not on the grid Gi* uses.")
    shown = frame.loc[floor_rows, ["h3_id", "count"]]
    outside = sorted(set(shown["h3_id"]) - set(cells))
    if outside:
        notes.append(f"{plural(len(outside), 'cell')} with released counts "
                     f"{agrees(len(outside), 'lies', 'lie')} outside {area_name}; "
                     f"they are included in the study area.")
        cells = sorted(set(cells) | set(outside))
    counts = shown.groupby("h3_id")["count"].sum().reindex(cells, fill_value=0)
    counts.index.name = "h3_id"
    weeks = release_periods(con)
    chosen = {"area": area_name,
              "start": pd.Timestamp(start).date() if start is not None
              else (weeks[0] if weeks else None),
              "end": pd.Timestamp(end).date() if end is not None
              else (weeks[-1] if weeks else None),
              "resolution": policy.resolution_floor, "study_cells": len(cells)}
    if start is None:
        notes.append(f"No first week chosen: from the first loaded week, {chosen['start']}.")
    if end is None:
        notes.append(f"No last week chosen: to the last loaded week, {chosen['end']}.")
    notes.append(f"Cells with no figure shown to the {policy.label.lower()} audience count as 0 "
                 f"(none, fewer than {policy.threshold}, or pooled into a larger hexagon).")
    return counts, chosen, notes, cells


def _study_cells(con, policy, area):
    """Return (study cells at the floor, the area's name, notes)."""
    from profiles.release import release_area_cells, release_areas, study_areas

    if area is not None:
        areas = release_areas(con)
        match = areas[(areas["name"] == str(area)) | (areas["area_id"].astype(str) == str(area))]
        name = match["name"].iloc[0] if len(match) else str(area)
        return release_area_cells(con, area, policy), name, []
    areas, force = study_areas(con, HotspotRunError)
    if len(force) == 1:
        name = force["name"].iloc[0]
        cells = release_area_cells(con, name, policy)
        return cells, name, [f"No area chosen: the force area, {name} ({len(cells)} cells "
                             f"at H3 resolution {policy.resolution_floor})."]
    cells = sorted({c for a in areas["area_id"] for c in release_area_cells(con, a, policy)})
    return cells, "all loaded areas", [f"No area chosen and no single force area is loaded: "
                                       f"every loaded area together ({len(cells)} cells)."]


_NOTHING_WORDS = ("Too few to show here for this audience, so there is nothing to find "
                  "hotspots in. Choose more weeks or a larger area.")
_TOO_LITTLE_WORDS = ("Too few places can be shown here to tell hotspots from chance. Choose "
                     "more weeks or a larger area.")


def _check_settings(k, alpha) -> None:
    """Refuse, in plain words, neighbour rings or a significance level that cannot be used."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise HotspotRunError(f"the neighbour rings must be a whole number, 1 or more, not "
                              f"{k!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise HotspotRunError(f"the significance level must be a number between 0 and 1, "
                              f"e.g. 0.05, not {alpha!r}")


def _why_not(counts) -> str:
    """Why Gi* is undefined on ``counts``, in plain words."""
    if len(counts) < 3:
        return (f"the study area has {plural(len(counts), 'hexagon')} and Gi* needs at least 3; "
                f"choose a larger area")
    return ("every hexagon shows the same figure, so there is nothing to compare; widen the "
            "dates or choose a larger area")


def _nothing_message(policy, feed, chosen) -> str:
    return (f"no {FEED_WORDS.get(feed, feed)} can be shown to the {policy.name} audience in "
            f"{chosen['area']} from {chosen['start']} to {chosen['end']}, so there is nothing "
            f"to find hotspots in; widen the dates or choose a larger area")


__all__ = ["HotspotRun", "HotspotRunError", "classify_for", "hotspots_for", "pattern_key"]
