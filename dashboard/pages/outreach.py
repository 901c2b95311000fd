"""Outreach and need: where activity and harm are, against where outreach reaches."""
from __future__ import annotations

import streamlit as st

from dashboard import accessible, analysis_layers, cues, data, maps, state
from dashboard.data import ReleaseError, in_plain_words

def _table(result, sites, filters):
    """The map's figures as a table, from the frames its layers are drawn from."""
    floor = result.view_resolution or result.policy.resolution_floor
    lookup = accessible.area_lookup(filters.audience)
    cells = result.cells if result.judged else result.cells.iloc[0:0]
    need = accessible.map_rows(cells, drawn_as=[f"Reach against need: {s}"
                                                for s in cells["status"]],
                               unit="need events", value="need", lookup=lookup, floor=floor,
                               period=filters.range_label)
    need.insert(need.columns.get_loc("unit") + 1, "outreach contacts",
                accessible.figures(cells["reach"]))
    place = accessible.map_rows(sites, drawn_as="Outreach sites, labels", unit="", value=None,
                                lookup=lookup, floor=floor, period=filters.range_label,
                                notes=[f"{t}: {d}, {h}" for t, d, h in
                                       zip(sites["site_type"], sites["days"], sites["hours"])])
    return accessible.combine([need, place])


def _summary(table) -> str:
    """The map in one sentence: how many hexagons show unmet need or low reach, and where."""
    cells = table[table["drawn as"].str.startswith("Reach against need")]
    if cells.empty:
        return "No hexagon shows need or outreach contacts for these weeks."
    unmet = cells[cells["drawn as"].str.endswith("unmet need")]
    low = cells[cells["drawn as"].str.endswith("low reach")]
    top = accessible.busiest_area(accessible.combine([unmet, low]).fillna({"figure": 0}))
    where = f", most need among them in {top}" if top else ""
    return (f"Of {len(cells):,} hexagons drawn, {len(unmet):,} show unmet need and {len(low):,} "
            f"low reach{where}; {accessible.rolled_words(cells)}.")


filters, loaded = state.page("Outreach and need", "Need (on-street activity and harm reports) "
                                                  "against outreach contacts, per hexagon.")
if loaded:
    try:
        result = data.reach(filters.audience, filters.area, filters.start, filters.end)
    except ReleaseError as exc:
        st.info(in_plain_words(exc, "Reach against need is not available to this audience."))
    else:
        counts = result.cells["status"].value_counts()
        c1, c2, c3, c4 = st.columns(4)
        judged = None if result.judged else "Cannot be judged"
        c1.metric("Need shown", result.need_figure.label, border=True,
                  help="On-street activity and harm reports, released totals")
        c2.metric("Outreach contacts shown", result.reach_figure.label, border=True)
        c3.metric("Hexagons with unmet need", judged or f"{int(counts.get('unmet need', 0)):,}",
                  border=True, help="Need shown, no outreach contacts shown")
        c4.metric("Hexagons with low reach", judged or f"{int(counts.get('low reach', 0)):,}",
                  border=True, help=f"Fewer than {result.low_reach:g} contacts per need event")
        st.markdown(result.summary)
        text_size = 18 if filters.meeting_mode else 14
        outlines = data.outlines(filters.audience)
        lat, lon, zoom = maps.view_for_area(outlines, filters.area, height=560)
        drawn = data.reach_map(filters.audience, filters.area, filters.start, filters.end)
        layers = [maps.land_layer(outlines)]
        if len(drawn.cells) and drawn.judged:
            layers.append(analysis_layers.status_layer(drawn.cells, floor=drawn.view_resolution
                                            or drawn.policy.resolution_floor))
        lettered = drawn.judged and len(drawn.cells)
        letters = (drawn.cells["h3_id"], text_size - 1) if lettered else None
        per_px = maps.metres_per_pixel(lat, zoom)
        layers += maps.outline_layers(outlines, selected=filters.area, text_size=text_size,
                                      metres_per_px=per_px,
                                      clear_of=letters)   # names moved off the letters
        if lettered:
            layers += cues.status_marks(drawn.cells, size=text_size - 1)
        sites = data.sites(filters.audience)
        layers += maps.sites_layers(sites, text_size=text_size, metres_per_px=per_px)
        table = _table(drawn, sites, filters)
        accessible.map_summary(_summary(table))
        col_map, col_side = st.columns([3, 1])
        with col_map:
            st.pydeck_chart(maps.deck(layers, lat=lat, lon=lon, zoom=zoom,
                                      basemap=data.basemap()), height=560,
                            key="reach_deck")
            accessible.table_view(table, key="reach", filters=filters,
                                  title="Outreach and need: released figures drawn")
        with col_side:
            if drawn.view_resolution is not None:
                st.markdown(maps.key_html("Level of detail", [], note=maps.coarser_words(
                    len(drawn.cells), drawn.view_resolution)), unsafe_allow_html=True)
            st.markdown(cues.key_html("Reach against need", list(
                (c, cues.STATUS_LETTERS[s], s) for s, c in analysis_layers.STATUS_COLOURS.items()),
                note="per hexagon, weeks chosen; outlined only: a larger area where "
                     "small numbers are combined"), unsafe_allow_html=True)
            st.markdown(maps.key_html("Outreach sites", [((255, 255, 255), "non-confidential "
                                                          "site")]), unsafe_allow_html=True)
        st.subheader("Where need is least reached")
        unmet = result.unmet
        if not result.judged:
            st.write("Not judged until need and outreach contacts are both loaded for these "
                     "weeks.")
        elif unmet.empty:
            st.write("No hexagon shows need with little or no outreach.")
        else:
            table = unmet[["h3_id", "need", "reach", "status", "note"]].astype(object)
            table = table.where(table.notna(), None)
            for col in ("need", "reach"):  # text, so "not shown" never reads as a zero
                table[col] = ["not shown" if v is None else f"{int(v):,}" for v in table[col]]
            table["note"] = [v or "" for v in table["note"]]
            table = table.rename(columns={"h3_id": "hexagon", "need": "need shown",
                                          "reach": "outreach contacts shown"})
            st.dataframe(table, hide_index=True, width="stretch")
state.footer(filters)
