"""Analysis commands: hotspots, change, coverage, premises.

Each runs an analysis on one audience's released counts and writes a table as CSV (or, where
the rows are cells, GeoJSON hexagons), headed by the audience's protective marking, the
disclosure statement, "synthetic data" when the demo is loaded, and the result in words.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from data_contracts.words import plural
from data_contracts.feeds import EVENT_FEEDS, feed_entry
from data_contracts.periods import TREND_PERIODS
from profiles.cli import UserError, add_db_argument, command

#: Counted feeds placed finely enough for hexagon analyses (not the approximate adverts).
_FEEDS = tuple(f for f in EVENT_FEEDS if feed_entry(f).finest_resolution is None)


def register(sub) -> None:
    """Add the analysis commands to the ``lantern`` parser."""
    p = command(sub, _hotspots, "hotspots", db=False)
    _common(p, feed_default="on_street")
    _dates(p)
    p.add_argument("--k", type=int, default=1, help="neighbour rings (default 1)")
    p.add_argument("--alpha", type=float, default=0.05,
                   help="significance level after FDR correction (default 0.05)")
    p.add_argument("--patterns", choices=TREND_PERIODS, default=None, metavar="PERIOD",
                   help="sfhotspot-style hot/cold-spot patterns over periods: week, month, "
                        "quarter or year")
    p.add_argument("--recent", type=int, default=3,
                   help="with --patterns: the recent window in periods (default 3)")
    p.add_argument("--emerging", nargs="?", const="month", choices=("month", "quarter"),
                   default=None, metavar="PERIOD",
                   help="ArcGIS-style emerging hot spots over months (default) or quarters")
    p.add_argument("--time-steps", type=int, default=0,
                   help="with --emerging: earlier periods in each neighbourhood (default 0)")
    _output(p, geojson=True)

    p = command(sub, _change, "change", db=False)
    _common(p, feed_default=None)
    p.add_argument("--before", type=_date_range, metavar="START:END", default=None,
                   help="first range of weeks, e.g. 2025-01-01:2025-03-31")
    p.add_argument("--after", type=_date_range, metavar="START:END", default=None,
                   help="second range of weeks, e.g. 2025-04-01:2025-06-30")
    p.add_argument("--trend", choices=TREND_PERIODS, default=None, metavar="PERIOD",
                   help="instead of --before/--after: totals per week, month, quarter or year")
    _dates(p, note=" with --trend")
    _output(p, geojson=True)

    p = command(sub, _coverage, "coverage", db=False)
    _common(p, feed_default=None, feed=False)
    _dates(p)
    p.add_argument("--low-reach", type=float, default=0.25,
                   help="contacts per need event below which reach is low (default 0.25)")
    p.add_argument("--unmet-only", action="store_true",
                   help="only the cells with unmet need or low reach, by need")
    _output(p, geojson=True)

    p = command(sub, _premises, "premises", db=False)
    _common(p, feed_default=None, feed=False)
    p.add_argument("--period", choices=("week", "month", "quarter", "year", "all"),
                   default="quarter",
                   help="period (default quarter)")
    _dates(p)
    _output(p, geojson=False)


def _common(p, *, feed_default, feed=True) -> None:
    add_db_argument(p)
    p.add_argument("--audience", required=True, help="partnership, command or analyst")
    if feed:
        p.add_argument("--feed", choices=_FEEDS, metavar="FEED", default=feed_default,
                       required=feed_default is None,
                       help=f"one of: {', '.join(_FEEDS)}"
                            + (f" (default {feed_default})" if feed_default else ""))
    p.add_argument("--area", default=None, help="area name or id (default: whole force)")


def _dates(p, note="") -> None:
    p.add_argument("--from", dest="start", type=_date, metavar="DATE", default=None,
                   help=f"first week to include{note}, YYYY-MM-DD (default: first loaded)")
    p.add_argument("--to", dest="end", type=_date, metavar="DATE", default=None,
                   help=f"last week to include{note}, YYYY-MM-DD (default: last loaded)")


def _output(p, *, geojson: bool) -> None:
    formats = ("csv", "geojson") if geojson else ("csv",)
    p.add_argument("--format", choices=formats, default="csv",
                   help=f"{' or '.join(formats)} (default csv)")
    p.add_argument("--out", metavar="PATH", default=None, help="output file (default: stdout)")


def _date(text: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. "
                                         f"2025-01-31") from None


def _date_range(text: str) -> tuple:
    import argparse

    parts = text.split(":")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range; use START:END, e.g. "
                                         f"2025-01-01:2025-03-31")
    return tuple(_date(t) for t in parts)


def _connect(args):
    from profiles.release import open_read_only
    return open_read_only(Path(args.db) if args.db else None)


def outlines_for(con, audience, area):
    """The outline of ``area`` (or of the force, with no area) for a GeoJSON export."""
    from profiles.release import release_area_outlines

    outlines = release_area_outlines(con, audience)
    if area is not None:
        return outlines[outlines["name"] == str(area)]
    force = outlines[outlines["area_type"] == "force"]
    return force if len(force) else outlines


def _write(args, con, frame, policy, title, notes) -> int:
    from profiles.release import frame_to_csv, frame_to_geojson, is_synthetic

    lines = []
    if is_synthetic(con):
        lines.append("SYNTHETIC DATA: a fictional town, for demonstration only.")
    lines += list(notes)
    if args.format == "geojson":
        text = frame_to_geojson(frame, policy, title, lines,
                                outlines=outlines_for(con, policy, getattr(args, "area", None)))
    else:
        text = frame_to_csv(frame, policy, title, lines)
    if args.out:
        from data_contracts.private_files import write_private

        write_private(args.out, text)
        print(f"wrote {len(frame):,} rows to {args.out} ({policy.marking})", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _hotspots(args) -> int:
    """Getis-Ord Gi* hot and cold spots of released counts

    Find hot and cold spots (Getis-Ord Gi*, false discovery rate corrected) in one feed's released
    counts over the study area's cells at the audience's resolution. With --patterns, class each
    cell's pattern over periods instead, in sfhotspot's style (persistent, emerging, former,
    intermittent, mixed). With --emerging, give each hexagon ArcGIS's emerging hot spot category
    (new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical;
    hot or cold) with its Mann-Kendall trend z and p, over months (or quarters) of released counts.
    """
    from profiles.analyses import HotspotRunError, classify_for, hotspots_for

    con = _connect(args)
    if args.patterns and args.emerging:
        raise UserError("choose one of --patterns (sfhotspot-style) and --emerging "
                        "(ArcGIS-style), not both")
    try:
        if args.emerging:
            return _emerging(args, con)
        if args.patterns:
            table = classify_for(con, args.audience, args.feed, period=args.patterns,
                                 area=args.area, start=args.start, end=args.end,
                                 recent=args.recent, k=args.k, alpha=args.alpha)
            from profiles.release import get_policy

            a = table.attrs
            title = (f"Lantern hot-spot patterns (sfhotspot style) of {_words(args.feed)} for the "
                     f"{args.audience} audience in {a['chosen']['area']}, by {args.patterns}, "
                     f"with a recent window of the last {plural(args.recent, args.patterns)}")
            counts = table["pattern"].value_counts()
            said = "; ".join(f"{int(n)} {pattern}" for pattern, n in counts.items())
            print(f"Cells by pattern: {said}.", file=sys.stderr)
            return _write(args, con, table, get_policy(args.audience), title,
                          [f"Cells by pattern: {said}.", *a["notes"]])
        run = hotspots_for(con, args.audience, args.feed, area=args.area, start=args.start,
                           end=args.end, k=args.k, alpha=args.alpha)
    except (HotspotRunError, ValueError) as exc:
        raise UserError(str(exc)) from None
    title = (f"Lantern hotspots (Getis-Ord Gi*) of {_words(args.feed)} for the "
             f"{args.audience} audience in {run.chosen['area']}, weeks of "
             f"{run.chosen['start']} to {run.chosen['end']}, neighbours within "
             f"{plural(args.k, 'ring')}, significance level {args.alpha:g}")
    print(run.summary, file=sys.stderr)
    return _write(args, con, run.table, run.policy, title, [run.summary])


def _emerging(args, con) -> int:
    """Write each hexagon's emerging hot spot category, trend z and p (``--emerging``)."""
    from profiles.analyses import category_meaning, emerging_for

    run = emerging_for(con, args.audience, args.feed, period=args.emerging, area=args.area,
                       start=args.start, end=args.end, k=args.k, time_steps=args.time_steps,
                       alpha=args.alpha)
    table = run.table.copy()
    table["meaning"] = [category_meaning(c, run.period) for c in table["category"]]
    c = run.chosen
    title = (f"Lantern emerging hot spots (ArcGIS categories) of {_words(args.feed)} for the "
             f"{args.audience} audience in {c['area']}, by {run.period}, "
             f"{len(run.cube.columns)} {run.period}s from {c['start']} to {c['end']}, "
             f"neighbours within {plural(args.k, 'ring')}"
             + (f" and {plural(args.time_steps, 'earlier ' + run.period)}"
                if args.time_steps else "")
             + f", significance level {args.alpha:g}")
    key = run.category_counts()
    said = "; ".join(f"{int(r.hexagons)} {r.category}" for r in key.itertuples())
    print(run.summary, file=sys.stderr)
    return _write(args, con, table, run.policy, title,
                  [f"Hexagons by category: {said}.", run.summary])


