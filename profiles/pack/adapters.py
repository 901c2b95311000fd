"""The analyses the pack uses when they are installed, and the note it prints when one is not.

The pack draws on analyses written alongside it (change, coverage, premises trend, hotspots,
reference layers, evaluation). Each is looked up when a pack is built; a missing one leaves its
part of the pack with the note :data:`NOT_AVAILABLE` rather than failing the whole pack.

Examples
--------
>>> analysis("profiles.release.api", "release_counts") is not None
True
>>> analysis("profiles.no_such_module", "f") is None
True
>>> missing_note("profiles.no_such_module", "f")
'analysis not available: profiles.no_such_module.f is not installed in this version.'
>>> notes = []
>>> guarded(notes, lambda: __import__("profiles.no_such_module"))
>>> notes
['analysis not available: profiles.no_such_module is not installed in this version.']
"""
from __future__ import annotations

import functools
import importlib

#: The note a pack prints where an analysis is missing.
NOT_AVAILABLE = "analysis not available"


def analysis(module: str, name: str):
    """Return ``module.name`` if it can be imported, else None."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def missing_note(module: str, name: str) -> str:
    """Return the pack's note for an analysis that is not installed."""
    return f"{NOT_AVAILABLE}: {module}.{name} is not installed in this version."


def analysis_or_note(notes: list, module: str, name: str, unshown: str):
    """Return ``module.name``, or None after noting in ``notes`` that it is not installed and
    what is therefore ``unshown`` ("Hotspots are not shown.")."""
    fn = analysis(module, name)
    if fn is None:
        notes.append(f"{missing_note(module, name)} {unshown}")
    return fn


def needs_analysis(module: str, name: str, unshown: str):
    """Decorate a part of a section, ``part(ctx, s, *args, fn)``, that needs ``module.name``
    (passed as ``fn``): when the analysis is not installed, the part only notes so in
    ``s.notes`` (:func:`analysis_or_note`)."""
    def decorate(part):
        @functools.wraps(part)
        def run(ctx, s, *args):
            fn = analysis_or_note(s.notes, module, name, unshown)
            return None if fn is None else part(ctx, s, *args, fn)
        return run
    return decorate


def guarded(notes: list, func, *args, **kwargs):
    """Run one part of the pack; if an analysis it needs fails to import, note it and go on.

    Returns what ``func`` returns, or None when an import failed (the note is appended to
    ``notes``). Any other error is raised: only a missing analysis is degraded.
    """
    try:
        return func(*args, **kwargs)
    except ImportError as exc:
        notes.append(f"{NOT_AVAILABLE}: {exc.name or exc} is not installed in this version.")
        return None
