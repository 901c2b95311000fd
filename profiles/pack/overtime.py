"""The picture over time: emerging hot spots, small multiples by month, and seasonality.

:func:`emerging_section` runs :func:`profiles.analyses.emerging_release.emerging_for` on
on-street activity (and harm reports, where the audience may see them and a pattern is found)
and maps each hexagon's category, with a table of hexagons per category in words; it adds one
small map per month from the same released cube, all on one colour scale.
:func:`seasonality_table` sets each month against the same month last year
(:func:`profiles.analyses.seasonality.seasonality`). Every count comes from the release.
"""
from __future__ import annotations

from profiles.pack.adapters import analysis, analysis_or_note
from data_contracts.periods import period_label, period_start
from profiles.pack.prose import section
from profiles.pack.model import Figure, HexMap, Section, SmallMultiples, Table

#: Feeds mapped by category, in order; harm reports only where the audience may see them.
EMERGING_FEEDS = (("on_street", "On-street activity"), ("harm_reports", "Harm reports"))
#: The most months drawn as small multiples (the latest ones).
MAX_PANELS = 12
_EMERGING = "profiles.analyses.emerging_release.emerging_for"
_SEASONALITY = "profiles.analyses.seasonality.seasonality"


def emerging_section(ctx) -> Section:
    """Emerging hot spots by month: category maps, hexagons per category, small multiples."""
    s = section("emerging")
    fn = analysis_or_note(s.notes, "profiles.analyses.emerging_release", "emerging_for",
                          "Emerging hot spots are not shown.")
    if fn is None:
        return s
    if not ctx.weeks:
        s.paragraphs.append("No weekly data is loaded for this area and period, so there are "
                            "no emerging hot spots to look for.")
        return s
    from profiles.analyses import HotspotRunError
    from profiles.release import in_plain_words

    for feed, label in EMERGING_FEEDS:
        if not ctx.may(feed):
            continue
        try:
            run = fn(ctx.con, ctx.policy, feed, period="month", area=ctx.area,
                     start=ctx.start, end=ctx.end)
        except HotspotRunError as exc:
            s.paragraphs.append(f"{label}: emerging hot spots could not be looked for. "
                                + in_plain_words(exc, "Too few data are shown to find "
                                                      "patterns over time."))
            continue
        counts = run.category_counts()
        patterned = counts[counts["category"] != "no pattern detected"]
        if feed != "on_street" and not len(patterned):
            s.paragraphs.append(f"{label}: no hexagon shows a pattern over time in what is "
                                f"released, so no map is drawn.")
            continue
        ctx.cache[("emerging", feed)] = run
        _emerging_part(ctx, s, run, feed, label, counts, patterned)
    run = ctx.cache.get(("emerging", "on_street"))
    if run is not None:
        sm = small_multiples(ctx, run, "On-street activity")
        if sm is not None:
            s.charts.append(sm)
    return s


def _emerging_part(ctx, s, run, feed, label, counts, patterned) -> None:
    from profiles.pack import places

    src = ctx.source(feed, "month", analysis=_EMERGING)
    months = len(run.cube.columns)
    rows = tuple((c.capitalize(), m, Figure(f"{label}: {c} hexagons", int(n), src, "cells"))
                 for c, m, n in counts.itertuples(index=False))
    s.tables.append(Table(
        f"{label}: hexagons in each emerging hot spot category", ("Category", "What it means",
                                                                  "Hexagons"), rows,
        note=f"{months} months, {run.chosen['study_cells']} hexagons. These are counts of "
             f"hexagons, not of people or events; only categories some hexagon falls in are "
             f"listed."))
    if len(patterned):
        s.bullets.append(f"{label}: " + "; ".join(
            f"{int(n)} {'hexagon' if n == 1 else 'hexagons'} {c}"
            for c, n in zip(patterned["category"], patterned["hexagons"])) + ".")
    else:
        s.bullets.append(f"{label}: no hexagon shows a pattern over time.")
    s.charts.append(HexMap(
        f"Emerging hot spots of {label.lower()}",
        f"Each hexagon's pattern over {months} months of released counts (Getis-Ord Gi* each "
        f"month, neighbours within {run.k} ring, false discovery rate {run.alpha:g}; "
        f"Mann-Kendall trend). Hot spots are red and orange, cold spots blue and dotted; grey "
        f"hexagons show no pattern. The table above names each category in words.",
        tuple(run.table["h3_id"]), tuple(run.table["category"]), src,
        "emerging hot spot category", places.outlines(ctx),
        floor=run.chosen["resolution"], scale="categorical"))
    s.notes += [n for n in run.notes if n not in s.notes]


