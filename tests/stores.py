"""Helpers for tests that change a store: work on a copy, key and all."""
from __future__ import annotations

import shutil


def copy_store(src, dst):
    """Copy the store at ``src`` and its key file to ``dst``; return ``dst``."""
    shutil.copy(src, dst)
    shutil.copy(f"{src}.key", f"{dst}.key")
    return dst
