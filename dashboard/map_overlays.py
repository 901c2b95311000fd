"""What the Map page can draw over its shaded hexagons: a registry of overlays.

Each entry of :data:`OVERLAYS` says in words what it draws, which feed the audience must be
allowed to see for it to be offered (:attr:`Overlay.feed`), whether it follows the shaded
feed (:attr:`Overlay.follows_shade`), and draws itself onto a :class:`Draft` of the map: its
layers, legends, totals and the rows of its table view, all from the same released frames
(:mod:`dashboard.accessible`). Overlays are drawn in three stages, as the map stacks them:
feeds as circles in the order they were chosen, then the reference and analysis layers in
the registry's order, then (above the area outlines) the outreach sites. Adding an overlay is
one function and one entry here; the page draws whatever the registry offers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import streamlit as st

from dashboard import accessible, analysis_layers, cues, data, maps

#: Emerging hot spots lettered on the map at most: beyond it (a national view) the letters'
#: halos would cover the map, so they wait for a smaller area.
MAX_LETTERED_SPOTS = 600


@dataclass
class Draft:
    """A map being drawn: the sidebar's choices, and what the overlays add to it."""

    filters: object
    shade: str | None          # the shaded feed, None when nothing is shaded
    floor: int                 # the audience's finest resolution
    text_size: int
    lookup: dict               # hexagon -> ward, for the table view
    metres_per_px: float | None = None   # at the opening zoom: labels drawn as polygons
    layers: list = field(default_factory=list)
    legends: list = field(default_factory=list)
    figures: list = field(default_factory=list)   # (label, released total, unit, feed)
    rows: list = field(default_factory=list)      # the table view's frames

    @property
    def window(self) -> dict:
        return dict(area=self.filters.area, start=self.filters.start, end=self.filters.end)

    def tabled(self, frame, drawn_as: str, unit: str, **kw):
        """Add ``frame``'s rows to the table view, as drawn; return them."""
        self.rows.append(accessible.map_rows(frame, drawn_as=drawn_as, unit=unit,
                                             lookup=self.lookup, floor=self.floor,
                                             period=self.filters.range_label, **kw))
        return self.rows[-1]


@dataclass(frozen=True)
class Overlay:
    """One thing the Map can draw over the shading (see the module's docstring)."""

    words: str
    draw: Callable[[Draft, str], None]
    stage: str = "analysis"          # "feed", "analysis" or "top"
    feed: str | None = None          # the feed the audience must see for it to be offered
    follows_shade: bool = False      # drawn for the shaded feed, so only when one is shaded


def combined_note(coarse, unit: str) -> str:
    """Words for the released units a circle layer leaves to larger areas."""
    if coarse.empty:
        return ""
    return (f"{int(coarse['count'].sum()):,} more {unit} are shown only for larger areas "
            f"(too few to show one by one) and are not drawn as circles.")


def _feed_circles(d: Draft, key: str) -> None:
    if key == d.shade:
        return
    label, unit, colour = maps.FEEDS[key]
    rel = data.released(d.filters.audience, key, "all", (), **d.window)
    fine, coarse, _ = data.map_cells(d.filters.audience, key, floor=d.floor, **d.window)
    d.layers.append(maps.circle_layer(fine, layer_id=f"circles-{key}", label=label,
                                      unit=unit, colour=colour))
    d.layers += cues.feed_marks(fine, key)
    d.legends.append(cues.key_html(
        label, [(colour, cues.FEED_LETTERS[key], f"{unit}, circle area by count")],
        round_=True, note="the letters above the circles name the feed. "
                          + combined_note(coarse, unit)))
    d.figures.append((label, rel.total, unit, key))
    d.tabled(fine, f"{label}, circles", unit)


def _premises(d: Draft, key: str) -> None:
    rel = data.released(d.filters.audience, "premises", "all", ("category",), **d.window)
    fine, coarse, _ = data.map_cells(d.filters.audience, "premises", ("category",),
                                     floor=d.floor, **d.window)
    d.layers += maps.premises_layers(fine)
    d.layers += cues.premises_marks(fine)
    d.legends.append(cues.key_html("Off-street premises", [
        (c, cues.PREMISES_LETTERS[cat], cat) for cat, c in maps.PREMISES_COLOURS.items()],
        round_=True, note="assessments by category; circle area by count; letters "
                          "under the circles name the categories there. "
        + combined_note(coarse, "assessments")))
    d.figures.append(("Premises assessments", rel.total, "assessments", "premises"))
    for cat in maps.PREMISES_COLOURS:
        d.tabled(fine[fine["category"] == cat], f"Premises: {cat}, circles", "assessments")


