"""Loading partner files from the dashboard: the dashboard's one door to the write path.

This is the only dashboard module the import contracts let import :mod:`profiles.store`
(``ignore_imports`` in ``pyproject.toml``), and only for :func:`profiles.store.load_files` —
the same dry run, contract, recipe checks, copy-and-swap and audit record as ``lantern
ingest``. It draws nothing: :mod:`dashboard.upload_panel` draws the control, for analysts only.

Uploaded bytes are written to a private temporary folder under the file's own name (the name
is what the store records and the quarantine report is named after), and the folder is removed
as soon as the check or the load is over: Lantern never keeps an uploaded file. The quarantine
report is written where ``lantern ingest`` writes it (``lantern-quarantine`` beside the
database).
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from data_contracts import ContractError, load_recipe
from data_contracts.words import plural
from profiles.governance import recorders
from profiles.store import default_quarantine_dir, load_files

#: Largest upload, in megabytes, unless ``$LANTERN_UPLOAD_MB`` says otherwise.
DEFAULT_UPLOAD_MB = 200
_log = logging.getLogger("lantern.upload")


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the viewer's computer gave it, and its bytes."""

    name: str
    data: bytes

    @property
    def fingerprint(self) -> tuple:
        """(name, SHA-256 of the bytes): what a dry run checked, to match a later load to it."""
        return self.name, hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What became of one uploaded file, in words for the page.

    ``summary`` is the one-line result (or why the file was refused), ``details`` the notes
    under it, ``report`` the quarantine report's path on the server (None when no row was
    quarantined).
    """

    name: str
    summary: str
    details: tuple = ()
    refused: bool = False
    report: str | None = None
    would_load: bool = False


def upload_limit_mb() -> int:
    """The largest file the dashboard accepts, in megabytes (``$LANTERN_UPLOAD_MB``, default
    200)."""
    try:
        value = int(os.environ.get("LANTERN_UPLOAD_MB", DEFAULT_UPLOAD_MB))
    except ValueError:
        return DEFAULT_UPLOAD_MB
    return value if value > 0 else DEFAULT_UPLOAD_MB


def recipes_dir(db_path) -> Path:
    """The recipes folder: ``$LANTERN_RECIPES``, else ``recipes`` beside the database."""
    configured = os.environ.get("LANTERN_RECIPES")
    return Path(configured) if configured else Path(db_path).resolve().parent / "recipes"


def recipe_names(db_path, feed: str) -> list[str]:
    """The recipes (``*.toml`` file names) in the recipes folder that may be used for ``feed``.

    A recipe written for another feed is left out; one that cannot be read is listed, so that
    choosing it says what is wrong with it.
    """
    folder = recipes_dir(db_path)
    if not folder.is_dir():
        return []
    names = []
    for path in sorted(folder.glob("*.toml")):
        try:
            written_for = load_recipe(path).feed
        except ContractError:
            written_for = None
        if written_for in (None, feed):
            names.append(path.name)
    return names


def check_uploads(db_path, feed: str, uploads, recipe: str | None, *, user: str) -> list:
    """Dry-run the uploaded files: every check and the whole summary, nothing written to the
    store (the quarantine report is written, as ``lantern ingest --dry-run`` writes it).

    Parameters
    ----------
    db_path : the database's path
    feed : str
    uploads : list of Upload
    recipe : str, optional
        A file name from :func:`recipe_names`, or None for no recipe.
    user : str
        Who asked (kept for the same call shape as :func:`load_uploads`; a dry run is not
        audited, as on the command line).

    Returns
    -------
    list of Outcome, one per upload.
    """
    return _run(db_path, feed, uploads, recipe, user=user, dry_run=True)


def load_uploads(db_path, feed: str, uploads, recipe: str | None, *, user: str) -> list:
    """Load the uploaded files into the store as ``lantern ingest`` does, each recorded in the
    audit log (``via="dashboard"``). Same parameters and return as :func:`check_uploads`."""
    return _run(db_path, feed, uploads, recipe, user=user, dry_run=False)


def _too_big(upload: Upload, limit_mb: int) -> Outcome:
    size = len(upload.data) / 1_000_000
    return Outcome(upload.name, f"{upload.name} is {size:,.0f} MB; files up to {limit_mb:,} MB "
                                f"can be loaded here. Nothing from it was read. A larger file "
                                f"can be loaded on the server with the lantern ingest command.",
                   refused=True)


def _safe_name(name: str) -> str:
    base = Path(str(name).replace("\\", "/")).name.strip()
    return base if base not in ("", ".", "..") else "uploaded file"


def _run(db_path, feed, uploads, recipe, *, user, dry_run) -> list:
    limit = upload_limit_mb()
    outcomes: dict[int, Outcome] = {}
    folder = Path(tempfile.mkdtemp(prefix="lantern-upload-"))
    try:
        paths, order = [], []
        for i, upload in enumerate(uploads):
            if len(upload.data) > limit * 1_000_000:
                outcomes[i] = _too_big(upload, limit)
                continue
            target = folder / str(i) / _safe_name(upload.name)
            target.parent.mkdir()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(upload.data)
            paths.append(target)
            order.append(i)
        if paths:
            done = _load(db_path, feed, paths, recipe, user=user, dry_run=dry_run, folder=folder)
            outcomes.update(zip(order, done))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [outcomes[i] for i in sorted(outcomes)]


def _load(db_path, feed, paths, recipe, *, user, dry_run, folder) -> list:
    names = [p.name for p in paths]
    tidy = partial(_tidy, folder=folder, db_path=db_path)
    try:
        chosen = load_recipe(recipes_dir(db_path) / Path(recipe).name) if recipe else None
        record = recorders.load_recorder(db_path, user=user, recipe=chosen, via="dashboard")
        loads = load_files(db_path, feed, paths, recipe=chosen, dry_run=dry_run,
                           quarantine_dir=default_quarantine_dir(db_path),
                           record=None if dry_run else record)
        if not dry_run and any(not load.refused for load in loads):
            _retain(db_path, user)      # the retention policy, as after `lantern ingest`
    except ContractError as exc:      # the recipe does not fit: no file was read
        text = tidy(str(exc))
        return [Outcome(n, text, refused=True) for n in names]
    except Exception:  # noqa: BLE001 - logged for the operator; the viewer gets plain words
        _log.exception("upload of %s for %s failed", plural(len(paths), "file"), feed)
        return [Outcome(n, f"{n}: Lantern could not finish with this file. Nothing more was "
                           f"written to the store; whoever runs Lantern can find what went "
                           f"wrong in its log.", refused=True) for n in names]
    return [_outcome(name, load, tidy) for name, load in zip(names, loads)]


def _retain(db_path, user: str) -> None:
    """Run the store's retention policy after a load, logged as ``lantern ingest`` logs it
    (:func:`profiles.store.retention.retain_store`)."""
    from profiles.store import retain_store

    retain_store(db_path, record=recorders.retention_recorder(db_path, user=user,
                                                              via="dashboard"))


def _tidy(text: str, *, folder: Path, db_path) -> str:
    """Say the file's own name, not the temporary folder it was checked in."""
    text = str(text)
    for prefix in sorted({str(folder), str(folder.resolve())}, key=len, reverse=True):
        text = _strip_temp(text, prefix)
    recipes = str(recipes_dir(db_path)) + os.sep
    return in_recipe_words(text.replace(recipes, ""))


