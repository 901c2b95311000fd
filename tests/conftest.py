"""Shared fixtures: the synthetic town written once, and a demo database built once."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from profiles.governance.access import DEMO_PATH

# Tests drive every audience through the dashboard, as the demo does (synthetic data only).
# Tests of the shipped partnership-only default load profiles/governance/access.toml explicitly.
os.environ.setdefault("LANTERN_ACCESS", str(DEMO_PATH))

from profiles.store import database as store
from profiles.store.demo import build_demo
from profiles.store.keys import load_key
from sample_data.generate import write_town


@pytest.fixture(scope="session")
def town_files(tmp_path_factory) -> dict:
    """The synthetic town's feed files (seed 7, scale 1), written once per test session."""
    return write_town(tmp_path_factory.mktemp("town"), seed=7, scale=1.0)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A demo database built once per session. Treat it as read-only."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path, seed=7, scale=1.0)
    return path


@pytest.fixture
def demo_env(demo_db, monkeypatch):
    """The session's demo database, named by ``LANTERN_DB`` as the dashboard reads it."""
    monkeypatch.setenv("LANTERN_DB", str(demo_db))
    return demo_db


@pytest.fixture
def demo_con(demo_db):
    """A read-only connection to the shared demo database."""
    con = store.connect(demo_db, read_only=True)
    yield con
    con.close()


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Path:
    """A private, writable copy of the demo database (with its key)."""
    dest = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, dest)
    shutil.copy(f"{demo_db}.key", f"{dest}.key")
    return dest


@pytest.fixture
def empty_db(tmp_path):
    """A fresh writable store and its hashing key: (connection, key, path)."""
    path = tmp_path / "empty.duckdb"
    con = store.connect(path)
    yield con, load_key(path), path
    con.close()


#: Test files that drive headless Chromium against a real server. On a 2-core machine two of
#: them at once starve each other's software WebGL, so they share one xdist group (one worker)
#: while the other worker runs everything else (``--dist loadgroup`` in run.sh).
BROWSER_FILES = {"test_accessibility_browser.py", "test_analyst_browser.py", "test_browser.py",
                 "test_browser_maps.py", "test_browser_online.py", "test_plans_browser.py",
                 "test_concurrency.py", "test_deploy_proxy.py", "test_hostile_upload_browser.py",
                 "test_deploy_sites.py", "test_log_privacy_browser.py",
                 "test_describe_browser.py"}


# tryfirst: xdist's worker names each test's group in its own collection_modifyitems (it adds
# "@browser" to the test's id); a marker added after that is ignored, and the browser files
# then ran on both workers at once. tests/test_xdist_groups.py checks the ids.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in BROWSER_FILES:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture
def exact_release(tmp_path, monkeypatch):
    """The shipped audience policies with exact figures (``perturbation = "none"``) and the
    partnership rounded to 5: for known-answer tests of the analyses' arithmetic on released
    figures. The privacy tests use the shipped policies."""
    from profiles.release.audiences import DEFAULT_PATH
    from profiles.release.cache import clear_release_cache

    text = DEFAULT_PATH.read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        lines.append(line)
        if line.startswith("[") and line.endswith("]"):
            lines.append('perturbation = "none"')
    text = "\n".join(lines).replace("resolution_floor = 8\n# figures are moved", "resolution_floor = 8\n# figures are moved", 1)
    text = text.replace("rounding_base = 1", "rounding_base = 5", 1)
    path = tmp_path / "exact-audiences.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("LANTERN_AUDIENCES", str(path))
    clear_release_cache()
    yield path
    clear_release_cache()
