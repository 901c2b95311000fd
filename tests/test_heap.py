"""While the release engine builds tables, freed arrays stay in the heap; afterwards the heap
is handed back (profiles.cli.heap), measured as the resident memory of a fresh process."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

_CHILD = textwrap.dedent("""
    import json, os
    import numpy as np
    from profiles.cli.heap import freed_memory_kept
    page = os.sysconf("SC_PAGE_SIZE")

    def resident():
        return int(open("/proc/self/statm").read().split()[1]) * page >> 20

    def made_and_dropped():            # a 64 MiB array, every page touched, then freed
        a = np.ones(8 << 20)
        del a
        return resident()

    base = resident()
    plain = made_and_dropped() - base
    with freed_memory_kept() as took:
        inside = made_and_dropped() - base
        again = made_and_dropped() - base          # reused, not a second 64 MiB
    after = resident() - base
    later = made_and_dropped() - base              # mapped and unmapped again, as before
    print(json.dumps({"took": took, "plain": plain, "inside": inside, "again": again,
                      "after": after, "later": later}))
""")


def test_freed_arrays_are_kept_while_tables_are_built_and_handed_back_after():
    out = subprocess.run([sys.executable, "-c", _CHILD], check=True, capture_output=True,
                         text=True, cwd=Path(__file__).resolve().parents[1])
    mib = json.loads(out.stdout.strip().splitlines()[-1])
    assert mib["took"] is True, mib                  # glibc (Debian) took the settings
    assert mib["plain"] < 16, mib                    # by default a large array is unmapped
    assert mib["inside"] >= 60, mib                  # kept in the heap for the next one
    assert mib["again"] < mib["inside"] + 16, mib    # and the next one reuses it
    assert mib["after"] < 16, mib                    # given back on leaving
    assert mib["later"] < 16, mib                    # and large arrays no longer kept
