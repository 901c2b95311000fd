"""The optional offline basemap: configuration, the local tile file, the routes, the deck.

Default: no basemap, and the demo never has one. Configured: an organisation's tile URL
template, or a local MBTiles/PMTiles file that ``lantern serve`` serves itself on its own port.
The tiles here are synthetic (:mod:`sample_data.tiles`): a made-up grid over open sea.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from geo.basemap import STYLE_PATH, BasemapError, load_basemap, open_tiles, parse_basemap
from profiles.cli.serve import server_command
from sample_data.tiles import lonlat_to_tile, write_tile_set
from serving import free_port, start_serve, stop_serve, wait_healthy

URL = "https://maps.example.org/tiles/{z}/{x}/{y}.png"


@pytest.fixture(scope="module")
def tile_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiles")
    return {kind: write_tile_set(d / f"town.{kind}", zooms=range(10, 13))
            for kind in ("mbtiles", "pmtiles")}


def _config(tmp_path, **basemap) -> Path:
    lines = ["[basemap]"] + [f"{k} = {json.dumps(v)}" for k, v in basemap.items()]
    path = tmp_path / "basemap.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("section, message", [
    ({"tiles": URL}, r"attribution = \"…\" is required"),
    ({"attribution": "x"}, r"give either tiles = .* or file = .*not both or neither"),
    ({"tiles": URL, "file": "a.mbtiles", "attribution": "x"}, "not both or neither"),
    ({"tiles": "https://maps.example.org/{z}/{x}.png", "attribution": "x"},
     r"tiles must be an http\(s\) URL template with \{z\}, \{x\} and \{y\}"),
    ({"tiles": URL, "attribution": "x", "colour": "red"}, r"unknown key colour"),
    ({"tiles": URL, "attribution": "x", "opacity": 0.05}, "opacity a number 0.2–1"),
    ({"file": "/nowhere/county.mbtiles", "attribution": "x"}, "no tile file at"),
], ids=["no-attribution", "neither", "both", "bad-template", "unknown-key", "opacity",
        "missing-file"])
def test_a_bad_configuration_is_refused_with_the_fix(section, message):
    with pytest.raises(BasemapError, match=message):
        parse_basemap({"basemap": section})


def test_no_configuration_means_no_basemap(tmp_path):
    assert load_basemap(None, environ={}) is None
    empty = tmp_path / "none.toml"
    empty.write_text("# no [basemap] section\n")
    assert load_basemap(empty, environ={}) is None


def test_vector_or_foreign_files_are_refused(tmp_path):
    other = tmp_path / "map.geojson"
    other.write_text("{}")
    with pytest.raises(BasemapError, match="an .mbtiles or .pmtiles file, not map.geojson"):
        open_tiles(other)
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"not sqlite at all" * 10)
    with pytest.raises(BasemapError, match="is not an MBTiles file"):
        open_tiles(junk)


def test_mbtiles_and_pmtiles_give_the_same_tile_by_xyz(tile_files):
    x, y = lonlat_to_tile(1.0, 54.5, 12)
    mb, pm = (open_tiles(tile_files[k]) for k in ("mbtiles", "pmtiles"))
    assert mb.zoom_range == pm.zoom_range == (10, 12)
    tile = mb.read(12, x, y)
    assert tile and tile[:8] == b"\x89PNG\r\n\x1a\n" and tile == pm.read(12, x, y)
    assert mb.read(12, x, (2 ** 12 - 1) - y) is None      # XYZ, not the file's TMS rows
    assert mb.read(12, 0, 0) is None and mb.read(40, 0, 0) is None


def test_the_style_uses_the_org_template_or_lanterns_route(tile_files, tmp_path):
    org = parse_basemap({"basemap": {"tiles": URL, "attribution": "© Example"}})
    style = org.style("http://10.0.0.5:8501/")
    assert style["sources"]["basemap"]["tiles"] == [URL]
    assert style["sources"]["basemap"]["attribution"] == "© Example"
    local = load_basemap(_config(tmp_path, file=str(tile_files["pmtiles"]),
                                 attribution="Synthetic tiles"), environ={})
    src = local.style("http://10.0.0.5:8501/")["sources"]["basemap"]
    assert src["tiles"] == ["http://10.0.0.5:8501/lantern/basemap/tiles/{z}/{x}/{y}"]
    assert (src["minzoom"], src["maxzoom"]) == (10, 12)


def test_the_demo_never_has_a_basemap_and_serve_refuses_a_bad_one(demo_db, tmp_path,
                                                                   monkeypatch):
    config = _config(tmp_path, tiles=URL, attribution="x")
    monkeypatch.setenv("LANTERN_BASEMAP", str(config))
    _, env = server_command(demo_db, 8599)
    assert env["LANTERN_BASEMAP"] == str(config.resolve())
    _, env = server_command(demo_db, 8599, demo=True)
    assert "LANTERN_BASEMAP" not in env
    from profiles.cli import UserError
    with pytest.raises(UserError, match="attribution"):
        server_command(demo_db, 8599, basemap=_config(tmp_path, tiles=URL))


def test_the_deck_asks_for_lanterns_style_only_when_configured(demo_db, tile_files, tmp_path,
                                                                monkeypatch):
    from apptest_pages import open_page

    monkeypatch.setenv("LANTERN_DB", str(demo_db))
    specs, captions = {}, {}
    for name, config in (("none", ""), ("file", str(_config(
            tmp_path, file=str(tile_files["mbtiles"]), attribution="Synthetic")))):
        monkeypatch.setenv("LANTERN_BASEMAP", config)
        at = open_page("map.py", audience="partnership", meeting_mode=False)
        specs[name] = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
        captions[name] = " ".join(c.value for c in at.caption)
    assert specs["none"]["mapStyle"] == "__MAP_STYLE__"
    # the caption says which: no street map, or the organisation's own under the layers
    assert "No street map is drawn" in captions["none"]
    assert "No street map" not in captions["file"] and "organisation's own" in captions["file"]
    assert specs["file"]["mapStyle"] == STYLE_PATH
    ids = {k: [layer["id"] for layer in s["layers"]] for k, s in specs.items()}
    assert "land" in ids["none"] and "land" not in ids["file"]   # streets are not covered
    assert [i for i in ids["none"] if i != "land"] == ids["file"]


@pytest.mark.slow
def test_lantern_serve_serves_the_local_tiles_on_its_own_port(demo_copy, tile_files,
                                                              tmp_path):
    config = _config(tmp_path, file=str(tile_files["pmtiles"]), attribution="Synthetic")
    port = free_port()
    proc = start_serve(demo_copy, port, tmp_path, "--basemap", str(config))
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        with urllib.request.urlopen(url + STYLE_PATH, timeout=10) as r:
            style = json.loads(r.read())
        template = style["sources"]["basemap"]["tiles"][0]
        assert template == f"{url}/lantern/basemap/tiles/{{z}}/{{x}}/{{y}}"
        x, y = lonlat_to_tile(1.0, 54.5, 11)
        with urllib.request.urlopen(template.format(z=11, x=x, y=y), timeout=10) as r:
            assert r.headers["Content-Type"] == "image/png"
            assert r.read() == open_tiles(tile_files["pmtiles"]).read(11, x, y)
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(template.format(z=11, x=0, y=0), timeout=10)
    finally:
        stop_serve(proc)
