"""Cached access to released data for the pages (the only door from dashboard to profiles).

One read-only DuckDB connection per server lives in ``st.cache_resource``. Released tables and
analysis results are per database, not per session, so they are cached with
``st.cache_resource`` as well: one object shared by every session, never copied on a hit
(``st.cache_data`` pickles and copies a result on every hit, per session, which on a national
store held gigabytes for ten sessions). The pages therefore treat what these functions return
as read-only: they build new frames (``.copy()``, ``.assign``, slices) and never change one in
place. Every cache is keyed on the database's path *and* its file version (:func:`token`), so
a re-ingest (or a different database in the same process, as in tests) never serves stale or
foreign numbers, and bounded by ``max_entries``. Pages call these functions; they never see a
connection.
"""
from __future__ import annotations

import importlib
import os
import threading

import streamlit as st

from profiles import release as _release


def _shared(max_entries: int):
    """Cache a per-database, read-only result once per server (see the module's docstring)."""
    return st.cache_resource(show_spinner=False, max_entries=max_entries)


@st.cache_resource(show_spinner=False, max_entries=4)
def connection(db_path: str, version: tuple = ()):
    """One read-only connection per server and database file (pages take a cursor per call).

    ``lantern ingest`` swaps a new file in place of the old one (a copy-and-swap); the
    version (inode, size, modification time) changes with it, so the next run opens the new
    file through a path of its own while sessions still reading the old one finish.
    """
    con = _release.open_snapshot(db_path)
    if os.environ.get("LANTERN_WARM_CACHE") == "1":
        threading.Thread(target=_warm, args=(con, (db_path, version)),
                         name="lantern-warm-release-cache", daemon=True).start()
    return con


def _warm(con, tok) -> None:
    """Prepare the store for the first views (``lantern serve`` sets ``LANTERN_WARM_CACHE=1``).

    The audiences anyone may see without signing on (the partnership, the meeting audience,
    by default) get their protected tables held in memory and what each page shows first at
    the sidebar's defaults (:func:`warm_pages`), in the shared caches every session reads.
    Every other served audience's tables are only made sure of on disk beside the store
    (built if missing), not held: its first view reads them back in well under a second, and
    a server that no one views as an analyst never holds the analyst's national tables.
    Only timings are logged, never a figure."""
    import logging
    import time

    from profiles.governance import load_access

    log = logging.getLogger("lantern.warm")
    t0 = time.perf_counter()
    try:
        config = load_access()
        held = tuple(dict.fromkeys(("partnership", *config.unidentified)))
        for audience in held:
            _release.warm_release_cache(_release.cursor(con), [audience])
            warm_pages(tok, audience)
        kept = [a for a in config.served if a not in held]
        _release.warm_release_cache(_release.cursor(con), kept, hold=False)
        log.info("release cache warmed in %.1f s: %s held with their first pages, %s kept on "
                 "disk", time.perf_counter() - t0, ", ".join(held),
                 ", ".join(kept) or "no other audience")
    except Exception as exc:  # noqa: BLE001 - warming is an optimisation; views still work
        log.warning("release cache warm-up stopped: %s", type(exc).__name__)


def warm_pages(tok, audience: str) -> list[str]:
    """Fill the shared caches with what the Overview, Map, Outreach and need, Off-street and
    Data status pages show ``audience`` at the sidebar's default choices. Returns the names
    of the pieces that could not be prepared (a page then works them out when opened)."""
    from dashboard import maps, state

    pol = policy(audience)
    f = state.default_filters(audience, _periods(tok))
    window = (None, f.start, f.end)
    shade = next((feed for feed in maps.FEEDS if pol.may_see(feed)
                  and _coverage(tok).is_loaded(feed)), None)
    steps = {
        "areas": lambda: _areas(tok),
        "status": lambda: (_status_cached(tok, None), _status_cached(tok, audience)),
        "overview": lambda: _overview(tok, audience, f.period, *window),
        "outlines": lambda: (_outlines(tok, audience), _sites(tok, audience)),
        "map": lambda: shade and _map_cells(tok, audience, shade, (), *window,
                                            pol.resolution_floor, _release.MAP_CELL_BUDGET),
        "outreach": lambda: (_reach(tok, audience, *window),
                             _reach(tok, audience, *window, maps.STATUS_MAP_CELLS)),
        "premises": lambda: _premises_trend(tok, audience, f.period, *window),
        "area cells": lambda: [_area_cells(tok, name, audience) for name in
                               _areas(tok).query("area_type != 'force'")["name"]],
    }
    failed = []
    for name, step in steps.items():
        try:
            step()
        except Exception:  # noqa: BLE001 - e.g. an analysis this audience may not see
            failed.append(name)
    return failed


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


def has_data() -> bool:
    """True when a database exists and something has been loaded into it."""
    tok = token()
    return tok is not None and not _status_cached(tok, None).empty