def _environment(d: Draft, key: str) -> None:
    env = data.environment(d.filters.audience, **d.window)
    d.layers += maps.environment_layers(env, text_size=d.text_size)
    d.tabled(env, "Environment features, letters", "features", value="features",
             notes=[f"{t} ({maps.ENVIRONMENT_LETTERS.get(t, '?')})"
                    for t in env["feature_type"]])
    d.legends.append(maps.key_html("Environment features", [
        (letter, kind) for kind, letter in maps.ENVIRONMENT_LETTERS.items()],
        note="letters mark a hexagon holding that feature"))


def _hotspots(d: Draft, key: str) -> None:
    label = maps.FEEDS[d.shade][0]
    try:
        run = data.hotspots(d.filters.audience, d.shade, **d.window)
    except data.HotspotRunError as exc:
        st.info("No hotspots to draw. " + data.in_plain_words(
            exc, "Too few places can be shown here to find hotspots."))
        return
    d.layers.append(maps.hotspot_layer(run.table, label=label))
    d.layers += cues.hotspot_marks(run.table, size=d.text_size + 4)
    spots = run.table[run.table["hotspot"].isin(["hot", "cold"])]
    d.tabled(spots, f"Hotspots of {label.lower()}, rings", "", value=None,
             notes=[f"{h} spot" for h in spots["hotspot"]])
    d.legends.append(cues.key_html("Hotspots (Gi*)", [
        (c, sign, f"{kind} spot (ring and {'plus' if kind == 'hot' else 'minus'} sign)")
        for kind, (c, sign) in cues.HOTSPOT_MARKS.items()], note=f"of {label}"))


def _emerging(d: Draft, key: str) -> None:
    """Emerging hot spots of the shaded feed: rings, letters, legend and table rows (or a
    legend saying why there are none)."""
    f, label = d.filters, maps.FEEDS[d.shade][0]
    try:
        run = data.emerging(f.audience, d.shade, "month", f.area, f.start, f.end)
    except data.HotspotRunError as exc:
        why = data.in_plain_words(exc, "Too few places or months can be shown here to find "
                                       "a trend.")
        d.legends.append(maps.key_html("Emerging hot spots", [], note=f"None to draw. {why}"))
        return
    table = run.table
    spots = table[table["category"] != "no pattern detected"]
    found = spots["category"].value_counts()
    items = [(maps.HOT if " hot " in c else maps.COLD, cues.emerging_mark(c),
              f"{c}: {data.category_meaning(c)} ({found[c]:,} hexagons)")
             for c in sorted(found.index, key=lambda c: (" cold " in c, c))]
    note = (f"ArcGIS's categories from Gi* of {label.lower()} in each month "
            f"({len(run.cube.columns)} months) and a Mann-Kendall trend; the letter names the "
            f"kind, + hot and − cold. Hexagons with no pattern are not drawn. "
            + " ".join(run.notes))
    lettered = len(spots) <= MAX_LETTERED_SPOTS
    if not lettered:
        note += (f" {len(spots):,} hexagons are in a category: too many to letter at this "
                 f"scale, so the letters are drawn when an area with at most "
                 f"{MAX_LETTERED_SPOTS:,} is chosen; the table view and the tooltips name "
                 f"each one's category.")
    d.layers += [analysis_layers.emerging_layer(table, label=label),
                 *(cues.emerging_marks(spots, size=19 if f.meeting_mode else 15)
                   if lettered else [])]
    d.legends.append(cues.key_html("Emerging hot spots", items or [(None, "", "none found")],
                                   note=note))
    if len(spots):
        d.tabled(spots, f"Emerging hot spots of {label.lower()}, rings", "", value=None,
                 notes=list(spots["category"]))


