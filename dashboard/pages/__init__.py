"""The dashboard's pages, in menu order, and the rules for when each appears.

Each entry of :data:`PAGES` is ``(file, title, icon)`` with an optional extra:

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

#: (file, title, icon[, audiences]) in menu order.
PAGES = (
    ("overview.py", "Overview", ":material/dashboard:"),
    ("map.py", "Map", ":material/map:"),
    ("premises.py", "Off-street", ":material/apartment:"),
    ("outreach.py", "Outreach and need", ":material/volunteer_activism:"),
    ("patrols.py", "Patrol planning", ":material/local_police:", ("command", "analyst")),
    ("displacement.py", "Displacement scenarios", ":material/alt_route:"),
    ("evaluate.py", "Evaluate a response", ":material/fact_check:", ("command", "analyst")),
    ("pack.py", "Meeting pack", ":material/picture_as_pdf:"),
    ("status.py", "Data status", ":material/database:"),
)


def visible_pages(audience: str | None = None) -> list[tuple]:
    """Return ``(file, title, icon)`` of the pages that can appear for ``audience``.

    Parameters
    ----------
    audience : str, optional
        With an audience, pages restricted to other audiences are left out.
    """
    out = []
    for entry in PAGES:
        file, title, icon = entry[:3]
        audiences = entry[3] if len(entry) > 3 else None
        if not (_HERE / file).exists():
            continue
        if audience is not None and audiences is not None and audience not in audiences:
            continue
        out.append((file, title, icon))
    return out


def all_pages(audience: str | None = None) -> list:
    """Return the ``st.Page`` objects for ``st.navigation`` (first page is the default)."""
    return [st.Page(str(_HERE / f), title=t, icon=i, default=(n == 0))
            for n, (f, t, i) in enumerate(visible_pages(audience))]
