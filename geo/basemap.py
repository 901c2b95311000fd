"""An optional street map under Lantern's maps, from configuration — never from the internet.

By default Lantern draws no basemap: its maps are legible without one, and the synthetic demo
town lies at sea. An organisation that runs its own raster tile server, or holds an offline
extract, names it in a small TOML file given to ``lantern serve --basemap FILE`` (or in
``$LANTERN_BASEMAP``)::

    # (a) the organisation's own raster tile server
    [basemap]
    tiles = "https://maps.example.police.uk/tiles/{z}/{x}/{y}.png"
    attribution = "© Example Council. Contains OS data © Crown copyright"

    # (b) a local MBTiles or PMTiles file of raster tiles, served by Lantern itself
    [basemap]
    file = "/srv/lantern/county.mbtiles"
    attribution = "© Example Council. Contains OS data © Crown copyright"

Optional keys: ``min_zoom``, ``max_zoom`` (default 0 and 19; a local file's own metadata wins)
and ``opacity`` (0.2–1, default 0.75: tiles are drawn faded and greyed, so the map's own
colours stay legible over them). Lantern never adds a tile server of its own choosing.

Examples
--------
>>> load_basemap(None, environ={}) is None
True
>>> bm = parse_basemap({"basemap": {"tiles": "https://t.example/{z}/{x}/{y}.png",
...                                 "attribution": "Example"}})
>>> bm.kind, bm.tile_urls("http://127.0.0.1:8501")
('tiles', ['https://t.example/{z}/{x}/{y}.png'])
"""
from __future__ import annotations

import os
import sqlite3
import tomllib
from dataclasses import dataclass
from pathlib import Path

from data_contracts.words import agrees

#: Where the dashboard's server answers for the basemap (not under Streamlit's own routes).
ROUTE = "/lantern/basemap"
STYLE_PATH = f"{ROUTE}/style.json"
TILE_PATH = ROUTE + "/tiles/{z}/{x}/{y}"
_KEYS = {"tiles", "file", "attribution", "min_zoom", "max_zoom", "opacity"}
_MIME = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


class BasemapError(ValueError):
    """The basemap configuration cannot be used (the message says what to change)."""


@dataclass(frozen=True)
class Basemap:
    """A configured basemap: an organisation's tile URL template, or a local tile file."""

    kind: str                 # "tiles" or "file"
    source: str               # the URL template, or the file's path
    attribution: str
    min_zoom: int = 0
    max_zoom: int = 19
    opacity: float = 0.75

    def tile_urls(self, base_url: str) -> list[str]:
        """The tile URL template(s) a browser fetches: the organisation's own, or Lantern's
        route for a local file (absolute, from the address the page was served on)."""
        if self.kind == "tiles":
            return [self.source]
        return [base_url.rstrip("/") + TILE_PATH]

    def style(self, base_url: str) -> dict:
        """A Mapbox GL style (version 8) with the tiles as one faded raster layer."""
        return {
            "version": 8, "name": "Lantern basemap",
            "sources": {"basemap": {"type": "raster", "tiles": self.tile_urls(base_url),
                                    "tileSize": 256, "minzoom": self.min_zoom,
                                    "maxzoom": self.max_zoom,
                                    "attribution": self.attribution}},
            "layers": [{"id": "basemap-background", "type": "background",
                        "paint": {"background-color": "#ffffff"}},
                       {"id": "basemap", "type": "raster", "source": "basemap",
                        "paint": {"raster-opacity": self.opacity,
                                  "raster-saturation": -0.6}}],
        }


def parse_basemap(doc: dict, *, where: str = "the basemap configuration") -> Basemap | None:
    """Return the :class:`Basemap` a parsed TOML document describes (None: no basemap).

    Raises
    ------
    BasemapError
        For unknown keys, both or neither of ``tiles`` and ``file``, a template without
        ``{z}``, ``{x}`` and ``{y}``, a missing or unreadable file, or a bad number.
    """
    section = doc.get("basemap")
    if not section:
        return None
    unknown = sorted(set(section) - _KEYS)
    if unknown:
        raise BasemapError(f"{where}: unknown {agrees(len(unknown), 'key', 'keys')} "
                           f"{', '.join(unknown)}; [basemap] takes "
                           f"{', '.join(sorted(_KEYS))}")
    if ("tiles" in section) == ("file" in section):
        raise BasemapError(f"{where}: give either tiles = \"https://…/{{z}}/{{x}}/{{y}}.png\" "
                           f"(your organisation's tile server) or file = \"…/map.mbtiles\" "
                           f"(a local MBTiles or PMTiles file), not both or neither")
    attribution = str(section.get("attribution", "")).strip()
    if not attribution:
        raise BasemapError(f"{where}: attribution = \"…\" is required (the map's licence "
                           f"asks for it on screen)")
    try:
        lo, hi = int(section.get("min_zoom", 0)), int(section.get("max_zoom", 19))
        opacity = float(section.get("opacity", 0.75))
    except (TypeError, ValueError):
        raise BasemapError(f"{where}: min_zoom and max_zoom are whole numbers 0–22, opacity "
                           f"a number 0.2–1") from None
    if not (0 <= lo <= hi <= 22 and 0.2 <= opacity <= 1):
        raise BasemapError(f"{where}: min_zoom and max_zoom are whole numbers 0–22 (min ≤ "
                           f"max), opacity a number 0.2–1")
    if "tiles" in section:
        url = str(section["tiles"])
        if not url.startswith(("https://", "http://")) or \
                not all(k in url for k in ("{z}", "{x}", "{y}")):
            raise BasemapError(f"{where}: tiles must be an http(s) URL template with {{z}}, "
                               f"{{x}} and {{y}}, not {url!r}")
        return Basemap("tiles", url, attribution, lo, hi, opacity)
    path = Path(str(section["file"])).expanduser()
    tiles = open_tiles(path, where=where)      # refuses a missing or unusable file now
    lo, hi = tiles.zoom_range or (lo, hi)
    return Basemap("file", str(path.resolve()), attribution, lo, hi, opacity)


