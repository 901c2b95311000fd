"""The dashboard's one door to :mod:`profiles`: cached figures, and the words pages need.

Every page gets its figures here (an import contract in ``pyproject.toml`` says so: no other
dashboard module but the upload path, :mod:`dashboard.loading`, imports ``profiles``). Pages
call these functions; they never see a connection.

One read-only DuckDB connection per server process lives in ``st.cache_resource``
(:func:`connection`). Released tables and analysis results are per database, not per
session, so :func:`per_store` caches them with ``st.cache_resource`` as well: one object
shared by every session, never copied on a hit (``st.cache_data`` pickles and copies a
result on every hit, per session, which on a national store held gigabytes for ten
sessions). The pages therefore treat what these functions return as read-only: they build
new frames (``.copy()``, ``.assign``, slices) and never change one in place. Every cache is
keyed on the database's path *and* its file version (:func:`token`), so a re-ingest (or a
different database in the same process, as in tests) never serves stale or foreign numbers,
and bounded by ``max_entries``.

The names pages use from :mod:`profiles` beyond figures (an error to catch, words for a
value, a constant) are passed on from here as well, imported when first used
(:data:`PASSED_ON`), so a page that does not need the planning or pack code never pays for it.
"""
from __future__ import annotations

import functools
import inspect
import os
import sys

import pandas as pd
import streamlit as st

from profiles import release as _release

#: Hexagons the reach-against-need map draws at most: each carries a status letter drawn nine
#: times (its halo), so a national view of every released hexagon would send the browser
#: tens of megabytes. Wider views compare need and reach per larger hexagon.
STATUS_MAP_CELLS = 3_000

def _passed_on(name: str):
    """The module of :mod:`profiles` that gives ``name`` to the pages (:data:`PASSED_ON`)."""
    where = next((module for module, names in PASSED_ON.items() if name in names), None)
    if where == "profiles.release":
        return _release
    if where == "profiles.analyses":
        from profiles import analyses as module
    elif where == "profiles.analyses.frames":
        from profiles.analyses import frames as module
    elif where == "profiles.analyses.seasonality":   # the face's seasonality() hides it
        import profiles.analyses.seasonality
        module = sys.modules[where]
    elif where == "profiles.planning":
        from profiles import planning as module
    elif where == "profiles.pack":
        from profiles import pack as module
    elif where == "profiles.pack.charts":
        from profiles.pack import charts as module
    elif where == "profiles.pack.overtime":
        from profiles.pack import overtime as module
    else:
        return None
    return module


#: Names of :mod:`profiles` that pages use as they are (errors to catch, words, constants),
#: by the module that holds them; each module is imported when one of its names is first used.
PASSED_ON = {
    "profiles.release": ("ReleaseError", "in_plain_words", "frame_to_csv"),
    "profiles.analyses": ("CATEGORIES", "CAUTION", "RESPONSES", "HotspotRunError",
                          "category_meaning", "pattern_key", "period_label"),
    "profiles.analyses.frames": ("class_of",),
    "profiles.analyses.seasonality": ("NO_DATA", "seasonality_words"),
    "profiles.planning": ("DEFAULT_WEIGHTS", "EVALUATION_AUDIENCES", "FLAG_WORDS",
                          "INTERVENTIONS", "LEVELS", "PATROL_FEED_WORDS", "ZONES",
                          "DisplacementError", "PatrolError", "ScenarioError", "list_scenarios",
                          "load_scenario", "patrol_brief_html", "save_scenario", "scenario_dir",
                          "scenario_to_csv", "scenarios_to_html"),
    "profiles.pack": ("EvaluationSpec", "pack_file_name"),
    "profiles.pack.charts": ("chart_png",),
    "profiles.pack.overtime": ("frames_multiples",),
}


def __getattr__(name: str):
    package = _passed_on(name)
    if package is None:
        raise AttributeError(f"module 'dashboard.data' has no attribute {name!r}")
    return getattr(package, name)


@st.cache_resource(show_spinner=False, max_entries=4)
def connection(db_path: str, version: tuple = ()):
    """One read-only connection per server and database file (pages take a cursor per call).

    ``lantern ingest`` swaps a new file in place of the old one (a copy-and-swap); the
    version (inode, size, modification time) changes with it, so the next run opens the new
    file through a path of its own while sessions still reading the old one finish.
    """
    return _release.open_snapshot(db_path)


@st.cache_resource(show_spinner=False)
def _basemap(source: str):
    from geo.basemap import load_basemap

    return load_basemap(source or None, environ={})


def basemap():
    """The configured basemap (``$LANTERN_BASEMAP``, set by ``lantern serve --basemap``), or
    None — the default, and always for the synthetic demo."""
    return _basemap(os.environ.get("LANTERN_BASEMAP", ""))


