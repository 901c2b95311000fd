"""Evaluate a response: did it work, and did it move the problem next door? Police-internal.

Two tabs. *Evaluate a response* reads the analyst's target, buffer and control (each an area
or hexagons) and the before and after weeks, calls :func:`profiles.planning.evaluate_areas`
(released counts only) and draws the before/after table, the WDQ and WDD with their published
readings, the cautions, a verdict, a map of the three zones, a CSV download and a section for
the meeting pack. *Check a saved scenario* calls :func:`profiles.planning.check_scenario` and
sets what was observed beside a saved scenario's low – central – high range.
"""
from __future__ import annotations

from functools import partial

import streamlit as st

from data_contracts.words import plural
from dashboard import accessible, cues, data, drawing, maps, state
from dashboard.data import (EVALUATION_AUDIENCES, ZONES, DisplacementError, EvaluationSpec,
                            ScenarioError, list_scenarios, load_scenario, scenario_dir)

ZONE_COLOURS = {"target": maps.OKABE_ITO["blue"], "buffer": maps.OKABE_ITO["orange"],
                "control": maps.OKABE_ITO["bluish green"]}
ZONE_WORDS = {"target": "where the response ran", "buffer": "where displacement would show",
              "control": "how things changed anyway"}
CHECK_HEADINGS = {"measure": "Measure", "low": "Low", "central": "Central", "high": "High",
                  "observed": "Observed", "interval_low": "Observed, 95% from",
                  "interval_high": "to", "placed": "Against the range"}
RING = "The ring around the target"
AREA, HEXAGONS = "An area", "Hexagons"


def _zone_picker(col, zone: str, names: list, default: int, hexes: dict, *, ring=False):
    """Draw one zone's choice; return an area name, a list of hexagons, or None (the ring)."""
    kinds = [RING, AREA, HEXAGONS] if ring else [AREA, HEXAGONS]
    how = col.radio(zone.capitalize(), kinds, key=f"ev_{zone}_how", horizontal=True,
                    help=ZONE_WORDS[zone].capitalize())
    if how == RING:
        col.slider("Rings of hexagons", 1, 3, 1, key="ev_rings")
        return None
    if how == AREA:
        return col.selectbox(f"{zone.capitalize()} area", names, index=default,
                             key=f"ev_{zone}_area")
    key = f"ev_{zone}_cells"   # set here, not by default=: a map click sets it as well
    ss = st.session_state
    ss[key] = [h for h in ss.get(key, list(hexes)[:3] if zone == "target" else [])
               if h in hexes]
    return col.multiselect(f"{zone.capitalize()} hexagons (busiest first)", list(hexes),
                           format_func=lambda h: f"{h} — {hexes[h]:,} released", key=key,
                           help="Type to find a hexagon, or click hexagons on the map below.")


def _drawn(zone: str, hexes: dict) -> None:
    """After a click on the drawing map: add the newly selected hexagons to ``zone``."""
    ss = st.session_state
    event = ss.get(f"ev_draw_{zone}") or {}
    ss[f"ev_{zone}_cells"], ss[f"ev_{zone}_seen"] = drawing.selection_to_cells(
        event.get("selection"), ss.get(f"ev_{zone}_cells", []), allowed=hexes,
        seen=ss.get(f"ev_{zone}_seen", ()))


