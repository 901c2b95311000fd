"""One choke point: nothing in ``dashboard/`` reads the database except through ``profiles``.

The source of every dashboard module is parsed (not imported) and must not import DuckDB, open
a connection (only ``dashboard/data.py`` may, read-only, through ``profiles.store``), call a
database method, hold SQL text, or import the parts of ``profiles`` that hand out unprotected
numbers. In ``profiles/``, only the store, ingest, release and status modules may read the
``facts`` and ``subjects`` tables: every analysis works from released tables.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = sorted((ROOT / "dashboard").rglob("*.py"))
PROFILES = sorted((ROOT / "profiles").rglob("*.py"))
DOOR = ROOT / "dashboard" / "data.py"

DB_METHODS = {"execute", "executemany", "sql", "fetchall", "fetchone", "fetchmany",
              "fetchnumpy", "fetchdf", "fetch_df", "to_arrow_table", "register", "cursor_raw"}
#: profiles modules the dashboard must not import: raw store access and unprotected tables
FORBIDDEN_PROFILES = {"profiles.store", "profiles.ingest", "profiles.demo", "profiles.keys",
                      "profiles.disclosure", "profiles.utility"}
FORBIDDEN_NAMES = {"protected_table", "load_base_table", "protect"}
SQL = re.compile(r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bCREATE\s+(TABLE|VIEW|MACRO|"
                 r"TEMP)\b|\bDELETE\s+FROM\b|\bDROP\s+TABLE\b|\bATTACH\b|\bCOPY\b\s+\w+\s+"
                 r"(TO|FROM)\b")
FACT_READERS = {"store.py", "ingest.py", "release.py", "status.py"}


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(module: ast.Module) -> set[str]:
    """Every module a file imports, as dotted names (``from a import b`` gives a and a.b)."""
    names = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                node.func, "id", "")) in ("import_module", "__import__"):
            names |= {a.value for a in node.args if isinstance(a, ast.Constant)
                      and isinstance(a.value, str)}
    return names


def test_the_dashboard_has_modules_to_check():
    assert DOOR in DASHBOARD and any(p.parent.name == "pages" for p in DASHBOARD)


@pytest.mark.parametrize("path", DASHBOARD, ids=rel)
def test_no_dashboard_module_imports_duckdb(path):
    found = {m for m in imported_modules(tree(path)) if m.split(".")[0] == "duckdb"}
    assert not found, f"{rel(path)} imports {found}: ask profiles for released numbers"


@pytest.mark.parametrize("path", DASHBOARD, ids=rel)
def test_no_dashboard_module_runs_sql(path):
    module = tree(path)
    calls = [n for n in ast.walk(module) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr in DB_METHODS]
    assert not calls, (f"{rel(path)} line {calls[0].lineno} calls .{calls[0].func.attr}(): "
                       f"the dashboard never talks to the database")
    texts = [n for n in ast.walk(module) if isinstance(n, ast.Constant)
             and isinstance(n.value, str) and SQL.search(n.value)]
    assert not texts, f"{rel(path)} line {texts[0].lineno} holds SQL: {texts[0].value[:60]!r}"


@pytest.mark.parametrize("path", DASHBOARD, ids=rel)
def test_only_the_data_door_opens_a_connection(path):
    module = tree(path)
    connects = [n for n in ast.walk(module) if isinstance(n, ast.Call) and (
        getattr(n.func, "attr", None) == "connect" or getattr(n.func, "id", None) == "connect")]
    if path != DOOR:
        assert not connects, f"{rel(path)} line {connects[0].lineno} opens a connection"
        return
    assert connects, "dashboard/data.py should hold the one connection"
    for call in connects:   # profiles.store.connect(..., read_only=True), nothing else
        assert isinstance(call.func, ast.Attribute) and call.func.value.id == "_store"
        assert any(k.arg == "read_only" and getattr(k.value, "value", None) is True
                   for k in call.keywords), f"line {call.lineno} must open read-only"


@pytest.mark.parametrize("path", DASHBOARD, ids=rel)
def test_dashboard_reaches_data_only_through_profiles(path):
    module = tree(path)
    imports = imported_modules(module)
    allowed_store = {"profiles.store"} if path == DOOR else set()
    bad = {m for m in imports if any(m == f or m.startswith(f + ".") for f in
                                     FORBIDDEN_PROFILES - allowed_store)}
    assert not bad, f"{rel(path)} imports {bad}: use dashboard.data and profiles.release"
    names = {n.id for n in ast.walk(module) if isinstance(n, ast.Name)} | \
        {n.attr for n in ast.walk(module) if isinstance(n, ast.Attribute)} | \
        {a.name for n in ast.walk(module) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not names & FORBIDDEN_NAMES, f"{rel(path)} uses {names & FORBIDDEN_NAMES}"


def test_the_data_door_serves_released_tables():
    source = DOOR.read_text(encoding="utf-8")
    assert "_release.release_counts(" in source
    assert "from profiles import release as _release" in source


@pytest.mark.parametrize("path", PROFILES, ids=rel)
def test_only_the_release_layer_reads_facts(path):
    texts = [n.value for n in ast.walk(tree(path)) if isinstance(n, ast.Constant)
             and isinstance(n.value, str)]
    reads = [t for t in texts if re.search(r"\b(FROM|JOIN)\s+(facts|subjects)\b", t, re.I)]
    if path.name not in FACT_READERS or path.parent.name != "profiles":
        assert not reads, (f"{rel(path)} reads facts/subjects directly: analyses must use "
                           f"profiles.release.release_counts")


def test_the_checks_catch_a_violation(tmp_path):
    """The scanners are not toothless: a page that queries the store is caught."""
    bad = tmp_path / "bad_page.py"
    bad.write_text("import duckdb\nfrom profiles import store\n"
                   "con = duckdb.connect('x')\n"
                   "rows = con.execute('SELECT cell FROM facts').fetchall()\n")
    module = tree(bad)
    assert "duckdb" in imported_modules(module)
    assert {n.func.attr for n in ast.walk(module) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)} >= {"connect", "execute", "fetchall"}
    assert any(SQL.search(n.value) for n in ast.walk(module) if isinstance(n, ast.Constant)
               and isinstance(n.value, str))
    assert "profiles.store" in imported_modules(module)