def db_path() -> str:
    """The database this server shows (``$LANTERN_DB``, else ``./lantern.duckdb``)."""
    return str(os.environ.get("LANTERN_DB") or _release.default_db_path())


def token() -> tuple[str, tuple] | None:
    """The cache key of the database in force: (path, file version), or None if absent."""
    path = db_path()
    try:
        return path, _release.store_version(path)
    except OSError:
        return None


def cursor(tok=None):
    """A cursor on the database, or None when there is no database yet."""
    tok = tok or token()
    if tok is None:
        return None
    return _release.cursor(connection(tok[0], tok[1]))


def per_store(max_entries: int, *, reads_store: bool = True):
    """Cache a function's results once per server and database file (the module's docstring).

    The function's first parameter is a cursor on the database, which the cache supplies;
    callers pass the rest. Calls are keyed on the database (:func:`token`) and on the
    arguments bound to the function's parameters, so ``f(a, 1)`` and ``f(a, b=1)`` share one
    entry. With ``reads_store=False`` the function takes no cursor, and is still kept per
    database (scenarios are saved beside it).
    """
    def wrap(fn):
        sig = inspect.signature(fn)
        skip = 1 if reads_store else 0

        def run(tok, *args, **kwargs):
            return fn(cursor(tok), *args, **kwargs) if reads_store else fn(*args, **kwargs)
        # Streamlit tells caches apart by module and name: one per decorated function
        run.__module__, run.__qualname__ = fn.__module__, f"{fn.__qualname__}[per_store]"
        cached = st.cache_resource(show_spinner=False, max_entries=max_entries)(run)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            bound = sig.bind(*([None] * skip), *args, **kwargs)
            bound.apply_defaults()
            return cached(token(), *bound.args[skip:], **bound.kwargs)
        return call
    return wrap


# ---- release layer ---------------------------------------------------------------------------

def has_data() -> bool:
    """True when a database exists and something has been loaded into it."""
    return token() is not None and not status(None).empty


@per_store(64)   # a national table can be tens of MB: a bound on what is held
def released(cur, audience: str, feed: str, period: str = "week", by: tuple = (),
             area: str | None = None, start=None, end=None):
    """Released counts (a ReleasedTable) for the audience, cached per filter."""
    return _release.release_counts(cur, audience, feed, period=period, by=tuple(by), area=area,
                                   start=start, end=end)


