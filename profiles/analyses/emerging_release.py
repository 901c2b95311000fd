"""Emerging hot spots from released counts: the space-time cube of one audience's release.

:func:`emerging_for` asks :func:`profiles.release.api.release_counts` for one feed's counts per
hexagon and month (``period="month", place="hexagon"``: hexagons one resolution coarser than
the audience's floor; weeks are not released per hexagon) or per hexagon and quarter (at the
floor), lays them on every cell of the study area (cells the release does not show get 0 —
"none shown": none, fewer than the threshold, or pooled into a larger hexagon) and runs
:func:`profiles.analyses.emerging.hotspot_emerging`. The cube therefore holds only released
units, and the categories are exactly as safe as the release.

Choices made for you are those of :mod:`profiles.analyses.hotspot_release` (the force area,
the first and last loaded weeks) and are said in ``notes``. Figures the release shows only
for a larger hexagon, or only over a longer period than a step, belong to no cell-step of the
cube and are left out; the notes say how many.

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> emerging_for(con, "analyst", "on_street", period="week")
Traceback (most recent call last):
...
profiles.analyses.hotspot_release.HotspotRunError: emerging hot spots need a period of month or quarter (hexagons are not released by week), not 'week'
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_contracts.words import agrees, plural
from profiles.analyses.change import FEED_WORDS
from profiles.analyses.hotspot_release import (_TOO_LITTLE_WORDS, HotspotRunError,
                                               _check_settings, _why_not, released_cube)
from profiles.release import ReleasedForAudience, get_policy

#: Periods a cube can be built from: hexagons are released by month and by quarter.
EMERGING_PERIODS = ("month", "quarter")

#: What each kind of category means, in words, for a key or a legend (``{side}`` is hot/cold).
MEANINGS = {
    "new": "a {side} spot at the last {period} for the first time",
    "consecutive": "a {side} spot for the last {period}s in a row (two or more), never before "
                   "that run",
    "intensifying": "a {side} spot in at least 90% of {period}s, the last included, and "
                    "getting stronger",
    "persistent": "a {side} spot in at least 90% of {period}s, the last included, with no "
                  "clear trend",
    "diminishing": "a {side} spot in at least 90% of {period}s, the last included, and "
                   "getting weaker",
    "sporadic": "a {side} spot at the last {period}, and on and off before, never the "
                "opposite",
    "oscillating": "a {side} spot at the last {period}, after being the opposite earlier",
    "historical": "a {side} spot in at least 90% of {period}s, but not at the last",
}


@dataclass
class EmergingRun(ReleasedForAudience):
    """One emerging hot spot analysis of released counts: inputs, settings, choices, results.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per study-area cell: ``h3_id``, ``category``, ``trend_z``, ``trend_p``,
        ``hot_steps``, ``cold_steps``, ``steps``; no counts (see ``cube``).
    cube : pandas.DataFrame
        The zero-filled released counts (cells x period starts) Gi* ran on.
    chosen : dict
        ``area``, ``start``, ``end``, ``resolution`` (of the cube's hexagons), ``study_cells``.
    notes : list of str
    """

    feed: str
    policy: object
    period: str
    k: int
    time_steps: int
    alpha: float
    fdr: bool
    chosen: dict
    cube: pd.DataFrame
    table: pd.DataFrame
    notes: list = field(default_factory=list)

    def category_counts(self) -> pd.DataFrame:
        """Hexagons per category, in the order of :data:`~profiles.analyses.emerging.CATEGORIES`,
        with the meaning in words; categories no hexagon has are left out."""
        from profiles.analyses.emerging import CATEGORIES

        counts = self.table["category"].value_counts()
        rows = []
        for category in CATEGORIES:
            if category in counts:
                rows.append({"category": category, "meaning": category_meaning(
                    category, self.period), "hexagons": int(counts[category])})
        return pd.DataFrame(rows, columns=["category", "meaning", "hexagons"])

    @property
    def summary(self) -> str:
        """The result in plain words."""
        c = self.chosen
        counts = self.table["category"].value_counts()
        found = "; ".join(f"{int(n)} {cat}" for cat, n in counts.items()
                          if cat != "no pattern detected") or "no hexagon shows a pattern"
        return " ".join([
            f"Emerging hot spots of {FEED_WORDS.get(self.feed, self.feed)} in {c['area']}, "
            f"{len(self.cube.columns)} {self.period}s from {c['start']} to {c['end']}, over "
            f"{c['study_cells']} hexagons at H3 resolution {c['resolution']} (neighbours within "
            f"{plural(self.k, 'ring')}"
            + (f" and {plural(self.time_steps, 'earlier ' + self.period)}"
               if self.time_steps else "")
            + f"; {'false discovery rate' if self.fdr else 'unadjusted'} p below "
              f"{self.alpha:g}; ArcGIS's categories): {found}.", *self.notes])


def category_meaning(category: str, period: str = "month") -> str:
    """Return what an emerging hot spot category means, in words.

    Examples
    --------
    >>> category_meaning("new cold spot")
    'a cold spot at the last month for the first time'
    """
    if category == "no pattern detected":
        return "none of the patterns: neither a hot nor a cold spot that fits a rule"
    kind, side, _ = category.split(" ")
    return MEANINGS[kind].format(side=side, period=period)


def emerging_for(con, audience, feed: str, *, period: str = "month", area=None, start=None,
                 end=None, k: int = 1, time_steps: int = 0, alpha: float = 0.05,
                 fdr: bool = True) -> EmergingRun:
    """Return each study-area hexagon's emerging hot spot category from released counts.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
    feed : str
    period : {"month", "quarter"}, default "month"
        The time step of the cube.
    area, start, end
        As for :func:`profiles.analyses.hotspot_release.hotspots_for`.
    k, time_steps, alpha, fdr
        As for :func:`profiles.analyses.emerging.hotspot_emerging`.

    Returns
    -------
    EmergingRun

    Raises
    ------
    HotspotRunError
        For a period other than month or quarter, settings that cannot be used, no study area,
        nothing released, or fewer than 3 periods.
    profiles.release.api.ReleaseError
        If the audience may not see ``feed``, or ``area`` is unknown.
    """
    from profiles.analyses.emerging import hotspot_emerging

    if period not in EMERGING_PERIODS:
        raise HotspotRunError(f"emerging hot spots need a period of month or quarter "
                              f"(hexagons are not released by week), not {period!r}")
    _check_settings(k, alpha)
    released, policy, chosen, notes, starts, cube = released_cube(
        con, get_policy(audience), feed, period, area, start, end,
        left_out=f"in no {period} of the cube")
    if len(starts) < 3:
        raise HotspotRunError(
            f"emerging hot spots need at least 3 {period}s to find a trend, and the "
            f"{policy.name} release shows {len(starts)}; choose more weeks or a shorter period",
            words="Too few periods to find a trend. Choose more weeks.")
    if isinstance(time_steps, bool) or not isinstance(time_steps, (int, np.integer)) \
            or not 0 <= time_steps < len(starts):
        raise HotspotRunError(f"the earlier {period}s in the neighbourhood must be a whole "
                              f"number from 0 to {len(starts) - 1}, not {time_steps!r}")
    if len(starts) < 10:
        notes.append(f"With {len(starts)} {period}s, 90% of the {period}s is all of them.")
    try:
        table = hotspot_emerging(cube, k=k, time_steps=time_steps, alpha=alpha, fdr=fdr)
    except ValueError:
        raise HotspotRunError(f"emerging hot spots cannot be found in what the {policy.name} "
                              f"release shows: {_why_not(cube.iloc[:, 0])}",
                              words=_TOO_LITTLE_WORDS) from None
    undefined = table.attrs["undefined_steps"]
    if undefined:
        notes.append(f"{plural(len(undefined), period)} {agrees(len(undefined), 'shows', 'show')} "
                     f"the same figure in every hexagon "
                     f"(usually none shown), so no hexagon is a hot or cold spot in them.")
    table = table.rename_axis("h3_id").reset_index()
    table = table[["h3_id", "category", "trend_z", "trend_p", "hot_steps", "cold_steps",
                   "steps"]]
    chosen["resolution"] = released.resolution
    return EmergingRun(feed=feed, policy=get_policy(audience),
                       period=period, k=k, time_steps=time_steps, alpha=alpha, fdr=fdr,
                       chosen=chosen, cube=cube, table=table, notes=notes)


__all__ = ["EMERGING_PERIODS", "EmergingRun", "MEANINGS", "category_meaning", "emerging_for"]
