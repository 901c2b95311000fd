"""Cached access to released data for the pages (the only door from dashboard to profiles)."""
from __future__ import annotations

import os

import streamlit as st

from profiles import release as _release
from profiles import status as _status
from profiles import store as _store


@st.cache_resource
def connection(db_path: str):
    """One read-only connection per server (pages take a cursor per run)."""
    return _store.connect(db_path, read_only=True)


def db_path() -> str:
    """The database this server shows (``$LANTERN_DB``)."""
    return str(_store.default_db_path() if not os.environ.get("LANTERN_DB")
               else os.environ["LANTERN_DB"])


def cursor():
    """A cursor for this script run, or None when there is no database yet."""
    path = db_path()
    if path != ":memory:" and not os.path.exists(path):
        return None
    return _store.cursor(connection(path))


@st.cache_data(show_spinner=False, max_entries=256)
def released(audience: str, feed: str, period: str = "week", by: tuple = (),
             area: str | None = None, start=None, end=None):
    """Released counts (a ReleasedTable) for the audience, cached per filter."""
    return _release.release_counts(cursor(), audience, feed, period=period, by=by, area=area,
                                   start=start, end=end)


@st.cache_data(show_spinner=False)
def areas():
    """The loaded areas (public reference data)."""
    return _release.release_areas(cursor())


def force_area_name() -> str:
    """The name of the force-wide area (the first area of type ``force``, else the first)."""
    frame = areas()
    force = frame[frame["area_type"] == "force"]
    return str((force if len(force) else frame)["name"].iloc[0])


@st.cache_data(show_spinner=False)
def area_cells(area: str, audience: str) -> list[str]:
    """An area's cells at the audience's resolution floor."""
    return _release.release_area_cells(cursor(), area, audience)


@st.cache_data(show_spinner=False)
def periods():
    """Weeks that hold data."""
    return _release.release_periods(cursor())


def status(audience: str):
    """What is loaded, counts masked for the audience."""
    return _status.data_status(cursor(), audience)


def statement(audience: str) -> str:
    """The disclosure statement of the audience."""
    from profiles.audiences import get_policy

    return _release.disclosure_statement(get_policy(audience))
