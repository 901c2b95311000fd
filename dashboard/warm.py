"""The page warm-up: what the first views show, prepared before anyone asks.

``lantern serve`` sets ``LANTERN_WARM_CACHE=1``; the entry script (:mod:`dashboard.app`) then
calls :func:`start` on every run, which starts one background thread per server and database
file (:func:`warm`). Nothing here computes or shows a figure: it calls the same cached
functions of :mod:`dashboard.data` the pages call, at the sidebar's defaults, so the pages'
first views are answered from the shared caches. Only timings are logged, never a figure.
"""
from __future__ import annotations

import logging
import os
import threading
import time

import streamlit as st

from dashboard import data, maps, state

log = logging.getLogger("lantern.warm")


def start() -> None:
    """Start the warm-up once per server and database file, when the server asks for it."""
    tok = data.token()
    if tok is not None and os.environ.get("LANTERN_WARM_CACHE") == "1":
        _started(tok)


@st.cache_resource(show_spinner=False, max_entries=4)
def _started(tok) -> threading.Thread:
    thread = threading.Thread(target=warm, args=(tok,), name="lantern-warm-release-cache",
                              daemon=True)
    thread.start()
    return thread


def warm(tok) -> None:
    """Prepare the store for the first views.

    The audiences anyone may see without signing on (the partnership, the meeting audience,
    by default) get their protected tables held in memory and what each page shows first at
    the sidebar's defaults (:func:`warm_pages`), in the shared caches every session reads.
    Every other served audience's tables are only made sure of on disk beside the store
    (built if missing), not held: its first view reads them back in well under a second, and
    a server that no one views as an analyst never holds the analyst's national tables."""
    t0 = time.perf_counter()
    try:
        config = data.access()
        held = tuple(dict.fromkeys(("partnership", *config.unidentified)))
        for audience in held:
            data.warm_release_cache([audience])
            warm_pages(audience)
        kept = [a for a in config.served if a not in held]
        data.warm_release_cache(kept, hold=False)
        log.info("release cache warmed in %.1f s: %s held with their first pages, %s kept on "
                 "disk", time.perf_counter() - t0, ", ".join(held),
                 ", ".join(kept) or "no other audience")
    except Exception as exc:  # noqa: BLE001 - warming is an optimisation; views still work
        log.warning("release cache warm-up stopped: %s", type(exc).__name__)


def warm_pages(audience: str) -> list[str]:
    """Fill the shared caches with what the Overview, Map, Outreach and need, Off-street and
    Data status pages show ``audience`` at the sidebar's default choices.
    Returns the names of the pieces that could not be prepared (a page then works them out
    when opened)."""
    pol = data.policy(audience)
    f = state.default_filters(audience, data.periods())
    window = dict(area=None, start=f.start, end=f.end)
    shade = next((feed for feed in maps.FEEDS if pol.may_see(feed)
                  and data.coverage().is_loaded(feed)), None)
    steps = {
        "areas": data.areas,
        "status": lambda: (data.status(None), data.status(audience)),
        "overview": lambda: data.overview(audience, f.period, **window),
        "outlines": lambda: (data.outlines(audience), data.sites(audience)),
        "map": lambda: shade and (data.released(audience, shade, "all", (), **window),
                                  data.map_cells(audience, shade, floor=pol.resolution_floor,
                                                 **window)),
        "outreach": lambda: (data.reach(audience, **window), data.reach_map(audience, **window)),
        "premises": lambda: data.premises_trend(audience, f.period, **window),
        "area cells": lambda: [data.area_cells(name, audience) for name in
                               data.areas().query("area_type != 'force'")["name"]],
    }
    failed = []
    for name, step in steps.items():
        try:
            step()
        except Exception:  # noqa: BLE001 - e.g. an analysis this audience may not see
            failed.append(name)
    return failed