def available(spec: str) -> bool:
    """True when ``module:attribute`` imports (an analysis that has landed)."""
    module, _, attr = spec.partition(":")
    try:
        mod = importlib.import_module(module)
    except Exception:  # noqa: BLE001 - any import failure means "not available yet"
        return False
    return not attr or hasattr(mod, attr)


# ---- release layer ---------------------------------------------------------------------------

@_shared(max_entries=64)   # a national table can be tens of MB: a bound on what is held
def _released(tok, audience, feed, period, by, area, start, end):
    return _release.release_counts(cursor(tok), audience, feed, period=period, by=by, area=area,
                                   start=start, end=end)


def released(audience: str, feed: str, period: str = "week", by: tuple = (),
             area: str | None = None, start=None, end=None):
    """Released counts (a ReleasedTable) for the audience, cached per filter."""
    return _released(token(), audience, feed, period, tuple(by), area, start, end)


@_shared(max_entries=64)
def _map_cells(tok, audience, feed, by, area, start, end, floor, budget):
    from dashboard.maps import split_rollup

    frame = _release.released_to_parents(
        _released(tok, audience, feed, "all", by, area, start, end).frame, max_cells=budget)
    view = frame.attrs.get("view_resolution")
    return (*split_rollup(frame, view or floor), view)


def map_cells(audience: str, feed: str, by: tuple = (), *, floor: int, area=None, start=None,
              end=None):
    """A feed's released hexagons over the weeks chosen, for a map: (the view's own hexagons,
    rolled-up larger ones, the resolution they were summed to or None).

    At most :data:`profiles.release.MAP_CELL_BUDGET` hexagons: when a wide view would hold
    more, released units are summed into larger hexagons (the third item says at which
    resolution), so the map draws sums of released units, never anything finer."""
    return _map_cells(token(), audience, feed, tuple(by), area, start, end, floor,
                      _release.MAP_CELL_BUDGET)


@_shared(max_entries=16)
def _areas(tok):
    return _release.release_areas(cursor(tok))


def areas():
    """The loaded areas (public reference data): area_id, name, area_type, cells."""
    return _areas(token())


def force_area_name() -> str | None:
    """The force-wide area's name (first area of type ``force``, else the first), or None."""
    frame = areas()
    if frame.empty:
        return None
    force = frame[frame["area_type"] == "force"]
    return str((force if len(force) else frame)["name"].iloc[0])


@_shared(max_entries=4096)
def _area_cells(tok, area, audience):
    return _release.release_area_cells(cursor(tok), area, audience)


def area_cells(area: str, audience: str) -> list[str]:
    """An area's cells at the audience's resolution floor."""
    return _area_cells(token(), area, audience)


@_shared(max_entries=16)
def _periods(tok):
    return _release.release_periods(cursor(tok))


def periods():
    """Weeks (Mondays) that hold data, oldest first."""
    tok = token()
    return [] if tok is None else _periods(tok)


@_shared(max_entries=16)
def _coverage(tok):
    return _release.feed_coverage(cursor(tok))


def coverage():
    """Which feeds are loaded and which weeks their files cover (no counts of people)."""
    tok = token()
    return _release.FeedCoverage() if tok is None else _coverage(tok)


def figure(feed: str, released: int, start=None, end=None, *, too_few: bool = False):
    """A released total of ``feed`` over the weeks ``start``..``end`` (Mondays, inclusive) as
    a :class:`profiles.release.Figure`: not loaded, no data for these weeks, too few, or
    the number."""
    return coverage().figure_over_weeks(feed, start, end, released, too_few=too_few)


@_shared(max_entries=16)
def _status_cached(tok, audience):
    return _release.data_status(cursor(tok), audience)


def status(audience: str | None):
    """What is loaded, counts masked for the audience."""
    return _status_cached(token(), audience)


def statement(audience: str) -> str:
    """The disclosure statement of the audience."""
    from profiles.release import get_policy

    return _release.disclosure_statement(get_policy(audience))


def policy(audience: str):
    """The audience's disclosure policy."""
    from profiles.release import get_policy

    return get_policy(audience)


# ---- analyses and reference layers -----------------------------------------------------------

@_shared(max_entries=128)
def _overview(tok, audience, period, area, start, end):
    from profiles.analyses import overview as _ov

    return _ov(cursor(tok), audience, period=period, area=area, start=start, end=end)


def overview(audience, period, area=None, start=None, end=None):
    """The Overview (headlines, trends, summary) of :mod:`profiles.analyses.overview`."""
    return _overview(token(), audience, period, area, start, end)


@_shared(max_entries=16)
def _sites(tok, audience):
    from profiles.release import release_sites

    return release_sites(cursor(tok), audience)


def sites(audience):
    """Non-confidential outreach sites at the audience's floor."""
    return _sites(token(), audience)


