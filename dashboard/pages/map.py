"""Map: released counts as hexagons and circles, reference layers, legible with no basemap."""
from __future__ import annotations

import streamlit as st

from dashboard import accessible, analysis_layers, data, map_overlays, maps, state

SHADE_NONE = "none"
#: Seconds between frames while the time player plays.
PLAY_SECONDS = 1.5
#: Hexagons in one frame of the time player beyond which its pooled larger hexagons (off the
#: scale) are left out of the drawing (they stay in its table view).
MAX_FRAME_POOLED = 5_000


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
    overlay = map_overlays.OVERLAYS[key]
    missing = overlay.feed in maps.FEEDS and not data.coverage().is_loaded(overlay.feed)
    return overlay.words + (" — not loaded" if missing else "")


def _step(labels: list, by: int) -> None:
    ss = st.session_state
    i = labels.index(ss["player_frame"]) if ss.get("player_frame") in labels else len(labels) - 1
    ss["player_frame"] = labels[max(0, min(len(labels) - 1, i + by))]


def _player(shade: str, outlines, lat: float, lon: float, zoom: float) -> None:
    """The time player: the shaded feed's released hexagons period by period, stepped with
    buttons or the slider (arrow keys), or played; one colour scale for every frame."""
    ss = st.session_state
    label, unit, _ = maps.FEEDS[shade]
    ss.setdefault("player_period", "month")
    period = state.kept(st.radio, "Step by", options=["month", "quarter"], key="player_period",
                        horizontal=True, format_func=lambda p: f"{p}s")
    try:
        fr = data.frames(filters.audience, shade, period, filters.area, filters.start,
                         filters.end)
    except data.HotspotRunError as exc:
        st.info(data.in_plain_words(exc, "Nothing to step through for these weeks."))
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
              *analysis_layers.frame_layer(drawn, fr.breaks, floor=fr.resolution,
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
        grid = data.frames_multiples(fr, label, unit)
        if grid is None:
            st.info(f"Fewer than two {period}s show any hexagon: nothing to set side by side.")
        else:
            st.image(data.chart_png(grid), caption=f"{grid.title}. {grid.caption}",
                     width="stretch")


filters, loaded = state.page("Map", "Where things are, for the area and weeks chosen in the "
                                    "sidebar. Hover a hexagon or circle for its figure.")
if loaded:
    policy = data.policy(filters.audience)
    text_size = 18 if filters.meeting_mode else 14
    feeds = [f for f in maps.FEEDS if policy.may_see(f)]
    overlays = map_overlays.offered(policy)
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
    # the table view and summary are built from the same frames as the layers (accessible)
    floor = policy.resolution_floor
    per_px = maps.metres_per_pixel(lat, zoom)
    draft = map_overlays.Draft(filters, None if shade == SHADE_NONE else shade, floor,
                               text_size, accessible.area_lookup(filters.audience),
                               metres_per_px=per_px, layers=[maps.land_layer(outlines)])
    lead = None
    if shade != SHADE_NONE:
        label, unit, _ = maps.FEEDS[shade]
        rel = data.released(filters.audience, shade, "all", (), **window)
        fine, coarse, summed_at = data.map_cells(filters.audience, shade, floor=floor, **window)
        draft.layers.append(maps.rollup_layer(coarse, layer_id=f"rollup-{shade}", label=label,
                                              unit=unit))
        if len(fine):
            layer, breaks = maps.hex_layer(fine, layer_id=f"shade-{shade}", label=label,
                                           unit=unit)
            draft.layers.append(layer)
            draft.legends.append(maps.legend_html(label, breaks,
                                                  f"{unit} per hexagon, weeks chosen"))
        if summed_at is not None:
            draft.legends.insert(0, maps.key_html("Level of detail", [], note=maps.coarser_words(
                len(fine) + len(coarse), summed_at)))
        if len(coarse):
            draft.legends.append(maps.key_html("Larger grey hexagons", [(
                (200, 200, 200), f"{int(coarse['count'].sum()):,} {unit} combined")],
                round_=False, note="places with too few to show one by one"))
        draft.figures.append((label, rel.total, unit, shade))
        lead = (label, draft.tabled(coarse, f"{label}, larger grey hexagons", unit),
                draft.tabled(fine, f"{label}, shaded hexagons", unit))
    map_overlays.draw(draft, chosen, "feed")
    map_overlays.draw(draft, chosen, "analysis")
    # Outlines as filled bands, names and sites as letters drawn as polygons: no line,
    # circle or text program for software WebGL to compile before the first paint
    # (see dashboard.maps).
    draft.layers += maps.outline_layers(outlines, selected=filters.area, text_size=text_size,
                                        metres_per_px=per_px)
    map_overlays.draw(draft, chosen, "top")
    layers, legends, figures, rows = draft.layers, draft.legends, draft.figures, draft.rows
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
