"""Outreach reach against need: where need is recorded and outreach contacts are few or none.

*Need* in a cell is the sum of the released counts of the need feeds (by default on-street
activity reports and harm reports); *reach* is the released count of outreach contacts. Both
come from :func:`profiles.release.api.release_counts` for one audience over the same weeks, so the
analysis is exactly as safe as that audience's release.

A hexagon a release does not show is **not** a zero: it holds none, or fewer than the
audience's threshold, or its figure is pooled into a larger hexagon the release shows instead
(a roll-up; a larger hexagon counts only what is not shown in the smaller ones inside it,
:mod:`profiles.release.disclosure`). Each row is one hexagon as a release shows it, at its own
``resolution``:

* ``need`` is the sum of the need feeds shown for exactly that hexagon (``<NA>`` when none is);
  ``reach`` likewise for outreach contacts;
* ``need_in_larger`` and ``reach_in_larger`` add up what the releases show for larger hexagons
  containing it — some of which may lie in this hexagon.

Statuses read each hexagon's own figures; "not shown" means little or none (fewer than the
threshold, or nothing):

================================= ===========================================================
``'unmet need'``                  need shown; no outreach contacts shown for the hexagon
``'low reach'``                   need and reach shown; reach / need below ``low_reach``
                                  (default 0.25: fewer than one contact per four need events)
``'reached'``                     need and reach shown; reach / need at least ``low_reach``
``'reach without recorded need'`` reach shown; no need shown for the hexagon
================================= ===========================================================

*Roll-ups.* Figures for larger hexagons around a hexagon (or, for a larger hexagon, for the
smaller ones inside it) may hold some of its need or reach. So each reading is checked against
bounds: for a hexagon at the floor, reach lies between ``reach`` and
``reach + reach_in_larger`` (need alike); for a larger hexagon, whose figure lies somewhere
inside it, the reach that certainly meets its need is 0 and the most is everything shown in,
around or inside it. Where the bounds leave it open which side of ``low_reach`` the hexagon
lies (or whether it has need at all), its ``note`` is :data:`NOTE_MAY_DIFFER`. The status is
never changed by a guess about where pooled figures lie.

``ratio`` is ``reach / need`` where both are shown for the hexagon, else NaN.
Need from one feed not shown in a hexagon adds nothing, so need may be understated there by up
to ``threshold - 1`` per feed.

*Small counts.* Where need and reach are both below twice the audience's threshold (as in
:mod:`profiles.analyses.change`) the row's ``note`` is :data:`~profiles.analyses.change.NOTE_SMALL` (unless it
is :data:`NOTE_MAY_DIFFER`); such a hexagon still gets its status, and sorts to the bottom of
:attr:`CoverageResult.unmet`.

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> result = reach_against_need(con, "partnership")
>>> result.cells.columns.tolist()[-8:]
['need', 'reach', 'need_in_larger', 'reach_in_larger', 'ratio', 'status', 'resolution', 'note']
>>> result.unmet.empty
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_contracts.words import agrees, plural
from profiles.release import PlainWordsError
from profiles.release import RELEASED, Figure, ReleasedForAudience, get_policy
from profiles.analyses.change import FEED_WORDS, NOTE_SMALL, hexagons_side_by_side

#: Every status a hexagon can get, most urgent first.
STATUSES = ("unmet need", "low reach", "reached", "reach without recorded need")

#: Note for a hexagon whose reading could change with figures shown for hexagons around it.
NOTE_MAY_DIFFER = ("may read differently: larger or smaller hexagons here show need or reach "
                   "that may lie in it")

#: Default reach / need ratio below which reach counts as low.
LOW_REACH = 0.25


class CoverageError(PlainWordsError):
    """Reach against need was asked for with arguments it cannot use."""


@dataclass
class CoverageResult(ReleasedForAudience):
    """Outreach reach against need for one audience, area and range of weeks.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per hexagon where need or reach is shown: ``h3_id``, one column per need
        feed, ``need``, ``reach`` (nullable integers; ``<NA>`` = not shown),
        ``need_in_larger``, ``reach_in_larger``, ``ratio`` (reach / need where both are shown,
        else NaN), ``status`` (one of :data:`STATUSES`),
        ``resolution``, ``note`` (:data:`NOTE_MAY_DIFFER`, else
        :data:`~profiles.analyses.change.NOTE_SMALL` where need and reach are both below twice the
        threshold, else None). Sorted by status (as in :data:`STATUSES`), then need, largest first.
    total_need, total_reach : int
        Sums of the released values.
    need_figure, reach_figure : profiles.release.Figure
        The same totals with what they are: a released figure, or *not loaded* (no file of
        any need feed, or of the reach feed) or *no data for this period*.
    low_reach : float
        The ratio below which reach is low.
    view_resolution : int or None
        For a wide view asked with ``max_cells``: the resolution the released units were
        summed to (larger hexagons than the audience's finest), else None.
    """

    policy: object
    area: str | None
    start: object
    end: object
    need_feeds: tuple
    reach_feed: str
    low_reach: float
    cells: pd.DataFrame
    total_need: int
    total_reach: int
    notes: list = field(default_factory=list)
    need_figure: Figure = field(default_factory=lambda: Figure(RELEASED))
    reach_figure: Figure = field(default_factory=lambda: Figure(RELEASED))
    view_resolution: int | None = None

    @property
    def judged(self) -> bool:
        """True when need and reach are both released figures, so the statuses mean what
        they say (with no outreach file loaded, every hexagon with need would read as
        "unmet need")."""
        return self.need_figure.shown and self.reach_figure.shown

    @property
    def unmet(self) -> pd.DataFrame:
        """Cells with need and little or no reach (``unmet need``, ``low reach``), by need."""
        c = self.cells[self.cells["status"].isin(STATUSES[:2])]
        return c.sort_values(["need", "h3_id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)

    @property
    def summary(self) -> str:
        """Reach against need in plain words (built only from released values)."""
        counts = self.cells["status"].value_counts()
        n = {s: int(counts.get(s, 0)) for s in STATUSES}
        with_need = int((self.cells["need"].fillna(0) > 0).sum())
        need_words = " and ".join(FEED_WORDS.get(f, f) for f in self.need_feeds)
        where = self.area or "the whole force"
        if not self.judged:
            missing = [f"{what} — {fig.state}" for what, fig in (
                (f"need ({need_words})", self.need_figure),
                (FEED_WORDS.get(self.reach_feed, self.reach_feed), self.reach_figure))
                if not fig.shown]
            return (f"Reach against need cannot be judged for {where}: "
                    f"{'; '.join(missing)}. Load the missing feed for these weeks to compare "
                    f"them; until then no hexagon is called unmet or reached.")
        if not len(self.cells):
            text = (f"Nothing can be shown for {where} to the {self.policy.label.lower()} "
                    f"audience: no cell has enough {need_words} or "
                    f"{FEED_WORDS.get(self.reach_feed, self.reach_feed)} to show.")
            return " ".join([text, *self.notes])
        unmet, low, reached = n["unmet need"], n["low reach"], n["reached"]
        only_reach = n["reach without recorded need"]
        text = (f"In {where}, {plural(with_need, 'hexagon')} {agrees(with_need, 'shows', 'show')} "
                f"need ({need_words}: {self.total_need:,} in all) and outreach made "
                f"{plural(self.total_reach, 'contact')} in the hexagons shown. "
                f"{plural(unmet, 'hexagon')} with need {agrees(unmet, 'has', 'have')} no "
                f"outreach contacts shown (unmet need) and {low} {agrees(low, 'has', 'have')} "
                f"low reach (fewer than {self.low_reach:g} contacts per need event); {reached} "
                f"{agrees(reached, 'is', 'are')} reached. {plural(only_reach, 'hexagon')} "
                f"{agrees(only_reach, 'has', 'have')} outreach contacts but no need shown.")
        open_ = int((self.cells["note"] == NOTE_MAY_DIFFER).sum())
        if open_:
            text += (f" {open_} of these readings may differ, because figures shown for "
                     f"larger hexagons around them may lie partly there.")
        text += (f" A place not shown holds none or fewer than {self.policy.threshold}, so "
                 f"'no contacts shown' means little or no outreach, not proven none.")
        return " ".join([text, *self.notes])


def reach_against_need(con, audience, *, area=None, start=None, end=None,
                       need_feeds=("on_street", "harm_reports"),
                       reach_feed="outreach_contacts",
                       low_reach: float = LOW_REACH, max_cells: int | None = None
                       ) -> CoverageResult:
    """Return outreach reach against need per released cell.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
        Whose release the figures come from.
    area : str or int, optional
        An area name or id; default the whole force.
    start, end : date, optional
        Only weeks whose Monday is in [start, end]; default all loaded weeks.
    need_feeds : sequence of str, default ("on_street", "harm_reports")
        Feeds whose released counts add up to need.
    reach_feed : str, default "outreach_contacts"
        The feed whose released count is reach.
    low_reach : float, default 0.25
        Reach / need below this is ``'low reach'``.
    max_cells : int, optional
        For a map of a wide area: when the releases show more hexagons than this, their units
        are first summed into larger hexagons at one common resolution
        (:func:`profiles.release.view_resolution`), so need and reach are compared per larger
        hexagon. Totals do not change. Default: as released.

    Returns
    -------
    CoverageResult

    Raises
    ------
    CoverageError
        If ``need_feeds`` is empty or holds ``reach_feed``, or ``low_reach`` is not positive.
    profiles.release.api.ReleaseError
        If the audience may not see a feed, or ``area`` is unknown.

    Examples
    --------
    >>> from profiles import store
    >>> con = store.connect(":memory:")
    >>> reach_against_need(con, "analyst", need_feeds=("outreach_contacts",))
    Traceback (most recent call last):
    ...
    profiles.analyses.coverage.CoverageError: need_feeds= holds the reach feed 'outreach_contacts'; need and reach must come from different feeds
    """
    from profiles.analyses.periods import released_series

    policy = get_policy(audience)
    if isinstance(need_feeds, str):
        need_feeds = (need_feeds,)
    need_feeds = tuple(need_feeds)
    if not need_feeds:
        raise CoverageError("need_feeds= is empty; give at least one feed, e.g. "
                            "('on_street', 'harm_reports')")
    if reach_feed in need_feeds:
        raise CoverageError(f"need_feeds= holds the reach feed {reach_feed!r}; need and reach "
                            f"must come from different feeds")
    if isinstance(low_reach, bool) or not isinstance(low_reach, (int, float)) \
            or not low_reach > 0:
        raise CoverageError(f"low_reach= must be a positive number (contacts per need event), "
                            f"e.g. 0.25, not {low_reach!r}")
    frames = {feed: released_series(con, policy, feed, period="all", area=area, start=start,
                                    end=end).released.frame
              for feed in (*need_feeds, reach_feed)}
    view = None
    if max_cells is not None:
        from profiles.release import released_to_resolution, view_resolution

        view = view_resolution(list(frames.values()), max_cells=max_cells)
        if view is not None:
            frames = {f: released_to_resolution(frame, view) for f, frame in frames.items()}
    cells = coverage_cells(frames, policy, need_feeds=need_feeds, reach_feed=reach_feed,
                           low_reach=low_reach, finest=view)
    from profiles.release import feed_coverage

    coverage = feed_coverage(con)
    total_need, total_reach = int(cells["need"].sum()), int(cells["reach"].sum())
    need_figure = coverage.figure_over_weeks(need_feeds, start, end, total_need)
    reach_figure = coverage.figure_over_weeks(reach_feed, start, end, total_reach)
    notes = []
    if (cells["resolution"] < (policy.resolution_floor if view is None else view)).any():
        notes.append("Larger hexagons count only what is not shown in the smaller hexagons "
                     "inside them.")
    return CoverageResult(
        policy=policy, area=str(area) if area is not None else None, start=start, end=end,
        need_feeds=need_feeds, reach_feed=reach_feed, low_reach=float(low_reach),
        cells=cells, total_need=total_need, total_reach=total_reach, notes=notes,
        need_figure=need_figure, reach_figure=reach_figure, view_resolution=view)


def coverage_cells(frames: dict, policy, *, need_feeds, reach_feed,
                   low_reach: float = LOW_REACH, finest: int | None = None) -> pd.DataFrame:
    """Return the per-cell table of :class:`CoverageResult` from released frames.

    Parameters
    ----------
    frames : dict of feed -> pandas.DataFrame
        Released rows (``cell``, ``count``; as in ``ReleasedTable.frame``) of every need feed
        and the reach feed. A cell missing from a frame is "not shown", never 0.
    policy : Policy
        The audience the frames were released for (its threshold sets the small note).
    need_feeds, reach_feed, low_reach
        As for :func:`reach_against_need`.
    finest : int, optional
        The finest resolution in ``frames`` when their units were summed into larger
        hexagons for a wide view; default the audience's floor.

    Examples
    --------
    >>> import h3, pandas as pd
    >>> from profiles.release.audiences import get_policy
    >>> cell = h3.str_to_int("89194415bb7ffff")
    >>> frames = {"on_street": pd.DataFrame({"cell": [cell], "count": [40]}),
    ...           "outreach_contacts": pd.DataFrame({"cell": [], "count": []})}
    >>> coverage_cells(frames, get_policy("analyst"), need_feeds=("on_street",),
    ...                reach_feed="outreach_contacts")["status"].tolist()
    ['unmet need']
    """
    need_feeds = tuple(need_feeds)
    wide = hexagons_side_by_side({f: frames[f] for f in (*need_feeds, reach_feed)})
    floor = wide["resolution"].to_numpy() == (policy.resolution_floor if finest is None
                                              else finest)
    cols = list(need_feeds)
    need_shown = wide[cols].notna().any(axis=1).to_numpy()
    need = np.where(need_shown, wide[cols].fillna(0).sum(axis=1), np.nan)
    reach = wide[reach_feed].to_numpy(dtype=float)
    need_larger = sum(wide[f"{f}_in_larger"].to_numpy() for f in need_feeds)
    need_smaller = sum(wide[f"{f}_in_smaller"].to_numpy() for f in need_feeds)
    reach_larger = wide[f"{reach_feed}_in_larger"].to_numpy()
    reach_smaller = wide[f"{reach_feed}_in_smaller"].to_numpy()
    need_sure = np.nan_to_num(need)
    need_most = need_sure + need_larger + np.where(floor, 0, need_smaller)
    reach_sure = np.where(floor, np.nan_to_num(reach), 0)
    reach_most = np.nan_to_num(reach) + reach_larger + np.where(floor, 0, reach_smaller)
    has_need = need_sure > 0
    has_reach = ~np.isnan(reach)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(has_need & has_reach, reach / need, np.nan)
    status = np.select(
        [has_need & ~has_reach, has_need & (ratio < low_reach), has_need],
        list(STATUSES[:3]), default=STATUSES[3]).astype(object)
    # readings the bounds cannot settle: which side of low_reach, or whether need is here
    settled_low = reach_most < low_reach * need_sure
    settled_high = reach_sure >= low_reach * need_most
    open_reading = np.where(has_need, ~settled_low & ~settled_high, need_most > 0)
    cells = pd.DataFrame({"h3_id": wide["h3_id"]})
    for feed in need_feeds:
        cells[feed] = pd.array(_nullable(wide[feed].to_numpy()), dtype="Int64")
    cells["need"] = pd.array(_nullable(need), dtype="Int64")
    cells["reach"] = pd.array(_nullable(reach), dtype="Int64")
    cells["need_in_larger"] = need_larger.astype(np.int64)
    cells["reach_in_larger"] = reach_larger.astype(np.int64)
    cells["ratio"] = np.round(ratio, 3)
    cells["status"] = pd.Series(status, dtype=object)
    cells["resolution"] = wide["resolution"].to_numpy()
    small = policy.small
    tiny = (need_sure < small) & (np.nan_to_num(reach) < small)
    note = np.where(open_reading, NOTE_MAY_DIFFER, np.where(tiny, NOTE_SMALL, None))
    cells["note"] = pd.Series(note, dtype=object)
    rank = cells["status"].map({s: i for i, s in enumerate(STATUSES)})
    order = np.lexsort((cells["h3_id"].to_numpy(), -np.nan_to_num(need, nan=-1), rank))
    return cells.iloc[order].reset_index(drop=True)


def _nullable(values) -> list:
    return [None if np.isnan(v) else int(round(v)) for v in np.asarray(values, dtype=float)]


__all__ = ["CoverageError", "CoverageResult", "LOW_REACH", "NOTE_MAY_DIFFER", "STATUSES",
           "coverage_cells",
           "reach_against_need"]
