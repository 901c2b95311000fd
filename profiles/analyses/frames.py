"""The picture in motion: one feed's released hexagons period by period, on one fixed scale.

:func:`frames_for` asks :func:`profiles.release.api.release_counts` for a feed's counts per
hexagon and month (or quarter) and returns them as frames for a time player or a grid of small
maps. Every figure is a released unit's figure: a hexagon the release does not show in a period
is simply not in that frame (never a 0), and a figure the release shows only over a longer
period belongs to no frame (the notes say how many). Hexagons the release pools into a larger
hexagon stay in their frame at their own, coarser resolution (``resolution`` says which), so a
reader can draw them apart.

The colour scale is fixed across all frames (:attr:`Frames.breaks`, equal-count class breaks
of every frame's finest-hexagon figures together), so a hexagon that looks darker in one month
than in another *is* higher, and the legend can show the scale once.

Examples
--------
>>> from profiles import store
>>> frames_for(store.connect(":memory:"), "analyst", "on_street", period="week")
Traceback (most recent call last):
...
profiles.analyses.hotspot_release.HotspotRunError: frames are released by month or quarter (hexagons are not released by week), not 'week'
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from profiles.analyses.change import FEED_WORDS
from profiles.analyses.periods import released_series
from profiles.analyses.hotspot_release import HotspotRunError
from profiles.release import ReleasedForAudience

#: The periods a frame can be: hexagons are released by month and by quarter.
FRAME_PERIODS = ("month", "quarter")
#: Colour classes of the fixed scale (the dashboard's six-step viridis).
SCALE_CLASSES = 6


def fixed_breaks(values, k: int = SCALE_CLASSES) -> list[int]:
    """Equal-count class lower bounds of ``values`` (all frames together), at most ``k``.

    >>> fixed_breaks([5, 5, 6, 9, 12, 30, 31, 40], k=4)
    [5, 6, 12, 31]
    >>> fixed_breaks([])
    []
    """
    ordered = sorted(int(v) for v in values)
    if not ordered:
        return []
    k = min(k, len(set(ordered)))
    return sorted({ordered[min(len(ordered) - 1, len(ordered) * i // k)] for i in range(k)})


def class_of(value: int, breaks: list[int]) -> int:
    """The index of the class ``value`` falls in (0 for anything under the first break).

    >>> class_of(13, [5, 6, 12, 31])
    2
    """
    return max([i for i, b in enumerate(breaks) if value >= b] or [0])


@dataclass
class Frames(ReleasedForAudience):
    """A feed's released hexagon figures, one frame per period, with one colour scale.

    Attributes
    ----------
    table : pandas.DataFrame
        ``period_start``, ``h3_id``, ``resolution``, ``count``: released figures only.
    periods : list of datetime.date
        Every period of the window, in order (a period with nothing shown has an empty frame).
    breaks : list of int
        The fixed class breaks of the finest hexagons' figures across every frame.
    resolution : int
        The finest resolution the release shows these hexagons at.
    """

    feed: str
    policy: object
    period: str
    table: pd.DataFrame
    periods: list
    breaks: list
    resolution: int
    notes: list = field(default_factory=list)

    def frame(self, start) -> pd.DataFrame:
        """The released hexagons of the period starting ``start`` (``h3_id``, ``resolution``,
        ``count``); empty when the release shows none in it."""
        rows = self.table[self.table["period_start"] == start]
        return rows[["h3_id", "resolution", "count"]].reset_index(drop=True)

    def label(self, start) -> str:
        """``Mar 2025`` for a month, ``Jan–Mar 2025`` for a quarter."""
        start = pd.Timestamp(start)
        if self.period == "month":
            return f"{start:%b %Y}"
        end = start + pd.DateOffset(months=2)
        return f"{start:%b}–{end:%b %Y}"


def frames_for(con, audience, feed: str, *, period: str = "month", area=None, start=None,
               end=None) -> Frames:
    """Return ``feed``'s released hexagon figures for ``audience``, period by period.

    Raises
    ------
    HotspotRunError
        For a period other than month or quarter.
    profiles.release.api.ReleaseError
        If the audience may not see ``feed``, or ``area`` is unknown.
    """
    if period not in FRAME_PERIODS:
        raise HotspotRunError(f"frames are released by month or quarter (hexagons are not "
                              f"released by week), not {period!r}")
    series = released_series(con, audience, feed, period=period, area=area, start=start,
                             end=end, place="hexagon")
    policy, released, frame, longer = series.policy, series.released, series.frame, series.longer
    table = pd.DataFrame({"period_start": pd.to_datetime(frame["period_start"]).dt.date,
                          "h3_id": frame["h3_id"].astype(str),
                          "resolution": frame["resolution"].astype(int),
                          "count": frame["count"].astype(int)})
    table = table.groupby(["period_start", "h3_id", "resolution"], as_index=False)["count"].sum()
    table = table.sort_values(["period_start", "h3_id"]).reset_index(drop=True)
    periods = series.starts
    finest = table[table["resolution"] == released.resolution]["count"]
    notes = []
    if longer:
        notes.append(f"{longer:,} {FEED_WORDS.get(feed, feed)} are shown only over periods "
                     f"longer than a {period} and are in no frame.")
    pooled = table[table["resolution"] < released.resolution]
    if len(pooled):
        notes.append(f"{len(pooled):,} figures are for larger hexagons (places with too few to "
                     f"show one by one, combined); they are drawn grey, off the scale.")
    return Frames(feed=feed, policy=policy, period=period, table=table, periods=periods,
                  breaks=fixed_breaks(finest), resolution=int(released.resolution),
                  notes=notes)


__all__ = ["FRAME_PERIODS", "Frames", "class_of", "fixed_breaks", "frames_for"]
