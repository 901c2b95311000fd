"""Map: released activity as H3 hexagons, legible without basemap tiles."""
from __future__ import annotations

import streamlit as st

from dashboard import data, maps, state
from geo.cells import cells_to_center

FEED_LABELS = {
    "on_street": "On-street activity",
    "harm_reports": "Harm reports",
    "community_concerns": "Community concerns",
    "outreach_contacts": "Outreach contacts",
    "premises": "Off-street premises (assessments)",
}

filters = state.sidebar()
state.banners(filters)
st.title("Map")
if state.require_data():
    weeks = data.periods()
    feed = st.selectbox("Layer", list(FEED_LABELS), format_func=FEED_LABELS.get, key="map_feed")
    start, end = st.select_slider("Weeks", options=weeks, value=(weeks[0], weeks[-1]),
                                  format_func=lambda d: d.strftime("%d %b %Y"), key="map_weeks")
    released = data.released(filters.audience, feed, "all", (), filters.area, start, end)
    frame = released.frame
    outline = data.area_cells(filters.area or data.force_area_name(), filters.audience) \
        if len(data.areas()) else []
    layers = []
    if outline:
        layers.append(maps.outline_layer(outline))
    if len(frame):
        layers.append(maps.hex_layer(frame, layer_id=feed, tooltip_label=FEED_LABELS[feed]))
    centre = cells_to_center(outline or frame["h3_id"].tolist())
    col_map, col_side = st.columns([4, 1])
    with col_map:
        st.pydeck_chart(maps.deck(layers, lat=centre[0], lon=centre[1], zoom=12.5),
                        height=620)
    with col_side:
        _, breaks = maps.color_steps(frame["count"].tolist())
        st.markdown(maps.legend_html(FEED_LABELS[feed], breaks, "events per hexagon, "
                                     "selected weeks"), unsafe_allow_html=True)
        st.metric("Shown (released total)", f"{released.total:,}")
        st.caption(f"{len(frame):,} hexagons shown at H3 resolution "
                   f"{released.policy.resolution_floor}. Hexagons with too few people behind "
                   f"them are not shown.")
state.footer(filters)
