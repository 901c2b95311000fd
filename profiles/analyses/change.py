"""Change: before/after counts per cell and per area, and period-over-period trends.

Everything here is computed from released tables (:func:`profiles.release.api.release_counts`)
for one audience, so it is exactly as safe as that audience's release: a cell a release does
not show is read as "none shown" (none, or fewer than the audience's threshold), never as a
known zero, and every total is a sum of released values.

Rules
-----
*Small counts.* A side of a comparison is *small* when its released count is below twice the
audience's threshold (``2 * threshold``: below 10 for the partnership, below 6 for command and
analyst; "none shown" is small too). Where both sides are small the row carries the note
:data:`NOTE_SMALL`: two counts that small move by that much through ordinary chance, and
suppression and rounding alone can shift them by up to a threshold.

*Hexagons.* A release shows most places as cells at the audience's resolution floor, and
rolls quiet ones up into a larger hexagon whose figure counts only what is not shown in the
smaller hexagons inside it (:mod:`profiles.release.disclosure`). Each row here is one hexagon as a
release shows it, at its own ``resolution``, and compares like with like:

* shown on both sides: ``change`` is after - before;
* shown on one side only, and the other side shows nothing in a larger hexagon containing it
  or a smaller one inside it: the other side is "none shown" (none, or fewer than the
  threshold) and counts as 0, noted :data:`NOTE_NONE_BEFORE` or :data:`NOTE_NONE_AFTER`;
  ``pct_change`` is None where ``before`` is 0;
* shown on one side only, while the other side shows that ground as part of a larger hexagon
  or as smaller ones: the figures cannot be set against each other, so ``change`` is missing
  and the note is :data:`NOTE_NOT_COMPARABLE` — except for a cell at the floor whose figure is
  larger than everything the other side shows in larger hexagons around it: the direction of
  the change is then certain, and the row reads as "none shown" on the other side (its size
  may be overstated by up to that other figure).

*Periods.* A trend (:func:`change_periods`) adds up the figures released at the period asked
for; a figure the release could only show over a longer period (a quarter, a year) is left out
of the per-period counts, and ``attrs["longer"]`` says how much that was.

Examples
--------
>>> from profiles import store
>>> con = store.connect(":memory:")
>>> result = change_by_cell(con, "partnership", "on_street",
...                         before=("2025-01-01", "2025-03-31"),
...                         after=("2025-04-01", "2025-06-30"))
>>> result.cells.empty, result.area_before, result.area_note
(True, 0, 'too small to read anything into')
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data_contracts.words import plural
from data_contracts.feeds import CATALOGUE
from geo.cells import cells_to_parents, cells_to_str, resolution_of
from profiles.analyses.periods import (TREND_PERIODS, part_periods, period_states,
                                       released_series)
from profiles.release import RELEASED, PlainWordsError, ReleasedForAudience, get_policy

#: Note for a row where both sides are below twice the audience threshold.
NOTE_SMALL = "too small to read anything into"
#: Note for a row with no released count before (none, or fewer than the threshold).
NOTE_NONE_BEFORE = "none shown before"
#: Note for a row with no released count after (none, or fewer than the threshold).
NOTE_NONE_AFTER = "none shown after"
#: Note for a hexagon the other side shows only as part of larger or smaller hexagons.
NOTE_NOT_COMPARABLE = "not comparable: the other side shows this ground in other hexagons"

#: Plain words for each feed, for summaries (the catalogue's ``words``).
FEED_WORDS = {feed: entry.words for feed, entry in CATALOGUE.items() if entry.words}

#: Note for a trend period of which only some weeks are loaded (first and last, usually).
NOTE_PART = "part period: not all its weeks are loaded"



class ChangeError(PlainWordsError):
    """A change analysis was asked for with arguments it cannot use."""


@dataclass
class ChangeResult(ReleasedForAudience):
    """Before/after change for one audience, feed and area, from released counts.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per hexagon either release shows: ``h3_id``, ``resolution``, ``before``,
        ``after`` (nullable integers: 0 = none shown, ``<NA>`` = not comparable), ``change``
        (after - before; ``<NA>`` when not comparable), ``pct_change`` (None where ``before``
        is 0 or missing), ``note`` (:data:`NOTE_NOT_COMPARABLE`, :data:`NOTE_SMALL`,
        :data:`NOTE_NONE_BEFORE`, :data:`NOTE_NONE_AFTER` or None, in that precedence).
        Sorted by the size of the change, largest first, not comparable last.
    area_before, area_after, area_change : int
        Sums of every figure released on each side (each event counted once), and their
        difference.
    area_pct_change : float or None
        None where ``area_before`` is 0.
    area_note : str or None
        :data:`NOTE_SMALL` when both area totals are small, else None.
    small_below : int
        The "small" limit used: :attr:`Policy.small <profiles.release.Policy.small>`, twice
        the threshold.
    """

    feed: str
    policy: object
    before: tuple
    after: tuple
    area: str | None
    cells: pd.DataFrame
    area_before: int
    area_after: int
    area_change: int
    area_pct_change: float | None
    area_note: str | None
    small_below: int
    notes: list = field(default_factory=list)

    @property
    def summary(self) -> str:
        """The change in plain words (built only from released values)."""
        words = FEED_WORDS.get(self.feed, self.feed)
        where = self.area or "the whole force"
        text = (f"{words.capitalize()} in {where}: {self.area_before:,} in "
                f"{_span(self.before)} and {self.area_after:,} in {_span(self.after)}")
        if self.area_note:
            text += f" — {self.area_note}."
        elif self.area_pct_change is None:
            text += f", a rise of {self.area_change:,} from none shown before."
        else:
            verb = "a rise" if self.area_change > 0 else "a fall" if self.area_change < 0 \
                else "no change"
            pct = (f"{self.area_pct_change:+.0f}%" if abs(self.area_pct_change) >= 0.5
                   else "under 1%")
            text += (f", {verb} of {abs(self.area_change):,} ({pct})."
                     if self.area_change else ", no change.")
        c = self.cells
        if len(c):
            readable = ~c["note"].isin([NOTE_SMALL, NOTE_NOT_COMPARABLE]).to_numpy()
            change = c["change"].fillna(0).to_numpy()
            rose = int(((change > 0) & readable).sum())
            fell = int(((change < 0) & readable).sum())
            small = int((c["note"] == NOTE_SMALL).sum())
            text += (f" {plural(rose, 'hexagon')} rose and {fell} fell; {small} "
                     f"{'is' if small == 1 else 'are'} {NOTE_SMALL}.")
            apart = int((c["note"] == NOTE_NOT_COMPARABLE).sum())
            if apart:
                text += (f" {apart} cannot be compared because the two periods show that "
                         f"ground in different hexagons.")
        text += (f" Totals add up every figure shown to the {self.policy.label.lower()} "
                 f"audience; groups too small to show anywhere (fewer than "
                 f"{self.policy.threshold}) are not in them.")
        return " ".join([text, *self.notes])


def change_by_cell(con, audience, feed: str, *, before, after, area=None) -> ChangeResult:
    """Return per-cell and area change in ``feed`` between two ranges of weeks.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
        Whose release the figures come from (``partnership``, ``command``, ``analyst``).
    feed : str
        A feed the audience may see, e.g. ``on_street``.
    before, after : (date, date)
        Inclusive ranges of weeks (a week belongs to the range its Monday falls in), as dates
        or ISO strings. They must not overlap.
    area : str or int, optional
        An area name or id; default the whole force.

    Returns
    -------
    ChangeResult

    Raises
    ------
    ChangeError
        If ``before`` or ``after`` is not an ordered pair of dates, or they overlap.
    profiles.release.api.ReleaseError
        If the audience may not see ``feed``, or ``area`` is unknown.

    Examples
    --------
    >>> from profiles import store
    >>> con = store.connect(":memory:")
    >>> change_by_cell(con, "analyst", "on_street", before=("2025-03-01", "2025-01-01"),
    ...                after=("2025-04-01", "2025-06-30"))
    Traceback (most recent call last):
    ...
    profiles.analyses.change.ChangeError: before= starts on 2025-03-01, after its end 2025-01-01; give (start, end) with start <= end
    """
    policy = get_policy(audience)
    before = _date_range(before, "before")
    after = _date_range(after, "after")
    if before[0] <= after[1] and after[0] <= before[1]:
        raise ChangeError(f"before= {_span(before)} and after= {_span(after)} overlap; give "
                          f"two separate ranges of weeks")
    sides = {name: released_series(con, policy, feed, period="all", area=area,
                                   start=rng[0], end=rng[1]).released.frame
             for name, rng in (("before", before), ("after", after))}
    wide = hexagons_side_by_side(sides)
    shown_b, shown_a = wide["before"].notna().to_numpy(), wide["after"].notna().to_numpy()
    b = wide["before"].fillna(0).to_numpy(dtype=np.int64)
    a = wide["after"].fillna(0).to_numpy(dtype=np.int64)
    floor = wide["resolution"].to_numpy() == policy.resolution_floor
    # what the side that does not show a hexagon shows for its ground in other hexagons
    else_b = (wide["before_in_larger"] + wide["before_in_smaller"]).to_numpy()
    else_a = (wide["after_in_larger"] + wide["after_in_smaller"]).to_numpy()
    apart = ((shown_a & ~shown_b & (else_b > 0) & ~(floor & (a > else_b)))
             | (shown_b & ~shown_a & (else_a > 0) & ~(floor & (b > else_a))))
    small = policy.small
    note = _notes(b, a, small)
    note[apart] = NOTE_NOT_COMPARABLE
    pct = _pct(a - b, b)
    pct[apart] = None
    cells = pd.DataFrame({
        "h3_id": wide["h3_id"], "resolution": wide["resolution"],
        "before": _masked(b, apart & ~shown_b), "after": _masked(a, apart & ~shown_a),
        "change": _masked(a - b, apart), "pct_change": pd.Series(pct, dtype=object),
        "note": pd.Series(note, dtype=object)})
    size = np.where(apart, -1, np.abs(a - b))
    order = np.lexsort((cells["h3_id"].to_numpy(), -size))
    cells = cells.iloc[order].reset_index(drop=True)
    total_b, total_a = int(b.sum()), int(a.sum())
    notes = []
    len_b, len_a = (before[1] - before[0]).days, (after[1] - after[0]).days
    if abs(len_b - len_a) > 6:
        notes.append(f"The two ranges differ in length ({len_b + 1} and {len_a + 1} days), "
                     f"so totals are not like for like.")
    if (cells["resolution"] < policy.resolution_floor).any():
        notes.append("Larger hexagons count only what is not shown in the smaller hexagons "
                     "inside them.")
    return ChangeResult(
        feed=feed, policy=policy, before=before, after=after,
        area=str(area) if area is not None else None, cells=cells,
        area_before=total_b, area_after=total_a, area_change=total_a - total_b,
        area_pct_change=_pct(np.array([total_a - total_b]), np.array([total_b]))[0],
        area_note=NOTE_SMALL if total_b < small and total_a < small else None,
        small_below=small, notes=notes)


def change_periods(con, audience, feed: str, *, period: str = "month", area=None,
                   start=None, end=None) -> pd.DataFrame:
    """Return the released total of ``feed`` per period and its change from the period before.

    Every period from the first to the last week of loaded data (within ``start``/``end``)
    appears; a period with nothing released has count 0 ("none shown").

    Parameters
    ----------
    con, audience, feed, area
        As for :func:`change_by_cell`.
    period : {"week", "month", "quarter", "year"}, default "month"
    start, end : date, optional
        Only weeks whose Monday is in [start, end]; default all loaded weeks.

    Returns
    -------
    pandas.DataFrame
        ``period_start`` (date), ``count`` (sum of the released cells), ``change`` (vs the
        previous period; NA for the first), ``pct_change`` (None where the previous period is 0
        or for the first), ``note`` (:data:`NOTE_PART` for a period of which only some weeks
        are loaded or asked for, else :data:`NOTE_SMALL` where this and the previous period
        are both below ``2 * threshold``, else None; for a period that is not a released figure,
        its state), ``state`` (``released``, or ``not loaded`` / ``no data for this period``
        when no file of the feed covers it: its count 0 is then not a figure, and no change is
        given into or out of it). ``attrs`` holds audience, feed, period, area.

    Examples
    --------
    >>> from profiles import store
    >>> con = store.connect(":memory:")
    >>> change_periods(con, "partnership", "on_street").columns.tolist()
    ['period_start', 'count', 'change', 'pct_change', 'note', 'state']
    """
    policy = get_policy(audience)
    if period not in TREND_PERIODS:
        raise ChangeError(f"period= must be one of {', '.join(TREND_PERIODS)} for a trend, "
                          f"not {period!r}")
    series = released_series(con, policy, feed, period=period, area=area, start=start, end=end)
    frame, longer, starts = series.frame, series.longer, series.starts
    totals = frame.groupby("period_start")["count"].sum()
    part = part_periods(con, period, starts, start, end)
    counts = totals.reindex(starts, fill_value=0).to_numpy(dtype=np.int64)
    prev = np.concatenate(([0], counts[:-1]))
    change = pd.array(counts - prev, dtype="Int64")
    pct = _pct(counts - prev, prev)
    note = np.where((counts < policy.small) & (prev < policy.small),
                    NOTE_SMALL, None).astype(object)
    if len(starts):
        change[0] = pd.NA
        pct[0] = None
        note[0] = None
    note[part] = NOTE_PART
    state = period_states(con, feed, period, starts, counts)
    for i, st in enumerate(state):   # a period with no file is not a 0, and not a change
        if st != RELEASED:
            note[i] = st
            change[i] = pd.NA
            pct[i] = None
            if i + 1 < len(state):
                change[i + 1] = pd.NA
                pct[i + 1] = None
    frame = pd.DataFrame({"period_start": starts, "count": counts, "change": change,
                          "pct_change": pd.Series(pct, dtype=object),
                          "note": pd.Series(note, dtype=object),
                          "state": pd.Series(state, dtype=object)})
    frame.attrs.update(audience=policy.name, feed=feed, period=period,
                       area=str(area) if area is not None else None, longer=longer,
                       notes=[_longer_note(longer, feed, period)] if longer else [])
    return frame


def _longer_note(longer: int, feed: str, period: str) -> str:
    return (f"{longer:,} {FEED_WORDS.get(feed, feed)} are shown only over periods longer than "
            f"a {period} (too few lie behind them in one {period}); they are not in the "
            f"per-{period} counts.")


def hexagons_side_by_side(frames: dict) -> pd.DataFrame:
    """Return released tables side by side, one row per hexagon any of them shows.

    Each frame needs ``cell`` (uint64 H3 id) and ``count``; rows of one hexagon (several
    periods, say) are added up. A hexagon keeps its own resolution: a larger hexagon from a
    roll-up counts only what is not shown inside it, so it is its own row, never merged.

    Parameters
    ----------
    frames : dict of name -> pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        ``h3_id``, ``cell``, ``resolution``, then per frame name: ``<name>`` (the figure shown
        for exactly this hexagon; NaN where that frame shows none), ``<name>_in_larger`` (the
        sum of that frame's figures for larger hexagons containing this one) and
        ``<name>_in_smaller`` (the same for smaller hexagons inside it).

    Examples
    --------
    >>> import h3, pandas as pd
    >>> parent = "881944159bfffff"
    >>> kid = sorted(h3.cell_to_children(parent, 9))[0]
    >>> a = pd.DataFrame({"cell": [h3.str_to_int(kid)], "count": [7]})
    >>> b = pd.DataFrame({"cell": [h3.str_to_int(parent)], "count": [6]})
    >>> wide = hexagons_side_by_side({"a": a, "b": b})
    >>> wide[["h3_id", "a", "b", "b_in_larger", "a_in_smaller"]].values.tolist()
    [['881944159bfffff', nan, 6.0, 0.0, 7.0], ['891944159a3ffff', 7.0, nan, 6.0, 0.0]]
    """
    shown = {}
    for name, frame in frames.items():
        cells = np.asarray(frame["cell"], dtype=np.uint64)
        counts = np.asarray(frame["count"], dtype=float)
        shown[name] = pd.Series(counts).groupby(cells).sum()
    every = np.unique(np.concatenate([s.index.to_numpy(dtype=np.uint64) for s in
                                      shown.values()] or [np.array([], dtype=np.uint64)]))
    res = resolution_of(every)
    out = pd.DataFrame({"h3_id": cells_to_str(every), "cell": every, "resolution": res})
    for name, s in shown.items():
        own = s.index.to_numpy(dtype=np.uint64)
        own_res = resolution_of(own)
        larger = np.zeros(len(every))
        smaller = np.zeros(len(every))
        for r in np.unique(own_res):
            finer = res > r
            if finer.any():
                parents = cells_to_parents(every[finer], int(r))
                larger[finer] += s[own[own_res == r]].reindex(parents).fillna(0).to_numpy()
        for r in np.unique(res):
            inside = own_res > r
            if inside.any():
                sums = s[own[inside]].groupby(cells_to_parents(own[inside], int(r))).sum()
                here = res == r
                smaller[here] += sums.reindex(every[here]).fillna(0).to_numpy()
        out[name] = s.reindex(every).to_numpy(dtype=float)
        out[f"{name}_in_larger"] = larger
        out[f"{name}_in_smaller"] = smaller
    return out


def _date_range(value, name) -> tuple:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise ChangeError(f"{name}= must be a (start, end) pair of dates, e.g. "
                          f"('2025-01-01', '2025-03-31'), not {value!r}")
    try:
        lo, hi = (pd.Timestamp(v).date() for v in value)
    except (ValueError, TypeError):
        raise ChangeError(f"{name}= holds something that is not a date: {value!r}; use ISO "
                          f"dates such as '2025-01-01'") from None
    if lo > hi:
        raise ChangeError(f"{name}= starts on {lo}, after its end {hi}; give (start, end) "
                          f"with start <= end")
    return lo, hi


def _pct(change: np.ndarray, base: np.ndarray) -> np.ndarray:
    out = np.empty(len(change), dtype=object)
    for i, (c, b) in enumerate(zip(change, base)):
        out[i] = None if b == 0 else round(100.0 * float(c) / float(b), 1)
    return out


def _masked(values: np.ndarray, missing: np.ndarray) -> pd.array:
    out = pd.array(values, dtype="Int64")
    out[missing] = pd.NA
    return out


def _notes(before: np.ndarray, after: np.ndarray, small: int) -> np.ndarray:
    note = np.full(len(before), None, dtype=object)
    note[before == 0] = NOTE_NONE_BEFORE
    note[after == 0] = NOTE_NONE_AFTER
    note[(before < small) & (after < small)] = NOTE_SMALL
    return note


def _span(rng) -> str:
    return f"{rng[0].isoformat()} to {rng[1].isoformat()}"


__all__ = ["ChangeError", "ChangeResult", "FEED_WORDS", "NOTE_NONE_AFTER", "NOTE_NONE_BEFORE",
           "NOTE_NOT_COMPARABLE", "NOTE_PART", "NOTE_SMALL",
           "change_by_cell", "change_periods", "hexagons_side_by_side"]
