"""The dashboard's pages, in menu order, and the rules for when each appears.

Each entry of :data:`PAGES` is ``(file, title, icon)`` with two optional extras:

* ``requires`` — ``"module:attribute"`` that must import for the page to appear, so a page
  whose analysis has not landed is never shown as an empty shell;
* ``icon`` — prefer Material icons (``":material/map:"``): Streamlit ships their font, while
  emoji need a colour-emoji font that a locked-down machine may not have;
* ``audiences`` — the audiences that may see the page at all (default: every audience). In
  meeting mode only pages the partnership audience may see appear.

A page whose file does not exist yet is left out too.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent

#: (file, title, icon[, requires[, audiences]]) in menu order.
PAGES = (
    ("overview.py", "Overview", ":material/dashboard:", "profiles.analyses.overview:overview"),
    ("map.py", "Map", ":material/map:", "profiles.release.reference:release_sites"),
    ("premises.py", "Off-street", ":material/apartment:",
     "profiles.analyses.premises:premises_trend"),
    ("outreach.py", "Outreach and need", ":material/volunteer_activism:",
     "profiles.analyses.coverage:reach_against_need"),
    ("patrols.py", "Patrol planning", ":material/local_police:", "profiles.planning.patrols:plan_patrols",
     ("command", "analyst")),
    ("displacement.py", "Displacement scenarios", ":material/alt_route:",
     "profiles.planning.displacement:simulate"),
    ("evaluate.py", "Evaluate a response", ":material/fact_check:",
     "profiles.planning.response:evaluate_areas", ("command", "analyst")),
    ("pack.py", "Meeting pack", ":material/picture_as_pdf:", "profiles.pack:render_pack"),
    ("status.py", "Data status", ":material/database:"),
)


def visible_pages(audience: str | None = None) -> list[tuple]:
    """Return ``(file, title, icon)`` of the pages that can appear for ``audience``.

    Parameters
    ----------
    audience : str, optional
        With an audience, pages restricted to other audiences are left out.
    """
    from dashboard.data import available

    out = []
    for entry in PAGES:
        file, title, icon = entry[:3]
        requires = entry[3] if len(entry) > 3 else None
        audiences = entry[4] if len(entry) > 4 else None
        if not (_HERE / file).exists():
            continue
        if requires and not available(requires):
            continue
        if audience is not None and audiences is not None and audience not in audiences:
            continue
        out.append((file, title, icon))
    return out


def all_pages(audience: str | None = None) -> list:
    """Return the ``st.Page`` objects for ``st.navigation`` (first page is the default)."""
    return [st.Page(str(_HERE / f), title=t, icon=i, default=(n == 0))
            for n, (f, t, i) in enumerate(visible_pages(audience))]
