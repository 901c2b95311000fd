"""The meeting pack as data: sections holding figures, tables and charts, each figure traceable.

A :class:`MeetingPack` is built once (see :func:`profiles.pack.build.build_pack`) and rendered
to HTML and PDF from the same object, so the two cannot disagree. Every number in it is a
:class:`Figure` — ``(label, value, source)`` — whose :class:`Source` names the released table it
came from (feed, period, breakdowns, area, weeks and the rows selected), so a reader or a test
can recompute it from :func:`profiles.release.api.release_counts` for the pack's audience.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"category": ["incident", "observation"], "count": [10, 25]})
>>> src = Source("on_street", by=("category",), where=(("category", "incident"),))
>>> src.evaluate(frame)
10
>>> Figure("Incidents", 10, src).text
'10'
>>> src.describe()
'on_street released counts, whole period, by category; category = incident'
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

#: What kind of number a figure is. Only ``count`` figures are counts of people or events.
KINDS = ("count", "percent", "cells", "weeks", "statistic")


class Source(NamedTuple):
    """Where a figure comes from: one released table and the rows of it that were summed.

    Attributes
    ----------
    feed : str
        The feed released (``on_street``, ``harm_reports``, ...).
    period, by, area, start, end
        The arguments given to :func:`profiles.release.api.release_counts`.
    where : tuple of (column, value)
        The rows summed; empty means every row.
    analysis : str or None
        The analysis that turned released counts into this figure, when not a plain sum.
    """

    feed: str
    period: str = "all"
    by: tuple = ()
    area: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    where: tuple = ()
    analysis: str | None = None

    def evaluate(self, frame) -> int:
        """Return the sum of ``count`` over the rows of ``frame`` that ``where`` selects.

        A ``where`` value that is a tuple selects any of its members.
        """
        mask = None
        for column, value in self.where:
            hit = frame[column].isin(value) if isinstance(value, tuple) else \
                frame[column] == value
            mask = hit if mask is None else (mask & hit)
        rows = frame if mask is None else frame[mask]
        return int(rows["count"].sum()) if len(rows) else 0

    def describe(self) -> str:
        """Return the source in words, for the pack's notes and tooltips."""
        text = f"{self.feed} released counts, " + (
            "whole period" if self.period == "all" else f"by {self.period}")
        if self.by:
            text += ", by " + " and ".join(self.by)
        if self.where:
            text += "; " + ", ".join(
                f"{c} in ({', '.join(map(str, v))})" if isinstance(v, tuple) else f"{c} = {v}"
                for c, v in self.where)
        if self.analysis:
            text += f"; via {ANALYSIS_WORDS.get(self.analysis, self.analysis)}"
        return text


#: The analyses a pack's figures come through, in words for its readers (the code's own
#: names stay out of a document shared with partners).
ANALYSIS_WORDS = {
    "profiles.analyses.premises.premises_trend":
        "the premises trend (assessments by category, period by period)",
    "profiles.analyses.hotspot_release.hotspots_for":
        "a Getis-Ord Gi* hot-spot analysis of the released counts",
    "profiles.analyses.change.change_by_cell": "the change in each hexagon between two periods",
    "profiles.release.reference.release_environment": "the environment features released",
    "profiles.analyses.coverage.reach_against_need": "outreach reach set against need",
    "profiles.planning.response.evaluate_areas":
        "the evaluation of a response (WDQ, total net effect and WDD)",
    "profiles.planning.evaluation":
        "the evaluation of a response (WDQ, total net effect and WDD)",
    "profiles.analyses.emerging_release.emerging_for":
        "an emerging hot spot analysis (Gi* month by month and a Mann-Kendall trend) of the "
        "released counts",
    "profiles.analyses.seasonality.seasonality": "each month against the same month last year",
}


class Figure(NamedTuple):
    """One number in the pack: ``(label, value, source)`` plus its kind and what it derives from.

    ``kind`` is one of :data:`KINDS`. A ``percent`` figure lists in ``parts`` the two count
    figures (recent, earlier) it compares; a ``count`` figure with ``parts`` is their sum.
    ``blank`` is printed instead of a 0 or missing value that means "not shown here" (e.g.
    ``combined`` when the release showed a category only combined with others).
    """

    label: str
    value: int | float | None
    source: Source
    kind: str = "count"
    parts: tuple = ()
    blank: str = ""

    @property
    def text(self) -> str:
        """The value as printed in the pack."""
        if self.value is None or (self.value == 0 and self.blank):
            return self.blank or "not shown"
        if self.kind == "percent":
            return f"{self.value:+.0f}%"
        if self.kind == "statistic":
            return f"{self.value:.2f}"
        return f"{int(self.value):,}"


@dataclass(frozen=True)
class Table:
    """A table: a header and rows whose cells are text or :class:`Figure`.

    Attributes
    ----------
    title : str
        The table's caption.
    columns : tuple of str
        The header, one name per column.
    rows : tuple of tuples
        Each row's cells: text, or a :class:`Figure` (drawn as its released text).
    note : str
        A line under the table (what it counts, what is left out), or empty.
    """

    title: str
    columns: tuple
    rows: tuple
    note: str = ""

    def figures(self) -> list[Figure]:
        """Every figure in the table, row by row."""
        return [c for row in self.rows for c in row if isinstance(c, Figure)]


