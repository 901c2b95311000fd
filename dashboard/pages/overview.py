"""Overview: headline figures with change on the previous period, trends and a plain summary."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import accessible, data, state
from dashboard.data import NO_DATA, period_label, seasonality_words

#: The line under a figure that is not a number.
_HOW = {"not loaded": "no file loaded for this feed",
        "no data for this period": "files cover other weeks",
        "too few to show": "shown only over longer periods"}

filters, loaded = state.page("Overview", "The picture for the area and weeks chosen in the "
                                         "sidebar, in released figures.")
if loaded:
    ov = data.overview(filters.audience, filters.period, filters.area, filters.start,
                       filters.end)
    if ov.empty:
        st.info(ov.summary[0])
    else:
        st.subheader(f"{ov.current_label} against {ov.previous_label}")
        st.caption(f"{filters.area or state.WHOLE_FORCE}. Headlines compare the last whole "
                   f"{filters.period} of the range with the one before.")
        # at most three tiles a row when there are more than four: their words stay whole
        per_row = 3 if len(ov.headlines) > 4 else len(ov.headlines)
        cols = [col for row in range(0, len(ov.headlines), per_row)
                for col in st.columns(per_row)]
        for col, h in zip(cols, ov.headlines):
            tip = h.words(ov.current_label, ov.previous_label)
            if not h.figure.shown:                     # not loaded, no data, too few
                col.metric(h.label, h.figure.label, _HOW.get(h.current_state),
                           delta_color="off", delta_arrow="off", border=True, help=tip)
                continue
            if not h.comparable:
                delta, arrow = f"{ov.previous_label}: {h.previous_state}", "off"
            elif h.change == 0:
                delta, arrow = "no change", "off"
            else:
                pct = f" ({h.change_pct:+.0f}%)" if h.change_pct is not None else ""
                delta, arrow = f"{h.change:+,}{pct}", "auto"
            col.metric(h.label, f"{h.current:,}", delta, delta_color="off", delta_arrow=arrow,
                       border=True, help=tip)
        st.subheader("In plain words")
        st.markdown("\n".join(f"- {line}" for line in ov.summary))
        st.subheader(f"Trend by {filters.period}")
        units = {h.label: h.unit for h in ov.headlines}
        trends = ov.trends.assign(when=[period_label(p, filters.period)
                                        for p in ov.trends["period_start"]])
        groups = list(trends.groupby("label", sort=False))
        shown = [(label, part[part["state"] == "released"]) for label, part in groups
                 if part["count"].any()]
        for row in range(0, len(shown), 3):
            for col, (label, part) in zip(st.columns(3), shown[row:row + 3]):
                chart = (alt.Chart(part, title=label, height=200)
                         .mark_bar(color="#2a788e")
                         .encode(x=alt.X("when:O", title=None, sort=None,
                                         axis=alt.Axis(labelAngle=-40, labelOverlap=True)),
                                 y=alt.Y("count:Q", title=units[label],
                                         axis=alt.Axis(format=",d", tickMinStep=1)),
                                 tooltip=[alt.Tooltip("when:O", title=filters.period),
                                          alt.Tooltip("count:Q", title="released total")]))
                with col:
                    st.altair_chart(chart, width="stretch")
        if shown:   # the charts' figures as one table (a text alternative to the charts)
            charted = pd.concat([part for _, part in shown], ignore_index=True)
            charted = charted.assign(unit=[units[x] for x in charted["label"]])[
                ["label", "when", "count", "unit"]].rename(columns={
                    "label": "chart", "when": filters.period, "count": "released total"})
            accessible.table_view(charted, key="overview_trends", filters=filters,
                                  title=f"Trend by {filters.period}",
                                  label=accessible.CHART_TABLE_LABEL,
                                  sorts={"chart, in time order": ([], [])})
        for line in ov.trend_notes:
            st.caption(line)
        if data.policy(filters.audience).may_see("on_street"):
            st.subheader("On-street activity: each month against the same month last year")
            seasons = data.seasonality(filters.audience, "on_street", filters.area,
                                       filters.start, filters.end)
            if (seasons["last_state"] != NO_DATA).any():
                st.dataframe(seasonality_words(seasons), hide_index=True)
                st.caption("Released monthly totals. 'Not shown' marks a month the release "
                           "does not show on its own (none, or too few to show); it is not a "
                           "0 and is not compared.")
            else:
                st.caption("Less than a year of weeks is chosen, so no month can be set "
                           "against the same month last year.")
state.footer(filters)