@_shared(max_entries=128)
def _environment(tok, audience, area, start, end):
    from profiles.release import release_environment

    return release_environment(cursor(tok), audience, area=area, start=start, end=end)


def environment(audience, area=None, start=None, end=None):
    """Environment features per floor cell and type."""
    return _environment(token(), audience, area, start, end)


@_shared(max_entries=16)
def _outlines(tok, audience):
    from profiles.release import release_area_outlines

    return release_area_outlines(cursor(tok), audience)


def outlines(audience):
    """Every area's outline at the audience's floor, with a label point."""
    return _outlines(token(), audience)


@_shared(max_entries=128)
def _premises_trend(tok, audience, period, area, start, end):
    from profiles.analyses import premises_trend as _pt

    return _pt(cursor(tok), audience, period=period, area=area, start=start, end=end)


def premises_trend(audience, period, area=None, start=None, end=None):
    """Premises counts and trend by category (:func:`profiles.analyses.premises.premises_trend`)."""
    return _premises_trend(token(), audience, period, area, start, end)


@_shared(max_entries=64)
def _seasonality(tok, audience, feed, area, start, end):
    from profiles.analyses.seasonality import seasonality_for

    return seasonality_for(cursor(tok), audience, feed, area=area, start=start, end=end)


def seasonality(audience, feed, area=None, start=None, end=None):
    """Each of the last 12 months against the same month last year, from released monthly
    totals (:func:`profiles.analyses.seasonality.seasonality_for`)."""
    return _seasonality(token(), audience, feed, area, start, end)


@_shared(max_entries=128)
def _online_picture(tok, audience, area, start, end):
    from profiles.analyses import online_picture as _op

    return _op(cursor(tok), audience, area=area, start=start, end=end)


def online_picture(audience, area=None, start=None, end=None):
    """The released online picture (:func:`profiles.analyses.online.online_picture`)."""
    return _online_picture(token(), audience, area, start, end)


@_shared(max_entries=128)
def _reach(tok, audience, area, start, end, max_cells=None):
    from profiles.analyses import reach_against_need

    return reach_against_need(cursor(tok), audience, area=area, start=start, end=end,
                              max_cells=max_cells)


def reach(audience, area=None, start=None, end=None):
    """Outreach reach against need (:func:`profiles.analyses.coverage.reach_against_need`)."""
    return _reach(token(), audience, area, start, end)


def reach_map(audience, area=None, start=None, end=None):
    """Reach against need for the map: when the area shows more than
    :data:`dashboard.maps.STATUS_MAP_CELLS` hexagons, compared per larger hexagon (sums of
    released units; ``view_resolution`` says at which resolution), as the figures are."""
    from dashboard.maps import STATUS_MAP_CELLS

    return _reach(token(), audience, area, start, end, STATUS_MAP_CELLS)


@_shared(max_entries=128)
def _hotspots(tok, audience, feed, area, start, end):
    from profiles.analyses import hotspots_for

    return hotspots_for(cursor(tok), audience, feed, area=area, start=start, end=end)


def hotspots(audience, feed, area=None, start=None, end=None):
    """Hot and cold spots of a feed (:func:`profiles.analyses.hotspot_release.hotspots_for`)."""
    return _hotspots(token(), audience, feed, area, start, end)


@_shared(max_entries=64)
def _hotspot_patterns(tok, audience, feed, period, area, start, end):
    from profiles.analyses import classify_for

    return classify_for(cursor(tok), audience, feed, period=period, area=area, start=start,
                        end=end, recent=None)


def hotspot_patterns(audience, feed, period, area=None, start=None, end=None):
    """Hot/cold-spot patterns over periods (:func:`profiles.analyses.classify_for`), the
    recent window chosen for you."""
    return _hotspot_patterns(token(), audience, feed, period, area, start, end)


@_shared(max_entries=16)
def _emerging(tok, audience, feed, period, area, start, end):
    from profiles.analyses import emerging_for

    return emerging_for(cursor(tok), audience, feed, period=period, area=area, start=start,
                        end=end)


def emerging(audience, feed, period="month", area=None, start=None, end=None):
    """Emerging hot spots, ArcGIS's categories (:func:`profiles.analyses.emerging_for`)."""
    return _emerging(token(), audience, feed, period, area, start, end)


@_shared(max_entries=32)
def _frames(tok, audience, feed, period, area, start, end):
    from profiles.analyses.frames import frames_for

    return frames_for(cursor(tok), audience, feed, period=period, area=area, start=start,
                      end=end)


def frames(audience, feed, period="month", area=None, start=None, end=None):
    """A feed's released hexagons period by period on one fixed scale, for the time player
    (:func:`profiles.analyses.frames.frames_for`)."""
    return _frames(token(), audience, feed, period, area, start, end)


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
