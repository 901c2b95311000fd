"""Lantern's Streamlit dashboard. Pages read widgets, call ``profiles``, and draw.

No SQL, no disclosure logic and no maths here: every number comes from
:mod:`profiles.release.api` for the audience in force.
"""
