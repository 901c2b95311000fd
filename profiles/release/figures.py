"""Which of four things a figure is: not loaded, no data for this period, too few, or a number.

A released total of 0 reads as "none happened". It may only say that for a feed that has been
loaded *and* whose files cover the period asked about. Every figure a screen, the pack or the
CLI shows is therefore one of four states, and says which:

* ``not loaded`` — no file for this feed has been loaded;
* ``no data for this period`` — files of this feed are loaded, but they cover other weeks;
* ``too few to show`` — loaded and covered, but what there is can be shown only over longer
  periods or larger areas (a roll-up of *released* units says so; a hidden small count and a
  true zero still look the same, so nothing is learnt about a hidden group);
* a released figure — including 0 for a loaded, covered period.

Coverage comes from each loaded file's first and last week, widened to whole calendar months:
a file of March covers every week of March, even one with no event in it (and a police.uk
month, placed in the week of the 15th, covers its month); a gap between two files is not
covered. Whole months, not weeks, so a file's span never pins an event to a week (the Data
status page already names each feed's first and last week).

Examples
--------
>>> import datetime as dt
>>> cov = FeedCoverage({"on_street": [(dt.date(2026, 3, 2), dt.date(2026, 3, 16))]},
...                    loaded={"on_street", "premises"})
>>> cov.covers("on_street", dt.date(2026, 3, 30), dt.date(2026, 4, 6))   # last week of March
True
>>> cov.covers("on_street", dt.date(2026, 4, 6), dt.date(2026, 4, 13))
False
>>> cov.state("harm_reports", dt.date(2026, 3, 1), dt.date(2026, 4, 1), 0)
'not loaded'
>>> cov.state("premises", dt.date(2026, 3, 1), dt.date(2026, 4, 1), 0)
'no data for this period'
>>> cov.state("on_street", dt.date(2026, 3, 1), dt.date(2026, 4, 1), 0)
'released'
>>> Figure("released", 0).text, Figure(NO_DATA).text, Figure(TOO_FEW).text
('0', 'no data for this period', 'too few to show')
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from profiles import store

NOT_LOADED = "not loaded"
NO_DATA = "no data for this period"
TOO_FEW = "too few to show"
RELEASED = "released"
#: The four states, in the order a screen explains them.
STATES = (NOT_LOADED, NO_DATA, TOO_FEW, RELEASED)
_WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Figure:
    """A figure and its state; ``text`` is what a screen shows.

    ``value`` is the released count (0 unless ``state`` is ``"released"``).
    """

    state: str
    value: int = 0

    @property
    def shown(self) -> bool:
        """True when the figure is a released number (possibly 0)."""
        return self.state == RELEASED

    @property
    def text(self) -> str:
        """The number with thousands separators, or the state in words."""
        return f"{self.value:,}" if self.shown else self.state

    @property
    def label(self) -> str:
        """The text for a metric: the number, or the state starting with a capital."""
        return self.text if self.shown else self.state.capitalize()


@dataclass
class FeedCoverage:
    """Which feeds are loaded and which weeks their files cover.

    Attributes
    ----------
    spans : dict
        Feed -> list of ``(first_week, last_week)`` Mondays, one per loaded file with data;
        each covers the calendar months from the first week's to the last week's.
    loaded : set of str
        Feeds with at least one file loaded (even a file whose every row was quarantined).
    """

    spans: dict = field(default_factory=dict)
    loaded: set = field(default_factory=set)

    def is_loaded(self, feed: str) -> bool:
        """True when a file of ``feed`` has been loaded."""
        return feed in self.loaded

    def covers(self, feed: str, start: dt.date, end: dt.date) -> bool:
        """True when a file of ``feed`` covers a week whose Monday is in ``[start, end)``."""
        return any(_has_monday(max(start, _month_of(first)), min(end, _month_after(last)))
                   for first, last in self.spans.get(feed, ()))

    def covers_any(self, feeds, start: dt.date, end: dt.date) -> bool:
        """True when any of ``feeds`` is covered in ``[start, end)``."""
        return any(self.covers(f, start, end) for f in feeds)

    def state(self, feed: str, start: dt.date, end: dt.date, released: int, *,
              too_few: bool = False) -> str:
        """Return the state of a figure of ``feed`` over ``[start, end)``.

        ``too_few`` says that the release shows this feed's figures for the period only at a
        longer period or larger area (from released units); it matters only for a 0.
        """
        if not self.is_loaded(feed):
            return NOT_LOADED
        if not self.covers(feed, start, end):
            return NO_DATA
        if too_few and released == 0:
            return TOO_FEW
        return RELEASED

    def figure(self, feed: str, start: dt.date, end: dt.date, released: int, *,
               too_few: bool = False) -> Figure:
        """Return the :class:`Figure` of ``feed`` over ``[start, end)``."""
        state = self.state(feed, start, end, released, too_few=too_few)
        return Figure(state, int(released) if state == RELEASED else 0)

    def figure_over_weeks(self, feeds, first_week, last_week, released: int, *,
                          too_few: bool = False) -> Figure:
        """Return the :class:`Figure` of a total of ``feeds`` over a range of weeks.

        Parameters
        ----------
        feeds : str or sequence of str
            One feed, or several whose released counts were added up (need, say): the
            total is *not loaded* only when none of them is, and *no data* only when none
            covers the range.
        first_week, last_week : date or None
            Mondays of the first and last week of the range (inclusive); None for open.
        released : int
            The released total.
        too_few : bool
            The release shows this total only at a longer period or larger area.
        """
        feeds = (feeds,) if isinstance(feeds, str) else tuple(feeds)
        start = _as_date(first_week) or dt.date.min
        end = _as_date(last_week) + _WEEK if last_week else dt.date.max
        if not any(self.is_loaded(f) for f in feeds):
            return Figure(NOT_LOADED)
        if not self.covers_any(feeds, start, end):
            return Figure(NO_DATA)
        if too_few and released == 0:
            return Figure(TOO_FEW)
        return Figure(RELEASED, int(released))


def _as_date(value) -> dt.date | None:
    """A date from a date, datetime, Timestamp or ISO string; None stays None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) or hasattr(value, "date"):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _has_monday(start: dt.date, end: dt.date) -> bool:
    """True when ``[start, end)`` holds a Monday (weeks belong to their Monday's month)."""
    return start + dt.timedelta(days=-start.weekday() % 7) < end


