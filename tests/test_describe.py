"""`lantern describe`: the DPIA / record-of-processing annex is made from the live store and
configuration (every loaded feed, each audience's threshold, the roles, the p-tables), keeps
the force's legal-basis answers word for word, says honestly what is not configured, and its
HTML is self-contained and escaped."""
from __future__ import annotations

import re
import stat

import pytest

from profiles.cli import main
from profiles.governance import audit
from profiles.governance.annex import (BLANK, DPIA_FIELDS, AnnexError, describe_store,
                                       dpia_path, load_dpia)
from profiles.governance.annex_render import annex_to_html
from profiles.release import AUDIENCES, data_status, get_policy, open_read_only
from profiles.release.perturb import MAX_CHANGE


@pytest.fixture
def annex_dir(demo_copy, tmp_path):
    out = tmp_path / "annex"
    assert main(["describe", "--db", str(demo_copy), "--out", str(out)]) == 0
    return out


def _loaded_feeds(db):
    con = open_read_only(db)
    try:
        return sorted(data_status(con).feeds["feed"])
    finally:
        con.close()


def test_the_annex_names_every_loaded_feed_and_each_audiences_threshold(demo_copy, annex_dir):
    md = (annex_dir / "dpia-annex.md").read_text()
    html = (annex_dir / "dpia-annex.html").read_text()
    feeds = _loaded_feeds(demo_copy)
    assert len(feeds) >= 8
    for feed in feeds:
        assert re.search(rf"^\| {feed} \| yes \|", md, re.M), feed
        assert f"<td>{feed}</td><td>yes</td>" in html, feed
    for audience in AUDIENCES:
        t = get_policy(audience).threshold
        row = (f"| {audience} | {get_policy(audience).label} | {t} (figures of 1–{t - 1} are "
               f"never shown)")
        assert row in md, row
    assert "SYNTHETIC DEMONSTRATION DATA" in md
    assert f"The largest change to any unit is {MAX_CHANGE}." in md
    assert "| commander | partnership, command |" in md
    assert md.startswith("**OFFICIAL-SENSITIVE**") and md.rstrip().endswith(
        "**OFFICIAL-SENSITIVE**")


def test_the_annex_holds_no_row_counts(demo_copy, annex_dir):
    md = (annex_dir / "dpia-annex.md").read_text()
    con = open_read_only(demo_copy)
    rows = set(data_status(con).ingests["rows_loaded"].astype(int))
    con.close()
    assert not [n for n in rows if n > 9 and re.search(rf"\b{n}\b", md)]


def test_retention_says_honestly_that_it_is_not_configured(annex_dir):
    md = (annex_dir / "dpia-annex.md").read_text()
    assert "Subject hashes and counts: not configured yet." in md
    assert "Audit log: entries are kept 72 months" in md


def test_a_configured_retention_policy_is_shown_where_it_is_set(demo_copy, tmp_path,
                                                                monkeypatch):
    policy = tmp_path / "retention.toml"
    policy.write_text("[subjects]\nkeep_months = 24\n")
    monkeypatch.setenv("LANTERN_RETENTION", str(policy))
    from profiles.governance.annex_render import annex_to_markdown

    md = annex_to_markdown(describe_store(demo_copy))
    assert f"| subjects.keep_months | 24 | {policy} |" in md
    assert "not configured yet" not in md


def test_legal_basis_answers_round_trip_and_blanks_are_shown(demo_copy, tmp_path):
    answers = {"controller": "Shire Constabulary, Data Office, PO Box 1",
               "lawful_basis": "s.35(2)(b): necessary for the performance of a task for a "
                               "law enforcement purpose",
               "recipients": "Partners at the partnership meeting <council & health>"}
    dpia_path(demo_copy).write_text(
        "[legal_basis]\n" + "".join(f'{k} = "{v}"\n' for k, v in answers.items()))
    assert {k: v for k, v in load_dpia(demo_copy).items() if v} == answers
    out = tmp_path / "annex"
    assert main(["describe", "--db", str(demo_copy), "--out", str(out)]) == 0
    md = (out / "dpia-annex.md").read_text()
    html = (out / "dpia-annex.html").read_text()
    words = dict(DPIA_FIELDS)
    for key, value in answers.items():
        assert f"| {words[key]} | {value} |" in md
    assert "&lt;council &amp; health&gt;" in html and "<council" not in html
    blanks = [k for k, _ in DPIA_FIELDS if k not in answers]
    assert md.count(f"| {BLANK} |") == len(blanks)
    assert dpia_path(demo_copy).read_text().startswith("[legal_basis]")   # kept, not rewritten


def test_describe_writes_a_blank_answers_file_for_the_force(demo_copy, capsys):
    assert not dpia_path(demo_copy).exists()
    assert main(["describe", "--db", str(demo_copy)]) == 0
    captured = capsys.readouterr()
    assert "Wrote a blank" in captured.err and "## Legal basis" in captured.out
    assert stat.S_IMODE(dpia_path(demo_copy).stat().st_mode) == 0o600
    assert load_dpia(demo_copy) == {k: "" for k, _ in DPIA_FIELDS}


@pytest.mark.parametrize("text, match", [
    ("[legal_basis\n", "not valid TOML"),
    ('[legal_basis]\nfavourite_colour = "red"\n', "favourite_colour is not a field"),
    ("[legal_basis]\ncontroller = 3\n", "controller must be text in quotes"),
], ids=["bad-toml", "unknown-field", "not-text"])
def test_a_bad_answers_file_is_refused_in_plain_words(demo_copy, capsys, text, match):
    dpia_path(demo_copy).write_text(text)
    with pytest.raises(AnnexError, match=match):
        load_dpia(demo_copy)
    assert main(["describe", "--db", str(demo_copy)]) == 1
    assert re.search(match, capsys.readouterr().err)


def test_the_html_is_self_contained_and_marked(annex_dir):
    html = (annex_dir / "dpia-annex.html").read_text()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(src|href)\s*=|@import|url\(|<script|<link""", html, re.I)
    assert html.count('<p class="marking">OFFICIAL-SENSITIVE</p>') == 2
    assert stat.S_IMODE((annex_dir / "dpia-annex.html").stat().st_mode) == 0o600
    assert stat.S_IMODE(annex_dir.stat().st_mode) == 0o700


def test_key_custody_and_permissions_are_read_from_the_files(demo_copy, tmp_path):
    from profiles.cli.describe import lantern_files

    demo_copy.chmod(0o644)
    annex = describe_store(demo_copy, files=lantern_files(demo_copy))
    md = annex_to_html(annex)
    assert f"{demo_copy}.key</td><td>0600</td><td>owner only" in md
    assert f"{demo_copy}</td><td>0644</td><td>READABLE BY OTHER USERS" in md


def test_the_quarantine_folder_named_is_the_one_ingest_writes(demo_copy):
    from profiles.cli.describe import lantern_files
    from profiles.store.loading import default_quarantine_dir

    assert dict(lantern_files(demo_copy))["quarantine reports"] == \
        default_quarantine_dir(demo_copy)


def test_describe_is_in_the_audit_log_as_a_disclosure(demo_copy, annex_dir):
    [entry] = [r for r in audit.read_log(demo_copy) if r["action"] == "export"]
    assert entry["what"] == "describe" and entry["format"] == "markdown and html"
