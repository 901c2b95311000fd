"""The overview: headline figures, change on the previous period, trends and a plain summary.

Every figure is a sum of **released** counts (:func:`profiles.release.api.release_counts` for the
audience), never of raw ones, so a headline reveals nothing its released cells did not. A
released total can be a little lower than the true count: groups too small to show are left out,
and a figure the release could show only over a longer period than the one asked for (a
roll-up) is in no single period's total — the summary says when that happens.

The *current* period is the latest **complete** week, month or quarter of the range (the one
holding ``end``, default the latest week with data, unless the range stops before that period
ends — then the one before it, and the summary says so); the *previous* period is the one
before the current one. Periods are whole: a range that starts mid-month still shows that month
whole in the trend. Weeks belong to the month and quarter in which their Monday falls.

A change is called "about the same" when it is within what chance alone gives for counts of
that size (``|current - previous| <= 2 * sqrt(current + previous)``, about a 95 % band for
Poisson counts), so a meeting does not chase noise.

Examples
--------
>>> import datetime as dt
>>> period_start(dt.date(2026, 8, 19), "quarter"), period_start(dt.date(2026, 8, 19), "week")
(datetime.date(2026, 7, 1), datetime.date(2026, 8, 17))
>>> previous_start(dt.date(2026, 1, 1), "month")
datetime.date(2025, 12, 1)
>>> period_label(dt.date(2026, 7, 1), "quarter"), period_label(dt.date(2026, 10, 1), "month")
('Q3 2026', 'October 2026')
>>> Headline("on_street", "On-street activity", "events", 120, 80, 4, 4).words("October 2026",
...                                                                       "September 2026")
'On-street activity: 120 events in October 2026, up 40 (+50%) on September 2026.'
>>> from profiles import store
>>> overview(store.connect(":memory:"), "partnership").summary
['Nothing has been loaded for this area and range yet.']
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from data_contracts.feeds import CONTRACTS
from data_contracts.periods import next_start, period_label, period_start, previous_start
from profiles.analyses.periods import released_series
from profiles.release import (NO_DATA, NOT_LOADED, RELEASED, TOO_FEW, Figure,
                              disclosure_statement, feed_coverage, get_policy, release_periods)

PERIODS = ("week", "month", "quarter")

#: The order the overview has always shown its feeds in; a feed added to the catalogue since
#: comes after these.
_ORDER = ("on_street", "premises", "harm_reports", "community_concerns", "outreach_contacts",
          "online_adverts")
#: Feeds the overview shows, in order: (label, unit). Every counted feed with a file of its
#: own, as the catalogue (:data:`data_contracts.feeds.CATALOGUE`) describes it.
FEEDS: dict[str, tuple[str, str]] = {
    c.feed: (c.label, c.unit.many)
    for c in sorted((c for c in CONTRACTS.values() if c.kind == "event"),
                    key=lambda c: _ORDER.index(c.feed) if c.feed in _ORDER else len(_ORDER))}
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve", "thirteen")


class OverviewError(ValueError):
    """An overview was asked for with an unknown period."""


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise OverviewError(f"period= must be one of {', '.join(PERIODS)}, not {period!r}")


@dataclass
class Headline:
    """One feed's released total in the current and the previous period."""

    feed: str
    label: str
    unit: str
    current: int
    previous: int
    current_weeks: int = 0
    previous_weeks: int = 0
    #: Most of this feed's figures can be shown only over periods longer than the one asked
    #: for, and none is shown in the current one: a 0 here would mislead.
    shown_longer: bool = False
    #: What the current and the previous figure are: "released", "too few to show",
    #: "no data for this period" or "not loaded" (see :mod:`profiles.release.figures`).
    current_state: str = RELEASED
    previous_state: str = RELEASED

    @property
    def figure(self) -> Figure:
        """The current figure with its state (its ``text`` is what a screen shows)."""
        return Figure(self.current_state, self.current if self.current_state == RELEASED else 0)

    @property
    def comparable(self) -> bool:
        """True when both periods are released figures, so a change means something."""
        return self.current_state == RELEASED and self.previous_state == RELEASED

    @property
    def change(self) -> int:
        """Current minus previous (both released totals)."""
        return self.current - self.previous

    @property
    def change_pct(self) -> float | None:
        """Change as a percentage of the previous total; None when the previous was 0."""
        return None if self.previous == 0 else 100.0 * self.change / self.previous

    @property
    def steady(self) -> bool:
        """True when the change is within chance variation for counts of this size."""
        return abs(self.change) <= 2 * math.sqrt(self.current + self.previous)

    def words(self, current_label: str, previous_label: str) -> str:
        """Return the headline as one plain sentence."""
        if self.current_state == NOT_LOADED:
            return (f"{self.label}: not loaded — no file for this feed has been loaded, so "
                    f"nothing can be said about it.")
        if self.current_state == NO_DATA:
            return (f"{self.label}: no data for {current_label} — the files loaded for this "
                    f"feed cover other weeks.")
        if self.current_state == TOO_FEW or (self.shown_longer and self.current == 0):
            return (f"{self.label}: none shown in {current_label} on its own — there are too "
                    f"few in any one period of this length to show, so they are shown only "
                    f"over longer periods.")
        head = f"{self.label}: {self.current:,} {self.unit} in {current_label}"
        if self.previous_state != RELEASED:
            return (f"{head}; {previous_label} cannot be compared "
                    f"({self.previous_state}).")
        if self.previous == 0 and self.current == 0:
            tail = f", as in {previous_label}"
        elif self.previous == 0:
            tail = f", against none shown in {previous_label}"
        elif self.change == 0:
            tail = f", the same as in {previous_label}"
        else:
            way = "up" if self.change > 0 else "down"
            tail = (f", {way} {abs(self.change):,} ({self.change_pct:+.0f}%) on "
                    f"{previous_label}")
            if self.steady:
                tail += " — a change this small is within normal variation"
        weeks = ""
        if self.current_weeks and self.current_weeks != self.previous_weeks:
            weeks = (f" ({_in_words(self.current_weeks)} weeks of data against "
                     f"{_in_words(self.previous_weeks)})")
        return head + tail + weeks + "."


