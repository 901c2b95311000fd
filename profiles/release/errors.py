"""Errors with two audiences: a message for a programmer, and a sentence for a page.

A message such as ``targets= is empty; pick at least one hexagon or an area`` is right for the
``lantern`` command and the Python API, which name their arguments. A person at a dashboard
never sees an argument: a page shows :func:`in_plain_words` of the error, which is the
sentence given at the raise site (``words=``), or the page's own fallback — never the
programmer's message, an exception name or a code identifier.

Examples
--------
>>> err = PlainWordsError("targets= is empty", words="This area is too small to show.")
>>> str(err), in_plain_words(err, "Nothing to show.")
('targets= is empty', 'This area is too small to show.')
>>> in_plain_words(ValueError("x= must be 1"), "Nothing to show for these choices.")
'Nothing to show for these choices.'
"""
from __future__ import annotations


class PlainWordsError(ValueError):
    """A refusal that also carries a sentence in the user's words (``words``)."""

    def __init__(self, message: str, *, words: str | None = None) -> None:
        super().__init__(message)
        self.words = words


def in_plain_words(exc: BaseException, fallback: str) -> str:
    """Return the sentence a page shows for ``exc``: its ``words``, else ``fallback``."""
    return getattr(exc, "words", None) or fallback


__all__ = ["PlainWordsError", "in_plain_words"]
