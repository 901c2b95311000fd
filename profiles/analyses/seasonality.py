"""Seasonality: each month against the same month a year earlier, from released monthly figures.

:func:`seasonality` is a pure function over a released monthly table (the ``frame`` of
:func:`profiles.release.api.release_counts` with ``period="month"``): it adds up the figures
shown *at the month grain* and sets each of the last twelve months against the same month a
year before. A month the release does not show on its own (none, or too few to show; such
figures are shown only over a longer period) stays *not shown* — never 0 — and a month outside
the weeks covered is *no data for this period*; neither is compared. :func:`seasonality_for`
fetches the released table for one audience and calls it.

Examples
--------
>>> import datetime as dt, pandas as pd
>>> frame = pd.DataFrame({"period_grain": ["month", "month", "month", "quarter"],
...                       "period_start": [dt.date(2025, 1, 1), dt.date(2026, 1, 1),
...                                        dt.date(2026, 2, 1), dt.date(2025, 1, 1)],
...                       "count": [20, 25, 10, 40]})
>>> months = [dt.date(2025, m, 1) for m in range(1, 13)] + [dt.date(2026, 1, 1),
...                                                         dt.date(2026, 2, 1)]
>>> table = seasonality(frame, months=months, last=2)
>>> table[["month", "this_year", "last_year", "change", "pct_change"]].to_string(index=False)
'     month  this_year  last_year  change  pct_change\\n2026-01-01         25         20       5        25.0\\n2026-02-01         10       <NA>    <NA>        <NA>'
>>> table["last_state"].tolist()
['shown', 'not shown']
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

#: The state of a month's figure: a released number, a month the release does not show on its
#: own (none, or too few to show), or a month outside the weeks covered.
SHOWN, NOT_SHOWN, NO_DATA = "shown", "not shown", "no data for this period"

#: Column headings in words, for the pack and the dashboard.
HEADINGS = {"month": "Month", "this_year": "This year", "last_year": "Same month last year",
            "change": "Change"}


class SeasonalityError(ValueError):
    """The figures given cannot be read month by month."""


def seasonality(released, *, months=None, last: int = 12) -> pd.DataFrame:
    """Return each of the last ``last`` months against the same month a year earlier.

    Parameters
    ----------
    released : ReleasedTable or pandas.DataFrame
        Released monthly counts: ``period_grain``, ``period_start`` and ``count`` (other
        columns, such as hexagons or categories, are summed over). Rows shown only over a
        longer period than a month belong to no month and are left out.
    months : sequence of date, optional
        The month starts the released table covers (its weeks); default every month from the
        first to the last month the table shows.
    last : int, default 12
        How many of the latest months to report.

    Returns
    -------
    pandas.DataFrame
        One row per month, oldest first: ``month`` (date), ``this_year`` and ``last_year``
        (nullable integers: ``<NA>`` where not shown), ``change`` (this year - last year) and
        ``pct_change`` (``<NA>`` unless both are shown, and last year above 0), ``this_state``
        and ``last_state`` (:data:`SHOWN`, :data:`NOT_SHOWN` or :data:`NO_DATA`).

    Raises
    ------
    SeasonalityError
        If the table lacks a column, or ``last`` is not a whole number of at least 1.
    """
    frame = getattr(released, "frame", released)
    missing = {"period_grain", "period_start", "count"} - set(frame.columns)
    if missing:
        raise SeasonalityError(f"released= must be a monthly released table with columns "
                               f"period_grain, period_start and count; missing "
                               f"{', '.join(sorted(missing))}")
    if isinstance(last, bool) or not isinstance(last, int) or last < 1:
        raise SeasonalityError(f"last= must be a whole number of months, 1 or more, not "
                               f"{last!r}")
    at_month = frame[frame["period_grain"] == "month"]
    totals = {_month(d): int(n) for d, n in
              at_month.groupby("period_start")["count"].sum().items()}
    if months is None:
        months = _month_range(min(totals), max(totals)) if totals else []
    covered = sorted({_month(m) for m in months})
    rows = []
    for month in covered[-last:]:
        before = month.replace(year=month.year - 1)
        this_v, this_s = _value(month, totals, covered)
        last_v, last_s = _value(before, totals, covered)
        both = this_s == SHOWN and last_s == SHOWN
        rows.append({"month": month, "this_year": this_v, "last_year": last_v,
                     "change": this_v - last_v if both else pd.NA,
                     "pct_change": round(100.0 * (this_v - last_v) / last_v, 1)
                     if both and last_v else pd.NA,
                     "this_state": this_s, "last_state": last_s})
    out = pd.DataFrame(rows, columns=["month", "this_year", "last_year", "change",
                                      "pct_change", "this_state", "last_state"])
    for col in ("this_year", "last_year", "change"):
        out[col] = out[col].astype("Int64")
    out["pct_change"] = out["pct_change"].astype("Float64")
    return out


def seasonality_for(con, audience, feed: str, *, area=None, start=None, end=None,
                    last: int = 12) -> pd.DataFrame:
    """Return :func:`seasonality` of ``feed``'s released monthly totals for ``audience``.

    The months reported are the last ``last`` months with weeks in ``[start, end]``; the same
    months a year earlier are fetched from the release even when they lie before ``start``.
    A month counts whole: it is the released figure for all of its weeks.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
    feed : str
    area, start, end
        As for :func:`profiles.release.api.release_counts`.
    last : int, default 12

    Raises
    ------
    profiles.release.api.ReleaseError
        If the audience may not see ``feed``, or ``area`` is unknown.

    Examples
    --------
    >>> from profiles import store
    >>> seasonality_for(store.connect(":memory:"), "partnership", "on_street").empty
    True
    """
    from profiles.analyses.periods import loaded_period_starts, released_series

    asked = loaded_period_starts(con, "month", start=start, end=end)
    back = None if start is None else _month(start).replace(year=_month(start).year - 1)
    series = released_series(con, audience, feed, period="month", area=area, start=back,
                             end=end)
    table = seasonality(series.released,
                        months=loaded_period_starts(con, "month", start=back, end=end), last=last)
    return table[table["month"].isin(asked)].reset_index(drop=True)


def seasonality_words(table: pd.DataFrame) -> pd.DataFrame:
    """Return a :func:`seasonality` table as text under :data:`HEADINGS`, for a reader.

    Examples
    --------
    >>> import datetime as dt
    >>> t = seasonality(pd.DataFrame({"period_grain": ["month"] * 2, "count": [20, 30],
    ...                               "period_start": [dt.date(2025, 3, 1), dt.date(2026, 3, 1)]}),
    ...                 last=1)
    >>> seasonality_words(t).iloc[0].tolist()
    ['Mar 2026', '30', '20', '+10 (+50%)']
    """
    rows = []
    for r in table.itertuples():
        if pd.isna(r.change):
            change = "not compared"
        else:
            pct = "" if pd.isna(r.pct_change) else f" ({r.pct_change:+.0f}%)"
            change = f"{int(r.change):+,}{pct}" if r.change else "no change"
        rows.append((f"{r.month:%b %Y}", _text(r.this_year, r.this_state),
                     _text(r.last_year, r.last_state), change))
    return pd.DataFrame(rows, columns=list(HEADINGS.values()))


def _text(value, state: str) -> str:
    return f"{int(value):,}" if state == SHOWN else state


def _value(month: dt.date, totals: dict, covered: list):
    if month not in covered:
        return pd.NA, NO_DATA
    if month not in totals:
        return pd.NA, NOT_SHOWN
    return totals[month], SHOWN


def _month(value) -> dt.date:
    return pd.Timestamp(value).date().replace(day=1)


def _month_range(first: dt.date, last: dt.date) -> list:
    return [d.date() for d in pd.date_range(first, last, freq="MS")]


__all__ = ["HEADINGS", "NOT_SHOWN", "NO_DATA", "SHOWN", "SeasonalityError", "seasonality",
           "seasonality_for", "seasonality_words"]
