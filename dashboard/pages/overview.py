"""Overview: headline figures with change on the previous period, trends and a plain summary."""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import accessible, data, state
from profiles.analyses import period_label

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
        cols = st.columns(len(ov.headlines))
        for col, h in zip(cols, ov.headlines):
            if h.shown_longer and h.current == 0:   # a 0 would read as "none happened"
                col.metric(h.label, "—", f"too few by {filters.period}", delta_color="off",
                           delta_arrow="off", border=True,
                           help=h.words(ov.current_label, ov.previous_label))
                continue
            if h.change == 0:
                delta, arrow = "no change", "off"
            else:
                pct = f" ({h.change_pct:+.0f}%)" if h.change_pct is not None else ""
                delta, arrow = f"{h.change:+,}{pct}", "auto"
            col.metric(h.label, f"{h.current:,}", delta, delta_color="off", delta_arrow=arrow,
                       border=True, help=h.words(ov.current_label, ov.previous_label))
        st.subheader("In plain words")
        st.markdown("\n".join(f"- {line}" for line in ov.summary))
        st.subheader(f"Trend by {filters.period}")
        units = {h.label: h.unit for h in ov.headlines}
        trends = ov.trends.assign(when=[period_label(p, filters.period)
                                        for p in ov.trends["period_start"]])
        shown = [(label, part) for label, part in trends.groupby("label", sort=False)
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
        empty = [label for label, part in trends.groupby("label", sort=False)
                 if not part["count"].any()]
        if empty:
            st.caption(f"None shown in any {filters.period} of the range (too few in each "
                       f"place and {filters.period} to show): {', '.join(empty)}.")
        if ov.partial_start is not None:
            st.caption("The last bar is a part period: not all its weeks are in the range.")
state.footer(filters)
