"""Displacement scenarios: test a response before it runs, as a range, with harm flags.

The page reads the analyst's choices, calls :func:`profiles.planning.displacement.simulate`, draws the
expected change and the harm flags, and saves, compares and exports scenarios through
:mod:`profiles.planning.scenarios` (JSON files in ``lantern-scenarios/`` beside the database).
"""
from __future__ import annotations

import copy

import streamlit as st

from dashboard import accessible, cues, data, maps, state
from dashboard.data import (EVALUATION_AUDIENCES, FLAG_WORDS, INTERVENTIONS, LEVELS,
                            DisplacementError, ScenarioError, in_plain_words, list_scenarios,
                            load_scenario, save_scenario, scenario_dir, scenario_to_csv,
                            scenarios_to_html)

TARGET_COLOUR = maps.OKABE_ITO["blue"]


def _tip_body(row: dict) -> str:
    flags = ", ".join(w for f, w in FLAG_WORDS.items() if row[f]) or "no harm flag"
    return (f"{row['change_low']:+.1f} / {row['change_central']:+.1f} / "
            f"{row['change_high']:+.1f} (low / central / high)\n{flags}")




def _table(moved, tgt, audience):
    """The map's figures (expected central change per hexagon) from the frames drawn."""
    floor = data.policy(audience).resolution_floor
    lookup, period = accessible.area_lookup(audience), filters.range_label
    return accessible.combine([
        accessible.map_rows(tgt, drawn_as="Target hexagon", unit="expected change, central",
                            value="change_central", lookup=lookup, floor=floor, period=period,
                            notes=[f"released baseline {b:g}" for b in tgt["baseline"]]),
        accessible.map_rows(moved.assign(change_central=moved["change_central"].round(1)),
                            drawn_as="Expected increase", unit="expected change, central",
                            value="change_central", lookup=lookup, floor=floor, period=period,
                            notes=[f"low {lo:+.1f}, high {hi:+.1f}" for lo, hi in
                                   zip(moved["change_low"], moved["change_high"])])])


def _summary(table) -> str:
    """The map in one sentence: targets, where most activity could move to."""
    moved = table[table["drawn as"] == "Expected increase"]
    targets = int((table["drawn as"] == "Target hexagon").sum())
    if moved.empty:
        return f"{targets:,} target hexagons; no activity is expected to move elsewhere."
    top = accessible.busiest_area(moved)
    where = f", most of it into {top}" if top else ""
    return (f"{targets:,} target hexagons; activity could move into {len(moved):,} other "
            f"hexagons{where} (central estimate).")


def _audited(file_type: str) -> None:
    """Record a scenario export in the audit log (returns None, so ``or`` runs the export)."""
    data.audit_export(filters.audience, file_type, filters.area,
                      f"{filters.start} to {filters.end}", what="displacement scenario")


filters, loaded = state.page(
    "Displacement scenarios", "What could happen if a response pushes activity elsewhere? A "
    "range over plausible displaced shares, with harm flags. Model estimates from released "
    "counts.")
