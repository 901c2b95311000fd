"""Patrol planning: where and when visible safety patrols could help — police-internal.

The page reads the commander's weights and settings, calls :func:`profiles.planning.patrols.plan_patrols`
and draws the plan: purpose, map, proposals, exclusions and the notice to share through
outreach projects. Confidential support sites are never drawn or listed.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import accessible, cues, data, maps, state
from dashboard.data import DEFAULT_WEIGHTS, PatrolError, in_plain_words, patrol_brief_html
from dashboard.data import PATROL_FEED_WORDS as FEED_WORDS

RISK_COLOURS = cues.RISK_COLOURS


def _summary(plan, shown, zones, lookup, floor) -> str:
    """The map in one sentence: proposals, where the first is, high risks, exclusion zones."""
    if plan.proposals.empty:
        return (f"No patrol is proposed for these weeks; {len(zones):,} hexagons are "
                f"exclusion zones.")
    first = plan.proposals.sort_values("rank").iloc[0]
    high = int((shown["risk"] == "high").sum()) if len(shown) else 0
    return (f"{len(plan.proposals):,} proposals in {len(shown):,} hexagons, the first in "
            f"{accessible.area_of(first['h3_id'], lookup, floor)}; {high:,} of those hexagons "
            f"carry a high displacement risk, and {len(zones):,} hexagons are exclusion "
            f"zones.")

filters, loaded = state.page(
    "Patrol planning", "Visible safety patrols to build trust and safety — not enforcement. "
                       "Police-internal: never on a shared screen.")
if loaded:
    policy = data.policy(filters.audience)
    if not {"dow", "band"} <= set(policy.breakdowns):
        st.error("The patrol brief is police-internal and needs day-of-week and time-band "
                 "figures, which this audience may not see. Stop sharing the screen, leave "
                 "meeting mode and choose the District command audience.")
    else:
        with st.expander("Weights and settings (the commander's choice)", expanded=True):
            cols = st.columns(5)
            weights = {f: cols[i].slider(f"Weight: {FEED_WORDS[f]}", 0.0, 1.0, float(w), 0.05,
                                         key=f"patrol_w_{f}")
                       for i, (f, w) in enumerate(DEFAULT_WEIGHTS.items())}
            km = cols[3].slider("Exclusion radius (km)", 0.0, 2.0, 0.5, 0.1, key="patrol_km",
                                help="Around outreach sites while they are open, and around "
                                     "confidential support sites at all times.")
            top = int(cols[4].number_input("Proposals", 1, 50, 10, key="patrol_top"))
        try:
            plan = data.plan_patrols(filters.audience, area=filters.area,
                                start=filters.start, end=filters.end, weights=weights,
                                exclusion_km=km, top=top)
        except PatrolError as exc:
            st.error(in_plain_words(exc, "No patrol plan can be made for these choices. "
                                         "Check the weights, or choose a larger area or more "
                                         "weeks."))
            plan = None
        if plan is not None:
            data.audit_combination(filters.audience, "patrol plan",
                                   [f for f, w in weights.items() if w > 0], filters.area,
                                   f"{filters.start} to {filters.end}")
            st.info(f"**Purpose.** {plan.purpose}")
            p = plan.proposals
            col_map, col_side = st.columns([3, 1])
            with col_map:
                outlines = data.outlines(filters.audience)
                focus = p["h3_id"].tolist() + plan.zones["h3_id"].tolist()
                lat, lon, zoom = maps.view_for(focus or plan.study_cells, width=600,
                                               height=400)
                layers = [maps.land_layer(outlines),
                          *maps.outline_layers(outlines, selected=filters.area,
                                               metres_per_px=maps.metres_per_pixel(lat, zoom))]
                z = shown = pd.DataFrame({"h3_id": [], "risk": []})
                if len(plan.zones):
                    z = plan.zones.groupby("h3_id", as_index=False).agg(
                        tip_body=("open", lambda s: "\n".join(sorted(set(s)))))
                    z["tip_title"] = "Exclusion zone"
                    layers.append(maps.cell_shapes(z, layer_id="patrol-zones",
                                                   fill=[120, 120, 120, 110],
                                                   ring=[60, 60, 60, 255], ring_share=0.04))
                    layers += cues.zone_marks(z, proposals=p["h3_id"])
                if len(p):
                    shown = p.groupby("h3_id", as_index=False).agg(
                        ranks=("rank", lambda s: ", ".join(map(str, s))),
                        risk=("displacement_risk", "first"),
                        when=("band", lambda s: ", ".join(sorted(set(s)))))
                    shown["fill"] = [[*RISK_COLOURS[r], 217] for r in shown["risk"]]
                    shown["tip_title"] = [f"Proposal {r}" for r in shown["ranks"]]
                    shown["tip_body"] = [f"{w}\ndisplacement risk: {k}"
                                         for w, k in zip(shown["when"], shown["risk"])]
                    layers.append(maps.cell_shapes(shown, layer_id="patrol-proposals",
                                                   fill="fill", ring=[0, 0, 0, 255],
                                                   ring_share=0.06))
                    layers += cues.risk_marks(shown, zones=z["h3_id"])
                lookup, floor = accessible.area_lookup(filters.audience), policy.resolution_floor
                rows = [accessible.map_rows(
                    shown, drawn_as="Patrol proposal", unit="", value=None, lookup=lookup,
                    floor=floor, period=filters.range_label,
                    notes=[f"proposals {r}; {w}; displacement risk {k}" for r, w, k in
                           zip(shown["ranks"], shown["when"], shown["risk"])]
                    if len(shown) else []),
                    accessible.map_rows(z, drawn_as="Exclusion zone", unit="", value=None,
                                        lookup=lookup, floor=floor, period=filters.range_label,
                                        notes=[f"near an outreach site while open: {b}"
                                               for b in z["tip_body"]] if len(z) else [])]
                accessible.map_summary(_summary(plan, shown, z, lookup, floor))
                st.pydeck_chart(maps.deck(layers, lat=lat, lon=lon, zoom=zoom,
                                          basemap=data.basemap()), height=560)
                accessible.table_view(accessible.combine(rows), key="patrol_map",
                                      title="Patrol plan: hexagons drawn", filters=filters,
                                      sorts={"hexagon": (["hexagon"], [True]),
                                             "area": (["area", "hexagon"], [True, True])})
            with col_side:
                st.markdown(cues.key_html("Proposals by displacement risk", [
                    (c, cues.RISK_LETTERS[k], f"{k} risk") for k, c in RISK_COLOURS.items()],
                    note="hover a hexagon for its ranks and times"), unsafe_allow_html=True)
                st.markdown(cues.key_html("Exclusion zones", [
                    (cues.ZONE_COLOUR, cues.ZONE_LETTER, "near an outreach site (while open)")],
                    note="confidential sites are never shown"), unsafe_allow_html=True)
                st.caption("Weights in force: " + ", ".join(
                    f"{FEED_WORDS[k]} {v:g}" for k, v in plan.weights.items()))
            st.subheader("Proposals")
            if p.empty:
                st.write("No candidates with released figures in this area and these weeks.")
            else:
                st.dataframe(p[["rank", "h3_id", "day", "band", "score",
                                "displacement_risk", "reason"]].round({"score": 3}),
                             hide_index=True)
            st.subheader("Excluded")
            if plan.excluded.empty:
                st.write("No candidate fell inside an exclusion zone.")
            else:
                st.dataframe(pd.DataFrame(plan.excluded), hide_index=True)
            st.subheader("Notice to share through outreach projects")
            st.success(plan.notice)
            st.caption(" ".join(plan.notes))
            st.download_button("Download the patrol brief (HTML)",
                               lambda: data.audit_export(filters.audience, "html", filters.area,
                                                         f"{filters.start} to {filters.end}",
                                                         what="patrol brief")
                               or patrol_brief_html(plan),
                               file_name="patrol-brief.html", mime="text/html",
                               key="patrol_brief_dl", on_click="ignore")
state.footer(filters)
