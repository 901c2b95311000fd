"""Build the demo database from the synthetic town."""
from __future__ import annotations

from pathlib import Path

from data_contracts.private_files import private_dir, private_parents
from profiles.store import database as store
from profiles.store.ingest import IngestResult, ingest_file
from profiles.store.keys import load_key
from sample_data.generate import LOAD_ORDER, write_town


def build_demo(db_path, *, seed: int = 7, scale: float = 1.0, data_dir=None,
               progress=None) -> list[IngestResult]:
    """Generate the synthetic town and load every feed into a fresh database at ``db_path``.

    An existing database at ``db_path`` is replaced only if it is itself a demo database;
    a real one is refused.

    Returns
    -------
    list of IngestResult, one per feed file.

    Raises
    ------
    FileExistsError
        If ``db_path`` holds a database that is not Lantern's synthetic demo.
    """
    db_path = Path(db_path)
    store.remove_synthetic(db_path, "holds real (non-demo) data; choose another --db for "
                                    "the demo")
    private_parents(db_path)
    data_dir = Path(data_dir) if data_dir else private_dir(db_path.parent / "lantern-demo-data")
    paths = write_town(data_dir, seed=seed, scale=scale)
    con = store.connect(db_path)
    store.set_meta(con, "synthetic", "true")
    # the synthetic town's figures are the same on every machine (a real store's salt is random)
    store.set_meta(con, "release_salt", f"synthetic-demo-{seed}")
    key = load_key(db_path)
    results = []
    for feed in LOAD_ORDER:
        if progress:
            progress(f"loading {feed} …")
        results.append(ingest_file(con, feed, paths[feed], key=key))
    con.close()
    return results
