"""The sidebar: audience, meeting mode, area and period, chosen once and kept across pages."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import data

AUDIENCES = ("partnership", "command", "analyst")
PERIODS = {"Week": "week", "Month": "month", "Quarter": "quarter"}


@dataclass(frozen=True)
class Filters:
    """What the user chose in the sidebar."""

    audience: str
    meeting_mode: bool
    area: str | None
    period: str


def sidebar() -> Filters:
    """Draw the sidebar controls and return the filters in force."""
    ss = st.session_state
    ss.setdefault("audience", "partnership")
    ss.setdefault("meeting_mode", False)
    ss.setdefault("period_label", "Month")
    ss.setdefault("area", "Whole force")
    with st.sidebar:
        st.markdown("### Lantern")
        meeting = ss["meeting_mode"]
        if meeting:
            st.success("Meeting mode is ON: partnership audience only.")
            if st.button("Leave meeting mode", key="leave_meeting"):
                ss["confirm_leave"] = True
            if ss.get("confirm_leave"):
                st.warning("Leaving meeting mode may show police-only figures. Is the screen "
                           "still shared?")
                if st.button("Yes, leave meeting mode", key="confirm_leave_btn"):
                    ss["meeting_mode"] = False
                    ss["confirm_leave"] = False
                    st.rerun()
        else:
            if st.button("Enter meeting mode", key="enter_meeting", type="primary",
                         help="Locks the app to the partnership audience, enlarges text and "
                              "shows the marking on every page."):
                ss["meeting_mode"] = True
                ss["audience"] = "partnership"
                st.rerun()
        if ss["meeting_mode"]:
            audience = "partnership"
        else:
            audience = st.selectbox("Audience", AUDIENCES, key="audience",
                                    help="Decides the disclosure control applied.")
        names = ["Whole force"]
        if data.cursor() is not None:
            names += [n for n in data.areas()["name"].tolist()]
        if ss["area"] not in names:
            ss["area"] = "Whole force"
        area = st.selectbox("Area", names, key="area")
        label = st.radio("Period", list(PERIODS), key="period_label", horizontal=True)
    return Filters(audience, bool(ss["meeting_mode"]), None if area == "Whole force" else area,
                   PERIODS[label])


def banners(filters: Filters) -> None:
    """Marking, synthetic-data banner and (in meeting mode) the disclosure statement."""
    from profiles.audiences import get_policy

    policy = get_policy(filters.audience)
    st.markdown(f"<div data-testid='lantern-marking' style='background:#1a1a1a;color:#fff;"
                f"padding:4px 10px;font-weight:700;letter-spacing:0.05em'>{policy.marking} — "
                f"{policy.label}</div>", unsafe_allow_html=True)
    cur = data.cursor()
    if cur is not None and data.status(filters.audience).synthetic:
        st.warning("SYNTHETIC DEMONSTRATION DATA — a fictional town placed in the open sea. "
                   "No real person, premises or street is shown.", icon="⚠️")
    if filters.meeting_mode:
        st.markdown("<style>html, body, [class*='st-'] {font-size: 1.25rem !important}"
                    "</style>", unsafe_allow_html=True)
        st.info(data.statement(filters.audience))


def footer(filters: Filters) -> None:
    """The marking again at the bottom of the page, with the disclosure statement."""
    st.caption(data.statement(filters.audience))


def require_data() -> bool:
    """Draw the empty state when nothing is loaded; return True when there is data."""
    cur = data.cursor()
    if cur is None or data.status("partnership").empty:
        st.header("No data loaded yet")
        st.markdown(
            "Lantern shows nothing until feeds are loaded. To try it with the synthetic "
            "town:\n\n```\nlantern demo\n```\n\nTo load your partnership's extracts (areas "
            "first):\n\n```\nlantern ingest areas wards.geojson\nlantern ingest on_street "
            "on_street.csv\n```\n\nThen reload this page.")
        return False
    return True
