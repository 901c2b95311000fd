"""Build a :class:`~profiles.pack.model.MeetingPack`: terms of reference, summary, scanning, ...

The pack follows the problem-solving cycle the seeds ask partnerships to use (scan, analyse,
respond, assess), with the analysis organised by the problem analysis triangle (victim,
offender, location) plus outreach reach against need. Every number is a released figure for the
pack's audience (see :mod:`profiles.pack.context`).

Examples
--------
>>> import datetime as dt
>>> from profiles import store
>>> pack = build_pack(store.connect(":memory:"), "partnership",
...                   now=dt.datetime(2026, 11, 2, 9, 30))
>>> [s.key for s in pack.sections]  # doctest: +NORMALIZE_WHITESPACE
['terms', 'summary', 'scanning', 'analysis', 'response', 'assessment', 'data-quality']
>>> pack.generated
'02 Nov 2026 09:30'
"""
from __future__ import annotations

import datetime as dt

from profiles import __version__
from profiles.pack import analysis as analyse
from profiles.pack.analysis import activity_map
from profiles.pack import respond
from profiles.pack.online import online_scan
from profiles.pack.overtime import seasonality_table
from profiles.pack.adapters import analysis, guarded, missing_note
from data_contracts.periods import period_start
from profiles.pack.context import FINE_SHARE, PackContext
from profiles.pack.labels import COMBINED, category_label, change_words, feed_label
from profiles.pack.prose import section
from profiles.pack.model import Figure, LineChart, MeetingPack, Section, Table
from profiles.analyses import CATEGORIES, RESPONSES
from profiles.release import disclosure_statement
from profiles.release import data_status

#: Feeds a complete problem profile draws on (areas included).
EXPECTED_FEEDS = ("areas", "on_street", "premises", "outreach_contacts", "outreach_sites",
                  "harm_reports", "community_concerns", "environment", "online_adverts")
#: Feeds drawn as trend lines in the scanning section.
TREND_FEEDS = ("on_street", "community_concerns")


def build_pack(con, audience="partnership", *, area=None, start=None, end=None, now=None,
               evaluations=()) -> MeetingPack:
    """Return the meeting pack for ``audience``, ``area`` and the weeks in ``[start, end]``.

    Parameters
    ----------
    con : duckdb connection to the store
    audience : str or Policy, default "partnership"
    area : str, optional
        An area name (or id); default the whole force.
    start, end : date, optional
        First and last week (by Monday) to cover; default all loaded weeks.
    now : datetime, optional
        The generation time printed on the pack (default: now); shown to the minute.
    evaluations : sequence of profiles.pack.respond.EvaluationSpec, optional
        Before/after evaluations to report in the assessment section.

    Returns
    -------
    MeetingPack

    Raises
    ------
    profiles.pack.context.PackError
        If ``start`` is after ``end``.
    profiles.release.api.ReleaseError
        For an unknown area (the message lists the loaded areas).
    profiles.release.audiences.PolicyError
        For an unknown audience.
    """
    ctx = PackContext.open(con, audience, area=area, start=start, end=end)
    status = data_status(con, ctx.policy)
    now = now or dt.datetime.now()
    weeks = ctx.weeks
    pack = MeetingPack(
        title=f"Problem profile: {ctx.area_label()}", audience=ctx.audience,
        audience_label=ctx.policy.label, marking=ctx.policy.marking,
        statement=disclosure_statement(ctx.policy), area=ctx.area, area_label=ctx.area_label(),
        start=weeks[0] if weeks else None, end=weeks[-1] if weeks else None,
        generated=f"{now:%d %b %Y %H:%M}", version=__version__, synthetic=status.synthetic)
    scanning = scanning_section(ctx)
    analysis_ = analyse.analysis_section(ctx)
    response = respond.response_section(ctx)
    assessment = respond.assessment_section(ctx, evaluations)
    pack.sections = [terms_section(ctx, pack, status), Section("summary", "Summary"), scanning,
                     analysis_, response, assessment, data_quality_section(ctx, status)]
    pack.sections[1] = summary_section(ctx, pack)
    return pack


