"""Meeting pack: download the problem profile for the sidebar's audience, area and weeks.

The file is made by :func:`profiles.pack.render_pack` — the same call ``lantern profile``
makes — only when a download button is pressed, so opening the page costs nothing.
"""
from __future__ import annotations

import shlex

import pandas as pd
import streamlit as st

from dashboard import data, state
from dashboard.data import pack_file_name

filters, loaded = state.page(
    "Meeting pack",
    "A problem profile to circulate after the meeting: terms of reference, summary, scanning, "
    "analysis (victim, offender, location, outreach), response options, assessment and data "
    "quality notes. Every figure is released for the audience below, and the protective "
    "marking is on every page.")
if loaded:
    policy = data.policy(filters.audience)
    area = filters.area or "Whole force"
    weeks = (f"weeks starting {filters.start:%d %b %Y} to {filters.end:%d %b %Y}"
             if filters.start and filters.end else "all loaded weeks")
    st.table(pd.DataFrame({"": ["Audience", "Protective marking", "Area", "Period"],
                           "This pack": [policy.label, policy.marking, area, weeks]})
             .set_index(""))
    if filters.audience != "partnership":
        st.warning(f"This pack holds {policy.label.lower()} figures. For partners, choose the "
                   f"partnership audience (or meeting mode) before downloading.")

    # Evaluations added on the Evaluate a response page go only into a pack for the audience
    # they were made for (a police-internal evaluation never reaches a partnership pack).
    evaluations = tuple(e for e in st.session_state.get("pack_evaluations", [])
                        if e.audience == filters.audience)
    if evaluations:
        st.markdown("**Evaluations added to the assessment section:** "
                    + "; ".join(e.name for e in evaluations))

    def make(fmt: str):
        """A deferred download: build the pack only when the button is pressed."""
        def run():
            data.audit_export(filters.audience, fmt, filters.area,
                              f"{filters.start} to {filters.end}", what="meeting pack")
            return data.render_pack(filters.audience, fmt=fmt, area=filters.area,
                                    start=filters.start, end=filters.end,
                                    evaluations=evaluations)
        return run

    c1, c2 = st.columns(2)
    c1.download_button("Download the pack (HTML)", make("html"),
                       file_name=pack_file_name(filters.area, filters.audience, "html"),
                       mime="text/html", type="primary", icon=":material/description:",
                       key="pack_html", on_click="ignore")
    c2.download_button("Download the pack (PDF)", make("pdf"),
                       file_name=pack_file_name(filters.area, filters.audience, "pdf"),
                       mime="application/pdf", icon=":material/picture_as_pdf:", key="pack_pdf",
                       on_click="ignore")
    command = ["lantern", "profile", "--audience", filters.audience]
    if filters.area:
        command += ["--area", filters.area]
    if filters.start and filters.end:
        command += ["--from", f"{filters.start}", "--to", f"{filters.end}"]
    st.caption("Building the pack takes a few seconds. The same file from the command line:")
    st.code(shlex.join(command + ["--out", "pack.pdf"]), language="bash")
    st.markdown("**Sections:** terms of reference · summary · scanning (on-street activity, "
                "off-street premises, community concerns) · analysis (victim, offender, "
                "location, outreach reach against need) · response options · assessment · "
                "data quality notes.")
state.footer(filters)
