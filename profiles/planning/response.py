"""Evaluate a response after the fact: WDQ and WDD for target, buffer and control hexagons.

:func:`evaluate_areas` sums one audience's *released* counts over three zones and two periods
and runs the pinned statistics of :mod:`profiles.planning.evaluation` on them:

* the **target**, where the response ran (an area or hexagons);
* the **buffer**, where displaced activity would show (default: the ring of hexagons around
  the target, :func:`ring_buffer`);
* the **control**, which shows how the place would have changed anyway.

Every count is a sum of released figures (a figure the release rolled up to a larger hexagon
counts where its centre child lies, the release's own rule), so no count here is smaller than
the audience may see. The result, :class:`AreaEvaluation`, carries the counts, the WDQ and the
WDD, and plain-words cautions (``problems``) whenever a choice makes a measure meaningless: a
control with no events, zones that overlap, periods of different lengths, too few events.
:attr:`AreaEvaluation.verdict` says what the figures can and cannot show.

Examples
--------
>>> len(ring_buffer(["891942c58b7ffff"]))
6
>>> len(ring_buffer(["891942c58b7ffff"], k=2))
18
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

import h3
import pandas as pd

from data_contracts.words import plural
from profiles.planning.displacement import DisplacementError
from profiles.planning.evaluation import WDDResult, WDQResult, wdd, wdq
from profiles.release import (disclosure_statement, frame_to_csv, get_policy,
                              release_area_cells, release_counts)

#: Below this many events in a zone over both periods together, the statistics rest on too few
#: events to mean much: the WDD's normal approximation is rough and only a very large change
#: would show.
FEW_EVENTS = 20

#: Audiences that may evaluate a response on screen: police-internal analysis, never shown to
#: the partnership on a shared screen (like the patrol brief).
EVALUATION_AUDIENCES = ("command", "analyst")

#: The zones, in the order every table shows them.
ZONES = ("target", "buffer", "control")


@dataclass
class AreaEvaluation:
    """WDQ and WDD for target, buffer and control hexagons over two periods.

    Every count is a sum of released figures for the audience; nothing here is finer than
    what the audience may see.

    Attributes
    ----------
    counts : dict
        Released totals ``target_before``, ``target_after``, ``buffer_before``, ... .
    wdq, wdd : WDQResult or WDDResult or None
        The statistics, or None when they cannot be computed (the reason is in ``problems``).
    problems : list of str
        Plain-words cautions: what was left out of a zone, which measure is missing or
        meaningless and why.
    marking, statement : str
        The audience's protective marking and disclosure statement.
    cells : dict
        The hexagons of each zone (``target``, ``buffer``, ``control``), after overlaps are
        removed.
    audience, feed : str
    before, after : tuple of date
        First and last Monday of each period.
    weeks : dict
        Number of weeks in each period (``before``, ``after``).
    """

    counts: dict
    wdq: WDQResult | None
    wdd: WDDResult | None
    problems: list
    marking: str
    statement: str
    cells: dict
    audience: str = "analyst"
    feed: str = "on_street"
    before: tuple = ()
    after: tuple = ()
    weeks: dict = field(default_factory=dict)
    few: bool = False

    @property
    def table(self) -> pd.DataFrame:
        """The before/after table: one row per zone (hexagons, before, after, change)."""
        rows = [{"zone": z, "hexagons": len(self.cells[z]),
                 "before": self.counts[f"{z}_before"], "after": self.counts[f"{z}_after"]}
                for z in ZONES]
        frame = pd.DataFrame(rows)
        frame["change"] = frame["after"] - frame["before"]
        return frame

    @property
    def verdict(self) -> str:
        """What the figures show, in plain words, saying how sure they can be."""
        return _verdict(self)

    def measures(self) -> pd.DataFrame:
        """Every figure of the evaluation as rows ``part, measure, value, reading``."""
        rows = [("counts", f"{z} {when}", self.counts[f"{z}_{when}"], "released events")
                for z in ZONES for when in ("before", "after")]
        q, d = self.wdq, self.wdd
        if q is not None:
            rows += [("WDQ", "success measure", round(q.success_measure, 4),
                      "below 0: the target improved relative to the control"),
                     ("WDQ", "buffer measure", round(q.buffer_measure, 4),
                      "above 0 suggests displacement, below 0 diffusion of benefits"),
                     ("WDQ", "weighted displacement quotient", round(q.wdq, 4), q.reading),
                     ("WDQ", "total net effect (events)", round(q.tne, 2),
                      "positive: fewer events across target and buffer than the control's "
                      "trend predicts")]
        if d is not None:
            rows += [("WDD", "weighted displacement difference", d.wdd, d.reading),
                     ("WDD", "standard error", round(d.se, 3), "square root of the counts"),
                     ("WDD", "z", round(d.z, 3), "difference over its standard error"),
                     ("WDD", "p", round(d.p, 4), "two-sided, normal approximation"),
                     ("WDD", "95% interval low", round(d.ci_low, 2), ""),
                     ("WDD", "95% interval high", round(d.ci_high, 2), "")]
        rows.append(("verdict", "in plain words", "", self.verdict))
        rows += [("caution", f"caution {i + 1}", "", p) for i, p in enumerate(self.problems)]
        return pd.DataFrame(rows, columns=["part", "measure", "value", "reading"])

    def to_csv(self) -> str:
        """Return :meth:`measures` as CSV headed by the marking and disclosure statement.

        Written by :func:`profiles.release.frame_to_csv`, which makes every text cell
        spreadsheet-safe; read it back with ``pandas.read_csv(path, comment="#")``.
        """
        title = (f"Lantern evaluation of a response: {_feed_words(self.feed)}, before "
                 f"{_span(self.before)}, after {_span(self.after)}")
        return frame_to_csv(self.measures(), get_policy(self.audience), title)


def ring_buffer(cells, k: int = 1) -> list[str]:
    """Return the hexagons within ``k`` rings of ``cells`` that are not in ``cells``.

    Examples
    --------
    >>> len(ring_buffer(["891942c58b7ffff"]))
    6
    """
    inner = set(cells)
    return sorted({n for c in inner for n in h3.grid_disk(c, k)} - inner)


def evaluate_areas(con, audience, *, target, control, before, after, buffer=None,
                   feed: str = "on_street", rings: int = 1) -> AreaEvaluation:
    """Return WDQ and WDD from released counts for target, buffer and control hexagons.

    Parameters
    ----------
    con : connection handed back to :mod:`profiles.release`
    audience : str or Policy
    target, control, buffer : str or list of str
        An area name or hexagon ids at the audience's floor. ``buffer`` defaults to the
        hexagons within ``rings`` rings of the target.
    before, after : (date, date)
        First and last Monday of each period; the after period starts after the before one.
    feed : str
        The feed counted: released counts summed over hexagons and weeks; a figure the
        release rolled up to a coarser hexagon counts where its centre child lies.
    rings : int
        Width of the default buffer, in rings of hexagons.

    Returns
    -------
    AreaEvaluation

    Raises
    ------
    DisplacementError
        In plain words: a zone with no hexagons, a buffer or control with nothing left
        outside the target, or periods in the wrong order.
    """
    policy = get_policy(audience)
    before, after = _period(before, "before"), _period(after, "after")
    if after[0] <= before[1]:
        raise DisplacementError(f"the after period must start after the before period ends "
                                f"(before ends {before[1]}, after starts {after[0]}); choose "
                                f"periods that do not overlap")

    if isinstance(rings, bool) or not isinstance(rings, int) or not 1 <= rings <= 5:
        raise DisplacementError(f"the buffer around the target must be 1 to 5 rings of "
                                f"hexagons wide, not {rings!r}")

    def cells_of(x, words):
        if isinstance(x, str):
            return release_area_cells(con, x, policy)
        out = sorted(set(x or ()))
        if not out:
            raise DisplacementError(f"no {words} is chosen; pick an area or some hexagons")
        for cell in out:
            if not isinstance(cell, str) or not h3.is_valid_cell(cell):
                raise DisplacementError(f"the {words} must be an area name or H3 hexagon ids; "
                                        f"{cell!r} is neither")
            if h3.get_resolution(cell) != policy.resolution_floor:
                raise DisplacementError(
                    f"hexagon {cell} of the {words} is at H3 resolution "
                    f"{h3.get_resolution(cell)}, but the {policy.name} audience works at "
                    f"resolution {policy.resolution_floor}")
        return out

    t = cells_of(target, "target")
    b = ring_buffer(t, rings) if buffer is None else cells_of(buffer, "buffer")
    c = cells_of(control, "control")
    problems = []
    b2 = [x for x in b if x not in set(t)]
    c2 = [x for x in c if x not in set(t) | set(b2)]
    if len(b2) < len(b):
        problems.append(f"The buffer leaves out {plural(len(b) - len(b2), 'hexagon')} of the "
                        f"target.")
    in_target = len(set(c) & set(t))
    in_buffer = len(set(c) & set(b2))
    if in_target or in_buffer:
        parts = [f"{n} in the {z}" for n, z in ((in_target, "target"), (in_buffer, "buffer"))
                 if n]
        problems.append(f"The control leaves out {plural(len(c) - len(c2), 'hexagon')} it shares "
                        f"with the response ({' and '.join(parts)}). A control that overlaps "
                        f"or touches the buffer may itself receive displaced activity, which "
                        f"would hide displacement: choose a control farther away.")
    if not b2 or not c2:
        zone = "buffer" if not b2 else "control"
        raise DisplacementError(f"the {zone} has no hexagons left outside the target"
                                f"{'' if zone == 'buffer' else ' and buffer'}; pick one that "
                                f"does not lie inside them")
    cells = {"target": t, "buffer": b2, "control": c2}
    counts, floor = {}, int(policy.resolution_floor)
    for label, (s, e) in (("before", before), ("after", after)):
        frame = release_counts(con, policy, feed, period="all", start=s, end=e).frame
        # a rolled-up hexagon belongs where its centre child lies (the release's own rule)
        home = [h3.cell_to_center_child(x, floor) if h3.get_resolution(x) < floor else x
                for x in frame["h3_id"]]
        per = frame["count"].groupby(pd.Index(home)).sum()
        for name, zone in cells.items():
            counts[f"{name}_{label}"] = int(per.reindex(zone).fillna(0).sum())
    weeks = {"before": _weeks(before), "after": _weeks(after)}
    q, d = _statistics(counts, problems)
    few = _few(counts, problems)
    if weeks["before"] != weeks["after"]:
        problems.append(f"The before period has {weeks['before']} weeks and the after period "
                        f"{weeks['after']}. The WDQ allows for this through the control area, "
                        f"but the WDD compares raw counts: choose periods of the same length "
                        f"for it to mean anything.")
    return AreaEvaluation(counts, q, d, problems, policy.marking, disclosure_statement(policy),
                          cells, policy.name, feed, before, after, weeks, few)


def _statistics(counts, problems):
    """Run the pinned WDQ and WDD, or explain in plain words why one cannot be read."""
    k = counts
    q = d = None
    empty = [w for w in ("before", "after") if k[f"control_{w}"] == 0]
    if empty:
        problems.append(f"The control has no events in the {' or the '.join(empty)} period, "
                        f"so there is no trend to compare with: the success measure, the WDQ "
                        f"and the total net effect cannot be computed. Choose a larger or "
                        f"busier control area, or longer periods.")
    elif Fraction(k["target_after"], k["control_after"]) == Fraction(k["target_before"],
                                                                     k["control_before"]):
        problems.append("The target changed exactly in line with the control, so there is no "
                        "effect in the target to weigh displacement against: the WDQ cannot "
                        "be computed.")
    else:
        q = wdq(k["target_before"], k["target_after"], k["buffer_before"], k["buffer_after"],
                k["control_before"], k["control_after"])
    if sum(k[f"{z}_{w}"] for z in ("target", "control") for w in ("before", "after")) == 0:
        problems.append("Neither the target nor the control has any events in either period, "
                        "so there is nothing to test: the WDD cannot be computed. Choose "
                        "larger areas or longer periods.")
    else:
        d = wdd(k["target_before"], k["target_after"], k["control_before"],
                k["control_after"])
    return q, d


def _few(counts, problems) -> bool:
    """Add a caution when a zone has fewer than :data:`FEW_EVENTS` events in both periods."""
    low = [f"the {z}" for z in ZONES
           if counts[f"{z}_before"] + counts[f"{z}_after"] < FEW_EVENTS]
    if low:
        problems.append(f"Too few events for the tests to mean much: fewer than {FEW_EVENTS} "
                        f"over both periods in {' and '.join(low)}. With so few, chance alone "
                        f"moves the figures a long way; read every measure as rough and choose "
                        f"larger areas or longer periods.")
    return bool(low)


def _verdict(ev: AreaEvaluation) -> str:
    """The evaluation in plain words (see :attr:`AreaEvaluation.verdict`)."""
    d, q = ev.wdd, ev.wdq
    out = []
    if d is None:
        out.append("Lantern cannot say whether the target changed: there are no events to "
                   "compare.")
    else:
        size = abs(d.wdd)
        way = "fewer" if d.wdd < 0 else "more"
        interval = f"between {d.ci_low:.0f} and {d.ci_high:.0f} events"
        if d.wdd == 0:
            out.append(f"The target changed just as the control did. The 95% interval runs "
                       f"from {d.ci_low:.0f} to {d.ci_high:.0f} events, so a real effect of "
                       f"that size either way cannot be ruled out.")
        elif d.significant:
            out.append(f"The target had about {size} {way} events than the control's change "
                       f"would predict. A difference this large is unlikely to be chance "
                       f"alone ({_p(d.p)}); the true difference is probably {interval}. "
                       f"This shows a change, not its cause: other things may have changed "
                       f"in the target at the same time.")
        else:
            out.append(f"The target had about {size} {way} events than the control's change "
                       f"would predict, but chance alone could give a difference this size "
                       f"({_p(d.p)}; the true difference could be {interval}). The "
                       f"figures do not show that the response worked, nor that it failed.")
    if q is not None:
        out.append(_displacement_words(q) + " The WDQ has no test of chance: read it beside "
                                            "the WDD.")
    elif ev.counts["control_before"] == 0 or ev.counts["control_after"] == 0:
        out.append("Displacement cannot be judged without a control that has events.")
    if ev.few:
        out.append("These figures rest on few events: treat them as a first look, not a "
                   "finding.")
    return " ".join(out)


def _p(p: float) -> str:
    """A p-value as words print it: ``p < 0.001`` rather than ``p = 0.000``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _displacement_words(q: WDQResult) -> str:
    if q.band == "not interpretable":
        return ("The target did not improve relative to the control, so the WDQ says nothing "
                "about displacement.")
    if q.band in ("diffusion", "diffusion greater than direct effect"):
        return ("The buffer also improved relative to the control: no sign that activity "
                "moved next door, and some sign the benefit spread (WDQ "
                f"{q.wdq:.2f}).")
    if q.band == "none":
        return "The buffer changed in line with the control: no sign of displacement."
    if q.band == "displacement no greater than benefit":
        return (f"The buffer worsened relative to the control, so some activity may have "
                f"moved next door, but less than the target gained (WDQ {q.wdq:.2f}): a net "
                f"benefit overall.")
    return (f"The buffer worsened by more than the target gained (WDQ {q.wdq:.2f}): the "
            f"response may have moved the problem rather than reduced it.")


