"""Data status: which feeds are loaded, over which weeks, from which files, and what was
quarantined; and, before anything is loaded, how to load it."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import data, state
from data_contracts.feeds import feed_entry
from dashboard.upload_panel import upload_panel


def _day(value) -> str:
    """A day the store gives as text (``2026-12-07``), as the pages write it."""
    return state.day_words(dt.date.fromisoformat(str(value)[:10]))


filters, loaded = state.page("Data status", "What is loaded. File counts are shown with the "
                                            "audience's disclosure control too.")
if loaded:
    status = data.status(filters.audience)
    feeds = status.feeds.astype(object)
    feeds["feed"] = [feed_entry(f).label for f in feeds["feed"]]
    for col in ("first_week", "last_week"):
        feeds[col] = [_day(v) if isinstance(v, str) else "reference data" for v in feeds[col]]
    feeds = feeds.rename(columns={"first_week": "first week", "last_week": "last week",
                                  "files": "files loaded"})
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Feeds loaded", f"{len(feeds):,}", border=True)
    c2.metric("Files loaded", f"{len(status.ingests):,}", border=True)
    weeks = data.periods()
    c3.metric("Weeks covered", f"{len(weeks):,}", border=True,
              help=f"{weeks[0]} to {weeks[-1]}" if weeks else None)
    c4.metric("Last file loaded on", _day(status.ingests["loaded_on"].max()), border=True)
    if status.synthetic:
        st.caption("This database was built from Lantern's synthetic town (`lantern demo`).")
    if status.retention:
        st.caption(status.retention)
    st.subheader("Feeds")
    st.dataframe(feeds, hide_index=True, width="stretch")
    if status.not_loaded:
        st.caption("Not loaded — no file yet, so every screen says “not loaded” for them, "
                   "never 0: " + ", ".join(feed_entry(f).label for f in status.not_loaded)
                   + ".")
    st.subheader("Files loaded")
    files = status.ingests.assign(feed=[feed_entry(f).label for f in status.ingests["feed"]])
    st.dataframe(files.rename(columns=lambda c: c.replace("_", " ")), hide_index=True,
                 width="stretch")
    st.subheader("Quarantine")
    if status.quarantine.empty:
        st.success("No row has been quarantined: every row of every file met its feed's "
                    "contract.")
    else:
        st.caption("Reasons rows were set aside at ingest (never the values themselves).")
        st.dataframe(status.quarantine.rename(columns=lambda c: c.replace("_", " ")),
                     hide_index=True, width="stretch")
    with st.expander("How to load more data"):
        st.markdown(state.EMPTY_STATE)
upload_panel(filters)      # drawn only for viewers who may load files
state.footer(filters)