#: The command line's one-off flags, said as the recipe lines that do the same on this page.
_FLAG_PHRASES = (
    # "--crs EPSG:27700 (or crs = "EPSG:27700" in the recipe)" -> the recipe's own words
    (re.compile(r"--[a-z-]+(?: [^\s()]+)? \(or (.+?) (in|from) the recipe\)"), r"\1 \2 the recipe"),
    (re.compile(r"a recipe or --map (\w+)=COLUMN"),
     r'a recipe (a line \1 = "their column" under [columns])'),
    (re.compile(r"a recipe or --name-field COLUMN \(e\.g\. --name-field ([^)]+)\)"),
     r'a recipe (name_field = "\1")'),
    (re.compile(r"--map (\w+)=(\S+)"), r"\1 = \2 under [columns] in the recipe"),
    (re.compile(r"--set (\w+)=(\S+)"), r"\1 = \2 under [set] in the recipe"),
    (re.compile(r"--(crs|sheet|layer|name-field|area-type|date-format)\b"),
     lambda m: f"{m.group(1).replace('-', '_')} = in the recipe"),
)


def in_recipe_words(text: str) -> str:
    """Say a message's command-line flags as the recipe lines that do the same (the page has
    no flags: a recipe is how a file is mapped here).

    Examples
    --------
    >>> in_recipe_words('load it with --crs EPSG:27700 (or crs = "EPSG:27700" in the recipe).')
    'load it with crs = "EPSG:27700" in the recipe.'
    >>> in_recipe_words("loads with a recipe or --map datetime=COLUMN.")
    'loads with a recipe (a line datetime = "their column" under [columns]).'
    >>> in_recipe_words("choose another with --sheet")
    'choose another with sheet = in the recipe'
    """
    for pattern, phrase in _FLAG_PHRASES:
        text = pattern.sub(phrase, text)
    return text


def _strip_temp(text: str, prefix: str) -> str:
    # <folder>/<i>/<name> -> <name>
    return re.sub(re.escape(prefix + os.sep) + r"\d+" + re.escape(os.sep), "", text)


def _outcome(name: str, load, tidy) -> Outcome:
    if load.refused:
        return Outcome(name, tidy(load.refusal), refused=True)
    result = dataclasses.replace(load.result, path=name, quarantine_report=None)
    return Outcome(name, tidy(result.summary()), tuple(tidy(m) for m in result.messages),
                   report=load.result.quarantine_report,
                   would_load=load.result.status in ("dry run", "loaded") and
                   load.result.loaded > 0)
