"""The calendar of released periods: one home for period arithmetic.

A store's weeks are Mondays. A week belongs to the month, quarter and year its Monday falls in,
and ``all`` is one period starting on day 0 (1970-01-01). Every layer asks here: the release
layer maps arrays of days to periods (:func:`period_starts`, :func:`period_ends`), analyses and
the pack step from one period to the next and name them (:func:`period_start`,
:func:`next_start`, :func:`previous_start`, :func:`period_label`).

Examples
--------
>>> import datetime as dt
>>> period_start(dt.date(2026, 10, 28), "quarter"), next_start(dt.date(2026, 10, 1), "quarter")
(datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
>>> period_label(dt.date(2026, 10, 1), "month"), period_label(dt.date(2026, 10, 1), "month",
...                                                            short=True)
('October 2026', 'Oct 2026')
"""
from __future__ import annotations

import datetime as dt

import numpy as np

#: Periods a release can be asked for, shortest first.
PERIODS = ("week", "month", "quarter", "year", "all")
#: Periods a trend can be drawn over.
TREND_PERIODS = ("week", "month", "quarter", "year")
#: The start of the one ``all`` period.
EPOCH = dt.date(1970, 1, 1)

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_starts(days, grain: str) -> np.ndarray:
    """Return the first day (days since 1970-01-01) of the period of ``grain`` holding each day.

    ``grain`` is ``week`` (the day itself: store weeks are Mondays), ``month``, ``quarter``,
    ``year`` or ``all`` (day 0).

    Examples
    --------
    >>> d = np.array([20094])   # Monday 2025-01-06
    >>> [str(np.datetime64(int(period_starts(d, g)[0]), "D"))
    ...  for g in ("week", "month", "quarter", "year")]
    ['2025-01-06', '2025-01-01', '2025-01-01', '2025-01-01']
    """
    days = np.asarray(days, dtype=np.int64)
    if grain == "week":
        return days
    if grain == "all":
        return np.zeros(len(days), dtype=np.int64)
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    step = _MONTHS[grain]
    months = months // step * step
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def period_ends(starts, grain: str) -> np.ndarray:
    """Return the last day of each period of ``grain`` that starts on ``starts``."""
    starts = np.asarray(starts, dtype=np.int64)
    if grain == "week":
        return starts + 6
    months = starts.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    nxt = (months + _MONTHS[grain]).astype("datetime64[M]").astype("datetime64[D]")
    return nxt.astype(np.int64) - 1


def _day(day, period: str) -> dt.date:
    """A date (a datetime or pandas Timestamp counts by its day), for a known ``period``."""
    if period not in PERIODS:
        raise ValueError(f"period= must be one of {', '.join(PERIODS)}, not {period!r}")
    return day.date() if isinstance(day, dt.datetime) else day


def period_start(day, period: str) -> dt.date:
    """Return the first day of the ``period`` holding ``day`` (any day: a week starts on its
    Monday).

    Examples
    --------
    >>> period_start(dt.date(2025, 5, 28), "week"), period_start(dt.date(2025, 5, 26), "quarter")
    (datetime.date(2025, 5, 26), datetime.date(2025, 4, 1))
    """
    day = _day(day, period)
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    start = period_starts([(day - EPOCH).days], period)[0]
    return EPOCH + dt.timedelta(days=int(start))


def next_start(start, period: str) -> dt.date:
    """Return the first day of the period after the one holding ``start``."""
    first = period_start(start, period)
    end = period_ends([(first - EPOCH).days], period)[0]
    return EPOCH + dt.timedelta(days=int(end) + 1)


def previous_start(start, period: str) -> dt.date:
    """Return the first day of the period before the one holding ``start``."""
    return period_start(period_start(start, period) - dt.timedelta(days=1), period)


def period_label(start: dt.date, period: str, *, short: bool = False) -> str:
    """Return a period in words, in full (``week of 26 Oct 2026``, ``October 2026``,
    ``Q4 2026``, ``2026``) or ``short`` for a chart's axis (``26 Oct 2026``, ``Oct 2026``).

    Examples
    --------
    >>> period_label(dt.date(2026, 10, 5), "week"), period_label(dt.date(2026, 10, 5), "week",
    ...                                                          short=True)
    ('week of 5 Oct 2026', '05 Oct 2026')
    """
    if period == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if period == "year":
        return f"{start.year}"
    if period == "month":
        return f"{start:%b %Y}" if short else f"{start:%B %Y}"
    if short:
        return f"{start:%d %b %Y}"
    return f"week of {start:%d %b %Y}".replace(" 0", " ")


__all__ = ["EPOCH", "PERIODS", "TREND_PERIODS", "next_start", "period_ends",
           "period_label", "period_start", "period_starts", "previous_start"]
