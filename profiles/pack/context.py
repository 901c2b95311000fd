"""What every part of the pack builder shares: the audience, area and weeks, and released tables.

:class:`PackContext` is the only place the pack asks for numbers. Each released table is fetched
once from :func:`profiles.release.api.release_counts` and every :class:`~profiles.pack.model.Figure`
is a sum of released counts, carrying the :class:`~profiles.pack.model.Source` it came from.

Examples
--------
>>> from profiles import store
>>> ctx = PackContext.open(store.connect(":memory:"), "partnership")
>>> ctx.figure("On-street activity", "on_street").value
0
>>> ctx.trend_period  # no weeks loaded: the finest grain
'week'
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from data_contracts.periods import period_label, period_start
from profiles.pack.prose import section
from profiles.release import PlainWordsError, Policy, feed_coverage, get_policy
from profiles.pack.labels import COMBINED
from profiles.pack.model import Figure, Source
from profiles.release import (ReleasedTable, release_areas, release_counts, release_periods,
                              resolve_area)

#: How many trend periods make "recent" (compared with as many before them).
RECENT = {"week": 4, "month": 3, "quarter": 1}
#: A change is read only when at least this share of a feed is released at the trend grain.
FINE_SHARE = 0.6


class PackError(PlainWordsError):
    """The pack cannot be built as asked (bad dates, unknown area, ...)."""


def trend_period_for(weeks: list) -> str:
    """Return the trend grain for a span of weeks: week (<= 13), month (<= 156), else quarter.

    Examples
    --------
    >>> trend_period_for(list(range(10))), trend_period_for(list(range(104)))
    ('week', 'month')
    """
    n = len(weeks)
    if n <= 13:
        return "week"
    return "month" if n <= 156 else "quarter"


class Windows(NamedTuple):
    """The recent and earlier ranges of weeks ``(first Monday, last Monday)`` and their names."""

    recent: tuple
    earlier: tuple
    recent_label: str
    earlier_label: str


@dataclass
class PackContext:
    """The audience, area and weeks of one pack, and a cache of its released tables."""

    con: object
    policy: Policy
    area: str | None
    start: dt.date | None
    end: dt.date | None
    weeks: list
    area_frame: object
    cache: dict = field(default_factory=dict)

    @classmethod
    def open(cls, con, audience, *, area=None, start=None, end=None) -> "PackContext":
        """Check the arguments and return a context.

        Raises
        ------
        PackError
            If ``start`` is after ``end``.
        profiles.release.api.ReleaseError
            For an unknown area (the message lists the loaded areas).
        profiles.release.audiences.PolicyError
            For an unknown audience.
        """
        policy = get_policy(audience)
        if start is not None and end is not None and start > end:
            raise PackError(f"the period starts ({start}) after it ends ({end}); give --from "
                            f"a date on or before --to")
        if area is not None:
            resolve_area(con, area)
            area = str(area)
        weeks = [w for w in release_periods(con)
                 if (start is None or w >= start) and (end is None or w <= end)]
        return cls(con, policy, area, start, end, weeks, release_areas(con))

    # ---- what the audience may see -------------------------------------------------------
    @property
    def audience(self) -> str:
        """The audience name."""
        return self.policy.name

    def may(self, feed: str, by=()) -> bool:
        """True when the audience may see ``feed`` with the breakdowns ``by``."""
        return self.policy.may_see(feed) and all(b in self.policy.breakdowns for b in by)

    def kept_from(self, section, feed: str, what: str, by=()) -> bool:
        """True when the audience may not see ``feed`` (by ``by``): ``section`` then notes
        that it may not see ``what``."""
        if self.may(feed, by):
            return False
        section.notes.append(f"The {self.policy.label.lower()} audience may not see {what}.")
        return True

    def opening(self, key: str, feed: str, label: str):
        """Return the section ``key`` (:func:`profiles.pack.prose.section`) opened with the
        whole-period figure of ``feed`` (:meth:`whole_period`), and that figure, or None when
        the audience may not see the feed (the section then says so)."""
        opened = section(key)
        return opened, self.whole_period(opened, feed, label)

    def whole_period(self, section, feed: str, label: str, what: str | None = None):
        """Return the released whole-period figure "``label``, whole period" of ``feed``,
        added to ``section``'s key figures; or None after noting that the audience may not see
        ``what`` (default ``label`` in lower case)."""
        if self.kept_from(section, feed, what or label.lower()):
            return None
        total = self.figure(f"{label}, whole period", feed)
        section.figures.append(total)
        return total

    @property
    def trend_period(self) -> str:
        """The grain of the pack's trends."""
        return trend_period_for(self.weeks)

    @property
    def trend_starts(self) -> list:
        """The starts of the trend periods in the pack's weeks, oldest first."""
        return sorted({period_start(w, self.trend_period) for w in self.weeks})

    def windows(self) -> "Windows | None":
        """Return the recent and earlier ranges of weeks compared in the pack, or None.

        Recent is the last :data:`RECENT` whole trend periods (a last period not yet complete
        is left out); earlier is as many periods just before them.
        """
        period = self.trend_period
        n = RECENT[period]
        starts = self.trend_starts
        if self.weeks and period != "week" and \
                period_start(self.weeks[-1] + dt.timedelta(days=7), period) == starts[-1]:
            starts = starts[:-1]
        if len(starts) < 2 * n:
            return None
        recent, earlier = starts[-n:], starts[-2 * n:-n]
        rw = [w for w in self.weeks if period_start(w, period) in recent]
        ew = [w for w in self.weeks if period_start(w, period) in earlier]
        return Windows((rw[0], rw[-1]), (ew[0], ew[-1]), span_label(recent, period),
                       span_label(earlier, period))

    # ---- released tables and figures -----------------------------------------------------
    def source(self, feed, period="all", by=(), where=(), area="<pack>", analysis=None):
        """Return the :class:`Source` for a release in this pack (default: the pack's area)."""
        area = self.area if area == "<pack>" else area
        return Source(feed, period, tuple(by), area, self.start, self.end, tuple(where),
                      analysis)

    def released(self, source: Source) -> ReleasedTable:
        """Return the released table a source names (fetched once per pack)."""
        key = (source.feed, source.period, source.by, source.area, source.start, source.end)
        if key not in self.cache:
            self.cache[key] = release_counts(self.con, self.policy, source.feed,
                                             period=source.period, by=source.by,
                                             area=source.area, start=source.start,
                                             end=source.end)
        return self.cache[key]

    def figure(self, label, feed, period="all", by=(), where=(), area="<pack>") -> Figure:
        """Return a count figure: the sum of the released rows a source selects.

        A 0 for one category (or route) of a feed whose release combined some categories is
        printed as ``combined``: it may be hidden in the combined figure, not absent.
        """
        src = self.source(feed, period, by, where, area)
        frame = self.released(src).frame
        value = src.evaluate(frame)
        blank = self.unshown(src, value)
        if value == 0 and len(frame) and not blank:
            for col, v in src.where:
                if col in ("category", "detail") and v != COMBINED and \
                        (frame[col] == COMBINED).any():
                    blank = "combined"
        return Figure(label, value, src, blank=blank)

    def unshown(self, source: Source, value) -> str:
        """What a 0 of ``source`` really is when it is not a released 0: ``not loaded`` (no
        file of the feed) or ``no data for this period`` (its files cover other weeks); ""
        for a released figure."""
        if "coverage" not in self.cache:
            self.cache["coverage"] = feed_coverage(self.con)
        fig = self.cache["coverage"].figure_over_weeks(source.feed, source.start, source.end,
                                                       int(value or 0))
        return "" if fig.shown else fig.state

    def fine_share(self, feed, by=(), where=()) -> float:
        """Share of a feed's released total shown at the trend grain or finer (1.0 if none).

        Figures the release could show only over longer periods cannot be split into recent
        and earlier weeks, so a change is read only where most of the total is this fine.
        """
        src = self.source(feed, self.trend_period, by, where)
        frame = self.released(src).frame
        total = src.evaluate(frame)
        if not total:
            return 1.0
        fine = src._replace(where=src.where + (("period_grain", self.trend_period),))
        return fine.evaluate(frame) / total

    def categories(self, feed, period="all", area="<pack>") -> list:
        """Return ``(category, Figure)`` per released category of ``feed``, largest first."""
        src = self.source(feed, period, ("category",), area=area)
        frame = self.released(src).frame
        cats = sorted(frame["category"].unique()) if len(frame) else []
        figs = [(c, self.figure(c, feed, period, ("category",), (("category", c),), area))
                for c in cats]
        return sorted(figs, key=lambda cf: -cf[1].value)

    def change(self, label, feed, by=(), where=(), analysis=None) -> tuple | None:
        """Return (recent, earlier, percent) figures for the pack's :meth:`windows`, or None.

        Recent and earlier are released totals over each range of weeks; the percent figure
        is None-valued when the earlier count is 0.
        """
        win = self.windows()
        if win is None:
            return None
        out = []
        for name, rng in (("recent", win.recent), ("earlier", win.earlier)):
            src = Source(feed, "all", tuple(by), self.area, rng[0], rng[1], tuple(where),
                         analysis)
            value = src.evaluate(self.released(src).frame)
            out.append(Figure(f"{label}, {name}", value, src,
                              blank=self.unshown(src, value)))
        r, e = out
        comparable = self.fine_share(feed, by, where) >= FINE_SHARE and not r.blank \
            and not e.blank
        pct = (100.0 * (r.value - e.value) / e.value) if e.value and comparable else None
        p = Figure(f"{label}, change", None if pct is None else round(pct),
                   r.source._replace(analysis="percent change, recent on earlier"),
                   "percent", (r, e), "" if comparable else "not comparable")
        return r, e, p

    # ---- areas ----------------------------------------------------------------------------
    def force_area(self) -> str | None:
        """The name of the force-wide area, if loaded."""
        frame = self.area_frame
        force = frame[frame["area_type"] == "force"]
        return str(force["name"].iloc[0]) if len(force) else None

    def area_label(self) -> str:
        """The pack's area in words."""
        if self.area is not None:
            return self.area
        force = self.force_area()
        return f"Whole force ({force})" if force else "Whole force"

    def sub_areas(self) -> list:
        """Names of the wards shown beside a whole-force pack (none for a single area)."""
        if self.area is not None and self.area != self.force_area():
            return []
        frame = self.area_frame
        return [str(n) for n in frame[frame["area_type"] == "ward"]["name"]]


def span_label(starts, period: str) -> str:
    """Return "Aug 2026 to Oct 2026" for a run of period starts."""
    starts = sorted(starts)
    if len(starts) == 1:
        return period_label(starts[0], period, short=True)
    return (f"{period_label(starts[0], period, short=True)} to "
            f"{period_label(starts[-1], period, short=True)}")
