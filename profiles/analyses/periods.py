"""Periods over the loaded weeks: which periods a trend runs over, which are only partly
loaded, what each one's state is, and which released rows belong to one period.

Weeks belong to the month, quarter and year their Monday falls in, as in
:func:`profiles.release.release_counts`. (Mapping days to the periods holding them is
:func:`data_contracts.periods.period_starts`; this module answers for the weeks loaded.)
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_contracts.periods import TREND_PERIODS, period_ends
from profiles.release import (Policy, ReleasedTable, feed_coverage, get_policy, release_counts,
                              release_periods)
_PERIOD_CODE = {"month": "M", "quarter": "Q", "year": "Y"}


def loaded_period_starts(con, period: str, *, start=None, end=None) -> list:
    """Return the start of every period from the first to the last loaded week.

    (Not :func:`data_contracts.periods.period_starts`, which maps days to the periods
    holding them.)
    """
    weeks = pd.to_datetime(pd.Series(release_periods(con), dtype="datetime64[ns]"))
    if start is not None:
        weeks = weeks[weeks >= pd.Timestamp(start)]
    if end is not None:
        weeks = weeks[weeks <= pd.Timestamp(end)]
    if weeks.empty or period == "all":
        return [dt.date(1970, 1, 1)] if period == "all" and not weeks.empty else []
    freq = {"week": "7D", "month": "MS", "quarter": "QS", "year": "YS"}[period]
    first = weeks.min()
    if period != "week":
        first = first.to_period(_PERIOD_CODE[period]).start_time
    return [d.date() for d in pd.date_range(first, weeks.max(), freq=freq)]


def part_periods(con, period, starts, start, end) -> np.ndarray:
    """Return a mask of the periods in ``starts`` with fewer weeks loaded than they hold."""
    weeks = pd.Series(pd.to_datetime(release_periods(con)), dtype="datetime64[ns]")
    if start is not None:
        weeks = weeks[weeks >= pd.Timestamp(start)]
    if end is not None:
        weeks = weeks[weeks <= pd.Timestamp(end)]
    if period == "week" or not len(starts):
        return np.zeros(len(starts), dtype=bool)
    code = _PERIOD_CODE[period]
    loaded = weeks.dt.to_period(code).value_counts()
    out = np.zeros(len(starts), dtype=bool)
    for i, s in enumerate(starts):
        p = pd.Timestamp(s).to_period(code)
        mondays = len(pd.date_range(p.start_time, p.end_time.normalize(), freq="W-MON"))
        out[i] = loaded.get(p, 0) < mondays
    return out


def period_states(con, feed, period, starts, counts) -> list[str]:
    """Each period's state: released, or not loaded / no data for this period."""
    if not len(starts):
        return []
    coverage = feed_coverage(con)
    days = np.array([(pd.Timestamp(s) - pd.Timestamp("1970-01-01")).days for s in starts])
    ends = [dt.date(1970, 1, 1) + dt.timedelta(days=int(e) + 1)
            for e in period_ends(days, period)]
    return [coverage.state(feed, pd.Timestamp(s).date(), e, int(c))
            for s, e, c in zip(starts, ends, counts)]


def at_grain(frame: pd.DataFrame, period: str) -> tuple[pd.DataFrame, int]:
    """Return the rows of a released frame shown at ``period``, and the count left out.

    A release shows a figure over a longer period than asked for where too few lie behind it
    in the shorter one (its ``period_grain`` says so); such a figure belongs to no single
    period of a trend.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"period_grain": ["month", "year"], "count": [5, 10]})
    >>> rows, longer = at_grain(f, "month")
    >>> len(rows), longer
    (1, 10)
    """
    if "period_grain" not in frame.columns or period == "all":
        return frame, 0
    keep = (frame["period_grain"] == period).to_numpy()
    return frame[keep], int(frame.loc[~keep, "count"].sum())


@dataclass
class ReleasedSeries:
    """One feed released for an audience period by period: what a trend or a cube starts from.

    Attributes
    ----------
    policy : Policy
        The audience's policy (a result built from the series carries it).
    released : ReleasedTable
        The release as it came.
    frame : pandas.DataFrame
        Its rows shown at the period asked for (:func:`at_grain`).
    longer : int
        The count shown only over longer periods, in no single period.
    starts : list of date
        Every period from the first to the last loaded week, and any the release shows.
    """

    policy: Policy
    released: ReleasedTable
    frame: pd.DataFrame
    longer: int
    starts: list


def released_series(con, audience, feed: str, *, period: str, by=(), area=None, start=None,
                    end=None, place=None) -> ReleasedSeries:
    """Release ``feed`` for ``audience`` by ``period``: the one step from a policy to released
    figures by period that trends, frames and cubes share.

    Examples
    --------
    >>> from profiles import store
    >>> s = released_series(store.connect(":memory:"), "partnership", "on_street", period="month")
    >>> s.policy.name, s.frame.empty, s.longer, s.starts
    ('partnership', True, 0, [])
    """
    policy = get_policy(audience)
    released = release_counts(con, policy, feed, period=period, by=by, area=area, start=start,
                              end=end, place=place)
    frame, longer = at_grain(released.frame, period)
    starts = sorted(set(loaded_period_starts(con, period, start=start, end=end))
                    | set(frame["period_start"]))
    return ReleasedSeries(policy, released, frame, longer, starts)


__all__ = ["TREND_PERIODS", "ReleasedSeries", "at_grain", "loaded_period_starts", "part_periods",
           "period_states", "released_series"]