def _words(feed: str) -> str:
    """A feed in the words the analyses use (``on-street activity reports``)."""
    from profiles.analyses import FEED_WORDS

    return FEED_WORDS.get(feed, feed)


def _change(args) -> int:
    """before/after change per cell and area, or a trend by period

    Compare one feed's released counts between two ranges of weeks, per cell and for the area,
    noting counts too small to read anything into. With --trend, list the total per period and its
    change instead.
    """
    from profiles.analyses import ChangeError, change_by_cell, change_periods
    from profiles.release import get_policy

    con = _connect(args)
    try:
        if args.trend:
            if args.format == "geojson":
                raise UserError("--trend gives one row per period, not per cell; use "
                                "--format csv")
            frame = change_periods(con, args.audience, args.feed, period=args.trend,
                                   area=args.area, start=args.start, end=args.end)
            title = (f"Lantern trend: feed={args.feed} audience={args.audience} "
                     f"period={args.trend} area={args.area or 'whole force'}")
            return _write(args, con, frame, get_policy(args.audience), title,
                          frame.attrs.get("notes", []))
        if args.before is None or args.after is None:
            raise UserError("give --before START:END and --after START:END (e.g. --before "
                            "2025-01-01:2025-03-31 --after 2025-04-01:2025-06-30), or "
                            "--trend PERIOD")
        result = change_by_cell(con, args.audience, args.feed, before=args.before,
                                after=args.after, area=args.area)
    except ChangeError as exc:
        raise UserError(str(exc)) from None
    title = (f"Lantern change: feed={args.feed} audience={args.audience} "
             f"area={args.area or 'whole force'} before={args.before[0]}:{args.before[1]} "
             f"after={args.after[0]}:{args.after[1]}")
    print(result.summary, file=sys.stderr)
    return _write(args, con, result.cells, result.policy, title, [result.summary])