def _month_of(day: dt.date) -> dt.date:
    """The first day of the month holding ``day``."""
    return day.replace(day=1)


def _month_after(day: dt.date) -> dt.date:
    """The first day of the month after the one holding ``day``."""
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def feed_coverage(con) -> FeedCoverage:
    """Return the loaded feeds and the weeks each loaded file covers.

    Parameters
    ----------
    con : duckdb connection to the store

    Returns
    -------
    FeedCoverage
        Figures about files and weeks only; no count of people or premises.
    """
    cur = store.cursor(con)
    loaded = {r[0] for r in cur.execute("SELECT DISTINCT feed FROM ingests").fetchall()}
    rows = cur.execute(
        "SELECT feed, min(week), max(week) FROM facts GROUP BY feed, ingest_id "
        "UNION ALL SELECT 'environment', min(week), max(week) FROM environment "
        "WHERE week IS NOT NULL GROUP BY ingest_id ORDER BY 1, 2").fetchall()
    spans: dict = {}
    for feed, first, last in rows:
        spans.setdefault(feed, []).append((first, last))
    return FeedCoverage(spans, loaded | set(spans))


__all__ = ["NOT_LOADED", "NO_DATA", "RELEASED", "STATES", "TOO_FEW", "FeedCoverage", "Figure",
           "feed_coverage"]
