"""The dashboard's pages. Each module has ``render()``; ``all_pages`` lists them in order."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent

#: (file, title, icon) in menu order. A page appears here only once its analysis exists.
PAGES = (
    ("map.py", "Map", "🗺️"),
)


def all_pages() -> list:
    """Return the ``st.Page`` objects for ``st.navigation``."""
    return [st.Page(str(_HERE / f), title=t, icon=i, default=(n == 0))
            for n, (f, t, i) in enumerate(PAGES)]
