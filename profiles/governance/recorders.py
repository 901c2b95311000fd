"""Recorders: the ``record=`` callables that loads and retention runs call just before their
database copy is swapped in, writing one audit line per kind of processing
(:mod:`profiles.governance.audit`)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from profiles.governance import audit


def recipe_fingerprint(recipe) -> tuple[str, str] | tuple[None, None]:
    """Return a recipe's name (its file name, or ``command-line flags``) and a SHA-256 of what
    it maps (columns, values, constants, formats), or (None, None) for no recipe.

    >>> from data_contracts import build_recipe
    >>> name, sha = recipe_fingerprint(build_recipe(None, maps=["lat=Y"]))
    >>> name, len(sha)
    ('command-line flags', 64)
    """
    if recipe is None or getattr(recipe, "is_empty", True):
        return None, None
    what = {k: getattr(recipe, k) for k in ("feed", "columns", "values", "constants",
                                            "date_format", "crs", "sheet", "layer")}
    text = json.dumps(what, sort_keys=True, default=str)
    source = str(recipe.source)
    name = Path(source).name if source.endswith(".toml") else source
    return name[:200], hashlib.sha256(text.encode("utf-8")).hexdigest()


def retention_recorder(db_path, *, user: str, **fixed):
    """Return the ``record=`` callable for :func:`profiles.store.retain_store`: one ``retain``
    line (an *alteration*) saying the policy, the cut-off and how many hashes were cut loose
    from which feeds, never a hash. It returns the audit record."""
    def _record(done):
        return audit.record(db_path, user=user, action="retain", **fixed, months=done.months,
                      cutoff=done.cutoff.isoformat(), cut_loose=sum(done.frozen.values()),
                      feeds=",".join(sorted(done.frozen)) or "none")

    return _record


def load_recorder(db_path, *, user: str, recipe=None, **fixed):
    """Return the ``record=`` callable for :func:`profiles.store.load_files`.

    Each record is made as :func:`~profiles.governance.audit.record` would, with ``fixed`` details and the recipe's name
    and fingerprint (:func:`recipe_fingerprint`). When a recipe of the same name was used
    before for the feed with other content, the first load also writes an ``alter`` record
    (an *alteration*: from now on the partner's files are read differently), naming both
    fingerprints.
    """
    name, sha = recipe_fingerprint(recipe)
    said = []

    def _record(*, action: str, feed=None, **facts):
        extra = {"recipe": name, "recipe_sha256": sha} if name else {}
        if action == "ingest" and name and not said:
            said.append(True)
            before = [r for r in audit.read_log(db_path) if r.get("action") == "ingest"
                      and r.get("feed") == feed and r.get("recipe") == name]
            if before and before[-1].get("recipe_sha256") != sha:
                audit.record(db_path, user=user, action="alter", feed=feed, **fixed,
                       what="recipe re-loaded with changed content", recipe=name,
                       recipe_sha256=sha, previous_sha256=before[-1].get("recipe_sha256"))
        return audit.record(db_path, user=user, action=action, feed=feed, **fixed, **extra,
                            **facts)

    return _record


__all__ = ["load_recorder", "recipe_fingerprint", "retention_recorder"]
