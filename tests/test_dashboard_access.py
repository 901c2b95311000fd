"""Who may see which audience on the dashboard, and the audit records a session leaves."""
from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from profiles.governance import audit
from profiles.governance.access import DEFAULT_PATH, DEMO_PATH
from tests.test_dashboard_apptest import run_page



@pytest.fixture
def db(demo_copy, monkeypatch):
    monkeypatch.setenv("LANTERN_DB", str(demo_copy))
    return demo_copy


def run(audience: str) -> AppTest:
    return run_page("overview", audience=audience)


def test_without_sign_on_only_the_partnership_audience_is_offered(db, monkeypatch):
    monkeypatch.setenv("LANTERN_ACCESS", str(DEFAULT_PATH))
    at = run("analyst")                                  # asked for analyst: not allowed
    box = at.sidebar.selectbox(key="w_audience")
    assert list(box.options) == ["Partnership meeting"]
    assert box.value == "partnership"
    assert any("partnership audience only" in c.value for c in at.sidebar.caption)
    assert [r["audience"] for r in audit.read_log(db) if r["action"] == "view"] == \
        ["partnership"]


def test_an_open_installation_offers_every_audience_and_audits_each_view(db, monkeypatch):
    monkeypatch.setenv("LANTERN_ACCESS", str(DEMO_PATH))
    at = run("analyst")
    box = at.sidebar.selectbox(key="w_audience")
    assert len(box.options) == 3 and box.value == "analyst"
    box.set_value("command").run()
    views = [r for r in audit.read_log(db) if r["action"] == "view"]
    assert [v["audience"] for v in views] == ["analyst", "command"]
    assert all(v["user"] == "unidentified" for v in views)
    assert audit.verify_chain(db) == (True, "ok")