# ---- terms of reference ------------------------------------------------------------------
def terms_section(ctx, pack: MeetingPack, status) -> Section:
    """Area, period, audience, purpose and the data sources with their dates."""
    s = section("terms")
    rows = [("Area", pack.area_label), ("Period", pack.period_text()),
            ("Audience", f"{pack.audience_label} ({pack.audience})"),
            ("Protective marking", pack.marking),
            ("Disclosure control", pack.statement)]
    if pack.synthetic:
        rows.append(("Data", "Synthetic demonstration data: a fictional town placed in the "
                             "open sea. No real person, premises or street is described."))
    s.tables.append(Table("Scope", ("Item", "Detail"), tuple(rows)))
    loaded = {}
    for r in status.ingests.itertuples():
        loaded.setdefault(r.feed, []).append(str(r.loaded_on))
    src_rows = []
    for r in status.feeds.itertuples():
        if not ctx.policy.may_see(r.feed) and r.feed != "areas":
            continue
        weeks = (f"{r.first_week} to {r.last_week}" if isinstance(r.first_week, str)
                 else "reference data (no weeks)")
        src_rows.append((feed_label(r.feed), weeks, ", ".join(sorted(set(loaded.get(r.feed,
                                                                                     []))))))
    s.tables.append(Table("Data sources", ("Feed", "Weeks covered (Mondays)", "Loaded on"),
                          tuple(src_rows),
                          note="Dates are the first and last week holding data and the day "
                               "each extract was loaded; no event dates are held."))
    return s


# ---- summary -------------------------------------------------------------------------------
def summary_section(ctx, pack: MeetingPack) -> Section:
    """Key figures pulled from the other sections, and the picture in a few sentences."""
    s = section("summary")
    if not ctx.weeks:
        s.paragraphs.append("No weekly data is loaded for this area and period, so there is "
                            "nothing to summarise yet.")
        return s
    key = []
    for section_key, label in (("scanning-on-street", "On-street activity"),
                               ("victim", "Harm reports"),
                               ("scanning-concerns", "Community concerns"),
                               ("outreach", "Outreach contacts")):
        sec = pack.section(section_key)
        if sec.figures:
            key.append(sec.figures[0])
    s.figures = key
    for section_key in ("scanning-on-street", "victim", "offender", "scanning-online",
                        "scanning-concerns", "outreach", "location"):
        sec = pack.section(section_key)
        if sec.bullets:
            s.bullets.append(sec.bullets[0])
    s.paragraphs.append(
        f"For {pack.area_label}, {pack.period_text()}, as released to the "
        f"{pack.audience_label.lower()} audience. Responses should start with welfare and "
        f"outreach, tackle the places and conditions that allow harm, and target those who "
        f"exploit; enforcement is a last resort because it risks displacing sex work to less "
        f"safe places and away from support.")
    return s


# ---- scanning -------------------------------------------------------------------------------
def scanning_section(ctx) -> Section:
    """Scale and trend of on- and off-street activity, premises by category, concerns."""
    s = section("scanning")
    s.sections = [_feed_scan(ctx, "on_street", "scanning-on-street", "On-street activity"),
                  _premises_scan(ctx), online_scan(ctx, _feed_scan, trend_chart),
                  _feed_scan(ctx, "community_concerns", "scanning-concerns",
                             "Community concerns")]
    trend = trend_chart(ctx, [f for f in TREND_FEEDS if ctx.may(f)],
                        "Trend of on-street activity and community concerns")
    if trend is not None:
        s.sections[0].charts.insert(0, trend)
    return s


