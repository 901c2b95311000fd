"""Map: released counts as hexagons and circles, reference layers, legible with no basemap."""
from __future__ import annotations

import streamlit as st

from dashboard import accessible, cues, data, maps, state

SHADE_NONE = "none"
OVERLAYS = {
    "premises_by_category": "Off-street premises by category (circles)",
    "on_street": "On-street activity (circles)",
    "harm_reports": "Harm reports (circles)",
    "community_concerns": "Community concerns (circles)",
    "outreach_contacts": "Outreach contacts (circles)",
    "outreach_sites": "Outreach sites (non-confidential)",
    "environment": "Environment features",
    "hotspots": "Hotspots of the shaded layer (Gi*)",
    "emerging_hotspots": "Emerging hot spots of the shaded layer (ArcGIS categories, by month)",
    "hotspot_patterns": "Hotspot patterns of the shaded layer over the weeks chosen "
                        "(sfhotspot-style classes)",
}
#: Seconds between frames while the time player plays.
PLAY_SECONDS = 1.5
#: Emerging hot spots lettered on the map at most: beyond it (a national view) the letters'
#: halos would cover the map, so they wait for a smaller area.
MAX_LETTERED_SPOTS = 600
#: Hexagons in one frame of the time player beyond which its pooled larger hexagons (off the
#: scale) are left out of the drawing (they stay in its table view).
MAX_FRAME_POOLED = 5_000
#: the feed an overlay needs the audience to see (hotspots follow the shaded feed)
OVERLAY_FEEDS = {"premises_by_category": "premises"}



def _combined_note(coarse, unit: str) -> str:
    if coarse.empty:
        return ""
    return (f"{int(coarse['count'].sum()):,} more {unit} are shown only for larger areas "
            f"(too few to show one by one) and are not drawn as circles.")


def _summary(lead, table) -> str:
    """The map in one sentence: where the shaded layer is highest, what is rolled up."""
    if lead is None:
        drawn = sorted(set(table["drawn as"])) if len(table) else []
        return ("No hexagons are shaded; "
                + (f"drawn: {', '.join(d.lower() for d in drawn)}." if drawn
                   else "only area outlines are drawn."))
    label, coarse, fine = lead
    both = accessible.combine([coarse, fine])
    top = accessible.busiest_area(both)
    # "the busiest place for" reads right for a mass noun and a plural alike
    where = (f"The busiest place for {label.lower()} is {top}" if top else
             f"No hexagon shows any {label.lower()} for these weeks")
    return f"{where}; {accessible.rolled_words(both)}."


def _shade_words(feed: str) -> str:
    if feed not in maps.FEEDS:
        return "Nothing (outlines only)"
    return maps.FEEDS[feed][0] + ("" if data.coverage().is_loaded(feed) else " — not loaded")


def _overlay_words(key: str) -> str:
    feed = OVERLAY_FEEDS.get(key, key)
    missing = feed in maps.FEEDS or key in OVERLAY_FEEDS
    return OVERLAYS[key] + (" — not loaded" if missing and not data.coverage().is_loaded(feed)
                            else "")


def _patterns(feed: str) -> tuple:
    """The space-time pattern overlay of ``feed`` and its legend (or a note why none)."""
    from profiles.analyses import HotspotRunError, pattern_key
    from profiles.release import in_plain_words

    label = maps.FEEDS[feed][0]
    try:
        table = data.hotspot_patterns(filters.audience, feed, filters.period, filters.area,
                                      filters.start, filters.end)
    except HotspotRunError as exc:
        why = in_plain_words(exc, "Too few places can be shown here to tell patterns from "
                                  "chance.")
        return None, maps.key_html("Hotspot patterns", [], note=f"None to draw. {why}")
    key = pattern_key(table)
    a = table.attrs
    note = (f"Gi* of {label.lower()} in each {a['period']} ({len(a['period_starts'])} "
            f"{a['period']}s); the recent window is the last {a['recent']}. Cells with no "
            f"pattern are not drawn.")
    items = [(maps.PATTERN_COLOURS.get(r.pattern, (255, 255, 255)),
              f"{r.pattern}: {r.meaning} ({r.hexagons:,} hexagons)")
             for r in key.itertuples() if r.pattern != "no pattern"]
    return (maps.pattern_layer(table, key, label=label),
            maps.key_html("Hotspot patterns over time", items or [((255, 255, 255), "none")],
                          round_=False, note=note))


