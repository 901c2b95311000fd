"""The pack's fixed words, kept as text in ``sections.toml`` beside this module: each
section's title and the paragraph it opens with. The code that builds a section adds its
figures, tables, charts and notes; the words that never change are edited in one file.

Examples
--------
>>> s = section("victim")
>>> s.title, s.paragraphs[0].split(" are ")[0]
('Victim: harm reports and safeguarding', 'Harm reports')
"""
from __future__ import annotations

import functools
import tomllib
from importlib import resources

from profiles.pack.model import Section


@functools.cache
def _words() -> dict:
    return tomllib.loads(resources.files("profiles.pack").joinpath("sections.toml")
                         .read_text(encoding="utf-8"))


def section(key: str) -> Section:
    """Return a new, empty :class:`Section` ``key`` with its title and opening paragraph.

    Raises
    ------
    KeyError
        For a section ``sections.toml`` does not name.
    """
    words = _words()[key]
    return Section(key, words["title"], [words["intro"]] if "intro" in words else [])


__all__ = ["section"]
