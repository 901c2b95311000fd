"""The Off-street page's online part: released adverts, areas and the indicator picture.

Only draws what :func:`profiles.analyses.online.online_picture` released; no sums beyond what
the result holds, no disclosure logic.
"""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import accessible, data
from dashboard.data import CAUTION, ReleaseError, in_plain_words

NOT_SHOWN = "not shown"


def draw_online(filters) -> None:
    """Draw the online picture for the sidebar's audience, area and weeks."""
    st.header("The online picture", anchor="online")
    st.caption("Adverts seen on adult services websites by a monitoring team, counted by "
               "coarse place (never finer than about 5 km²) and week. Every figure has at "
               "least the audience's threshold of distinct advertisers behind it. Lantern "
               "never holds a web address, number, handle, advert text or image.")
    try:
        pic = data.online_picture(filters.audience, filters.area, filters.start, filters.end)
    except ReleaseError as exc:
        st.info(in_plain_words(exc, "Online advert figures are not available to this "
                                    "audience."))
        return
    if "online_adverts" not in set(data.status(filters.audience).feeds["feed"]):
        st.info("Online adverts: not loaded — no file from the monitoring team has been "
                "loaded yet. Whoever runs Lantern can load one (Data status says how).")
        return
    cols = st.columns(4)
    cols[0].metric("Adverts shown", f"{pic.adverts:,}", border=True,
                   help="Released total over the weeks chosen")
    cols[3].metric("Advertisers seen per week",
                   _per_week(pic.advertisers_per_week, blank="—"),
                   border=True, help="Average over the weeks chosen, from released "
                                     "advertiser-weeks; an advertiser seen in a week counts "
                                     "once, however many adverts")
    cols[1].metric("Adverts with any indicator", f"{pic.with_indicator:,}", border=True,
                   help="Released total; an advert with several indicators counts once")
    cols[2].metric("Share with an indicator",
                   f"{pic.share:.0%}" if pic.share is not None else "—", border=True,
                   help="Shown only where both of its parts are released figures")
    st.markdown(pic.summary)
    for note in pic.notes:
        st.caption(note)
    if pic.trend["count"].any():
        axis = alt.X("label:O", title=None, sort=None, axis=alt.Axis(labelAngle=-40))
        chart = (alt.Chart(pic.trend, height=240, title=f"Adverts by {pic.period}")
                 .mark_bar()
                 .encode(x=axis,
                         y=alt.Y("count:Q", title="adverts",
                                 axis=alt.Axis(format=",d", tickMinStep=1)),
                         color=alt.Color("part_period:N", legend=None,
                                         scale=alt.Scale(domain=[False, True],
                                                         range=["#7b4f9d", "#cbb7dc"])),
                         tooltip=[alt.Tooltip("label:O", title=pic.period),
                                  alt.Tooltip("count:Q", title="released total")]))
        per_week = pic.trend.dropna(subset=["advertisers_per_week"])
        line = (alt.Chart(per_week, height=240,
                          title=f"Advertisers seen per week, by {pic.period}")
                .mark_line(point=True, color="#3b528b")
                .encode(x=axis,
                        y=alt.Y("advertisers_per_week:Q", title="advertisers per week"),
                        tooltip=[alt.Tooltip("label:O", title=pic.period),
                                 alt.Tooltip("advertisers_per_week:Q",
                                             title="advertisers per week")]))
        left, right = st.columns(2)
        left.altair_chart(chart, width="stretch")
        if len(per_week):
            right.altair_chart(line, width="stretch")
        charted = pd.DataFrame({   # the charts' figures (a text alternative to them)
            pic.period: pic.trend["label"],
            "adverts (released total)": accessible.figures(
                [v if v else None for v in pic.trend["count"]]),
            "advertisers seen per week": accessible.figures(pic.trend["advertisers_per_week"]),
            "part period": ["yes" if p else "no" for p in pic.trend["part_period"]]})
        accessible.table_view(charted, key="online_trend", filters=filters,
                              title=f"Adverts by {pic.period}",
                              label=accessible.CHART_TABLE_LABEL,
                              sorts={"in time order": ([], [])},
                              notes=["A blank figure: none, or too few advertisers to show."])
        if pic.trend["part_period"].any():
            st.caption(f"Paler bars are {pic.period}s only partly in the weeks chosen; they "
                       f"have no advertisers-per-week point.")
    if len(pic.by_area):
        st.subheader("By area")
        st.dataframe(_area_table(pic.by_area), hide_index=True, width="stretch")
    st.subheader("Indicator picture")
    st.warning(CAUTION, icon=":material/volunteer_activism:")
    table = pic.indicators.assign(
        adverts=[f"{c:,}" if c else NOT_SHOWN for c in pic.indicators["count"]])
    st.dataframe(table[["indicator", "adverts"]].rename(
        columns={"indicator": "Indicator", "adverts": "Adverts (released)"}),
        hide_index=True, width="stretch")
    st.caption(f"'{NOT_SHOWN}': none, or too few advertisers to show. Each indicator is its "
               f"own figure: an advert can carry several, so they do not add up to 'Any "
               f"indicator'.")


def _area_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Area": frame["area"],
        "Adverts": [f"{v:,}" if v else NOT_SHOWN for v in frame["adverts"]],
        "Advertisers per week": [_per_week(v) for v in frame["advertisers_per_week"]],
        "With any indicator": [f"{v:,}" if v else NOT_SHOWN for v in frame["with_indicator"]],
        "Share with an indicator": [f"{v:.0%}" if v is not None and v == v else NOT_SHOWN
                                    for v in frame["share"]]})


def _per_week(value, blank: str = NOT_SHOWN) -> str:
    """An average per week in words: whole numbers, "under 1" rather than a misleading 0."""
    if value is None or value != value:
        return blank
    return "under 1" if value < 0.5 else f"{value:,.0f}"