def small_multiples(ctx, run, label: str) -> SmallMultiples | None:
    """One small map per month (the last :data:`MAX_PANELS`) of an emerging run's released
    cube, all coloured by one set of breaks."""
    from profiles.pack import places
    from profiles.pack.charts import class_breaks

    cube = run.cube.iloc[:, -MAX_PANELS:]
    values = cube.to_numpy()
    shown = [int(v) for v in values.ravel() if v > 0]
    if len(cube.columns) < 2 or not shown:
        return None
    panels = tuple((period_label(p, "month", short=True), tuple(int(v) for v in cube[p]))
                   for p in cube.columns)
    first, last = panels[0][0], panels[-1][0]
    return SmallMultiples(
        f"{label} month by month, {first} to {last}",
        "Released counts per hexagon and month, one small map per month on one colour scale "
        "(the same classes in every panel), for readers who cannot use an animation. White "
        "hexagons show none (none, or too few to show in that month). Figures shown only "
        "for a larger hexagon or a longer period are not drawn.",
        tuple(cube.index), panels, tuple(class_breaks(shown)),
        ctx.source(run.feed, "month", analysis=_EMERGING), "events per hexagon",
        places.outlines(ctx))


def frames_multiples(frames, label: str, unit: str) -> SmallMultiples | None:
    """One small map per period (the last :data:`MAX_PANELS`) of a
    :class:`profiles.analyses.frames.Frames`, on its fixed scale: the time player's frames side
    by side, for the dashboard's readers who cannot use animation. Only the finest hexagons
    are drawn (a pooled larger hexagon has no place on the scale); None when fewer than two
    periods show any."""
    from profiles.pack.model import Source

    periods = frames.periods[-MAX_PANELS:]
    fine = frames.table[(frames.table["resolution"] == frames.resolution)
                        & frames.table["period_start"].isin(periods)]
    if fine["period_start"].nunique() < 2:
        return None
    cells = tuple(sorted(set(fine["h3_id"])))
    panels = []
    for start in periods:
        got = dict(zip(*(fine.loc[fine["period_start"] == start, c] for c in ("h3_id",
                                                                               "count"))))
        panels.append((frames.label(start), tuple(int(got.get(c, 0)) for c in cells)))
    return SmallMultiples(
        f"{label}, {frames.period} by {frames.period}, {panels[0][0]} to {panels[-1][0]}",
        f"One small map per {frames.period} on one colour scale (the same classes in every "
        f"panel). White hexagons show none in that {frames.period}.",
        cells, tuple(panels), tuple(frames.breaks),
        Source(frames.feed, frames.period, analysis="profiles.analyses.frames.frames_for"),
        f"{unit} per hexagon")


def seasonality_table(ctx, feed: str, title: str) -> Table | None:
    """Each of the last 12 months against the same month last year, as released figures."""
    fn = analysis("profiles.analyses.seasonality", "seasonality")
    if fn is None or not ctx.weeks or not ctx.may(feed):
        return None
    src = ctx.source(feed, "month")
    months = sorted({period_start(w, "month") for w in ctx.weeks})
    table = fn(ctx.released(src), months=months)
    if not (table["last_state"] != "no data for this period").any():
        return None  # under a year of weeks: nothing to set against last year
    rows = []
    for r in table.itertuples():
        month = period_label(r.month, "month", short=True)
        this = _month_figure(ctx, feed, title, r.month, r.this_state)
        before = r.month.replace(year=r.month.year - 1)
        last = _month_figure(ctx, feed, title, before, r.last_state)
        if isinstance(this, Figure) and isinstance(last, Figure) and last.value:
            change = Figure(f"{title}, {month} on a year before",
                            round(100 * (this.value - last.value) / last.value),
                            this.source._replace(analysis=_SEASONALITY), "percent",
                            (this, last))
        else:
            change = "not compared"
        rows.append((month, this, last, change))
    return Table(f"{title}: each month against the same month last year",
                 ("Month", "This year", "Same month last year", "Change"), tuple(rows),
                 note="Released monthly totals. 'Not shown' marks a month the release does "
                      "not show on its own (none, or too few: those are shown only over a "
                      "longer period); it is not a 0, and it is not compared.")


def _month_figure(ctx, feed, title, month, state):
    if state != "shown":
        return state
    return ctx.figure(f"{title}, {period_label(month, 'month', short=True)}", feed, "month", (),
                      (("period_grain", "month"), ("period_start", month)))


__all__ = ["EMERGING_FEEDS", "MAX_PANELS", "emerging_section", "seasonality_table",
           "small_multiples"]
