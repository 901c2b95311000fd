"""What ``lantern serve`` runs: the dashboard (``app.py``) and, on the same port, the
configured basemap's style and — for a local MBTiles or PMTiles file — its tiles.

Streamlit serves this as an ASGI app (``st.App``); with no basemap configured the two routes
answer 404 and the dashboard is exactly ``app.py``. Tiles are read from the local file on
request and never fetched from anywhere else (see :mod:`geo.basemap`).

In header sign-on (``mode = "header"`` in the access file) every connection — page, asset or
websocket — from a peer that is not a trusted proxy is refused here with a plain message,
before Streamlit sees it (:class:`TrustedProxiesOnly`); only ``/_stcore/health`` answers
anyone, and it says nothing but ``ok``. The server also refuses to start header sign-on on a
non-loopback address without ``trusted_proxies`` (as ``lantern serve`` does), so running
this file directly cannot skip the check.

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
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

from geo.basemap import ROUTE, STYLE_PATH, load_basemap, open_tiles  # noqa: E402
from profiles.governance.access import REFUSED, check_binding, load_access  # noqa: E402
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


#: Paths any peer may ask for in header mode: the health check (body ``ok``) alone.
OPEN_PATHS = ("/_stcore/health", "/healthz")


class TrustedProxiesOnly:
    """ASGI middleware: in header sign-on, answer only the trusted proxies (see the module's
    docstring). A refused page gets a 403 with :data:`REFUSED` as plain text; a refused
    websocket is closed before it is accepted (the browser sees a 403)."""

    def __init__(self, app, config):
        self.app = app
        self.config = config

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and self.config.mode == "header":
            peer = (scope.get("client") or (None,))[0]
            path = scope.get("path", "")
            if not self.config.is_trusted_peer(peer) and not path.endswith(OPEN_PATHS):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                body = (REFUSED + "\n").encode()
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


try:
    ACCESS = load_access()
    check_binding(ACCESS, str(st.get_option("server.address") or "0.0.0.0"))
except Exception as exc:  # AccessError: say it plainly and do not serve
    print(f"Lantern will not start: {exc}", file=sys.stderr)
    raise SystemExit(2) from None

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
], middleware=[Middleware(TrustedProxiesOnly, config=ACCESS)])