def _draw_map(aud, area, hexes: dict, picked: dict) -> None:
    """A map of the released hexagons: a click adds one to the zone chosen above the map."""
    st.subheader("Draw hexagons on the map")
    zone = st.radio("Clicking a hexagon adds it to", list(picked), key="ev_draw_zone",
                    horizontal=True, format_func=lambda z: f"the {z} zone")
    if not hexes:
        st.info("No hexagon here has enough behind it to be shown one by one, so there is "
                "nothing to click. Choose a larger area or more weeks in the sidebar, or pick "
                "each zone as an area.")
        return
    ss = st.session_state
    if f"ev_draw_{zone}" not in ss:    # a fresh map selects nothing: forget the last one
        ss[f"ev_{zone}_seen"] = []
    outlines = data.outlines(aud)
    lat, lon, zoom = maps.view_for(list(hexes), width=700, height=460)   # fits what to click
    layers = [maps.land_layer(outlines),
              drawing.draw_layer(hexes, picked, words=ZONE_WORDS, colours=ZONE_COLOURS,
                                 unit="on-street events", adding_to=f"{zone} zone"),
              *maps.outline_layers(outlines, selected=area,
                                   metres_per_px=maps.metres_per_pixel(lat, zoom)),
              *cues.evaluation_zone_marks(picked)]
    col_map, col_side = st.columns([3, 1])
    with col_map:
        accessible.map_summary(
            f"{len(hexes):,} released hexagons can be clicked; "
            + "; ".join(f"the {z} zone has {len(cells):,}" for z, cells in picked.items())
            + ". The lists above say which, and change them from the keyboard.")
        st.pydeck_chart(maps.deck(layers, lat=lat, lon=lon, zoom=zoom), height=480,
                        on_select=partial(_drawn, zone, hexes), selection_mode="multi-object",
                        key=f"ev_draw_{zone}",
                        alt=f"Map of the released hexagons; clicking one adds it to the "
                            f"{zone} zone")
    with col_side:
        st.markdown(cues.key_html("Zones", [
            *((ZONE_COLOURS[z], cues.ZONE_LETTERS[z], f"{z}: {ZONE_WORDS[z]}")
              for z in picked),
            (drawing.FREE_CHIP, "", "released hexagon in no zone")],
            note="only hexagons the audience may see are drawn; a click adds one, the "
                 "list above takes one out"), unsafe_allow_html=True)


def _weeks(col, label: str, weeks: list, default: tuple, key: str) -> tuple:
    """A range of weeks kept in ``st.session_state[key]`` (reset when no longer offered)."""
    ss = st.session_state
    chosen = ss.get(key)
    if not (isinstance(chosen, (tuple, list)) and len(chosen) == 2
            and all(w in weeks for w in chosen)):
        ss[key] = default
    return tuple(state.kept(col.select_slider, label, options=weeks, key=key,
                            format_func=lambda d: f"{d:%d %b %Y}".lstrip("0")))


def _zone_map(ev, outlines, selected, aud) -> None:
    """The three zones, coloured, with each zone's released counts in its tooltip; a summary
    sentence before the map and a table view of the hexagons drawn after it."""
    import pandas as pd

    lookup, floor = accessible.area_lookup(aud), data.policy(aud).resolution_floor
    rows = []

    every = [c for z in ZONES for c in ev.cells[z]]
    lat, lon, zoom = maps.view_for(every, width=700, height=460)
    layers = [maps.land_layer(outlines),
              *maps.outline_layers(outlines, selected=selected,
                                   metres_per_px=maps.metres_per_pixel(lat, zoom))]
    for zone in ZONES:
        frame = pd.DataFrame({"h3_id": ev.cells[zone]})
        frame["tip_title"] = f"{zone.capitalize()}: {ZONE_WORDS[zone]}"
        frame["tip_body"] = (f"{len(frame):,} hexagons\n{ev.counts[zone + '_before']:,} "
                             f"events before, {ev.counts[zone + '_after']:,} after")
        colour = ZONE_COLOURS[zone]
        layers.append(maps.cell_shapes(frame, layer_id=f"ev-{zone}", fill=[*colour, 120],
                                       ring=[*colour, 255], ring_share=0.08))
        rows.append(accessible.map_rows(
            frame, drawn_as=f"{zone.capitalize()} zone", unit="", value=None, lookup=lookup,
            floor=floor, period="the before and after weeks chosen above",
            notes=[ZONE_WORDS[zone]] * len(frame)))
    layers += cues.evaluation_zone_marks({z: ev.cells[z] for z in ZONES})
    accessible.map_summary("; ".join(f"{len(ev.cells[z]):,} hexagons in the {z} zone"
                                     for z in ZONES)
                           + "; each zone's released counts are in the table above.")
    st.pydeck_chart(maps.deck(layers, lat=lat, lon=lon, zoom=zoom), height=480)
    accessible.table_view(accessible.combine(rows), key="ev_map", filters=filters,
                          title="Evaluation: the three zones drawn",
                          sorts={"zone": ([], []), "hexagon": (["hexagon"], [True])})