def _and(words: list) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _in_words(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


@dataclass
class Overview:
    """Headline figures, trends and a plain summary for one audience, area and range.

    Attributes
    ----------
    headlines : list of Headline
        One per feed the audience may see, in :data:`FEEDS` order.
    trends : pandas.DataFrame
        ``feed``, ``label``, ``period_start``, ``count``, ``state`` — released totals per
        whole period of the range, and what each is (``released``, ``too few to show``,
        ``no data for this period``; feeds not loaded have no rows).
    summary : list of str
        Plain-words sentences for a meeting.
    current_start, previous_start : date or None
        The periods the headlines compare (None when nothing is loaded).
    partial_start : date or None
        The incomplete period at the end of the range, shown in the trend but left out of
        the headlines (None when the range ends with a whole period).
    pooled : dict
        Feed label -> released count the disclosure roll-up could show only over a period
        longer than ``period`` (it cannot be placed in one period, so it is in no headline
        or trend bar; the summary says so).
    mostly_pooled : list of str
        Feed labels for which more is shown only over longer periods than by ``period``:
        their headlines show a small part of the picture, and the summary suggests a longer
        period.
    """

    audience: str
    area: str | None
    period: str
    start: dt.date | None
    end: dt.date | None
    current_start: dt.date | None
    previous_start: dt.date | None
    headlines: list = field(default_factory=list)
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: list = field(default_factory=list)
    statement: str = ""
    partial_start: dt.date | None = None
    partial_weeks: int = 0
    pooled: dict = field(default_factory=dict)
    mostly_pooled: list = field(default_factory=list)
    #: The latest period of the range when it has no data for any feed (the headlines then
    #: show the latest period that has some); None otherwise.
    skipped_start: dt.date | None = None

    @property
    def empty(self) -> bool:
        """True when there is nothing to show (no data in range)."""
        return self.current_start is None

    @property
    def current_label(self) -> str:
        """The current period in words."""
        return "" if self.empty else period_label(self.current_start, self.period)

    @property
    def previous_label(self) -> str:
        """The previous period in words."""
        return "" if self.empty else period_label(self.previous_start, self.period)

    @property
    def trend_notes(self) -> list[str]:
        """Sentences that say which trends are not drawn, and why (one per state)."""
        notes, t = [], self.trends
        missing = [h.label for h in self.headlines if h.current_state == NOT_LOADED]
        if missing:
            notes.append(f"Not loaded (no file for these feeds): {_and(missing)}.")
        if t.empty:
            return notes
        per = {label: part for label, part in t.groupby("label", sort=False)}
        gaps = [f"{label} ({_in_words(int((part['state'] == NO_DATA).sum()))})"
                for label, part in per.items() if (part["state"] == NO_DATA).any()]
        if gaps:
            notes.append(f"No data for some {self.period}s — the files loaded cover other "
                         f"weeks, so those {self.period}s are left out rather than drawn as "
                         f"0: {_and(gaps)}.")
        blank = {label: part for label, part in per.items() if not part["count"].any()}
        few = [label for label, part in blank.items() if (part["state"] == TOO_FEW).all()]
        if few:
            notes.append(f"Too few to show in any one {self.period} (shown only over longer "
                         f"periods): {_and(few)}.")
        zero = [label for label, part in blank.items() if (part["state"] == RELEASED).any()]
        if zero:
            notes.append(f"Released total 0 in every {self.period} with data (none, or too "
                         f"few in each place and {self.period} to show): {_and(zero)}.")
        if self.partial_start is not None:
            notes.append("The last bar is a part period: not all its weeks are in the range.")
        return notes

    def headline(self, feed: str) -> Headline:
        """Return the headline of ``feed``; refuse a feed that is not shown."""
        for h in self.headlines:
            if h.feed == feed:
                return h
        raise KeyError(f"no headline for feed {feed!r}; shown: "
                       f"{', '.join(h.feed for h in self.headlines) or 'none'}")


def overview(con, audience, *, period: str = "month", area=None, start: dt.date | None = None,
             end: dt.date | None = None) -> Overview:
    """Return the overview of released figures for ``audience``.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy
    period : {"week", "month", "quarter"}
    area : str or int, optional
        An area name or id; default the whole force.
    start, end : date, optional
        The chosen range (weeks by their Monday); default all loaded weeks.

    Returns
    -------
    Overview

    Raises
    ------
    OverviewError
        For an unknown ``period``.
    profiles.release.api.ReleaseError
        For an unknown area.
    """
    _check_period(period)
    policy = get_policy(audience)
    weeks = [w for w in release_periods(con)
             if (start is None or w >= start) and (end is None or w <= end)]
    base = Overview(policy.name, None if area is None else str(area), period, start, end, None,
                    None, statement=disclosure_statement(policy))
    feeds = [f for f in FEEDS if policy.may_see(f)]
    if not weeks or not feeds:
        base.summary = ["Nothing has been loaded for this area and range yet."]
        base.trends = pd.DataFrame(columns=["feed", "label", "period_start", "count", "state"])
        return base
    coverage = feed_coverage(con)
    cur = period_start(weeks[-1], period)
    partial = None
    if period_start(weeks[-1] + dt.timedelta(days=7), period) == cur and \
            period_start(weeks[0], period) < cur:
        partial, cur = cur, previous_start(cur, period)
    cur, partial, skipped = _latest_with_data(coverage, feeds, cur, partial, weeks, period)
    prev = previous_start(cur, period)
    first = min(period_start(weeks[0], period), prev)
    all_weeks = release_periods(con)
    n_weeks = {p: sum(1 for w in all_weeks if period_start(w, period) == p
                      and (end is None or w <= end)) for p in (cur, prev, partial)}
    last = partial or cur
    spine = [first]
    while spine[-1] < last:
        spine.append(next_start(spine[-1], period))
    shown_from = period_start(weeks[0], period)
    rows, headlines, pooled, mostly = [], [], {}, []
    for feed in feeds:
        label, unit = FEEDS[feed]
        if not coverage.is_loaded(feed):
            headlines.append(Headline(feed, label, unit, 0, 0, current_state=NOT_LOADED,
                                      previous_state=NOT_LOADED))
            continue
        series = released_series(con, policy, feed, period=period, area=area, start=first,
                                 end=end)
        frame = series.frame
        if len(frame) < len(series.released.frame):  # figures shown only over longer periods
            pooled[label] = series.longer
            if series.longer > int(frame["count"].sum()):
                mostly.append(label)
        totals = frame.groupby("period_start")["count"].sum() if len(frame) else pd.Series()
        series = {p: int(totals.get(p, 0)) for p in spine}
        states = {p: coverage.state(feed, p, next_start(p, period), series[p],
                                    too_few=label in mostly) for p in spine}
        headlines.append(Headline(feed, label, unit, series[cur], series[prev],
                                  n_weeks[cur], n_weeks[prev], label in mostly,
                                  states[cur], states[prev]))
        rows += [(feed, label, p, c if states[p] == RELEASED else 0, states[p])
                 for p, c in series.items() if p >= shown_from]
    base.current_start, base.previous_start = cur, prev
    base.partial_start, base.partial_weeks = partial, n_weeks[partial] if partial else 0
    base.headlines = headlines
    base.pooled = pooled
    base.mostly_pooled = mostly
    base.skipped_start = skipped
    base.trends = pd.DataFrame(rows, columns=["feed", "label", "period_start", "count",
                                              "state"])
    base.summary = _summary(base)
    return base


def _latest_with_data(coverage, feeds, cur, partial, weeks, period):
    """Return (current, partial, skipped): the latest period with data for some feed.

    The last *whole* period is preferred (an incomplete one compares badly). When it has no
    data for any feed, the incomplete last period is current if it has data; otherwise the
    latest earlier period that has. ``skipped`` is the empty period stepped over (the summary
    says so), None when none was.
    """
    def has_data(p):
        return coverage.covers_any(feeds, p, next_start(p, period))

    if has_data(cur):
        return cur, partial, None
    if partial is not None and has_data(partial):
        return partial, None, cur
    p, floor = cur, period_start(weeks[0], period)
    while p > floor:
        p = previous_start(p, period)
        if has_data(p):
            return p, partial, cur
    return cur, partial, None


def _summary(ov: Overview) -> list[str]:
    lines = [h.words(ov.current_label, ov.previous_label) for h in ov.headlines]
    if ov.skipped_start is not None:
        lines.insert(0, f"{period_label(ov.skipped_start, ov.period)} has no data for any "
                        f"feed, so the headlines show {ov.current_label}, the latest "
                        f"{ov.period} with data.")
    if ov.partial_start is not None:
        lines.append(f"{period_label(ov.partial_start, ov.period)} is not complete yet "
                     f"({_in_words(ov.partial_weeks)} "
                     f"week{'s' if ov.partial_weeks != 1 else ''} of data), so the headlines "
                     f"compare the last two whole {ov.period}s.")
    moving = [h for h in ov.headlines if h.comparable and not h.steady and h.previous > 0
              and not (h.shown_longer and h.current == 0)]
    rises = sorted((h for h in moving if h.change > 0), key=lambda h: -h.change_pct)
    falls = sorted((h for h in moving if h.change < 0), key=lambda h: h.change_pct)
    if rises:
        lines.append(f"The clearest rise is in {rises[0].label.lower()}.")
    if falls:
        lines.append(f"The clearest fall is in {falls[0].label.lower()}.")
    if not moving and any(h.comparable for h in ov.headlines):
        lines.append("No figure moved by more than chance alone would explain.")
    if ov.pooled:
        which = ("every feed" if len(ov.pooled) == len(ov.headlines) else
                 _and([k.lower() for k in ov.pooled]))
        lines.append(f"Part of the picture for {which} has too few people behind it in any "
                     f"one {ov.period} and is shown only over longer periods, so it is in no "
                     f"{ov.period}'s total here.")
    if ov.mostly_pooled:
        which = _and([k.lower() for k in ov.mostly_pooled])
        advice = ("choose a longer period in the sidebar for a fuller picture"
                  if ov.period != "quarter" else "so these headlines show only a small part "
                                                 "of it")
        lines.append(f"Most of the figures for {which} can be shown only over periods longer "
                     f"than a {ov.period}: {advice}.")
    lines.append("These are released totals: groups too small to show are left out, so a "
                 "total can be a little lower than the true count.")
    return lines


__all__ = ["FEEDS", "Headline", "Overview", "OverviewError", "next_start", "overview",
           "period_label", "period_start", "previous_start"]
