"""Every message of ``lantern evaluate``, ``lantern displacement`` and ``lantern hotspots`` is a
sentence for an analyst: no parameter names (``control_before=``) and no code identifiers
(``snake_case``), with good, bad and empty inputs alike.

What is checked is everything Lantern itself writes: every line on stderr, every line of a
text report, and the ``#`` header lines of a CSV (its column names and data rows are a table,
not a message). File paths are left out, since a folder may be named anything. Usage errors
that argparse itself raises (exit code 2, before Lantern runs) are out of scope: they echo the
command's own options.
"""
from __future__ import annotations

import re
import shutil

import h3
import pytest

from profiles.cli import main

#: ``word=`` (a parameter name) or ``snake_case`` (a code identifier).
IDENTIFIER = re.compile(r"\b[A-Za-z_]\w*=|\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
BEFORE, AFTER = "2024-11-04:2025-10-27", "2025-11-03:2026-10-26"
TOWN = "Town Centre Beat (synthetic)"
WARD = "Dunwray Ward (synthetic)"
#: A resolution-9 hexagon in the empty sea far from the synthetic town: no events, ever.
EMPTY_SEA = h3.latlng_to_cell(54.9, 4.0, 9)


@pytest.fixture(scope="module")
def db(demo_db, tmp_path_factory):
    """A private copy of the demo with one saved scenario, "Sweep" (saved beside it)."""
    dest = tmp_path_factory.mktemp("plain") / "demo.duckdb"
    shutil.copy(demo_db, dest)
    shutil.copy(f"{demo_db}.key", f"{dest}.key")
    assert main(["displacement", "simulate", "--audience", "analyst", "--target-area", TOWN,
                 "--intervention", "enforcement", "--save", "Sweep", "--db", str(dest)]) == 0
    return str(dest)


def messages(capsys, argv) -> tuple[int, list[str]]:
    """Run ``lantern argv``; return the exit code and every line that is a message."""
    code = main(argv)
    out = capsys.readouterr()
    csv = out.out.startswith("#")
    lines = [ln for ln in out.out.splitlines() if ln.startswith("#") or not csv]
    return code, [ln for ln in lines + out.err.splitlines() if ln.strip()]


def identifiers(lines) -> list[str]:
    """The identifier-like tokens in ``lines``, paths left out."""
    found = []
    for line in lines:
        words = " ".join(w for w in line.split() if "/" not in w)
        found += [f"{m.group(0)!r} in {line!r}" for m in IDENTIFIER.finditer(words)]
    return found


def test_the_checker_catches_what_it_should():
    bad = ["WDQ: control_before= and control_after= are 0", "targets= is empty",
           "feed=on_street audience=analyst", "start= not given"]
    assert all(identifiers([line]) for line in bad)
    assert not identifiers(["The control has no events in the before period.",
                            "lantern evaluate: unknown area 'Nowhere'; areas are: A, B",
                            "WDD -188: 188 fewer events (z = -9.80, p = 0.000)",
                            "wrote /tmp/some_dir/out.csv (OFFICIAL-SENSITIVE)"])


EVALUATE = [
    ("works", [], 0),
    ("control-with-no-events", ["--control", EMPTY_SEA], 0),
    ("control-with-no-events-csv", ["--control", EMPTY_SEA, "--format", "csv"], 0),
    ("control-inside-target", ["--control", TOWN], 1),
    ("empty-control", ["--control", ""], 1),
    ("unknown-area", ["--target", "Nowhere"], 1),
    ("not-hexagons", ["--target", "abc,def"], 1),
    ("coarse-hexagon", ["--target", h3.cell_to_parent(EMPTY_SEA, 7)], 1),
    ("periods-overlap", ["--after", "2025-06-02:2026-10-26"], 1),
    ("period-backwards", ["--before", "2025-10-27:2024-11-04"], 1),
    ("not-a-period", ["--before", "2025-01-06"], 1),
    ("not-a-date", ["--after", "soon:later"], 1),
    ("unequal-periods", ["--after", "2025-11-03:2026-01-26"], 0),
    ("rings-zero", ["--rings", "0"], 1),
    ("empty-target", ["--target", EMPTY_SEA], 0),
]


@pytest.mark.parametrize("extra, code", [(e, c) for _, e, c in EVALUATE],
                         ids=[i for i, _, _ in EVALUATE])
def test_evaluate_speaks_in_sentences(db, capsys, extra, code):
    base = {"--target": TOWN, "--control": WARD, "--before": BEFORE, "--after": AFTER}
    for flag, value in zip(extra[::2], extra[1::2]):
        base[flag] = value
    argv = ["evaluate", "--db", db, *[x for kv in base.items() for x in kv]]
    got, lines = messages(capsys, argv)
    assert got == code, lines
    assert lines and not identifiers(lines)


def test_evaluate_with_an_empty_control_says_why_in_words(db, capsys):
    code, lines = messages(capsys, ["evaluate", "--db", db, "--target", TOWN, "--control",
                                    EMPTY_SEA, "--before", BEFORE, "--after", AFTER])
    assert code == 0
    text = "\n".join(lines)
    assert "The control has no events in the before or the after period" in text
    assert not any(ln.startswith("WDQ ") for ln in lines)
    assert any(ln.startswith("WDD ") for ln in lines)


SIMULATE = ["displacement", "simulate", "--audience", "analyst"]
DISPLACEMENT = [
    ("works", [*SIMULATE, "--target-area", TOWN, "--intervention", "patrol"], 0),
    ("saved", [*SIMULATE, "--target-area", TOWN, "--intervention", "enforcement",
               "--save", "Sweep two", "--overwrite"], 0),
    ("saved-again", [*SIMULATE, "--target-area", TOWN, "--intervention", "enforcement",
                     "--save", "Sweep"], 1),
    ("bad-name", [*SIMULATE, "--target-area", TOWN, "--intervention", "patrol",
                  "--save", "!!"], 1),
    ("no-target", [*SIMULATE, "--intervention", "patrol"], 1),
    ("empty-targets", [*SIMULATE, "--targets", ",", "--intervention", "patrol"], 1),
    ("unknown-area", [*SIMULATE, "--target-area", "Nowhere", "--intervention", "patrol"], 1),
    ("not-a-hexagon", [*SIMULATE, "--targets", "abc", "--intervention", "patrol"], 1),
    ("outside", [*SIMULATE, "--targets", EMPTY_SEA, "--intervention", "patrol"], 1),
    ("coarse", [*SIMULATE, "--targets", h3.cell_to_parent(EMPTY_SEA, 8),
                "--intervention", "patrol"], 1),
    ("shares", [*SIMULATE, "--target-area", TOWN, "--intervention", "patrol",
                "--shares", "0.5,0.1,0.2"], 1),
    ("shares-words", [*SIMULATE, "--target-area", TOWN, "--intervention", "patrol",
                      "--shares", "low,mid,high"], 1),
    ("reduction", [*SIMULATE, "--target-area", TOWN, "--intervention", "patrol",
                   "--reduction", "0"], 1),
    ("distance", [*SIMULATE, "--target-area", TOWN, "--intervention", "patrol",
                  "--max-km", "0"], 1),
    ("decay", [*SIMULATE, "--target-area", TOWN, "--intervention", "patrol",
               "--decay-km", "50"], 1),
    ("list", ["displacement", "list"], 0),
    ("compare", ["displacement", "compare", "Sweep", "--audience", "analyst"], 0),
    ("compare-unknown", ["displacement", "compare", "Nothing", "--audience", "analyst"], 1),
    ("other-audience", ["displacement", "export", "Sweep", "--audience", "command"], 1),
    ("export", ["displacement", "export", "Sweep", "--audience", "analyst", "--format",
                "text"], 0),
    ("check", ["displacement", "check", "Sweep", "--audience", "analyst", "--before", BEFORE,
               "--after", AFTER], 0),
    ("check-no-baseline-end", ["displacement", "check", "Sweep", "--audience", "analyst",
                               "--after", AFTER], 1),
    ("check-after-before", ["displacement", "check", "Sweep", "--audience", "analyst",
                            "--before", AFTER, "--after", BEFORE], 1),
]


@pytest.mark.parametrize("argv, code", [(a, c) for _, a, c in DISPLACEMENT],
                         ids=[i for i, _, _ in DISPLACEMENT])
def test_displacement_speaks_in_sentences(db, capsys, argv, code):
    got, lines = messages(capsys, [*argv, "--db", db])
    assert got == code, lines
    assert lines and not identifiers(lines)


HOTSPOTS = [
    ("works", [], 0),
    ("patterns", ["--patterns", "quarter", "--recent", "2"], 0),
    ("nothing-shown", ["--from", "2030-01-01"], 1),
    ("unknown-area", ["--area", "Nowhere"], 1),
    ("no-rings", ["--k", "0"], 1),
    ("significance", ["--alpha", "2"], 1),
    ("no-recent-window", ["--patterns", "month", "--recent", "0"], 1),
    ("too-few-periods", ["--patterns", "year", "--recent", "3"], 1),
    ("quiet-week", ["--from", "2025-06-02", "--to", "2025-06-02", "--area", TOWN], 1),
]


@pytest.mark.parametrize("extra, code", [(e, c) for _, e, c in HOTSPOTS],
                         ids=[i for i, _, _ in HOTSPOTS])
def test_hotspots_speak_in_sentences(db, capsys, extra, code):
    got, lines = messages(capsys, ["hotspots", "--audience", "analyst", "--db", db, *extra])
    assert got == code, lines
    assert lines and not identifiers(lines)


def test_displacement_check_sets_observed_beside_the_range(db, capsys):
    code, lines = messages(capsys, ["displacement", "check", "Sweep", "--audience", "analyst",
                                    "--before", BEFORE, "--after", AFTER, "--db", db])
    assert code == 0
    assert lines[0] == lines[-1] == "OFFICIAL-SENSITIVE"
    text = "\n".join(lines)
    assert "moved into the receiving hexagons" in text and "against the range" in text
    assert "Activity moving into the receiving hexagons: observed" in text
