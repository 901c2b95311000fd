"""Protected tables kept on disk: read back identical, never stale, never needed."""
from __future__ import annotations

import dataclasses
import pandas as pd
import pytest

from profiles.release import (clear_release_cache, get_policy, open_read_only, release_counts)
from profiles.release import cache, table_files
from profiles.release.layers import layers_for, protection_of
from profiles.store import database as store
from profiles.store.ingest import ingest_file
from profiles.store.keys import load_key


def views(con, audience="partnership"):
    return {(feed, period): release_counts(con, audience, feed, period=period,
                                           by=("category",)).frame
            for feed in ("on_street", "harm_reports") for period in ("week", "quarter")}


def arrow_files(db):
    return sorted(table_files.folder_for(db).glob("*.arrow"))


def table_of(path):
    """(feed, layer, protection) a table file is named for: ``feed.layer-protection-digest``."""
    stem, protection, _digest = path.name.removesuffix(table_files.SUFFIX).split("-")
    feed, layer = stem.split(".", 1)
    return feed, layer, protection


def places_tables(audience, feeds):
    """(feed, layer, protection) of the places layers of ``feeds`` (built together)."""
    out = set()
    for feed in feeds:
        protection = protection_of(get_policy(audience), feed)
        out |= {(feed, layer.name.replace("-", "_"), protection.name)
                for layer in layers_for(protection) if layer.place == "places"}
    return out


def test_a_later_process_reads_the_same_release_from_disk(demo_copy):
    clear_release_cache()
    con = open_read_only(demo_copy)
    built = views(con)
    files = arrow_files(demo_copy)
    # by category, week and quarter views are answered by the places layers (built together)
    assert {table_of(f) for f in files} == places_tables("partnership",
                                                          ("on_street", "harm_reports"))
    assert all(oct(f.stat().st_mode)[-3:] == "600" for f in files)
    assert oct(table_files.folder_for(demo_copy).stat().st_mode)[-3:] == "700"
    clear_release_cache()                    # as a new process would start
    stamps = {f: f.stat().st_mtime_ns for f in files}
    again = views(con)
    assert {f: f.stat().st_mtime_ns for f in arrow_files(demo_copy)} == stamps  # read, not built
    for key, frame in built.items():
        pd.testing.assert_frame_equal(frame, again[key], check_dtype=True)


def test_a_load_or_a_policy_change_names_a_new_file(demo_copy, tmp_path):
    clear_release_cache()
    con = open_read_only(demo_copy)
    views(con)
    before = {f.name for f in arrow_files(demo_copy)}
    street_tables = places_tables("partnership", ("on_street",))
    con.close()
    # a new load: the on_street table is rebuilt under a new name, the old file removed
    src = tmp_path / "more.csv"
    src.write_text("lat,lon,datetime,activity_type,source_agency\n" + "".join(
        f"54.50,1.00,2025-03-0{d} 21:00,observation,police\n" for d in range(1, 8)))
    wcon = store.connect(demo_copy)
    ingest_file(wcon, "on_street", src, key=load_key(demo_copy))
    wcon.close()
    con = open_read_only(demo_copy)
    views(con)
    after = {f.name for f in arrow_files(demo_copy)}
    street = lambda names: {n for n in names if n.startswith("on_street.")}  # noqa
    # each on_street table is kept once (the old file removed), under a new name
    assert sorted(table_of(table_files.folder_for(demo_copy) / n) for n in street(after)) == \
        sorted(street_tables)
    assert street(before) and not street(after) & street(before)
    # a stricter policy (say, an edited audiences.toml) never reads the other's file
    stricter = dataclasses.replace(get_policy("partnership"), threshold=10)
    shown = release_counts(con, stricter, "on_street").frame
    assert not shown.empty and (shown["count"] >= 10).all()
    stricter_name = protection_of(stricter, "on_street").name
    assert stricter_name != protection_of(get_policy("partnership"), "on_street").name
    assert {table_of(f) for f in arrow_files(demo_copy)} >= \
        {(feed, layer, stricter_name) for feed, layer, _ in street_tables}
    assert street(after) <= {f.name for f in arrow_files(demo_copy)}    # the other's kept


def test_an_unreadable_file_is_rebuilt_and_a_readonly_folder_is_not_needed(demo_copy):
    clear_release_cache()
    con = open_read_only(demo_copy)
    want = views(con)
    for f in arrow_files(demo_copy):
        f.write_bytes(b"not an arrow file")
    clear_release_cache()
    got = views(con)
    for key, frame in want.items():
        pd.testing.assert_frame_equal(frame, got[key])
    # a folder that cannot be made (a file is in its way): the release still works
    folder = table_files.folder_for(demo_copy)
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    folder.write_text("in the way")
    clear_release_cache()
    got = views(con)
    for key, frame in want.items():
        pd.testing.assert_frame_equal(frame, got[key])
    assert folder.read_text() == "in the way"


