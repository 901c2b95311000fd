"""The process heap while the release engine builds tables: freed arrays kept for reuse.

The engine makes and drops numpy arrays of tens of MB hundreds of times. glibc's malloc maps
each large one afresh (past its threshold: 128 KiB, rising to 32 MiB at most) and unmaps it
on free, so every page of the next one faults on first touch. :func:`freed_memory_kept` lets
freed arrays stay in the heap for the next, then gives the heap back. The national tables
after a load take about 10 % less time so, at the same peak (``bench/README.md``).
"""
from __future__ import annotations

import ctypes
from contextlib import contextmanager

#: glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: While tables are built: arrays below this come from the heap...
KEPT_MMAP = 512 << 20
#: ... and up to this much freed memory at its top is not handed back.
KEPT_TRIM = 1 << 30
#: Afterwards: where glibc's own sliding thresholds end in a process that frees large arrays
#: (the map threshold rises to the largest freed map, 32 MiB at most, and the trim threshold
#: to twice that). Setting any value stops the sliding, so these are set, not its start.
AFTER_MMAP, AFTER_TRIM = 32 << 20, 64 << 20


def _glibc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:                  # not glibc (macOS, musl): nothing is changed
        return None


@contextmanager
def freed_memory_kept():
    """Within the block, freed memory stays in this process's heap for reuse (glibc only; a
    no-op elsewhere). On leaving, thresholds like glibc's own are set again
    (:data:`AFTER_MMAP`) and the free heap is handed back to the system, so a process that
    goes on (a test run, a long command) holds no more than before. Yields whether glibc took
    the settings."""
    libc = _glibc()
    took = bool(libc and libc.mallopt(M_MMAP_THRESHOLD, KEPT_MMAP)
                and libc.mallopt(M_TRIM_THRESHOLD, KEPT_TRIM))
    try:
        yield took
    finally:
        if libc:
            libc.mallopt(M_MMAP_THRESHOLD, AFTER_MMAP)
            libc.mallopt(M_TRIM_THRESHOLD, AFTER_TRIM)
            libc.malloc_trim(0)
