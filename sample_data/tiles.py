"""A tiny synthetic raster tile set, to test the offline basemap (never a real place).

The tiles cover the synthetic town's patch of open sea with a made-up street grid: pale blue
water crossed by light grey "streets" and a magenta edge on every tile, so a test can find tile
pixels on a screenshot. They are written as an MBTiles (SQLite) or a PMTiles file.

Examples
--------
>>> import tempfile, pathlib, sqlite3
>>> path = write_tile_set(pathlib.Path(tempfile.mkdtemp()) / "t.mbtiles", zooms=(9,))
>>> sqlite3.connect(path).execute("SELECT count(*) FROM tiles").fetchone()[0] > 0
True
"""
from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path

#: The synthetic town's bounds with a margin (west, south, east, north), in the North Sea.
TOWN_BOUNDS = (0.85, 54.40, 1.15, 54.60)
WATER = (200, 225, 240)
STREET = (150, 150, 150)
EDGE = (255, 0, 255)


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Return the XYZ (Web Mercator) tile holding a point at zoom ``z``.

    >>> lonlat_to_tile(0.0, 0.0, 1)
    (1, 1)
    """
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(n - 1, x), min(n - 1, y)


def _png(x: int, y: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (256, 256), WATER)
    draw = ImageDraw.Draw(img)
    for i in range(32, 256, 64):                 # a made-up street grid
        draw.line([(i + (x % 3) * 5, 0), (i + (x % 3) * 5, 255)], fill=STREET, width=5)
        draw.line([(0, i + (y % 3) * 5), (255, i + (y % 3) * 5)], fill=STREET, width=5)
    draw.rectangle([0, 0, 255, 255], outline=EDGE, width=3)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _tiles(bounds, zooms):
    west, south, east, north = bounds
    for z in zooms:
        x0, y0 = lonlat_to_tile(west, north, z)
        x1, y1 = lonlat_to_tile(east, south, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                yield z, x, y, _png(x, y)


def write_tile_set(path, *, bounds=TOWN_BOUNDS, zooms=range(8, 15)) -> Path:
    """Write synthetic raster tiles over ``bounds`` at ``zooms`` to ``path``.

    ``.mbtiles`` gives an MBTiles file (rows in TMS order, as the format says); ``.pmtiles``
    a PMTiles archive. Returns the path.
    """
    path = Path(path)
    path.unlink(missing_ok=True)
    tiles = list(_tiles(bounds, list(zooms)))
    if path.suffix == ".mbtiles":
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
            con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                        "tile_row INTEGER, tile_data BLOB)")
            con.executemany("INSERT INTO metadata VALUES (?, ?)", [
                ("name", "synthetic test tiles"), ("format", "png"),
                ("bounds", ",".join(map(str, bounds))),
                ("minzoom", str(min(zooms))), ("maxzoom", str(max(zooms)))])
            con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                            [(z, x, (2 ** z - 1) - y, data) for z, x, y, data in tiles])
        return path
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    with open(path, "wb") as f:
        writer = Writer(f)
        for z, x, y, data in sorted(tiles, key=lambda t: zxy_to_tileid(*t[:3])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        west, south, east, north = bounds
        writer.finalize({
            "tile_type": TileType.PNG, "tile_compression": Compression.NONE,
            "min_zoom": min(zooms), "max_zoom": max(zooms),
            "min_lon_e7": int(west * 1e7), "min_lat_e7": int(south * 1e7),
            "max_lon_e7": int(east * 1e7), "max_lat_e7": int(north * 1e7),
            "center_zoom": min(zooms), "center_lon_e7": int((west + east) / 2 * 1e7),
            "center_lat_e7": int((south + north) / 2 * 1e7)},
            {"name": "synthetic test tiles"})
    return path


__all__ = ["TOWN_BOUNDS", "lonlat_to_tile", "write_tile_set"]