def test_warming_without_holding_keeps_files_on_disk_and_nothing_in_memory(demo_copy,
                                                                          monkeypatch):
    from profiles.release import warm_release_cache

    clear_release_cache()
    con = open_read_only(demo_copy)
    timings = warm_release_cache(con, ["analyst"], feeds=["on_street", "harm_reports"],
                                 hold=False)
    assert [(a, f) for a, f, _ in timings] == [("analyst", "on_street"),
                                               ("analyst", "harm_reports")]
    assert not cache._CACHE                                  # nothing held in this process
    files = arrow_files(demo_copy)
    analyst = {(feed, layer.name.replace("-", "_"), protection_of(get_policy("analyst"),
                                                                  feed).name)
               for feed in ("on_street", "harm_reports")
               for layer in layers_for(protection_of(get_policy("analyst"), feed))}
    assert {table_of(f) for f in files} == analyst and len(files) == len(analyst)
    stamps = {f: f.stat().st_mtime_ns for f in files}
    monkeypatch.setattr(cache, "build_tables", lambda *a, **k: pytest.fail("built again"))
    warm_release_cache(con, ["analyst"], feeds=["on_street", "harm_reports"], hold=False)
    assert {f: f.stat().st_mtime_ns for f in arrow_files(demo_copy)} == stamps
    assert release_counts(con, "analyst", "on_street").total > 0      # read back, not built


def test_a_key_rotation_or_retention_names_a_new_file(demo_copy):
    """What changes how people are counted without a new load (a key rotation's epochs,
    retention's cut-off) names new files too, so no table kept before it is read after."""
    clear_release_cache()
    con = open_read_only(demo_copy)
    views(con)
    con.close()
    before = {f.name for f in arrow_files(demo_copy)}
    for key, value in (("key_rotations", "3"), ("retention_frozen_before", "2025-01-01")):
        wcon = store.connect(demo_copy)
        store.set_meta(wcon, key, value)
        wcon.close()
        clear_release_cache()
        con = open_read_only(demo_copy)
        views(con)
        con.close()
        after = {f.name for f in arrow_files(demo_copy)}
        assert after and not after & before, key
        before = after


def test_tables_kept_after_a_load_are_built_in_bounded_memory_spilling_privately(demo_copy,
                                                                                 monkeypatch):
    """``keep_tables`` (the step after ``lantern ingest``) holds DuckDB to its memory limit
    and spills to a folder only the owner can open, while it builds; the folder is removed
    afterwards, and the tables are the ones a plain warm-up keeps."""
    import stat

    seen = {}
    real = cache.build_feed_tables      # the step after a load builds a feed's layers together

    def spying(cur, *args, **kwargs):
        if not seen:
            seen["limit"] = cur.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            seen["temp"] = cur.execute("SELECT current_setting('temp_directory')").fetchone()[0]
            seen["mode"] = stat.S_IMODE(cache.Path(seen["temp"]).stat().st_mode)
        return real(cur, *args, **kwargs)

    clear_release_cache()
    monkeypatch.setattr(cache, "build_feed_tables", spying)
    kept = cache.keep_tables(demo_copy, ["partnership"], memory_limit="200MB")
    assert kept and seen["temp"] == str(cache.spill_folder(demo_copy))
    assert seen["mode"] == 0o700
    assert seen["limit"] in ("190.7 MiB", "200.0 MB", "200MB")
    assert not cache.spill_folder(demo_copy).exists()
    assert {table_of(f) for f in arrow_files(demo_copy)} >= places_tables(
        "partnership", ["on_street"])


def test_feeds_with_nothing_loaded_share_empty_tables_in_memory_and_keep_no_file(tmp_path,
                                                                                monkeypatch):
    """On a store with nothing loaded every feed's tables are the same empty tables of its
    protection: the step after a load builds none and keeps no file for them, and a warm-up
    that holds tables (the server's) builds each protection's layer once for every feed,
    the same tables as a build of the feed itself."""
    from profiles.release.request import EVENT_FEEDS

    db = tmp_path / "empty.duckdb"
    store.connect(db).close()
    calls = []
    real = cache.build_tables

    def counting(cur, protection, feed, layer, **kwargs):
        calls.append((protection, layer.name))
        return real(cur, protection, feed, layer, **kwargs)

    monkeypatch.setattr(cache, "build_tables", counting)
    clear_release_cache()
    with monkeypatch.context() as only_here:   # the step after a load builds a feed at once
        only_here.setattr(cache, "build_feed_tables", lambda cur, protection, feed, layers, **k:
                          calls.append((protection, tuple(x.name for x in layers))) or {})
        kept = cache.keep_tables(db, ["partnership"])
    policy = get_policy("partnership")
    feeds = [f for f in EVENT_FEEDS if policy.may_see(f)]
    assert [f for _, f, _ in kept] == feeds
    assert not calls and not arrow_files(db)
    con = open_read_only(db)
    cache.warm_release_cache(con, ["partnership"])
    assert len(calls) == len(set(calls)) < 3 * len(feeds)
    assert not arrow_files(db)
    for feed in feeds:
        protection = protection_of(policy, feed)
        for layer in layers_for(protection):
            held, span = cache.layer_table(con, protection, feed, layer)
            built = real(store.cursor(con), protection, feed, layer)[layer.name]
            assert span == (0, 0) and held.units.empty
            pd.testing.assert_frame_equal(held.units, built.units)
            assert (held.dims, held.labels.keys()) == (built.dims, built.labels.keys())
    clear_release_cache()
