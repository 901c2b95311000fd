"""The browser test files share one xdist group, so two Chromium runs never starve each other.

``bash run.sh test`` runs ``pytest -n 2 --dist loadgroup``; tests/conftest.py marks every test
in :data:`conftest.BROWSER_FILES` with ``xdist_group("browser")``. xdist names a test's group
by adding ``@browser`` to its id on the worker, so the marker must be on the test before xdist
looks (the hook runs ``tryfirst``), and the pytest in use must let xdist change the id (pytest
9 does not: ``pyproject.toml`` keeps pytest below 9). Without both, the browser files ran on
both workers at once in full runs, and a Map step timed out. This runs the real hook on
stand-in test files in a child pytest and reads the ids it ran.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import conftest

HERE = Path(__file__).resolve().parent


def test_browser_files_run_as_one_group(tmp_path):
    (tmp_path / "conftest.py").write_text(   # the real hook, loaded under another name
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('real', {str(HERE / 'conftest.py')!r})\n"
        "real = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(real)\n"
        "pytest_collection_modifyitems = real.pytest_collection_modifyitems\n")
    browser = sorted(conftest.BROWSER_FILES)[:2]
    for name in [*browser, "test_other.py"]:
        (tmp_path / name).write_text("def test_one():\n    pass\n\n\ndef test_two():\n    pass\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup",
                          "-v", "-p", "no:cacheprovider", str(tmp_path)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    ran = [line.split("PASSED")[-1].strip() for line in run.stdout.splitlines()
           if "PASSED" in line]
    grouped = {r.split("::")[0] for r in ran if r.endswith("@browser")}
    assert grouped == set(browser), ran
    assert not any(r.startswith("test_other.py") and "@" in r for r in ran), ran
    workers = {line.split("]")[0] for line in run.stdout.splitlines()
               if "PASSED" in line and "@browser" in line}
    assert len(workers) == 1, workers


def test_every_file_that_drives_chromium_is_in_the_group():
    """A file that starts a browser (or the twenty-session load run) but is left out of the
    group ran beside the others: the load test's 20 sessions did, starving their WebGL."""
    drives = {p.name for p in HERE.glob("test_*.py") if p.name != Path(__file__).name
              and any(word in p.read_text(encoding="utf-8")
                     for word in ("chromium_page", "sync_playwright", "load_sessions"))}
    assert drives and drives <= conftest.BROWSER_FILES, drives - conftest.BROWSER_FILES