def load_basemap(path=None, *, environ=None) -> Basemap | None:
    """Return the configured basemap: the TOML file ``path``, else ``$LANTERN_BASEMAP``;
    None when neither names one (the default: no basemap)."""
    environ = os.environ if environ is None else environ
    path = path or environ.get("LANTERN_BASEMAP") or None
    if not path:
        return None
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BasemapError(f"cannot read the basemap configuration {path}: "
                           f"{exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise BasemapError(f"{path} is not valid TOML: {exc}") from None
    return parse_basemap(doc, where=str(path))


class TileFile:
    """Raster tiles read from a local MBTiles (SQLite) or PMTiles file, by z/x/y (XYZ)."""

    def __init__(self, path: Path, kind: str, zoom_range, fmt: str):
        self.path, self.kind, self.zoom_range, self.format = path, kind, zoom_range, fmt
        self.mime = _MIME.get(fmt, "image/png")

    def read(self, z: int, x: int, y: int) -> bytes | None:
        """Return the tile's bytes, or None where the file has no such tile."""
        if not (0 <= z <= 30 and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
            return None
        if self.kind == "mbtiles":
            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as con:
                row = con.execute("SELECT tile_data FROM tiles WHERE zoom_level = ? AND "
                                  "tile_column = ? AND tile_row = ?",
                                  (z, x, (2 ** z - 1) - y)).fetchone()   # MBTiles rows are TMS
            return bytes(row[0]) if row else None
        from pmtiles.reader import MmapSource, Reader

        with open(self.path, "rb") as f:
            data = Reader(MmapSource(f)).get(z, x, y)
        return bytes(data) if data else None


def open_tiles(path: Path, *, where: str = "the basemap configuration") -> TileFile:
    """Open a local raster tile file; refuse one that is missing, not tiles, or vector."""
    path = Path(path)
    if not path.is_file():
        raise BasemapError(f"{where}: no tile file at {path}")
    suffix = path.suffix.lower()
    if suffix == ".mbtiles":
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
                meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
                zooms = con.execute("SELECT min(zoom_level), max(zoom_level) FROM tiles") \
                    .fetchone()
        except sqlite3.Error:
            raise BasemapError(f"{where}: {path} is not an MBTiles file (an SQLite database "
                               f"with tiles and metadata tables)") from None
        fmt = str(meta.get("format", "png")).lower()
        zoom_range = tuple(zooms) if zooms and zooms[0] is not None else None
        kind = "mbtiles"
    elif suffix == ".pmtiles":
        from pmtiles.reader import MmapSource, Reader

        try:
            with open(path, "rb") as f:
                header = Reader(MmapSource(f)).header()
        except Exception:  # noqa: BLE001 - any failure to parse means "not PMTiles"
            raise BasemapError(f"{where}: {path} is not a PMTiles file") from None
        fmt = {2: "png", 3: "jpg", 4: "webp"}.get(int(getattr(header["tile_type"], "value",
                                                             header["tile_type"])), "mvt")
        zoom_range = (header["min_zoom"], header["max_zoom"])
        kind = "pmtiles"
    else:
        raise BasemapError(f"{where}: a local basemap is an .mbtiles or .pmtiles file, not "
                           f"{path.name}")
    if fmt not in _MIME:
        raise BasemapError(f"{where}: {path.name} holds {fmt} tiles; Lantern draws raster "
                           f"tiles (PNG, JPEG or WebP) only")
    return TileFile(path, kind, zoom_range, fmt)


__all__ = ["Basemap", "BasemapError", "ROUTE", "STYLE_PATH", "TILE_PATH", "TileFile",
           "load_basemap", "open_tiles", "parse_basemap"]