def _coverage(args) -> int:
    """outreach reach against need per cell

    Compare need (released on-street activity and harm reports) with reach (released outreach
    contacts) per cell; list cells with need and little or no reach for the partnership.
    """
    from profiles.analyses import CoverageError, reach_against_need

    con = _connect(args)
    try:
        result = reach_against_need(con, args.audience, area=args.area, start=args.start,
                                    end=args.end, low_reach=args.low_reach)
    except CoverageError as exc:
        raise UserError(str(exc)) from None
    frame = result.unmet if args.unmet_only else result.cells
    title = (f"Lantern outreach reach against need: audience={args.audience} "
             f"area={args.area or 'whole force'}"
             + (" (cells with unmet need or low reach)" if args.unmet_only else ""))
    print(result.summary, file=sys.stderr)
    return _write(args, con, frame, result.policy, title, [result.summary])


def _premises(args) -> int:
    """premises assessments by category (non-nuisance, nuisance, risk)

    Released premises assessments by category and period, and the response each category calls for.
    Never a premises-level list.
    """
    from profiles.analyses import premises_trend

    con = _connect(args)
    trend = premises_trend(con, args.audience, period=args.period, area=args.area,
                           start=args.start, end=args.end)
    title = (f"Lantern premises assessments by category: audience={args.audience} "
             f"period={args.period} area={args.area or 'whole force'}")
    responses = [f"Response for {c}: {text}" for c, text in trend.responses.items()]
    print(trend.summary, file=sys.stderr)
    import pandas as pd

    frame = pd.concat([trend.table.assign(period_grain=args.period), trend.other],
                      ignore_index=True)[["period_start", "period_grain", "category", "count"]]
    return _write(args, con, frame, trend.policy, title, [trend.summary, *responses])
