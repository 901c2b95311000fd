"""A base table summed from a finer one is the table a read at its resolution gives, array
for array and in the same order (``base.coarser``), so a feed's layers built together from
one read (``cache.build_feed_tables``, the step after a load) are the layers built one by one.
"""
from __future__ import annotations

import numpy as np

from profiles.release import cache
from profiles.release.audiences import AUDIENCES, get_policy
from profiles.release.base import breakdown_labels, coarser, feed_quarters, load_base_table
from profiles.release.layers import layers_for, protection_of
from profiles.release.request import EVENT_FEEDS
from profiles.store import database as store

ARRAYS = ("cell", "day", "n", "anon", "subject_atom", "subject", "subject_epoch",
          "fingerprint", "first_row")


def _same_base(a, b, where) -> None:
    assert len(a) == len(b), where
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), (where, name)
    assert list(a.dims) == list(b.dims), where
    for d in a.dims:
        assert a.dims[d].dtype == b.dims[d].dtype and np.array_equal(a.dims[d], b.dims[d]), \
            (where, d)


def test_a_summed_table_is_the_table_read_at_its_resolution(demo_con):
    cur = store.cursor(demo_con)
    compared = 0
    for feed in EVENT_FEEDS:
        for dims in ((), ("category",), ("category", "band", "dow", "detail")):
            labels = breakdown_labels(cur, feed, dims)
            for weeks in feed_quarters(cur, feed, 0)[:2] + [None]:   # a quarter, the whole
                finer = load_base_table(cur, feed, resolution=9, dims=dims, labels=labels,
                                        weeks=weeks)
                for r in (8, 7, 6):
                    read = load_base_table(cur, feed, resolution=r, dims=dims, labels=labels,
                                           weeks=weeks)
                    summed = coarser(finer, r)
                    assert summed is not None, (feed, dims, r)
                    _same_base(summed, read, (feed, dims, weeks, r))
                    compared += len(read.subject) > 0
                    finer = summed
    assert compared > 20     # people (keyed subjects) were among what was compared


def test_a_subject_row_outside_every_atom_is_read_not_summed(demo_copy):
    """Where a subject row lies in no atom of the finer table (its facts gone), the coarser
    table might hold it: it is read from the store instead, and the layers are still the ones
    built one by one."""
    con = store.connect(demo_copy)
    con.execute("DELETE FROM facts WHERE feed = 'on_street' AND cell = (SELECT cell FROM "
                "subjects WHERE feed = 'on_street' ORDER BY cell LIMIT 1)")
    cur = store.cursor(con)
    labels = breakdown_labels(cur, "on_street", ("category",))
    finer = load_base_table(cur, "on_street", resolution=9, dims=("category",), labels=labels)
    assert not finer.subjects_complete and coarser(finer, 8) is None
    protection = protection_of(get_policy("partnership"), "on_street")
    _same_tables(cur, protection, "on_street")
    con.close()


def _same_tables(cur, protection, feed) -> int:
    layers = layers_for(protection)
    together = cache.build_feed_tables(cur, protection, feed, layers)
    one_by_one = {}
    for layer in layers:
        one_by_one.update(cache.build_tables(cur, protection, feed, layer))
    assert together.keys() == one_by_one.keys() == {layer.name for layer in layers}
    for name, a in together.items():
        b = one_by_one[name]
        assert a.units.equals(b.units) and list(a.units.dtypes) == list(b.units.dtypes), name
        assert np.array_equal(a.lowered, b.lowered) and a.dims == b.dims, name
    return sum(len(t.units) for t in together.values())


def test_a_feeds_layers_built_together_are_the_layers_built_one_by_one(demo_con, monkeypatch):
    cur = store.cursor(demo_con)
    units = 0
    for rows in (cache.SPAN_ROWS, 0):      # the whole feed at once; every quarter on its own
        monkeypatch.setattr(cache, "SPAN_ROWS", rows)
        for audience in AUDIENCES:
            policy = get_policy(audience)
            for feed in EVENT_FEEDS:
                if policy.may_see(feed):
                    units += _same_tables(cur, protection_of(policy, feed), feed)
    assert units > 1000
