"""Run one dashboard page in Streamlit's AppTest (shared by the page tests; not a test module).

The pages read the demo database named by ``LANTERN_DB`` (the tests' ``demo_env`` fixtures set
it) through the real release layer; nothing of Lantern is stood in for.
"""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"


def open_page(page, *, audience: str = "partnership", timeout: float = 60, check: bool = True,
              **state) -> AppTest:
    """Run ``page`` (a file in ``dashboard/pages`` or a path) once for ``audience``.

    ``state`` goes into the session first (``meeting_mode=True``, ``area=...``, ``weeks=...``),
    as the sidebar would have set it. With ``check`` (the default), the run must raise
    nothing; the exceptions' texts are the assertion's message.
    """
    at = AppTest.from_file(str(PAGES / page), default_timeout=timeout)
    at.session_state["audience"] = audience
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at
