"""dashboard.data: results shared across sessions, and the warm-up before the first view."""
from __future__ import annotations

import pytest
import streamlit as st

from dashboard import data, state, warm
from profiles.governance import load_access
from profiles.release import cache, clear_release_cache, table_files
from profiles.release.audiences import get_policy
from profiles.release.layers import layers_for, protection_of
from profiles.release.request import EVENT_FEEDS


@pytest.fixture
def open_demo(demo_copy, monkeypatch):
    monkeypatch.setenv("LANTERN_DB", str(demo_copy))
    monkeypatch.delenv("LANTERN_ACCESS", raising=False)   # as shipped: partnership unsigned
    clear_release_cache()
    st.cache_resource.clear()
    yield demo_copy
    st.cache_resource.clear()


def test_a_released_table_is_one_object_for_every_session(open_demo):
    first = data.released("partnership", "on_street", "month")
    assert data.released("partnership", "on_street", "month") is first     # no copy per hit


def test_the_warm_up_holds_the_partnerships_first_pages_and_keeps_the_rest_on_disk(
        open_demo, monkeypatch):
    assert set(load_access().served) == {"partnership", "command", "analyst"}
    warm.warm(data.token())

    def tables(audience):
        """(protection, feed, layer) of every table of the audience's units."""
        policy = get_policy(audience)
        return {(protection_of(policy, feed), feed, layer.name) for feed in EVENT_FEEDS
                if policy.may_see(feed) for layer in layers_for(protection_of(policy, feed))}

    partnership = tables("partnership")
    others = tables("command") | tables("analyst")
    assert not {p for p, _, _ in partnership} & {p for p, _, _ in others}   # not shared units
    # every partnership table is held in memory, and nothing of another audience
    assert {(p, feed, layer) for _, p, feed, layer in cache._CACHE} == partnership
    # ... while every table of every served audience is kept on disk (named by protection)
    on_disk = {(f.name.split("-")[1], *f.name.split("-")[0].split(".", 1))
               for f in table_files.folder_for(open_demo).glob("*.arrow")}
    assert on_disk == {(p.name, feed, layer.replace("-", "_"))
                       for p, feed, layer in partnership | others}
    # the Overview and Outreach pages at the sidebar's defaults are answered from the cache
    import profiles.analyses

    for name in ("overview", "reach_against_need"):
        monkeypatch.setattr(profiles.analyses, name, lambda *a, **k: pytest.fail("computed"))
    f = state.default_filters("partnership", data.periods())
    assert not data.overview("partnership", f.period, None, f.start, f.end).empty
    assert data.reach_map("partnership", None, f.start, f.end).judged