@dataclass(frozen=True)
class HexMap:
    """A static hexagon map of released counts, of changes, or of labels (hot and cold spots).

    ``cells`` and ``values`` come straight from a released table (or an analysis of one);
    ``outlines`` are ``(name, rings, (lon, lat) label point)`` drawn as area boundaries.
    ``scale`` is ``sequential`` (counts), ``diverging`` (changes, centred on 0) or
    ``categorical`` (labels). Hexagons coarser than ``floor`` (the audience's finest
    resolution) hold places too quiet to show on their own and are drawn paler.
    """

    title: str
    caption: str
    cells: tuple
    values: tuple
    source: Source
    legend: str
    outlines: tuple = ()
    scale: str = "sequential"
    floor: int = 9

    def figures(self) -> list[Figure]:
        """The mapped counts as figures (none for a map of changes or labels)."""
        if self.scale != "sequential":
            return []
        return [Figure(f"hexagon {c}", v, self.source._replace(where=(("h3_id", c),)))
                for c, v in zip(self.cells, self.values)]


@dataclass(frozen=True)
class SmallMultiples:
    """One small hexagon map per period, all on one colour scale: a picture over time that
    needs no animation.

    ``panels`` is ``((label, values), ...)`` in time order, ``values`` giving a released count
    for each of ``cells`` (0 = none shown). ``breaks`` are the lower bounds of the classes
    every panel is coloured by (one scale, one legend).
    """

    title: str
    caption: str
    cells: tuple
    panels: tuple
    breaks: tuple
    source: Source
    legend: str
    outlines: tuple = ()

    def figures(self) -> list[Figure]:
        """None: the panels are released counts per hexagon and month, drawn, not listed."""
        return []


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per figure."""

    title: str
    caption: str
    bars: tuple

    def figures(self) -> list[Figure]:
        """The figures drawn."""
        return list(self.bars)


@dataclass(frozen=True)
class LineChart:
    """Trend lines: ``series`` is a tuple of ``(name, ((period_start, Figure), ...))``."""

    title: str
    caption: str
    series: tuple
    period: str = "month"

    def figures(self) -> list[Figure]:
        """Every point of every series."""
        return [f for _, points in self.series for _, f in points]


@dataclass
class Section:
    """A part of the pack: paragraphs, key figures, tables, charts, notes and sub-sections."""

    key: str
    title: str
    paragraphs: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    charts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    bullets: list = field(default_factory=list)
    sections: list = field(default_factory=list)

    def walk(self):
        """Yield this section and every sub-section, depth first."""
        yield self
        for sub in self.sections:
            yield from sub.walk()

    def all_figures(self) -> list[Figure]:
        """Every figure in this section and below: key figures, tables and charts."""
        out = []
        for s in self.walk():
            out += list(s.figures)
            for t in s.tables:
                out += t.figures()
            for c in s.charts:
                out += c.figures()
        return out


@dataclass
class MeetingPack:
    """A problem profile for one audience, area and period, ready to render.

    Attributes
    ----------
    audience : str
        The audience whose released numbers the pack holds.
    marking, statement : str
        Protective marking and disclosure statement (carried on every page).
    area_label : str
        The area covered, in words.
    area : str or None
        The area name given to the release layer (None = the whole force).
    start, end : date or None
        First and last week (Mondays) covered.
    generated : str
        When the pack was made, to the minute.
    version : str
        The Lantern version that made it.
    synthetic : bool
        True when built from the synthetic demonstration town.
    sections : list of Section
    """

    title: str
    audience: str
    audience_label: str
    marking: str
    statement: str
    area: str | None
    area_label: str
    start: dt.date | None
    end: dt.date | None
    generated: str
    version: str
    synthetic: bool
    sections: list = field(default_factory=list)

    def section(self, key: str) -> Section:
        """Return the section (at any depth) with ``key``; raise KeyError naming the keys."""
        for top in self.sections:
            for s in top.walk():
                if s.key == key:
                    return s
        keys = [s.key for top in self.sections for s in top.walk()]
        raise KeyError(f"no section {key!r}; sections are: {', '.join(keys)}")

    def all_figures(self) -> list[Figure]:
        """Every figure in the pack."""
        return [f for s in self.sections for f in s.all_figures()]

    def period_text(self) -> str:
        """The period covered, in words."""
        if self.start is None or self.end is None:
            return "no weeks with data"
        return (f"weeks starting {self.start:%d %b %Y} to {self.end:%d %b %Y} "
                f"(weeks begin on Monday)")

    @property
    def synthetic_label(self) -> str:
        """The synthetic-data label, or an empty string for real data."""
        return ("SYNTHETIC DATA — a fictional town; no real person, premises or street is "
                "described." if self.synthetic else "")