def _show(ev) -> None:
    """The evaluation: table, cautions, measures with their readings, verdict."""
    table = ev.table.rename(columns=str.capitalize)
    table["Zone"] = [f"{z} ({ZONE_WORDS[z]})" for z in ev.table["zone"]]
    st.subheader("Before and after")
    st.dataframe(table, hide_index=True)
    for caution in ev.problems:
        st.warning(caution)
    measures = ev.measures()
    st.subheader("Displacement: WDQ, success measure and total net effect")
    if ev.wdq is None:
        st.write("Not computed: see the cautions above.")
    else:
        c = st.columns(4)
        c[0].metric("Success measure", f"{ev.wdq.success_measure:+.3f}")
        c[1].metric("Buffer measure", f"{ev.wdq.buffer_measure:+.3f}")
        c[2].metric("WDQ", f"{ev.wdq.wdq:.2f}")
        c[3].metric("Total net effect", f"{ev.wdq.tne:+.1f} events")
        st.dataframe(measures[measures["part"] == "WDQ"].drop(columns="part"),
                     hide_index=True)
    st.subheader("Weighted Displacement Difference")
    if ev.wdd is None:
        st.write("Not computed: see the cautions above.")
    else:
        d = ev.wdd
        c = st.columns(4)
        c[0].metric("WDD", f"{d.wdd:+d} events")
        c[1].metric("Standard error", f"{d.se:.1f}")
        c[2].metric("z, p", f"{d.z:.2f}, {'< 0.001' if d.p < 0.001 else f'{d.p:.3f}'}")
        c[3].metric("95% interval", f"{d.ci_low:.0f} to {d.ci_high:.0f}")
        st.caption(d.reading)
    st.subheader("Verdict")
    st.info(ev.verdict)


def _zone_words(zone: str, cells) -> str:
    """A zone for the audit log: its area's name, or how many hexagons (never which)."""
    if isinstance(cells, str):
        return f"{zone} {cells}"[:60]
    return f"{zone} {len(cells or ())} hexagons" if cells else f"{zone} default"


def _evaluate_tab(aud, names, hexes, weeks) -> None:
    feeds = [f for f in maps.FEEDS if data.policy(aud).may_see(f)]
    feed = st.selectbox("Events counted", feeds, key="ev_feed",
                        format_func=lambda f: maps.FEEDS[f][0])
    cols = st.columns(3)
    target = _zone_picker(cols[0], "target", names, 0, hexes)
    buffer = _zone_picker(cols[1], "buffer", names, 0, hexes, ring=True)
    control = _zone_picker(cols[2], "control", names, len(names) - 1, hexes)
    picked = {z: cells for z, cells in zip(ZONES, (target, buffer, control))
              if isinstance(cells, list)}
    if picked:
        _draw_map(aud, filters.area, hexes, picked)
    half = len(weeks) // 2
    p1, p2 = st.columns(2)
    before = _weeks(p1, "Before (weeks)", weeks, (weeks[0], weeks[half - 1]), "ev_before")
    after = _weeks(p2, "After (weeks)", weeks, (weeks[half], weeks[-1]), "ev_after")
    rings = st.session_state.get("ev_rings", 1)
    try:
        ev = data.evaluate_areas(aud, target=target, buffer=buffer, control=control,
                                 before=before, after=after, feed=feed, rings=rings)
    except DisplacementError as exc:
        st.error(str(exc))
        return
    data.audit_combination(aud, "evaluation", [feed], filters.area,
                           f"{before[0]} to {before[1]} / {after[0]} to {after[1]}",
                           zones=", ".join(_zone_words(z, c) for z, c in
                                           zip(ZONES, (target, buffer, control))))
    _show(ev)
    st.subheader("Map of the three zones")
    col_map, col_side = st.columns([3, 1])
    with col_map:
        _zone_map(ev, data.outlines(aud), target if isinstance(target, str) else None,
                  aud)
    with col_side:
        st.markdown(cues.key_html("Zones", [(ZONE_COLOURS[z], cues.ZONE_LETTERS[z],
                                             f"{z}: {ZONE_WORDS[z]}") for z in ZONES],
                                  note="hover a hexagon for its zone's counts"),
                    unsafe_allow_html=True)
    st.subheader("Export")
    e1, e2, e3 = st.columns([1, 2, 1])
    e1.download_button("Download CSV", lambda: data.audit_export(
        aud, "csv", None, f"{before[0]} to {after[1]}", what="evaluation") or ev.to_csv(),
        file_name="evaluation.csv", mime="text/csv", key="ev_csv", on_click="ignore")
    label = e2.text_input("Name for the meeting pack", key="ev_name",
                          value=f"Response in {target}" if isinstance(target, str)
                          else "Response in the chosen hexagons")
    if e3.button("Add to the meeting pack", key="ev_add"):
        spec = EvaluationSpec(label or "Evaluation", target=_tuple(target),
                              control=_tuple(control), before=before, after=after,
                              buffer=_tuple(buffer), feed=feed, rings=rings, audience=aud)
        added = [s for s in st.session_state.get("pack_evaluations", []) if s.name != spec.name]
        st.session_state["pack_evaluations"] = [*added, spec]
        st.success(f"Added {spec.name!r}: the Meeting pack page includes it in a pack for "
                   f"this audience.")


