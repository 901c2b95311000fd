"""Off-street: premises assessments (by category, trend, response) and the online picture."""
from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import accessible, data, maps, state
from dashboard.online_view import draw_online
from dashboard.data import CATEGORIES, RESPONSES, ReleaseError, in_plain_words

filters, loaded = state.page("Off-street", "Premises assessments by category — "
                                           "non-nuisance, nuisance, risk — and the online "
                                           "picture; never a list of premises or adverts.")
if loaded:
    st.header("Premises assessments", anchor="premises")
    try:
        trend = data.premises_trend(filters.audience, filters.period, filters.area,
                                    filters.start, filters.end)
    except ReleaseError as exc:
        st.info(in_plain_words(exc, "Premises figures are not available to this audience."))
    else:
        totals = trend.totals
        cols = st.columns(len(CATEGORIES) + 1)
        unshown = None if trend.figure.shown else trend.figure.label
        for col, cat in zip(cols, CATEGORIES):
            col.metric(f"{cat.capitalize()} premises assessments", unshown or f"{totals[cat]:,}",
                       border=True, help="Released total over the weeks chosen")
        cols[-1].metric("Assessments, categories combined",
                        unshown or f"{trend.combined_total:,}",
                        border=True, help="Too few premises of one category in a place to "
                                          "show the categories apart")
        st.markdown(trend.summary)
        hexes = ["#%02x%02x%02x" % maps.PREMISES_COLOURS[c] for c in CATEGORIES]
        chart = (alt.Chart(trend.table, height=280, title=f"Assessments by {filters.period}")
                 .mark_bar()
                 .encode(x=alt.X("period_start:T", title=None),
                         y=alt.Y("count:Q", title="assessments", stack=True,
                                 axis=alt.Axis(format=",d", tickMinStep=1)),
                         color=alt.Color("category:N", title="Category",
                                         scale=alt.Scale(domain=list(CATEGORIES), range=hexes),
                                         sort=list(CATEGORIES)),
                         tooltip=[alt.Tooltip("period_start:T", title=filters.period),
                                  "category:N",
                                  alt.Tooltip("count:Q", title="released total")]))
        if trend.table["count"].any():
            st.altair_chart(chart, width="stretch")
            accessible.table_view(
                trend.table[["period_start", "category", "count"]].rename(columns={
                    "period_start": f"{filters.period} starting", "count": "released total"}),
                key="premises_trend", filters=filters, title=f"Assessments by {filters.period}",
                label=accessible.CHART_TABLE_LABEL,
                sorts={"in time order": ([], []), "category": (["category"], [True])})
        st.subheader("What each category calls for")
        for cat in CATEGORIES:
            st.markdown(f"{maps._chip(maps.PREMISES_COLOURS[cat])} **{cat.capitalize()}** — "
                        f"{RESPONSES[cat]}", unsafe_allow_html=True)
        st.caption("Welfare and safety come first; enforcement is the last resort. Lantern "
                   "never lists or maps a single premises.")
    draw_online(filters)
state.footer(filters)
