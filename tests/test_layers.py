"""The architecture is a property of the tree: import contracts, and proof that they bite.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are run here with
``lint-imports``, so ``bash run.sh test`` fails when one is broken. Each contract is then
broken on purpose, in a copy of the packages, to show that the check catches it.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("profiles", "dashboard", "geo", "data_contracts", "sample_data")
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    """Run ``lint-imports`` on the packages under ``root`` with ``root``'s pyproject."""
    return subprocess.run([str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin",
                               "HOME": str(root)})


def test_every_import_contract_is_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    for name in PACKAGES:
        shutil.copytree(ROOT / name, root / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.duckdb", "town"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


BREACHES = [
    ("dashboard/pages/overview.py", "import duckdb", "read the store"),
    ("dashboard/pages/map.py", "from profiles.store import connect", "read the store"),
    # dashboard.loading is the dashboard's one write path (load_files); nothing else, and
    # not duckdb even there
    ("dashboard/upload_panel.py", "from profiles.store import load_files", "read the store"),
    ("dashboard/pages/status.py", "from profiles.store import load_files", "read the store"),
    ("dashboard/loading.py", "import duckdb", "read the store"),
    ("profiles/analyses/change.py", "from profiles import store", "read the store"),
    ("profiles/planning/patrols.py", "import duckdb", "read the store"),
    ("profiles/pack/html.py", "from profiles.store import ingest_file", "read the store"),
    ("profiles/release/api.py", "from profiles.analyses import overview", "Layers run one way"),
    ("profiles/analyses/coverage.py", "from profiles.planning import simulate",
     "Layers run one way"),
    ("profiles/store/ingest.py", "from profiles.release import release_counts",
     "Layers run one way"),
    ("geo/cells.py", "import profiles.release", "geo and data_contracts import nothing"),
    ("data_contracts/feeds.py", "from dashboard import data", "geo and data_contracts"),
    ("profiles/cli/analyses.py", "from profiles.store import connect", "only in its write"),
    # one door: pages get figures (and the words they use) from dashboard.data only
    ("dashboard/pages/overview.py", "from profiles.analyses import overview", "One door"),
    ("dashboard/pages/patrols.py", "from profiles.planning import plan_patrols", "One door"),
    ("dashboard/accessible.py", "from profiles.release import frame_to_csv", "One door"),
    ("dashboard/warm.py", "import profiles.release", "One door"),
]


@pytest.mark.parametrize("path,line,contract", BREACHES, ids=[f"{p}: {l}" for p, l, _ in BREACHES])
def test_a_forbidden_import_is_caught(copy_of_tree, path, line, contract):
    target = copy_of_tree / path
    original = target.read_text(encoding="utf-8")
    target.write_text(original + f"\n{line}  # deliberate breach\n", encoding="utf-8")
    try:
        result = lint(copy_of_tree)
    finally:
        target.write_text(original, encoding="utf-8")
    assert result.returncode != 0, f"{line!r} in {path} was not caught:\n{result.stdout}"
    broken = [ln for ln in result.stdout.splitlines() if "BROKEN" in ln]
    assert broken, result.stdout
    assert contract in result.stdout.replace("\n", " ")


def _package_cycles(graph, package: str) -> list[tuple[str, str]]:
    modules = sorted(graph.find_children(package))
    pairs = []
    for a in modules:
        for b in graph.find_modules_directly_imported_by(a):
            if b in modules and b != a and graph.find_shortest_chain(importer=b, imported=a):
                pairs.append((a, b))
    return pairs


@pytest.mark.parametrize("package", ["profiles.store", "profiles.release", "profiles.governance",
                                     "profiles.analyses", "profiles.planning", "profiles.pack",
                                     "profiles.cli"])
def test_no_import_circle_inside_a_package(package):
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("profiles", cache_dir=None)
    cycles = [(a, b) for a, b in _package_cycles(graph, package)
              if package + "." in a and package + "." in b
              and not (a.endswith("__init__") or b == package)]
    # a face (__init__) imports its modules, and modules may import the face's siblings
    cycles = [(a, b) for a, b in cycles if a != package and b != package]
    assert not cycles, f"import circles in {package}: {cycles}"


def test_no_import_circle_inside_the_dashboard():
    """style and warm-up live in modules of their own, so accessible, data and state import
    one way (data imports no dashboard module at all)."""
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("dashboard", cache_dir=None)
    cycles = [(a, b) for a, b in _package_cycles(graph, "dashboard")
              if a != "dashboard" and b != "dashboard"]
    assert not cycles, f"import circles in dashboard: {cycles}"
    assert not {m for m in graph.find_modules_directly_imported_by("dashboard.data")
                if m.startswith("dashboard")}