def _tuple(zone):
    return tuple(zone) if isinstance(zone, list) else zone


def _scenario_tab(aud, weeks) -> None:
    folder = scenario_dir(data.db_path())
    saved = list_scenarios(folder, audience=aud)
    if saved.empty:
        st.info("No saved scenarios for this audience yet. Run one on the Displacement "
                "scenarios page and save it; come back after the response to check it.")
        return
    name = st.selectbox("Saved scenario", saved["name"].tolist(), key="ev_scenario")
    try:
        scenario = load_scenario(name, folder, audience=aud)
    except ScenarioError as exc:
        st.error(str(exc))
        return
    p = scenario.params
    st.caption(f"Baseline weeks {p.get('start') or 'all loaded'} to {p.get('end') or ''}; "
               f"{plural(len(p['targets']), 'target hexagon')}. The hexagons the scenario moved "
               f"activity into are the buffer; the rest of its study area is the control.")
    later = [w for w in weeks if p.get("end") and str(w) > p["end"]]
    if not later:
        st.warning("No weeks are loaded after this scenario's baseline, so there is nothing "
                   "to check it against yet. Load newer data and come back.")
        return
    after = _weeks(st, "After the response (weeks)", later, (later[0], later[-1]),
                   "ev_check_after")
    try:
        check = data.check_scenario(aud, scenario, after=after)
    except DisplacementError as exc:
        st.error(str(exc))
        return
    st.subheader("Observed beside the scenario's range")
    st.dataframe(check.table.round(2).rename(columns=CHECK_HEADINGS), hide_index=True)
    st.info(check.summary)
    for note in check.notes:
        st.caption(note)
    st.subheader("The scenario's hexagons before and after")
    st.dataframe(check.evaluation.table.rename(columns=str.capitalize), hide_index=True)
    st.caption(check.evaluation.verdict)


filters, loaded = state.page(
    "Evaluate a response", "Did a place-based response work, and did it move the problem next "
    "door? Released counts for a target, a buffer around it and a control, before and after. "
    "Police-internal: never on a shared screen.")
if loaded:
    aud = filters.audience
    if aud not in EVALUATION_AUDIENCES:
        st.error("Evaluating a response is police-internal analysis. Stop sharing the screen, "
                 "leave meeting mode and choose the analyst or district command audience.")
    else:
        weeks = data.periods()
        names = data.areas().query("area_type != 'force'")["name"].tolist()
        rel = data.released(aud, "on_street", "all", (), filters.area, filters.start,
                            filters.end).frame.sort_values("count", ascending=False)
        rel = rel[rel["resolution"] == data.policy(aud).resolution_floor]
        hexes = dict(zip(rel["h3_id"], rel["count"]))
        evaluate_tab, check_tab = st.tabs(["Evaluate a response", "Check a saved scenario"])
        with evaluate_tab:
            if len(weeks) < 2 or not names:
                st.info("An evaluation needs at least two loaded weeks and an areas feed.")
            else:
                _evaluate_tab(aud, names, hexes, weeks)
        with check_tab:
            _scenario_tab(aud, weeks)
state.footer(filters)