def _feed_scan(ctx, feed: str, key: str, title: str) -> Section:
    s = Section(key, title)
    total = ctx.whole_period(s, feed, title, feed_label(feed).lower())
    if total is None:
        return s
    change = ctx.change(title, feed)
    win = ctx.windows()
    if change:
        s.figures += list(change)
        s.bullets.append(change_words(ctx, title, total, change, win))
    else:
        s.bullets.append(f"{title}: {total.text} in the period (too few weeks to compare "
                         f"recent with earlier).")
    if ctx.may(feed, ("category",)):
        rows = tuple((category_label(feed, c), f) for c, f in ctx.categories(feed))
        s.tables.append(Table(f"{title} by type", ("Type", "Whole period"), rows,
                              note="Types are released separately; groups too small to show "
                                   "are left out, so they can add up to less than the total."))
    if feed in TREND_FEEDS:
        seasons = seasonality_table(ctx, feed, title)
        if seasons is not None:
            s.tables.append(seasons)
    if feed == "on_street":
        m = activity_map(ctx, feed, f"Where {title.lower()} was recorded")
        if m is not None:
            s.charts.append(m)
    return s


def _premises_scan(ctx) -> Section:
    """Off-street premises: assessments by category, their trend and the response each
    category calls for."""
    feed = "premises"
    s, total = ctx.opening("scanning-off-street", feed, "Premises assessments")
    if total is None:
        return s
    s.paragraphs.append(
        "Premises assessments are counted by category — non-nuisance, nuisance or risk — "
        "which sets the level of response. No premises is named or placed on a map.")
    trend_fn = analysis("profiles.analyses.premises", "premises_trend")
    totals = None
    if trend_fn is None:
        s.notes.append(missing_note("profiles.analyses.premises", "premises_trend") +
                       " Category totals come straight from the release.")
    else:
        trend = guarded(s.notes, trend_fn, ctx.con, ctx.policy, period="quarter",
                        area=ctx.area, start=ctx.start, end=ctx.end)
        totals = trend.totals if trend is not None else None
    rows = []
    for cat in CATEGORIES:
        label = f"Premises assessed as {cat}"
        if totals is None:
            fig = ctx.figure(label, feed, "all", ("category",), (("category", cat),))
        else:
            src = ctx.source(feed, "quarter", ("category",), (("category", cat),),
                             analysis="profiles.analyses.premises.premises_trend")
            fig = Figure(label, int(totals[cat]), src)
        rows.append((category_label(feed, cat), fig, RESPONSES[cat]))
    combined = ctx.figure("Premises, categories combined", feed, "all", ("category",),
                          (("category", COMBINED),))
    if combined.value:
        rows.append((category_label(feed, COMBINED), combined,
                     "Assessed before any response; the category is shown where enough "
                     "premises lie behind it."))
    s.tables.append(Table("Premises by category and the response each calls for",
                          ("Category", "Assessments", "Response level"), tuple(rows),
                          note="A category with too few premises behind it is combined with "
                               "others or shows 0."))
    s.bullets.append(f"Off-street premises assessments: {total.text} in the period "
                     f"({', '.join(f'{r[0].lower()} {r[1].text}' for r in rows)}).")
    chart = trend_chart(ctx, [feed], "Off-street premises assessments", period="quarter",
                        by_category=True)
    if chart is not None:
        s.charts.append(chart)
    elif total.value:
        s.notes.append("Too few premises are shown quarter by quarter to draw a trend; they "
                       "are shown only over longer periods.")
    return s


def trend_chart(ctx, feeds, title, *, period=None, by_category=False) -> LineChart | None:
    """A line per feed (or per category of one feed) of released totals per period.

    Only figures released at that period's grain are drawn; figures the release could show
    only over a longer period stay in the totals.
    """
    if not ctx.weeks or not feeds:
        return None
    period = period or ctx.trend_period
    starts = sorted({period_start(w, period) for w in ctx.weeks})
    lines = []
    for feed in feeds:
        if by_category and ctx.may(feed, ("category",)):
            src = ctx.source(feed, period, ("category",))
            frame = ctx.released(src).frame
            cats = [c for c in (*CATEGORIES, COMBINED) if c in set(frame["category"])]
            lines += [(category_label(feed, c), feed, ("category",), (("category", c),))
                      for c in cats]
        else:
            lines.append((feed_label(feed), feed, (), ()))
    series = []
    for name, feed, by, where in lines:
        points = tuple(
            (p, ctx.figure(f"{name}, {p:%d %b %Y}", feed, period, by,
                           where + (("period_grain", period), ("period_start", p))))
            for p in starts)
        series.append((name, points))
    if sum(1 for p in starts if any(dict(pts)[p].value for _, pts in series)) < 2:
        return None  # fewer than two periods with anything shown: no trend to draw
    return LineChart(title, f"Released totals per {period}. Figures that could only be shown "
                            f"over a longer period are in the totals but not in these lines, "
                            f"so a quiet {period} can show 0.",
                     tuple(series), period)


