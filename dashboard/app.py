"""Lantern dashboard entry point: ``lantern serve`` runs this with Streamlit."""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

from dashboard import pages, state, warm  # noqa: E402

st.set_page_config(page_title="Lantern", page_icon="🏮", layout="wide")
warm.start()   # once per server and database: the first views' figures, before anyone asks
# A viewer sign-on refuses (header mode, not through the proxy) sees the refusal and nothing else.
state.refuse_if_unidentified()
# Only pages the audience in force may see are offered (meeting mode: the partnership's). The
# audience is the one sign-on allows, never a value the session merely holds.
navigation = st.navigation(pages.all_pages(state.checked_audience()))
st.session_state["_page"] = navigation.title   # for the audit log's page views
navigation.run()
