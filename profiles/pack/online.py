"""The meeting pack's online part: adverts in Scanning, indicators in Analysis, and the
response option that puts support-service outreach first.

The NPCC guidance (section 4.3) points community managers to adult services websites for
insight into the hidden off-street market; the support services' consultation response lists
signs that an advertiser may be exploited and warns that indicators are hard to read and that
exploitation by partners and relatives hides behind adverts in a person's own name. So:
figures are released counts (thresholds count advertisers), indicators are shown one by one
with their caution, and the response is outreach by specialist services, never a visit on an
indicator alone.
"""
from __future__ import annotations

from profiles.analyses.online import CAUTION, INDICATOR_WORDS, share_of
from profiles.pack.prose import section
from profiles.pack.model import Section, Table

FEED = "online_adverts"
INDICATORS = "advert_indicators"


def online_scan(ctx, feed_scan, trend_chart) -> Section:
    """Scanning: adverts seen, their change, platform types and the trend by quarter.

    ``feed_scan`` and ``trend_chart`` are :mod:`profiles.pack.build`'s (passed in, so this
    module does not import the builder that imports it): the online part is scanned like
    every other feed, with its own introduction and a quarterly trend.
    """
    s = feed_scan(ctx, FEED, "scanning-online", "Online adverts")
    if not ctx.may(FEED):
        return s
    s.paragraphs.append(
        "Adverts on adult services websites give an insight into the off-street market, "
        "which is large, hidden and easily forgotten. A monitoring team records each advert "
        "it sees by coarse place and week only; every figure here has at least "
        f"{ctx.policy.threshold} advertisers behind it, and no web address, number, handle, "
        "text or image is held.")
    if not s.figures[0].value:
        s.bullets = ["Online adverts: none shown for this area and period (none loaded, or "
                     "too few advertisers to show)."]
        return s
    chart = trend_chart(ctx, [FEED], "Online adverts by quarter", period="quarter")
    if chart is not None:
        s.charts.append(chart)
    return s


def online_analysis(ctx) -> Section:
    """Analysis: each indicator as its own released figure, with the caution, and by ward."""
    s = section("analysis-online")
    if ctx.kept_from(s, INDICATORS, "online advert indicators", ("category",)):
        return s
    s.paragraphs.append(
        "Support services name signs in an advert that the person in it may be exploited: "
        "changing locations, frequent changes, adverts linked by a shared number, wording or "
        "images, generic or unrealistic photos, and language that suggests a third party. "
        "Exploitation is not only organised crime: a partner or relative can control adverts "
        "placed in the person's own name, with no sign at all.")
    s.paragraphs.append(CAUTION)
    rows = []
    for key, words in INDICATOR_WORDS.items():
        fig = ctx.figure(f"Online adverts: {words.lower()}", INDICATORS, "all",
                         ("category",), (("category", key),))
        rows.append((words, fig._replace(blank="not shown")))
    s.tables.append(Table("Adverts carrying each indicator (whole period)",
                          ("Indicator", "Adverts"), tuple(rows),
                          note="Each indicator is its own released figure with the same "
                               "threshold; an advert can carry several, so they do not add "
                               "up. 'not shown': none, or too few advertisers to show."))
    adverts = ctx.figure("Online adverts, whole period", FEED)
    flagged = rows[-1][1]
    share = share_of(flagged.value or 0, adverts.value or 0)
    if share is not None:
        s.bullets.append(f"Online indicators: {flagged.text} of {adverts.text} adverts shown "
                         f"({share:.0%}) carry at least one indicator; most carry none.")
    else:
        s.bullets.append("Online indicators: too few adverts with an indicator can be shown "
                         "to give a share.")
    wards = [name for name in ctx.sub_areas()]
    if wards:
        ward_rows = tuple((name, ctx.figure(f"Online adverts in {name}", FEED, area=name),
                           ctx.figure(f"Adverts with any indicator in {name}", INDICATORS,
                                      "all", ("category",), (("category", "any_indicator"),),
                                      area=name)._replace(blank="not shown"))
                          for name in wards)
        s.tables.append(Table("Online adverts by area (whole period)",
                              ("Area", "Adverts", "With any indicator"), ward_rows,
                              note="An advert is counted in the area holding the centre of "
                                   "its (large) hexagon."))
    return s


#: The response option for the online picture (title, text).
RESPONSE = (
    "Online adverts: support-service outreach, not enforcement",
    "Share the online picture with specialist support services and outreach projects, who "
    "lead the response: outreach to advertisers through the platforms, health and safety "
    "information, National Ugly Mugs sign-up and routes to exit support. Treat indicators as "
    "prompts for a safeguarding conversation led with support services, never as grounds for "
    "a visit or enforcement on their own: visits prompted by adverts have found no disclosure "
    "and left people distrustful and further from help. Where exploitation is suspected, plan "
    "any police action with support services so that the person advertised is offered "
    "support, and ask platforms to carry support services' details.")


def response_pointers(ctx) -> list:
    """The released figures the online response option cites."""
    if not ctx.may(INDICATORS, ("category",)):
        return [ctx.figure("Online adverts", FEED)] if ctx.may(FEED) else []
    return [ctx.figure("Online adverts", FEED),
            ctx.figure("Online adverts with any indicator", INDICATORS, "all", ("category",),
                       (("category", "any_indicator"),))._replace(blank="not shown")]
