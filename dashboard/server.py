"""What ``lantern serve`` runs: the dashboard (``app.py``) and, on the same port, the
configured basemap's style and — for a local MBTiles or PMTiles file — its tiles.

Streamlit serves this as an ASGI app (``st.App``); with no basemap configured the two routes
answer 404 and the dashboard is exactly ``app.py``. Tiles are read from the local file on
request and never fetched from anywhere else (see :mod:`geo.basemap`).

As the server shuts down (``SIGTERM``, ``SIGINT``), its lifespan removes the snapshot links of
the store it opened (:func:`profiles.release.close_snapshots`): no copy of the store outlives
the server. (uvicorn ends the process by raising the signal again after shutting down, so an
``atexit`` handler would not run.)
"""
from __future__ import annotations

import os
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

from geo.basemap import ROUTE, STYLE_PATH, load_basemap, open_tiles  # noqa: E402
from profiles.release import close_snapshots  # noqa: E402

# Files the server writes (quarantine reports of uploads, scenarios, a store loaded from the
# Data status page) are private whatever umask it was started with (``lantern serve`` has set
# it already; this covers ``streamlit run`` by hand).
os.umask(os.umask(0o077) | 0o077)

BASEMAP = load_basemap()
TILES = open_tiles(Path(BASEMAP.source)) if BASEMAP and BASEMAP.kind == "file" else None


async def basemap_style(request) -> Response:
    """The basemap's style, with tile URLs on the address the browser used."""
    if BASEMAP is None:
        return Response("No basemap is configured.", status_code=404)
    return JSONResponse(BASEMAP.style(str(request.base_url)),
                        headers={"Cache-Control": "no-cache"})


async def basemap_tile(request) -> Response:
    """One tile of the local tile file (404 where the file has none)."""
    if TILES is None:
        return Response(status_code=404)
    p = request.path_params
    data = await run_in_threadpool(TILES.read, p["z"], p["x"], p["y"])
    if data is None:
        return Response(status_code=404)
    return Response(data, media_type=TILES.mime, headers={"Cache-Control": "max-age=3600"})


@asynccontextmanager
async def _lifespan(app):
    """Remove this server's copies of the store when it shuts down."""
    try:
        yield None
    finally:
        close_snapshots()


app = st.App("app.py", lifespan=_lifespan, routes=[
    Route(STYLE_PATH, basemap_style),
    Route(ROUTE + "/tiles/{z:int}/{x:int}/{y:int}", basemap_tile),
])
