"""Loading partner files from the Data status page: analysts only, a dry run first, then the
same load and audit record as ``lantern ingest``, in a real DuckDB file with the shipped
synthetic partner files and recipes."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import loading
from profiles.cli import main
from profiles.governance import audit
from profiles.governance.access import DEFAULT_PATH, DEMO_PATH
from profiles.store import database as store
from tests.test_dashboard_apptest import run_page
from tests.test_partner_files import counts

ROOT = Path(__file__).resolve().parents[1]
PARTNER = ROOT / "sample_data" / "partner_files"
RECIPES = PARTNER / "recipes"
POLICE = PARTNER / "police_export_bng.csv"


@pytest.fixture
def db(tmp_path, monkeypatch, capsys):
    """A real store holding the partner files' boundaries, served to the dashboard."""
    path = tmp_path / "partners.duckdb"
    assert main(["ingest", "areas", str(PARTNER / "lsoa_boundaries.gpkg"), "--recipe",
                 str(RECIPES / "lsoa.toml"), "--db", str(path)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("LANTERN_DB", str(path))
    monkeypatch.setenv("LANTERN_RECIPES", str(RECIPES))
    monkeypatch.setenv("LANTERN_ACCESS", str(DEMO_PATH))
    monkeypatch.delenv("LANTERN_UPLOAD_MB", raising=False)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return path


def status_page(audience: str, meeting: bool = False) -> AppTest:
    return run_page("status", audience=audience, meeting=meeting)


def has_control(at: AppTest) -> bool:
    return any(s.value == "Load files" for s in at.subheader) or \
        any(b.key == "upload_feed" for b in at.selectbox)


def test_an_analyst_sees_the_control(db):
    at = status_page("analyst")
    assert has_control(at)
    assert at.selectbox(key="upload_feed").value == "on_street"
    assert list(at.selectbox(key="upload_recipe").options)[1:] == ["police_bng.toml",
                                                                   "police_xy.toml"]
    at.selectbox(key="upload_feed").set_value("areas").run()
    assert list(at.selectbox(key="upload_recipe").options)[1:] == ["lsoa.toml"]  # this feed's


def test_a_partnership_only_viewer_never_gets_the_control(db, monkeypatch):
    monkeypatch.setenv("LANTERN_ACCESS", str(DEFAULT_PATH))   # no sign-on: partnership only
    at = status_page("analyst")                               # asking for more changes nothing
    assert not has_control(at)
    assert not any(b.key and b.key.startswith("upload_") for b in at.button)


def test_meeting_mode_hides_the_control_from_an_analyst(db):
    assert not has_control(status_page("partnership", meeting=True))


def upload(at: AppTest, *paths) -> AppTest:
    """Choose files in the page's real file picker."""
    at.file_uploader[0].set_value([(Path(p).name, Path(p).read_bytes(), "text/csv")
                                   for p in paths]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_dry_run_then_a_confirmed_load_of_a_police_export(db, monkeypatch, tmp_path):
    before = (db.read_bytes(), counts(db))
    at = status_page("analyst")
    assert not any(b.key == "upload_check" for b in at.button)     # nothing chosen yet
    at.selectbox(key="upload_feed").set_value("on_street").run()
    upload(at, POLICE)
    at.selectbox(key="upload_recipe").set_value("police_bng.toml").run()
    assert not any(b.key == "upload_confirm" for b in at.button)   # a dry run comes first
    at.button(key="upload_check").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success if s.value.startswith(POLICE.name)] == [
        "police_export_bng.csv: dry run, nothing written to the store — read 400, would load "
        "374, quarantined 26"]
    text = " ".join(m.value for m in at.markdown)
    assert "coordinates read as EPSG:27700 (police_bng.toml line 5)" in text
    assert "lantern-upload-" not in text and str(tmp_path / "tmp") not in text
    assert (db.read_bytes(), counts(db)) == before                 # nothing written
    reports = sorted((tmp_path / "lantern-quarantine").glob("on_street-police_export_bng-*.csv"))
    assert len(reports) == 1                                        # where the CLI writes it
    assert [b.proto.label for b in at.get("download_button")] == [
        "Download the quarantine report for police_export_bng.csv"]
    assert not [r for r in audit.read_log(db) if r.get("feed") == "on_street"]

    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success if s.value.startswith(POLICE.name)] == [
        "police_export_bng.csv: loaded — read 400, loaded 374, quarantined 26"]
    after = counts(db)
    assert after["ingests"] == before[1]["ingests"] + 1 and after["facts"] > before[1]["facts"]
    con = store.connect(db, read_only=True)
    try:
        assert con.execute("SELECT feed, file_name, rows_loaded FROM ingests ORDER BY ingest_id "
                           "DESC LIMIT 1").fetchone() == ("on_street", "police_export_bng.csv",
                                                          374)
    finally:
        con.close()
    [entry] = [r for r in audit.read_log(db) if r.get("feed") == "on_street"]
    assert {k: entry[k] for k in ("user", "via", "feed", "file_name", "rows_read",
                                  "rows_loaded", "rows_quarantined")} == {
        "user": "unidentified", "via": "dashboard", "feed": "on_street",
        "file_name": "police_export_bng.csv", "rows_read": 400, "rows_loaded": 374,
        "rows_quarantined": 26}
    assert audit.verify_chain(db) == (True, "ok")
    assert not list((tmp_path / "tmp").iterdir())                  # no uploaded file is kept
    assert not at.file_uploader[0].value                             # the picker is emptied
    # the Data status page (this same run) shows the new file
    assert "police_export_bng.csv" in at.dataframe[1].value.astype(str).values.ravel()


def test_an_oversize_upload_is_refused_in_plain_words(db, monkeypatch, tmp_path):
    monkeypatch.setenv("LANTERN_UPLOAD_MB", "1")
    big = tmp_path / "big_export.csv"
    big.write_bytes(POLICE.read_bytes() * 80)                      # about 2.5 MB
    before = (db.read_bytes(), counts(db))
    at = status_page("analyst")
    upload(at, big)
    at.button(key="upload_check").click().run()
    [error] = at.error
    assert error.value.startswith("big_export.csv is ") and \
        "files up to 1 MB can be loaded here. Nothing from it was read." in error.value
    assert not any(b.key == "upload_confirm" for b in at.button)
    assert (db.read_bytes(), counts(db)) == before


def test_a_refused_file_says_its_own_name_never_the_temporary_folder(db, tmp_path):
    outcomes = loading.check_uploads(db, "on_street", [loading.Upload("notes.txt", b"hello")],
                                     None, user="analyst@example")
    [outcome] = outcomes
    assert outcome.refused and outcome.summary.startswith("notes.txt: ")
    assert "lantern-upload-" not in outcome.summary
    assert not list((tmp_path / "tmp").iterdir())


def test_a_bad_recipe_is_refused_before_any_file_is_read(db, tmp_path, monkeypatch):
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "broken.toml").write_text('feed = "on_street"\n[columns]\nnot_a_column = "X"\n')
    monkeypatch.setenv("LANTERN_RECIPES", str(recipes))
    assert loading.recipe_names(db, "on_street") == ["broken.toml"]
    [outcome] = loading.load_uploads(db, "on_street", [loading.Upload(POLICE.name,
                                                                      POLICE.read_bytes())],
                                     "broken.toml", user="analyst@example")
    assert outcome.refused and outcome.summary.startswith("broken.toml")
    assert str(recipes) not in outcome.summary
    assert [r["action"] for r in audit.read_log(db) if r.get("feed") == "on_street"] == []


def test_a_file_that_needs_a_recipe_is_told_so_in_recipe_words_not_flags(db):
    [outcome] = loading.check_uploads(db, "on_street", [loading.Upload(POLICE.name,
                                                                       POLICE.read_bytes())],
                                      None, user="analyst@example")
    assert outcome.refused and "--" not in outcome.summary
    assert outcome.summary.endswith('loads with a recipe (a line datetime = "their column" '
                                    'under [columns]).')


def test_lantern_serve_sets_streamlits_upload_limit_to_the_pages(db, monkeypatch):
    from profiles.cli.serve import server_command

    monkeypatch.setenv("LANTERN_UPLOAD_MB", "50")
    cmd, _ = server_command(db, 8599)
    assert cmd[cmd.index("--server.maxUploadSize") + 1] == "50" == str(loading.upload_limit_mb())
