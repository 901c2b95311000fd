"""Analysis by the problem analysis triangle — victim, offender, location — and outreach.

Each part uses released tables for the pack's audience and the analyses built on them
(:mod:`profiles.analyses.hotspot_release`, :mod:`profiles.analyses.change`, :mod:`profiles.analyses.coverage`,
:mod:`profiles.release.reference`); a missing analysis leaves a note instead of its part.
"""
from __future__ import annotations

from profiles.pack.adapters import guarded
from profiles.pack.labels import COMBINED, ROUTE_LABELS, category_label, change_words, feed_label
from profiles.pack.prose import section
from profiles.pack.model import BarChart, HexMap, Section, Table

#: Offender-side indicators: (label, feed, category), aggregated only.
OFFENDER_ROWS = (
    ("Kerb-crawling reports (on-street activity)", "on_street", "kerb_crawling"),
    ("Kerb-crawling (community concerns)", "community_concerns", "kerb_crawling"),
    ("Exploitation and coercion (harm reports)", "harm_reports", "exploitation_coercion"),
    ("Domestic abuse and coercive control by a partner or relative (harm reports)",
     "harm_reports", "domestic_abuse_coercive_control"),
    ("Premises assessed as risk", "premises", "risk"),
)
#: Feeds tabulated per ward in the location section.
WARD_FEEDS = ("on_street", "harm_reports", "community_concerns", "outreach_contacts")


def analysis_section(ctx) -> Section:
    """Victim, offender, location and outreach reach against need."""
    s = section("analysis")
    from profiles.pack.online import online_analysis

    from profiles.pack.overtime import emerging_section

    s.sections = [victim_section(ctx), offender_section(ctx), online_analysis(ctx),
                  location_section(ctx), emerging_section(ctx), outreach_section(ctx)]
    return s


# ---- victim ----------------------------------------------------------------------------------
def victim_section(ctx) -> Section:
    """Harm reports by category and (where the audience may see it) reporting route."""
    feed = "harm_reports"
    s, total = ctx.opening("victim", feed, "Harm reports")
    if total is None:
        return s
    change = ctx.change("Harm reports", feed)
    if change:
        s.figures += list(change)
        s.bullets.append(change_words(ctx, "Harm reports", total, change, ctx.windows()))
    else:
        s.bullets.append(f"Harm reports: {total.text} in the period.")
    if ctx.may(feed, ("category",)):
        cats = ctx.categories(feed)
        bars = tuple(f._replace(label=category_label(feed, c)) for c, f in cats)
        s.tables.append(Table("Harm reports by category", ("Category", "Whole period"),
                              tuple((f.label, f) for f in bars)))
        if sum(1 for c, _ in cats if c != COMBINED) >= 2:
            s.charts.append(BarChart("Harm reports by category", "Released counts for the "
                                     "whole period.", bars))
    if ctx.may(feed, ("detail",)):
        src = ctx.source(feed, "all", ("detail",))
        frame = ctx.released(src).frame
        rows = []
        for route in sorted(frame["detail"].unique()) if len(frame) else []:
            rows.append((ROUTE_LABELS.get(route, route),
                         ctx.figure(ROUTE_LABELS.get(route, route), feed, "all", ("detail",),
                                    (("detail", route),))))
        s.tables.append(Table("Harm reports by reporting route", ("Route", "Whole period"),
                              tuple(rows), note="Third-party and outreach routes show harm "
                              "that would otherwise not reach the police."))
    else:
        s.notes.append(f"Reporting routes are not shown to the {ctx.policy.label.lower()} "
                       f"audience.")
    if ctx.may("harm_context", ("category",)):
        rows = tuple((category_label("harm_context", c), f._replace(
            label=category_label("harm_context", c)))
            for c, f in ctx.categories("harm_context"))
        s.tables.append(Table("Context recorded with harm reports", ("Context", "Whole period"),
                              rows, note="Survival sex and sex for rent or accommodation point "
                                         "to housing and poverty needs as well as safety."))
    return s


# ---- offender ------------------------------------------------------------------------------
def offender_section(ctx) -> Section:
    """Exploitation and kerb-crawling concerns, aggregated."""
    s = section("offender")
    win = ctx.windows()
    cols = ("Indicator", "Whole period")
    if win:
        cols += (win.recent_label, win.earlier_label, "Change")
    rows = []
    for label, feed, cat in OFFENDER_ROWS:
        if not ctx.may(feed, ("category",)):
            continue
        where = (("category", cat),)
        total = ctx.figure(label, feed, "all", ("category",), where)
        row = (label, total)
        change = ctx.change(label, feed, ("category",), where)
        if change:
            row += change
        elif win:
            row += ("", "", "")
        rows.append(row)
        if len(s.figures) < 3:
            s.figures.append(total)
    s.tables.append(Table("Offender-side indicators", cols, tuple(rows),
                          note="Change compares released totals over the two ranges of weeks; "
                               "a blank change means nothing was shown in the earlier range."))
    if rows:
        top = max(rows, key=lambda r: r[1].value)
        s.bullets.append(f"Offender-side indicators: the largest is {top[0].lower()} "
                         f"({top[1].text} in the period).")
    return s


# ---- location ------------------------------------------------------------------------------
def location_section(ctx) -> Section:
    """Hotspots, change by place, environment, and figures by ward."""
    s = section("location")
    from profiles.pack import places

    for part in (places.hotspots_part, places.change_part, places.environment_part):
        guarded(s.notes, part, ctx, s)
    wards = ctx.sub_areas()
    if wards:
        cols = ("Ward",) + tuple(feed_label(f) for f in WARD_FEEDS if ctx.may(f))
        rows = []
        for ward in wards:
            rows.append((ward,) + tuple(ctx.figure(f"{feed_label(f)} in {ward}", f, area=ward)
                                        for f in WARD_FEEDS if ctx.may(f)))
        s.tables.append(Table("Whole-period figures by ward", cols, tuple(rows)))
    return s


# ---- outreach -------------------------------------------------------------------------------
def outreach_section(ctx) -> Section:
    """Outreach contacts by service, and reach against need by place."""
    s, total = ctx.opening("outreach", "outreach_contacts", "Outreach contacts")
    if total is None:
        return s
    feed = "outreach_contacts"
    if ctx.may(feed, ("category",)):
        rows = tuple((category_label(feed, c), f._replace(label=category_label(feed, c)))
                     for c, f in ctx.categories(feed))
        s.tables.append(Table("Outreach contacts by service", ("Service", "Whole period"),
                              rows))
    from profiles.pack import places

    guarded(s.notes, places.coverage_part, ctx, s, total)
    return s


# ---- shared drawings --------------------------------------------------------------------------
def activity_map(ctx, feed: str, title: str) -> HexMap | None:
    """A map of the released whole-period counts of ``feed`` per hexagon."""
    src = ctx.source(feed, "all")
    frame = ctx.released(src).frame
    if not len(frame):
        return None
    from profiles.pack import places

    return HexMap(title, f"{feed_label(feed)} per hexagon, whole period (released counts). "
                         f"Hexagons with too few to show are blank.",
                  tuple(frame["h3_id"]), tuple(int(v) for v in frame["count"]), src,
                  "events per hexagon", places.outlines(ctx),
                  floor=ctx.policy.resolution_floor)


__all__ = ["activity_map", "analysis_section"]