def split_rollup(frame: pd.DataFrame, floor: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (rows at the audience's floor, rows the release rolled up to larger hexagons)."""
    if "resolution" not in frame or frame.empty:
        return frame, frame.iloc[0:0]
    coarse = frame["resolution"].to_numpy() < floor
    return frame[~coarse], frame[coarse]


@per_store(64)
def _map_cells(cur, audience, feed, by, floor, area, start, end, budget):
    frame = _release.released_to_parents(
        released(audience, feed, "all", by, area, start, end).frame, max_cells=budget)
    view = frame.attrs.get("view_resolution")
    return (*split_rollup(frame, view or floor), view)


def map_cells(audience: str, feed: str, by: tuple = (), *, floor: int, area=None, start=None,
              end=None):
    """A feed's released hexagons over the weeks chosen, for a map: (the view's own hexagons,
    rolled-up larger ones, the resolution they were summed to or None).

    At most :data:`profiles.release.MAP_CELL_BUDGET` hexagons: when a wide view would hold
    more, released units are summed into larger hexagons (the third item says at which
    resolution), so the map draws sums of released units, never anything finer."""
    return _map_cells(audience, feed, tuple(by), floor, area, start, end,
                      _release.MAP_CELL_BUDGET)


@per_store(16)
def areas(cur):
    """The loaded areas (public reference data): area_id, name, area_type, cells."""
    return _release.release_areas(cur)


@per_store(4096)
def area_cells(cur, area: str, audience: str) -> list[str]:
    """An area's cells at the audience's resolution floor."""
    return _release.release_area_cells(cur, area, audience)


@per_store(16)
def _periods(cur):
    return _release.release_periods(cur)


def periods():
    """Weeks (Mondays) that hold data, oldest first."""
    return [] if token() is None else _periods()


@per_store(16)
def _coverage(cur):
    return _release.feed_coverage(cur)


def coverage():
    """Which feeds are loaded and which weeks their files cover (no counts of people)."""
    return _release.FeedCoverage() if token() is None else _coverage()


def figure(feed: str, released: int, start=None, end=None, *, too_few: bool = False):
    """A released total of ``feed`` over the weeks ``start``..``end`` (Mondays, inclusive) as
    a :class:`profiles.release.Figure`: not loaded, no data for these weeks, too few, or
    the number."""
    return coverage().figure_over_weeks(feed, start, end, released, too_few=too_few)


@per_store(16)
def status(cur, audience: str | None):
    """What is loaded, counts masked for the audience."""
    return _release.data_status(cur, audience)


def statement(audience: str) -> str:
    """The disclosure statement of the audience."""
    return _release.disclosure_statement(_release.get_policy(audience))


def policy(audience: str):
    """The audience's disclosure policy."""
    return _release.get_policy(audience)


def warm_release_cache(audiences, *, hold: bool = True) -> None:
    """Build (``hold``: and hold in memory) the audiences' protected tables before any view."""
    _release.warm_release_cache(cursor(), list(audiences), hold=hold)


def access():
    """This installation's sign-on and audience configuration (:mod:`profiles.governance`)."""
    from profiles.governance import load_access

    return load_access()


# ---- analyses and reference layers -----------------------------------------------------------

@per_store(128)
def overview(cur, audience, period, area=None, start=None, end=None):
    """The Overview (headlines, trends, summary) of :mod:`profiles.analyses.overview`."""
    from profiles.analyses import overview as _overview

    return _overview(cur, audience, period=period, area=area, start=start, end=end)


@per_store(16)
def sites(cur, audience):
    """Non-confidential outreach sites at the audience's floor."""
    return _release.release_sites(cur, audience)


@per_store(128)
def environment(cur, audience, area=None, start=None, end=None):
    """Environment features per floor cell and type."""
    return _release.release_environment(cur, audience, area=area, start=start, end=end)


@per_store(16)
def outlines(cur, audience):
    """Every area's outline at the audience's floor, with a label point."""
    return _release.release_area_outlines(cur, audience)


@per_store(128)
def premises_trend(cur, audience, period, area=None, start=None, end=None):
    """Premises counts and trend by category (:func:`profiles.analyses.premises.premises_trend`)."""
    from profiles.analyses import premises_trend as _premises_trend

    return _premises_trend(cur, audience, period=period, area=area, start=start, end=end)


@per_store(64)
def seasonality(cur, audience, feed, area=None, start=None, end=None):
    """Each of the last 12 months against the same month last year, from released monthly
    totals (:func:`profiles.analyses.seasonality.seasonality_for`)."""
    from profiles.analyses.seasonality import seasonality_for

    return seasonality_for(cur, audience, feed, area=area, start=start, end=end)


@per_store(128)
def online_picture(cur, audience, area=None, start=None, end=None):
    """The released online picture (:func:`profiles.analyses.online.online_picture`)."""
    from profiles.analyses import online_picture as _online_picture

    return _online_picture(cur, audience, area=area, start=start, end=end)


@per_store(128)
def reach(cur, audience, area=None, start=None, end=None, max_cells=None):
    """Outreach reach against need (:func:`profiles.analyses.coverage.reach_against_need`)."""
    from profiles.analyses import reach_against_need

    return reach_against_need(cur, audience, area=area, start=start, end=end,
                              max_cells=max_cells)


def reach_map(audience, area=None, start=None, end=None):
    """Reach against need for the map: when the area shows more than
    :data:`STATUS_MAP_CELLS` hexagons, compared per larger hexagon (sums of released units;
    ``view_resolution`` says at which resolution), as the figures are."""
    return reach(audience, area, start, end, STATUS_MAP_CELLS)


@per_store(128)
def hotspots(cur, audience, feed, area=None, start=None, end=None):
    """Hot and cold spots of a feed (:func:`profiles.analyses.hotspot_release.hotspots_for`)."""
    from profiles.analyses import hotspots_for

    return hotspots_for(cur, audience, feed, area=area, start=start, end=end)


@per_store(64)
def hotspot_patterns(cur, audience, feed, period, area=None, start=None, end=None):
    """Hot/cold-spot patterns over periods (:func:`profiles.analyses.classify_for`), the
    recent window chosen for you."""
    from profiles.analyses import classify_for

    return classify_for(cur, audience, feed, period=period, area=area, start=start, end=end,
                        recent=None)


@per_store(16)
def emerging(cur, audience, feed, period="month", area=None, start=None, end=None):
    """Emerging hot spots, ArcGIS's categories (:func:`profiles.analyses.emerging_for`)."""
    from profiles.analyses import emerging_for

    return emerging_for(cur, audience, feed, period=period, area=area, start=start, end=end)


@per_store(32)
def frames(cur, audience, feed, period="month", area=None, start=None, end=None):
    """A feed's released hexagons period by period on one fixed scale, for the time player
    (:func:`profiles.analyses.frames.frames_for`)."""
    from profiles.analyses.frames import frames_for

    return frames_for(cur, audience, feed, period=period, area=area, start=start, end=end)


# ---- planning and the meeting pack -----------------------------------------------------------

@per_store(32)
def plan_patrols(cur, audience, **choices):
    """A patrol plan (:func:`profiles.planning.plan_patrols`), kept per choice of settings."""
    from profiles.planning import plan_patrols as _plan_patrols

    return _plan_patrols(cur, audience, **choices)


@per_store(32)
def simulate(cur, audience, **choices):
    """A displacement scenario (:func:`profiles.planning.simulate`), kept per choice."""
    from profiles.planning import simulate as _simulate

    return _simulate(cur, audience, **choices)


@per_store(32)
def evaluate_areas(cur, audience, **choices):
    """An evaluation of a response (:func:`profiles.planning.evaluate_areas`)."""
    from profiles.planning import evaluate_areas as _evaluate_areas

    return _evaluate_areas(cur, audience, **choices)


@per_store(32)
def check_scenario(cur, audience, scenario, **choices):
    """A saved scenario checked against what happened (:func:`profiles.planning.check_scenario`)."""
    from profiles.planning import check_scenario as _check_scenario

    return _check_scenario(cur, audience, scenario, **choices)


@per_store(32, reads_store=False)
def compare_scenarios(scenarios):
    """Saved scenarios side by side (:func:`profiles.planning.compare_scenarios`)."""
    from profiles.planning import compare_scenarios as _compare_scenarios

    return _compare_scenarios(scenarios)


def render_pack(audience, **choices):
    """The meeting pack file (:func:`profiles.pack.render_pack`), made when downloaded (each
    download is audited, so it is never served from a cache)."""
    from profiles.pack import render_pack as _render_pack

    return _render_pack(cursor(), audience, **choices)


# ---- who is viewing, and the audit log ------------------------------------------------------

def identity():
    """Who is viewing and which audiences they may see (``profiles.governance.access``).

    OIDC (``st.user``) or a trusted proxy header (``st.context.headers``), as configured;
    with neither, the configured audiences for unidentified viewers (partnership by default).
    """
    from profiles.governance import load_access, resolve_identity

    config = load_access()
    user_info, headers = None, None
    if config.mode == "oidc":
        try:
            user_info = st.user.to_dict()
        except Exception:  # noqa: BLE001 - no auth configured: treated as not signed in
            user_info = {}
    elif config.mode == "header":
        try:
            headers = dict(st.context.headers)
        except Exception:  # noqa: BLE001 - no request context (e.g. AppTest)
            headers = {}
    # the peer of this session's websocket (Streamlit says None for loopback); the server
    # has already refused untrusted peers in header mode (dashboard.server), this checks again
    try:
        peer = st.context.ip_address or "127.0.0.1"
    except Exception:  # noqa: BLE001 - no request context (e.g. AppTest): this machine
        peer = "127.0.0.1"
    return resolve_identity(config, user_info=user_info, headers=headers, peer=peer)


def _who() -> str:
    ident = identity()
    return ident.user or "unidentified"


def audit_view(audience: str) -> None:
    """Record that this session viewed a page for ``audience`` (once per session, page and
    audience): a *consultation* in the words of DPA 2018 s.62."""
    from profiles.governance import audit
    page = st.session_state.get("_page") or "page"
    seen = st.session_state.setdefault("_audited_audiences", set())
    if (audience, page) in seen or token() is None:
        return
    seen.add((audience, page))
    audit.record(db_path(), user=_who(), action="view", audience=audience, page=page)


def audit_export(audience: str, file_type: str, area: str | None = None,
                 period: str | None = None, what: str = "meeting pack") -> None:
    """Record an export (file type, area, period, audience and its protective marking) —
    never its content."""
    from profiles.governance import audit
    audit.record(db_path(), user=_who(), action="export", audience=audience,
                 format=file_type, area=(area or "whole force")[:200], period=period,
                 what=what, marking=policy(audience).marking)


def audit_combination(audience: str, what: str, feeds, area: str | None = None,
                      period: str | None = None, zones: str | None = None) -> None:
    """Record that this session combined ``feeds`` (or zones of one feed) into one result
    (Evaluate, a patrol plan): a *combination* in the words of DPA 2018 s.62. Said once per
    session for the same choices, however often the page reruns."""
    from profiles.governance import audit
    facts = dict(what=what, feeds=",".join(sorted(feeds))[:200],
                 area=(area or "whole force")[:200], period=period, zones=zones)
    seen = st.session_state.setdefault("_audited_combinations", set())
    mark = (audience, *facts.values())
    if mark in seen or token() is None:
        return
    seen.add(mark)
    audit.record(db_path(), user=_who(), action="combine", audience=audience, **facts)