def _emerging(feed: str) -> tuple:
    """The emerging hot spot overlay of ``feed``, its marks, legend and table rows (or a note
    why there is none)."""
    from profiles.analyses import HotspotRunError, category_meaning
    from profiles.release import in_plain_words

    label = maps.FEEDS[feed][0]
    try:
        run = data.emerging(filters.audience, feed, "month", filters.area, filters.start,
                            filters.end)
    except HotspotRunError as exc:
        why = in_plain_words(exc, "Too few places or months can be shown here to find a "
                                  "trend.")
        return [], maps.key_html("Emerging hot spots", [], note=f"None to draw. {why}"), None
    table = run.table
    spots = table[table["category"] != "no pattern detected"]
    found = spots["category"].value_counts()
    items = [(maps.HOT if " hot " in c else maps.COLD, cues.emerging_mark(c),
              f"{c}: {category_meaning(c)} ({found[c]:,} hexagons)")
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
    legend = cues.key_html("Emerging hot spots", items or [(None, "", "none found")],
                           note=note)
    layers = [maps.emerging_layer(table, label=label),
              *(cues.emerging_marks(spots, size=19 if filters.meeting_mode else 15)
                if lettered else [])]
    return layers, legend, spots


def _step(labels: list, by: int) -> None:
    ss = st.session_state
    i = labels.index(ss["player_frame"]) if ss.get("player_frame") in labels else len(labels) - 1
    ss["player_frame"] = labels[max(0, min(len(labels) - 1, i + by))]


def _player(shade: str, outlines, lat: float, lon: float, zoom: float) -> None:
    """The time player: the shaded feed's released hexagons period by period, stepped with
    buttons or the slider (arrow keys), or played; one colour scale for every frame."""
    from profiles.analyses import HotspotRunError
    from profiles.release import in_plain_words

    ss = st.session_state
    label, unit, _ = maps.FEEDS[shade]
    ss.setdefault("player_period", "month")
    period = state.kept(st.radio, "Step by", options=["month", "quarter"], key="player_period",
                        horizontal=True, format_func=lambda p: f"{p}s")
    try:
        fr = data.frames(filters.audience, shade, period, filters.area, filters.start,
                         filters.end)
    except HotspotRunError as exc:
        st.info(in_plain_words(exc, "Nothing to step through for these weeks."))
        return
    labels = [fr.label(p) for p in fr.periods]
    if not labels:
        st.info(f"No {period}s are loaded for the weeks chosen.")
        return
    if ss.get("player_frame") not in labels:
        ss["player_frame"] = labels[0]
    if ss.get("player_playing"):      # a tick of the player: the next frame, or stop at the end
        if ss["player_frame"] == labels[-1]:
            ss["player_playing"] = False
            st.rerun(scope="app")
        _step(labels, 1)
    b1, b2, b3 = st.columns(3)
    with b1:
        if st.button(f"◀ Previous {period}", key="player_prev", use_container_width=True):
            _step(labels, -1)
    with b2:
        playing = ss.get("player_playing", False)
        if st.button("Pause ❚❚" if playing else "Play ▶", key="player_play",
                     use_container_width=True,
                     help=f"Steps one {period} every {PLAY_SECONDS:g} seconds to the last"):
            ss["player_playing"] = not playing
            if not playing and ss["player_frame"] == labels[-1]:
                ss["player_frame"] = labels[0]     # play again from the start
            st.rerun(scope="app")
    with b3:
        if st.button(f"Next {period} ▶", key="player_next", use_container_width=True):
            _step(labels, 1)
    when = state.kept(st.select_slider, f"{period.capitalize()} shown", options=labels,
                      key="player_frame",
                      help="Arrow keys step one at a time; Home and End go to the first and "
                           "the last.")
    start = fr.periods[labels.index(when)]
    frame = fr.frame(start)
    drawn = frame
    if len(frame) > MAX_FRAME_POOLED:       # a national view: the scale's hexagons only
        drawn = frame[frame["resolution"] >= fr.resolution]
    layers = [maps.land_layer(outlines),
              *maps.frame_layer(drawn, fr.breaks, floor=fr.resolution,
                                layer_id=f"frame-{shade}", label=label, unit=unit, when=when),
              *maps.outline_layers(outlines, selected=filters.area, text_size=14,
                                   metres_per_px=maps.metres_per_pixel(lat, zoom))]
    left, right = st.columns([3, 1])
    with left:
        st.pydeck_chart(maps.deck(layers, lat=lat, lon=lon, zoom=zoom, basemap=data.basemap()),
                        height=460, key="player_deck")
        st.caption(f"{label}, {when}: {len(frame):,} hexagons shown "
                   f"({labels.index(when) + 1} of {len(labels)} {period}s).")
    with right:
        st.markdown(maps.legend_html(f"{label}: one scale for all {len(labels)} {period}s",
                                     fr.breaks, f"{unit} per hexagon per {period}"),
                    unsafe_allow_html=True)
        for note in fr.notes:
            st.caption(note)
        if len(drawn) < len(frame):
            st.caption(f"{len(frame) - len(drawn):,} larger hexagons are not drawn at this "
                       f"scale (choose an area to see them); the table view lists them.")
    lookup = accessible.area_lookup(filters.audience)
    rows = accessible.map_rows(frame, drawn_as=f"{label}, {when}", unit=unit, period=when,
                               lookup=lookup, floor=fr.resolution)
    accessible.table_view(rows, key="player", title=f"Map over time: {label}, {when}",
                          filters=filters)
    ss.setdefault("player_grid", False)
    if state.kept(st.toggle, f"Every {period} side by side (no animation)", key="player_grid"):
        from profiles.pack.charts import chart_png
        from profiles.pack.overtime import frames_multiples

        grid = frames_multiples(fr, label, unit)
        if grid is None:
            st.info(f"Fewer than two {period}s show any hexagon: nothing to set side by side.")
        else:
            st.image(chart_png(grid), caption=f"{grid.title}. {grid.caption}",
                     width="stretch")


filters, loaded = state.page("Map", "Where things are, for the area and weeks chosen in the "
                                    "sidebar. Hover a hexagon or circle for its figure.")
if loaded:
    policy = data.policy(filters.audience)
    text_size = 18 if filters.meeting_mode else 14
    feeds = [f for f in maps.FEEDS if policy.may_see(f)]
    hotspots = data.available("profiles.analyses.hotspot_release:hotspots_for")
    overlays = [k for k in OVERLAYS if (hotspots if "hotspot" in k else
                                        policy.may_see(OVERLAY_FEEDS.get(k, k)))]
    ss = st.session_state
    ss["map_overlays"] = [k for k in ss.get("map_overlays", ["outreach_sites"]) if k in overlays]
    if ss.get("map_shade") not in [*feeds, SHADE_NONE]:   # first a feed that has a file
        ss["map_shade"] = next((f for f in feeds if data.coverage().is_loaded(f)), SHADE_NONE)
    c1, c2 = st.columns([1, 2])
    with c1:
        shade = state.kept(st.selectbox, "Shade hexagons by", options=[*feeds, SHADE_NONE],
                           key="map_shade", format_func=_shade_words)
    with c2:
        chosen = state.kept(st.multiselect, "Also show", options=overlays, key="map_overlays",
                            format_func=_overlay_words)
    window = dict(area=filters.area, start=filters.start, end=filters.end)
    outlines = data.outlines(filters.audience)
    lat, lon, zoom = maps.view_for_area(outlines, filters.area)   # fits the area, or the force
    layers, legends, figures = [maps.land_layer(outlines)], [], []
    # the table view and summary are built from the same frames as the layers (accessible)
    lookup, floor = accessible.area_lookup(filters.audience), policy.resolution_floor
    rows, lead = [], None

    def tabled(frame, drawn_as, unit, **kw):
        rows.append(accessible.map_rows(frame, drawn_as=drawn_as, unit=unit, lookup=lookup,
                                        floor=floor, period=filters.range_label, **kw))
        return rows[-1]
    if shade != SHADE_NONE:
        label, unit, _ = maps.FEEDS[shade]
        rel = data.released(filters.audience, shade, "all", (), **window)
        fine, coarse, summed_at = data.map_cells(filters.audience, shade, floor=floor, **window)
        layers.append(maps.rollup_layer(coarse, layer_id=f"rollup-{shade}", label=label,
                                        unit=unit))
        if len(fine):
            layer, breaks = maps.hex_layer(fine, layer_id=f"shade-{shade}", label=label,
                                           unit=unit)
            layers.append(layer)
            legends.append(maps.legend_html(label, breaks, f"{unit} per hexagon, weeks chosen"))
        if summed_at is not None:
            legends.insert(0, maps.key_html("Level of detail", [], note=maps.coarser_words(
                len(fine) + len(coarse), summed_at)))
        if len(coarse):
            legends.append(maps.key_html("Larger grey hexagons", [(
                (200, 200, 200), f"{int(coarse['count'].sum()):,} {unit} combined")],
                round_=False, note="places with too few to show one by one"))
        figures.append((label, rel.total, unit, shade))
        lead = (label, tabled(coarse, f"{label}, larger grey hexagons", unit),
                tabled(fine, f"{label}, shaded hexagons", unit))
    for key in chosen:
        if key in maps.FEEDS and key != shade:
            label, unit, colour = maps.FEEDS[key]
            rel = data.released(filters.audience, key, "all", (), **window)
            fine, coarse, _ = data.map_cells(filters.audience, key, floor=floor, **window)
            layers.append(maps.circle_layer(fine, layer_id=f"circles-{key}", label=label,
                                            unit=unit, colour=colour))
            layers += cues.feed_marks(fine, key)
            legends.append(cues.key_html(
                label, [(colour, cues.FEED_LETTERS[key], f"{unit}, circle area by count")],
                round_=True, note="the letters above the circles name the feed. "
                                  + _combined_note(coarse, unit)))
            figures.append((label, rel.total, unit, key))
            tabled(fine, f"{label}, circles", unit)
        elif key == "premises_by_category":
            rel = data.released(filters.audience, "premises", "all", ("category",), **window)
            fine, coarse, _ = data.map_cells(filters.audience, "premises", ("category",),
                                             floor=floor, **window)
            layers += maps.premises_layers(fine)
            layers += cues.premises_marks(fine)
            legends.append(cues.key_html("Off-street premises", [
                (c, cues.PREMISES_LETTERS[cat], cat) for cat, c in maps.PREMISES_COLOURS.items()],
                round_=True, note="assessments by category; circle area by count; letters "
                                  "under the circles name the categories there. "
                     + _combined_note(coarse, "assessments")))
            figures.append(("Premises assessments", rel.total, "assessments", "premises"))
            for cat in maps.PREMISES_COLOURS:
                tabled(fine[fine["category"] == cat], f"Premises: {cat}, circles",
                       "assessments")
    if "environment" in chosen:
        env = data.environment(filters.audience, **window)
        layers += maps.environment_layers(env, text_size=text_size)
        tabled(env, "Environment features, letters", "features", value="features",
               notes=[f"{t} ({maps.ENVIRONMENT_LETTERS.get(t, '?')})"
                      for t in env["feature_type"]])
        legends.append(maps.key_html("Environment features", [
            (letter, kind) for kind, letter in maps.ENVIRONMENT_LETTERS.items()],
            note="letters mark a hexagon holding that feature"))
    if "hotspots" in chosen and shade != SHADE_NONE:
        from profiles.analyses import HotspotRunError
        from profiles.release import in_plain_words

        try:
            run = data.hotspots(filters.audience, shade, **window)
        except HotspotRunError as exc:
            st.info("No hotspots to draw. " + in_plain_words(
                exc, "Too few places can be shown here to find hotspots."))
        else:
            layers.append(maps.hotspot_layer(run.table, label=maps.FEEDS[shade][0]))
            layers += cues.hotspot_marks(run.table, size=text_size + 4)
            spots = run.table[run.table["hotspot"].isin(["hot", "cold"])]
            tabled(spots, f"Hotspots of {maps.FEEDS[shade][0].lower()}, rings", "", value=None,
                   notes=[f"{h} spot" for h in spots["hotspot"]])
            legends.append(cues.key_html("Hotspots (Gi*)", [
                (c, sign, f"{kind} spot (ring and {'plus' if kind == 'hot' else 'minus'} sign)")
                for kind, (c, sign) in cues.HOTSPOT_MARKS.items()],
                note=f"of {maps.FEEDS[shade][0]}"))
    if "emerging_hotspots" in chosen and shade != SHADE_NONE:
        e_layers, legend, spots = _emerging(shade)
        layers += e_layers
        legends.append(legend)
        if spots is not None and len(spots):
            tabled(spots, f"Emerging hot spots of {maps.FEEDS[shade][0].lower()}, rings", "",
                   value=None, notes=list(spots["category"]))
    if "hotspot_patterns" in chosen and shade != SHADE_NONE:
        layer, legend = _patterns(shade)
        layers.append(layer)
        legends.append(legend)
        if layer is not None:   # the rings drawn, in the table view as well
            pats = data.hotspot_patterns(filters.audience, shade, filters.period, filters.area,
                                         filters.start, filters.end)
            pats = pats[pats["pattern"].isin(list(maps.PATTERN_COLOURS))]
            tabled(pats, f"Hotspot patterns of {maps.FEEDS[shade][0].lower()}, rings", "",
                   value=None, notes=[f"{p} spot" for p in pats["pattern"]])
    # Outlines as filled bands and sites as labels: no line or circle programs for software
    # WebGL to compile before the first paint (see dashboard.maps).
    layers += maps.outline_layers(outlines, selected=filters.area, text_size=text_size,
                                  metres_per_px=maps.metres_per_pixel(lat, zoom))
    if "outreach_sites" in chosen:
        sites = data.sites(filters.audience)
        layers += maps.sites_layers(sites, text_size=text_size)
        tabled(sites, "Outreach sites, labels", "", value=None,
               notes=[f"{t}: {d}, {h}" for t, d, h in
                      zip(sites["site_type"], sites["days"], sites["hours"])])
        legends.append(maps.key_html("Outreach sites", [((0, 0, 0), "drop-in, clinic or van "
                                                         "stop, in white letters edged black")],
                                     round_=False, note="non-confidential sites only"))
    table = accessible.combine(rows)
    accessible.map_summary(_summary(lead, table))
    col_map, col_side = st.columns([3, 1])
    with col_map:
        st.pydeck_chart(maps.deck(layers, lat=lat, lon=lon, zoom=zoom,
                                  basemap=data.basemap()), height=620,
                        key="map_deck")
        accessible.table_view(table, key="map", title="Map: released figures drawn",
                              filters=filters)
    with col_side:
        for label, total, unit, feed in figures:
            shown = data.figure(feed, total, filters.start, filters.end)
            st.metric(f"{label} shown", shown.label,
                      help=f"Released total, {unit}")
        for legend in legends:
            st.markdown(legend, unsafe_allow_html=True)
    st.caption(f"{state.WHOLE_FORCE if not filters.area else filters.area}, "
               f"{filters.range_label}. Hexagons are H3 cells no smaller than resolution "
               f"{policy.resolution_floor}; places with too few people behind them are not "
               f"shown. " + ("The street map underneath is the organisation's own, "
                              "configured for this installation; lines are area boundaries."
                              if data.basemap() else
                              "No street map is drawn: the sand fill is the force area, "
                              "lines are area boundaries."))
    if shade != SHADE_NONE:
        st.subheader("The picture over time")
        ss.setdefault("player_on", False)
        if state.kept(st.toggle, f"Step through {maps.FEEDS[shade][0].lower()} month by "
                                 f"month", key="player_on",
                      help="A second map: one period at a time, played or stepped, on one "
                           "colour scale for every period."):
            st.fragment(_player, run_every=PLAY_SECONDS if ss.get("player_playing")
                        else None)(shade, outlines, lat, lon, zoom)
state.footer(filters)
