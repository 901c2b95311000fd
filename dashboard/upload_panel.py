"""The "Load files" control on the Data status page: for viewers who may use the analyst
audience, and never in meeting mode.

Upload files for a feed, pick a recipe from the recipes folder, check them (a dry run: the
whole summary, nothing written to the store), then load them, and download the quarantine
report. The work is done by :mod:`dashboard.loading` (the same write path as ``lantern
ingest``); this module only reads widgets and draws.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import data, loading

#: the audience whose viewers may load files
LOADING_AUDIENCE = "analyst"
NO_RECIPE = "No recipe (the file already uses Lantern's columns and words)"


def may_load(filters) -> bool:
    """True when this viewer may load files: their role may use the analyst audience, and the
    session is not in meeting mode."""
    return not filters.meeting_mode and LOADING_AUDIENCE in data.identity().audiences


def _feed_words(feed: str) -> str:
    return feed.replace("_", " ")


def _who() -> str:
    ident = data.identity()
    return ident.user or "unidentified"


def upload_panel(filters) -> None:
    """Draw the control for a viewer who may load files; draw nothing for anyone else.

    Parameters
    ----------
    filters : dashboard.state.Filters
    """
    if not may_load(filters):
        return
    from data_contracts import FEEDS

    ss = st.session_state
    ss.setdefault("upload_round", 0)
    db = data.db_path()
    limit = loading.upload_limit_mb()
    st.subheader("Load files")
    st.caption(f"For analysts. Files are checked against the feed's rules first and nothing is "
               f"written until you confirm; each load is recorded in the audit log. Up to "
               f"{limit:,} MB a file. Uploaded files are not kept.")
    feed = st.selectbox("Feed", FEEDS, key="upload_feed", format_func=_feed_words)
    recipes = loading.recipe_names(db, feed)
    recipe = st.selectbox("Recipe", [NO_RECIPE, *recipes], key="upload_recipe",
                          help=f"Recipes for this feed in {loading.recipes_dir(db)}.")
    if not recipes:
        st.caption(f"No recipe for the {_feed_words(feed)} feed in the recipes folder "
                   f"({loading.recipes_dir(db)}).")
    chosen = st.file_uploader("Files", accept_multiple_files=True,
                              key=f"upload_files_{ss['upload_round']}")
    files = [loading.Upload(f.name, f.getvalue()) for f in chosen or []]
    recipe = None if recipe == NO_RECIPE else recipe
    if files:
        _check_and_load(db, feed, recipe, files, filters)
    _show_done(filters)


def _check_and_load(db, feed, recipe, files, filters) -> None:
    ss = st.session_state
    fingerprint = (feed, recipe, tuple(u.fingerprint for u in files))
    if st.button("Check the files", key="upload_check",
                 help="A dry run: every check and the whole summary, nothing written."):
        ss["upload_checked"] = (fingerprint, loading.check_uploads(db, feed, files, recipe,
                                                                   user=_who()))
        ss.pop("upload_done", None)
    checked = ss.get("upload_checked")
    if not checked or checked[0] != fingerprint:
        st.caption("Check the files first: you will see what would be loaded, and confirm.")
        return
    outcomes = checked[1]
    st.markdown("**Dry run — nothing has been written to the store yet.**")
    _show(outcomes, filters, "check")
    if not any(o.would_load for o in outcomes):
        st.info("Nothing in these files would be loaded, so there is nothing to confirm.")
        return
    if st.button("Load these files", key="upload_confirm", type="primary"):
        ss["upload_done"] = loading.load_uploads(db, feed, files, recipe, user=_who())
        ss.pop("upload_checked", None)
        ss["upload_round"] += 1          # empties the file picker
        st.rerun()


def _show_done(filters) -> None:
    done = st.session_state.get("upload_done")
    if done:
        st.markdown("**Loaded** — the figures on every page now include these files.")
        _show(done, filters, "done")


def _show(outcomes, filters, stage: str) -> None:
    for i, outcome in enumerate(outcomes):
        if outcome.refused:
            st.error(outcome.summary)
            continue
        (st.success if outcome.would_load else st.info)(outcome.summary)
        if outcome.details:
            st.markdown("\n".join(f"- {d}" for d in outcome.details))
        report = Path(outcome.report) if outcome.report else None
        if report is not None and report.exists():
            st.download_button(f"Download the quarantine report for {outcome.name}",
                               data=report.read_bytes(), file_name=report.name,
                               mime="text/csv", key=f"upload_report_{stage}_{i}",
                               on_click=data.audit_export,
                               args=(filters.audience, "csv", None, None, "quarantine report"),
                               help="The rows set aside and why, with their values: for "
                                    "the file's owner, not for sharing.")