def _period(value, words) -> tuple:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise DisplacementError(f"the {words} period needs a first and a last week")
    start, end = (to_date(v, f"{words} period") for v in value)
    if end < start:
        raise DisplacementError(f"the {words} period ends ({end}) before it starts ({start})")
    return start, end


def to_date(value, words: str) -> dt.date:
    """Return ``value`` (a date, datetime or ``YYYY-MM-DD`` text) as a date.

    Raises
    ------
    DisplacementError
        In plain words naming ``words``, for anything else.

    Examples
    --------
    >>> to_date("2025-01-06", "before period")
    datetime.date(2025, 1, 6)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DisplacementError(f"the {words} needs dates written as YYYY-MM-DD, not "
                                f"{value!r}") from None


def _weeks(span) -> int:
    """Weeks whose Monday lies in ``span`` (the way a release picks them)."""
    start, end = span
    first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    return 0 if first > end else (end - first).days // 7 + 1


def _span(span) -> str:
    return f"{span[0]} to {span[1]}" if span else "not given"


def _feed_words(feed: str) -> str:
    from profiles.analyses import FEED_WORDS

    return FEED_WORDS.get(feed, feed.replace("_", " "))


__all__ = ["EVALUATION_AUDIENCES", "FEW_EVENTS", "ZONES", "AreaEvaluation", "evaluate_areas", "ring_buffer",
           "to_date"]
