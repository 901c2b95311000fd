"""One choke point: nothing in ``dashboard/`` reads the database except through ``profiles``.

Which packages may import the store (or DuckDB) is an import contract, checked by
``tests/test_layers.py``. What a contract cannot see is checked here, on the parsed source:
a dashboard module must not open a connection (only ``dashboard/data.py`` may, through
``profiles.release.open_snapshot``), call a database method, hold SQL text, or use the names
that hand out unprotected numbers. In ``profiles/``, only the store and the release layer may
read the ``facts`` and ``subjects`` tables: every analysis works from released tables.
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
FORBIDDEN_NAMES = {"protected_table", "load_base_table", "protect"}
SQL = re.compile(r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bCREATE\s+(TABLE|VIEW|MACRO|"
                 r"TEMP)\b|\bDELETE\s+FROM\b|\bDROP\s+TABLE\b|\bATTACH\b|\bCOPY\b\s+\w+\s+"
                 r"(TO|FROM)\b")
#: The packages whose modules may read facts and subjects: the write side and the release.
FACT_READERS = {"store", "release"}


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
    opens = [n for n in ast.walk(module) if isinstance(n, ast.Call) and (
        getattr(n.func, "attr", getattr(n.func, "id", None)) in
        ("connect", "open_snapshot", "open_read_only"))]
    if path != DOOR:
        assert not opens, f"{rel(path)} line {opens[0].lineno} opens a connection"
        return
    assert opens, "dashboard/data.py should hold the one connection"
    for call in opens:   # the release layer's read-only snapshot, nothing else
        assert isinstance(call.func, ast.Attribute) and call.func.value.id == "_release"
        assert call.func.attr == "open_snapshot", f"line {call.lineno} must open the snapshot"


@pytest.mark.parametrize("path", DASHBOARD, ids=rel)
def test_dashboard_uses_no_unprotected_names(path):
    module = tree(path)
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
    if path.parent.name not in FACT_READERS:
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
