"""Place-based parts of the pack: hotspots, change, environment, reach against need, outlines.

Each ``*_part`` adds figures, tables, maps and notes to a section from one analysis, or the
note "analysis not available" when that analysis is not installed.
"""
from __future__ import annotations

import h3

from profiles.pack.adapters import analysis, guarded, needs_analysis
from profiles.pack.labels import ENVIRONMENT_LABELS
from profiles.pack.model import Figure, HexMap, Table

#: Hotspot labels drawn on the hotspot map, in legend order.
HOTSPOT_CLASSES = ("hot", "cold", "none")
#: Reach statuses drawn on the reach map, in legend order.
REACH_CLASSES = ("unmet need", "low reach", "reached", "reach without recorded need")


def outlines(ctx) -> tuple:
    """Return ``(name, rings, (lon, lat))`` for the pack's area and, for the force, its wards.

    Outlines follow hexagons at the audience's floor (public reference data).
    """
    if ("outlines",) in ctx.cache:
        return ctx.cache[("outlines",)]
    names = [ctx.area] if ctx.area is not None else \
        [n for n in (ctx.force_area(),) if n] + ctx.sub_areas()
    fn = analysis("profiles.release.reference", "release_area_outlines")
    out = []
    frame = guarded([], fn, ctx.con, ctx.policy) if fn is not None else None
    if frame is not None:
        for r in frame.itertuples():
            if r.name in names:
                rings = tuple(tuple((float(x), float(y)) for x, y in ring) for ring in r.paths)
                out.append((r.name, rings, (float(r.label_lon), float(r.label_lat))))
    else:  # trace the outline from the area's cells
        from profiles.release import release_area_cells

        for name in names:
            cells = release_area_cells(ctx.con, name, ctx.policy)
            shape = h3.cells_to_h3shape(cells)
            polys = getattr(shape, "polys", [shape])
            rings = tuple(tuple((lon, lat) for lat, lon in (*p.outer, p.outer[0]))
                          for p in polys)
            lat, lon = h3.cell_to_latlng(cells[len(cells) // 2])
            out.append((name, rings, (lon, lat)))
    out = [(name, tuple(sorted(_canonical(r) for r in rings)), point)
           for name, rings, point in out]
    out.sort(key=lambda o: names.index(o[0]))
    ctx.cache[("outlines",)] = tuple(out)
    return ctx.cache[("outlines",)]


def _canonical(ring) -> tuple:
    """A closed ring started at its smallest vertex, so the same outline draws the same way
    whatever order the store listed the area's cells in.

    Examples
    --------
    >>> _canonical(((1.0, 1.0), (0.0, 0.0), (1.0, 0.0), (1.0, 1.0)))
    ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0))
    """
    pts = [(round(x, 9), round(y, 9)) for x, y in ring]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts = pts[:-1]
    i = pts.index(min(pts))
    pts = pts[i:] + pts[:i]
    return tuple(pts + pts[:1])


def _wards_of(ctx, cells) -> list:
    """Return ``(ward, cells in it)`` for the given hexagons, wards in the pack's order."""
    from profiles.release import release_area_cells

    out = []
    for ward in ctx.sub_areas():
        key = ("area_cells", ward)
        if key not in ctx.cache:
            ctx.cache[key] = set(release_area_cells(ctx.con, ward, ctx.policy))
        out.append((ward, ctx.cache[key] & set(cells)))
    return out


@needs_analysis("profiles.analyses.hotspot_release", "hotspots_for", "Hotspots are not shown.")
def hotspots_part(ctx, s, fn) -> None:
    """Gi* hotspots of on-street activity and harm reports (:mod:`profiles.analyses.hotspot_release`)."""
    from profiles.analyses import HotspotRunError

    rows = []
    for feed, label in (("on_street", "On-street activity"), ("harm_reports", "Harm reports")):
        if not ctx.may(feed):
            continue
        try:
            run = fn(ctx.con, ctx.policy, feed, area=ctx.area, start=ctx.start, end=ctx.end)
        except HotspotRunError as exc:
            s.notes.append(f"Hotspots of {label.lower()}: {exc}.")
            continue
        src = ctx.source(feed, "all", analysis="profiles.analyses.hotspot_release.hotspots_for")
        hot = run.hot_cells
        hot_fig = Figure(f"{label}: hotspot hexagons", len(hot), src, "cells")
        in_hot = Figure(f"{label} in hotspot hexagons",
                        int(run.table.loc[run.table["hotspot"] == "hot", "count"].sum()),
                        src._replace(where=(("h3_id", tuple(sorted(hot))),)))
        rows.append((label, hot_fig, Figure(f"{label}: cold-spot hexagons",
                                            len(run.cold_cells), src, "cells"), in_hot))
        ctx.cache[("hotspots", feed)] = run
        if feed == "on_street":
            s.figures += [hot_fig, in_hot]
            s.charts.append(HexMap(
                "Hotspots of on-street activity (Getis-Ord Gi*)",
                f"Hexagons whose neighbourhood holds significantly more (hot) or less (cold) "
                f"on-street activity than the study area as a whole (Gi*, neighbours within "
                f"{run.k} ring, false discovery rate {run.alpha:g}). Released counts only.",
                tuple(run.table["h3_id"]), tuple(run.table["hotspot"]), src,
                "Gi* hotspot", outlines(ctx), floor=ctx.policy.resolution_floor,
                scale="categorical"))
            by_ward = [(w, c) for w, c in _wards_of(ctx, hot) if c]
            if by_ward:
                s.bullets.append("On-street hotspots lie in " + ", ".join(
                    w for w, _ in by_ward) + ".")
    if rows:
        s.tables.insert(0, Table("Hotspots", ("Feed", "Hot hexagons", "Cold hexagons",
                                              "Released count in hot hexagons"), tuple(rows),
                                 note="Gi* on released whole-period counts; hexagons not "
                                      "shown to this audience count as 0."))
        if not s.bullets:
            s.bullets.append(f"Hotspots: {rows[0][1].text} hot hexagons of "
                             f"{rows[0][0].lower()}.")


@needs_analysis("profiles.analyses.change", "change_by_cell", "Change by place is not shown.")
def change_part(ctx, s, fn) -> None:
    """Recent against earlier on-street activity, place by place (:mod:`profiles.analyses.change`)."""
    win = ctx.windows()
    if win is None or not ctx.may("on_street"):
        s.notes.append("Change by place is not shown: too few weeks to compare.")
        return
    res = fn(ctx.con, ctx.policy, "on_street", before=win.earlier, after=win.recent,
             area=ctx.area)
    cells = res.cells
    readable = cells[cells["note"].isna()]
    src = ctx.source("on_street", "all", analysis="profiles.analyses.change.change_by_cell")
    rose = Figure("Hexagons where on-street activity rose", int((readable["change"] > 0).sum()),
                  src, "cells")
    fell = Figure("Hexagons where on-street activity fell", int((readable["change"] < 0).sum()),
                  src, "cells")
    small = Figure("Hexagons too small to read a change into",
                   int((cells["note"] == "too small to read anything into").sum()), src, "cells")
    s.tables.append(Table(f"Change in on-street activity by hexagon, {win.recent_label} "
                          f"against {win.earlier_label}", ("Change", "Hexagons"),
                          ((rose.label, rose), (fell.label, fell), (small.label, small)),
                          note="A hexagon shown on one side only, or small on both, is not "
                               "read as a change."))
    if len(readable):
        s.charts.append(HexMap(
            f"Change in on-street activity: {win.recent_label} against {win.earlier_label}",
            "Released count after minus before, per hexagon; only hexagons with enough on "
            "both sides to read a change are coloured.",
            tuple(readable["h3_id"]), tuple(int(v) for v in readable["change"]), src,
            "change in events", outlines(ctx), floor=ctx.policy.resolution_floor,
            scale="diverging"))
    s.bullets.append(f"Since {win.earlier_label}, on-street activity rose in {rose.text} "
                     f"hexagons and fell in {fell.text}.")


@needs_analysis("profiles.release.reference", "release_environment",
                "Environment features are not shown.")
def environment_part(ctx, s, fn) -> None:
    """Environment features in the area and in on-street hotspots (:mod:`profiles.release.reference`)."""
    env = fn(ctx.con, ctx.policy, area=ctx.area, start=ctx.start, end=ctx.end)
    if not len(env):
        s.notes.append("No environment features are loaded for this area.")
        return
    run = ctx.cache.get(("hotspots", "on_street"))
    hot = set(run.hot_cells) if run is not None else set()
    src = ctx.source("environment", "all", analysis="profiles.release.reference.release_environment")
    rows = []
    for ftype in sorted(env["feature_type"].unique()):
        part = env[env["feature_type"] == ftype]
        row = (ENVIRONMENT_LABELS.get(ftype, ftype.capitalize()),
               Figure(f"{ftype}: features", int(part["features"].sum()),
                      src._replace(where=(("feature_type", ftype),)), "features"))
        if run is not None:
            row += (Figure(f"{ftype}: features in on-street hotspots",
                           int(part.loc[part["h3_id"].isin(hot), "features"].sum()),
                           src._replace(where=(("feature_type", ftype),
                                               ("h3_id", tuple(sorted(hot))))), "features"),)
        rows.append(row)
    cols = ("Feature", "In the area") + (("In on-street hotspots",) if run is not None else ())
    s.tables.append(Table("Environment", cols, tuple(rows),
                          note="Street-lighting faults within the period; standing features "
                               "(CCTV, transport routes, isolated spaces) as mapped. These are "
                               "features of places, not counts of people."))


@needs_analysis("profiles.analyses.coverage", "reach_against_need",
                "Reach against need is not shown.")
def coverage_part(ctx, s, contacts: Figure, fn) -> None:
    """Reach against need per hexagon (:mod:`profiles.analyses.coverage`)."""
    feeds = tuple(f for f in ("on_street", "harm_reports") if ctx.may(f))
    if not feeds:
        return
    res = fn(ctx.con, ctx.policy, area=ctx.area, start=ctx.start, end=ctx.end,
             need_feeds=feeds)
    src = ctx.source("outreach_contacts", "all",
                     analysis="profiles.analyses.coverage.reach_against_need")
    parts = tuple(ctx.figure(f"Need: {f}", f) for f in feeds)
    need = Figure("Need (on-street activity and harm reports) in the hexagons shown",
                  res.total_need, src, "count", parts)
    counts = res.cells["status"].value_counts()
    from profiles.analyses import coverage
    statuses = tuple(getattr(coverage, "STATUSES", REACH_CLASSES))
    statuses += tuple(sorted(set(counts.index) - set(statuses)))
    status_figs = tuple((st.capitalize(), Figure(f"Hexagons: {st}", int(counts.get(st, 0)), src,
                                                 "cells")) for st in statuses)
    s.figures += [need, status_figs[0][1]]
    s.tables.append(Table("Reach against need by hexagon", ("Status", "Hexagons"), status_figs,
                          note=f"Unmet need: need shown and no outreach contacts shown (little "
                               f"or none). Low reach: fewer than {res.low_reach:g} contacts "
                               f"per need event."))
    if len(res.cells):
        s.charts.append(HexMap(
            "Outreach reach against need", "Need is on-street activity and harm reports; "
            "reach is outreach contacts (released whole-period counts per hexagon).",
            tuple(res.cells["h3_id"]), tuple(res.cells["status"]), src, "reach against need",
            outlines(ctx), floor=ctx.policy.resolution_floor, scale="categorical"))
    unmet = res.unmet
    by_ward = [(w, len(c)) for w, c in _wards_of(ctx, list(unmet["h3_id"])) if c]
    s.bullets.append(f"Outreach: {contacts.text} contacts in the period; "
                     f"{status_figs[0][1].text} hexagons show need with no outreach contacts "
                     f"shown and {status_figs[1][1].text} show low reach"
                     + (f", mostly in {max(by_ward, key=lambda x: x[1])[0]}." if by_ward
                        else "."))
    ctx.cache[("coverage",)] = res