def _patterns(d: Draft, key: str) -> None:
    """The space-time pattern rings of the shaded feed and their legend (or a note why
    there are none)."""
    f, label = d.filters, maps.FEEDS[d.shade][0]
    try:
        table = data.hotspot_patterns(f.audience, d.shade, f.period, f.area, f.start, f.end)
    except data.HotspotRunError as exc:
        why = data.in_plain_words(exc, "Too few places can be shown here to tell patterns "
                                       "from chance.")
        d.layers.append(None)
        d.legends.append(maps.key_html("Hotspot patterns", [], note=f"None to draw. {why}"))
        return
    pattern_key = data.pattern_key(table)
    a = table.attrs
    note = (f"Gi* of {label.lower()} in each {a['period']} ({len(a['period_starts'])} "
            f"{a['period']}s); the recent window is the last {a['recent']}. Cells with no "
            f"pattern are not drawn.")
    items = [(analysis_layers.PATTERN_COLOURS.get(r.pattern, (255, 255, 255)),
              f"{r.pattern}: {r.meaning} ({r.hexagons:,} hexagons)")
             for r in pattern_key.itertuples() if r.pattern != "no pattern"]
    layer = analysis_layers.pattern_layer(table, pattern_key, label=label)
    d.layers.append(layer)
    d.legends.append(maps.key_html("Hotspot patterns over time",
                                   items or [((255, 255, 255), "none")], round_=False,
                                   note=note))
    if layer is not None:   # the rings drawn, in the table view as well
        pats = table[table["pattern"].isin(list(analysis_layers.PATTERN_COLOURS))]
        d.tabled(pats, f"Hotspot patterns of {label.lower()}, rings", "", value=None,
                 notes=[f"{p} spot" for p in pats["pattern"]])


def _sites(d: Draft, key: str) -> None:
    sites = data.sites(d.filters.audience)
    d.layers += maps.sites_layers(sites, text_size=d.text_size, metres_per_px=d.metres_per_px)
    d.tabled(sites, "Outreach sites, labels", "", value=None,
             notes=[f"{t}: {days}, {h}" for t, days, h in
                    zip(sites["site_type"], sites["days"], sites["hours"])])
    d.legends.append(maps.key_html("Outreach sites", [((0, 0, 0), "drop-in, clinic or van "
                                                       "stop, in white letters edged black")],
                                   round_=False, note="non-confidential sites only"))


#: Every overlay the Map offers, in the order of the "Also show" list.
OVERLAYS = {
    "premises_by_category": Overlay("Off-street premises by category (circles)", _premises,
                                    stage="feed", feed="premises"),
    **{key: Overlay(f"{words} (circles)", _feed_circles, stage="feed", feed=key)
       for key, words in (("on_street", "On-street activity"), ("harm_reports", "Harm reports"),
                          ("community_concerns", "Community concerns"),
                          ("outreach_contacts", "Outreach contacts"))},
    "outreach_sites": Overlay("Outreach sites (non-confidential)", _sites, stage="top",
                              feed="outreach_sites"),
    "environment": Overlay("Environment features", _environment, feed="environment"),
    "hotspots": Overlay("Hotspots of the shaded layer (Gi*)", _hotspots, follows_shade=True),
    "emerging_hotspots": Overlay("Emerging hot spots of the shaded layer (ArcGIS categories, "
                                 "by month)", _emerging, follows_shade=True),
    "hotspot_patterns": Overlay("Hotspot patterns of the shaded layer over the weeks chosen "
                                "(sfhotspot-style classes)", _patterns, follows_shade=True),
}


def offered(policy) -> list[str]:
    """The overlays ``policy``'s audience may choose: those whose feed it may see."""
    return [k for k, o in OVERLAYS.items() if o.feed is None or policy.may_see(o.feed)]


def draw(d: Draft, chosen, stage: str) -> None:
    """Draw the ``chosen`` overlays of one stage onto ``d`` (feeds in the order chosen)."""
    keys = chosen if stage == "feed" else [k for k in OVERLAYS if k in chosen]
    for key in keys:
        overlay = OVERLAYS[key]
        if overlay.stage == stage and (d.shade is not None or not overlay.follows_shade):
            overlay.draw(d, key)