if loaded:
    aud = filters.audience
    folder = scenario_dir(data.db_path())
    run_tab, compare_tab = st.tabs(["Scenario", "Compare saved scenarios"])
    with run_tab:
        c1, c2 = st.columns(2)
        how = c1.radio("Pick targets", ["By area", "By hexagon"], horizontal=True,
                       key="dsp_how")
        if how == "By area":
            names = data.areas().query("area_type != 'force'")["name"].tolist()
            targets = c1.selectbox("Target area", names, key="dsp_target_area")
        else:
            rel = data.released(aud, "on_street", "all", (), filters.area, filters.start,
                                filters.end).frame.sort_values("count", ascending=False)
            rel = rel[rel["resolution"] == data.policy(aud).resolution_floor]
            labels = dict(zip(rel["h3_id"], rel["count"]))
            targets = c1.multiselect(
                "Target hexagons (busiest first)", list(labels), default=list(labels)[:3],
                format_func=lambda h: f"{h} — {labels[h]:,} released", key="dsp_target_cells")
        kind = c2.selectbox("Intervention", list(INTERVENTIONS), key="dsp_kind",
                            format_func=lambda k: INTERVENTIONS[k].words)
        d = INTERVENTIONS[kind]
        reduction = c2.slider("Expected reduction in the targets", 0.05, 1.0, d.reduction,
                              0.05, key=f"dsp_red_{kind}")
        s1, s2, s3, s4, s5 = st.columns(5)
        shares = tuple(col.number_input(f"Displaced share, {lvl}", 0.0, 1.0, d.shares[i], 0.05,
                                        key=f"dsp_share_{lvl}_{kind}")
                       for i, (col, lvl) in enumerate(zip((s1, s2, s3), LEVELS)))
        max_km = s4.slider("Furthest move (km)", 0.5, 5.0, 1.5, 0.25, key="dsp_max")
        decay_km = s5.slider("Distance decay (km)", 0.1, 2.0, 0.5, 0.1, key="dsp_decay")
        scenario = None
        try:
            scenario = data.simulate(aud, targets=targets, intervention=kind,
                                reduction=reduction, displaced_shares=shares, max_km=max_km,
                                decay_km=decay_km, area=filters.area, start=filters.start,
                                end=filters.end)
        except DisplacementError as exc:
            st.error(in_plain_words(exc, "No scenario can be run for these choices. Choose "
                                         "other targets or a larger area."))
        if scenario is not None:
            t = scenario.totals
            st.subheader("Range over displaced shares")
            st.dataframe(t[["share", "reduced", "displaced", "moved", "unplaced", "ceased",
                            "net_change"]].round(1).assign(share=t["share"].round(2)),
                         width="stretch")
            for flag in scenario.flags:
                st.warning(f"Harm flag: {flag}")
            if not scenario.flags:
                st.success("No harm flags: no activity is expected to move into places "
                           "without outreach, poorly lit or isolated places, or residential "
                           "areas with community concerns.")
            for note in scenario.notes:
                st.caption(note)
            cells = scenario.cells
            col_map, col_side = st.columns([3, 1])
            with col_map:
                outlines = data.outlines(aud)
                moved = cells[cells["role"] == "recipient"].copy()
                lat, lon, zoom = maps.view_for(cells["h3_id"].tolist())
                layers = [maps.land_layer(outlines),
                          *maps.outline_layers(outlines, selected=filters.area,
                                               metres_per_px=maps.metres_per_pixel(lat, zoom))]
                if len(moved):
                    fills, breaks = maps.color_steps(moved["change_central"].round(1).tolist())
                    moved["fill"] = [[*f, 204] for f in fills]
                    moved["tip_title"] = "Expected change"
                    moved["tip_body"] = [_tip_body(r) for r in moved.to_dict("records")]
                    layers.append(maps.cell_shapes(moved, layer_id="dsp-moved", fill="fill",
                                                   ring=[60, 60, 60, 255], ring_share=0.04))
                tgt = cells[cells["role"] == "target"].copy()
                tgt["tip_title"] = "Target"
                tgt["tip_body"] = [f"expected change {c:+.1f} (released baseline {b:g})"
                                   for c, b in zip(tgt["change_central"], tgt["baseline"])]
                layers.append(maps.cell_shapes(tgt, layer_id="dsp-targets",
                                               fill=[*TARGET_COLOUR, 90],
                                               ring=[*TARGET_COLOUR, 255], ring_share=0.12))
                layers += cues.target_marks(tgt)
                table = _table(moved, tgt, aud)
                accessible.map_summary(_summary(table))
                st.pydeck_chart(maps.deck(layers, lat=lat, lon=lon, zoom=zoom,
                                          basemap=data.basemap()), height=520)
                accessible.table_view(table, key="dsp_map", filters=filters,
                                      title="Displacement scenario: hexagons drawn")
            with col_side:
                if len(moved):
                    st.markdown(maps.legend_html("Expected increase (central)", breaks,
                                                 "events, model estimate"),
                                unsafe_allow_html=True)
                st.markdown(cues.key_html("Targets", [(TARGET_COLOUR, cues.TARGET_LETTER,
                                                        "target hexagon")]),
                            unsafe_allow_html=True)
            with st.expander("Hexagon table"):
                st.dataframe(cells.round(2), hide_index=True)
            n1, n2 = st.columns([2, 1])
            name = n1.text_input("Scenario name", key="dsp_name",
                                 placeholder="e.g. Lighting on the corridor")
            if n2.button("Save scenario", key="dsp_save", type="primary"):
                try:
                    # a copy is named: the scenario itself is shared by every session
                    saved = copy.copy(scenario)
                    save_scenario(saved, name, folder)
                    st.success(f"Saved as {saved.name!r}.")
                except (ScenarioError, OSError) as exc:
                    st.error(in_plain_words(exc, "The scenario could not be saved. Try "
                                                 "another name, or ask whoever runs Lantern "
                                                 "to check the scenarios folder."))
            d1, d2 = st.columns(2)
            d1.download_button("Download CSV", lambda: _audited("csv") or scenario_to_csv(scenario),
                               file_name="displacement-scenario.csv", mime="text/csv",
                               key="dsp_csv", on_click="ignore")
            d2.download_button("Download HTML",
                               lambda: _audited("html") or scenarios_to_html([scenario]),
                               file_name="displacement-scenario.html", mime="text/html",
                               key="dsp_html", on_click="ignore")
    with compare_tab:
        saved = list_scenarios(folder, audience=aud)
        if saved.empty:
            st.write("No saved scenarios for this audience yet. Run one and save it.")
        else:
            st.dataframe(saved.round(1), hide_index=True)
            if aud in EVALUATION_AUDIENCES:
                st.caption("After a response has run, check a saved scenario against what "
                           "happened: Evaluate a response → Check a saved scenario.")
            chosen = st.multiselect("Compare", saved["name"].tolist(),
                                    default=saved["name"].tolist()[:3], key="dsp_compare")
            if chosen:
                scs = [load_scenario(n, folder, audience=aud) for n in chosen]
                st.dataframe(data.compare_scenarios(scs), width="stretch")
                st.download_button("Download the comparison (HTML)",
                                   lambda: _audited("html") or scenarios_to_html(scs),
                                   file_name="displacement-comparison.html", mime="text/html",
                                   key="dsp_compare_html", on_click="ignore")
state.footer(filters)