# ---- data quality -------------------------------------------------------------------------
def data_quality_section(ctx, status) -> Section:
    """Files loaded and quarantined (counts masked for the audience), gaps, disclosure notes."""
    s = section("data-quality")
    rounded = ", others rounded" if ctx.policy.rounding_base > 1 else ""
    rows = tuple((feed_label(r.feed), str(r.loaded_on), r.rows_read, r.rows_loaded,
                  r.rows_quarantined, r.rows_excluded, r.rows_flagged)
                 for r in status.ingests.itertuples())
    s.tables.append(Table("Extracts loaded", ("Feed", "Loaded on", "Rows read", "Loaded",
                                              "Quarantined", "Excluded", "Flagged"), rows,
                          note=f"Row counts are shown as the {ctx.policy.label.lower()} "
                               f"audience may see them (small counts as 'fewer than "
                               f"{ctx.policy.threshold}'{rounded})."))
    if len(status.quarantine):
        feeds = dict(zip(status.ingests["ingest_id"], status.ingests["feed"]))
        q = tuple((feed_label(feeds.get(r.ingest_id, "?")), str(r.column_name), str(r.reason),
                   r.n) for r in status.quarantine.itertuples())
        s.tables.append(Table("Quarantined values by reason", ("Feed", "Column", "Reason",
                                                               "Values"), q))
    else:
        s.bullets.append("No values were quarantined at load.")
    loaded = set(status.feeds["feed"]) if len(status.feeds) else set()
    missing = [feed_label(f) for f in EXPECTED_FEEDS if f not in loaded]
    if missing:
        s.bullets.append("Not loaded, so not in this profile: " + ", ".join(missing) + ".")
    hidden = [feed_label(f) for f in EXPECTED_FEEDS if f != "areas" and f in loaded
              and not ctx.policy.may_see(f)]
    if hidden:
        s.bullets.append(f"Not shown to the {ctx.policy.label.lower()} audience: "
                         + ", ".join(hidden) + ".")
    gap_rows = []
    for feed in ("on_street", "premises", "outreach_contacts", "harm_reports",
                 "community_concerns"):
        if feed not in loaded or not ctx.may(feed) or not ctx.weeks:
            continue
        src = ctx.source(feed, "week", analysis="weeks of the period with no released count")
        frame = ctx.released(src).frame
        shown = set(frame.loc[frame["period_grain"] == "week", "period_start"])
        gaps = Figure(f"{feed_label(feed)}: weeks with nothing shown",
                      sum(1 for w in ctx.weeks if w not in shown), src, "weeks")
        gap_rows.append((feed_label(feed), gaps))
    if gap_rows:
        s.tables.append(Table("Weeks with nothing shown", ("Feed", "Weeks"), tuple(gap_rows),
                              note=f"Out of {len(ctx.weeks)} weeks. A week shows nothing on its "
                                   f"own when it holds no records or too few to show (those "
                                   f"are shown over a longer period); a gap can also mean an "
                                   f"extract was not supplied."))
    s.bullets.append(
        "Every figure is a released figure: places and groups with too few people or premises "
        "behind them are left out, and each table is released on its own, so breakdowns can "
        "add up to less than a total and totals can sit a little below the true count.")
    win = ctx.windows()
    if win is not None:
        s.bullets.append(
            f"Recent ({win.recent_label}) and earlier ({win.earlier_label}) figures count only "
            f"what is shown week by week or month by month; figures shown only over longer "
            f"periods are left out of both, and where they are more than "
            f"{100 - round(100 * FINE_SHARE)}% of a feed its change is marked not comparable.")
    s.bullets.append("Counts describe records made by partners, not the size of the sex "
                     "industry: much harm is never reported, and a rise in reports can mean "
                     "more trust rather than more harm.")
    return s
