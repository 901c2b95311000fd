"""``lantern describe``: the DPIA / record-of-processing annex, from the live store and
configuration (:mod:`profiles.governance.annex`)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from profiles.cli import UserError, add_db_argument

#: What the annex's files are called in ``--out DIR``.
ANNEX_NAMES = ("dpia-annex.md", "dpia-annex.html")


def register(sub) -> None:
    """Add ``describe`` to the ``lantern`` parser."""
    p = sub.add_parser("describe", help="write the DPIA / record-of-processing annex",
                       description="Describe what Lantern does with personal data, from the "
                                   "live store and configuration: feeds and the columns kept, "
                                   "what is refused, retention, audiences and roles, the "
                                   "disclosure method, key custody, logs and file "
                                   "permissions, and the force's legal-basis answers (kept in "
                                   "lantern-dpia.toml beside the store). Markdown and HTML.")
    add_db_argument(p)
    p.add_argument("--out", metavar="DIR", default=None,
                   help=f"write {' and '.join(ANNEX_NAMES)} into DIR (default: print the "
                        f"Markdown)")
    p.set_defaults(func=_describe, format="markdown and html")


def lantern_files(db: Path) -> list:
    """The files and folders Lantern keeps beside the store ``db``, as (what, path)."""
    from profiles.governance import audit
    from profiles.governance.annex import dpia_path
    from profiles.planning.scenarios import scenario_dir
    from profiles.release.table_files import folder_for

    rows = [("the store", db), ("hashing key", Path(f"{db}.key")),
            ("audit log", audit.audit_path(db)),
            ("audit log's signed head", audit.head_path(db)),
            ("audit log's signing key", audit.audit_key_path(db)),
            ("released tables (cache)", folder_for(db)),
            # profiles.store.default_quarantine_dir: the CLI reads the store only to ingest
            ("quarantine reports", db.resolve().parent / "lantern-quarantine"),
            ("saved scenarios", scenario_dir(db)),
            ("legal-basis answers", dpia_path(db))]
    folder = db.resolve().parent
    quarantine = folder / "lantern-quarantine"
    if quarantine.is_dir():
        rows += [(f"quarantine report {p.name}", p) for p in sorted(quarantine.iterdir())[:20]]
    leftovers = sorted([*folder.glob(f".{db.name}.snap-*"), *folder.glob(f"{db.name}.updating-*")])
    rows += [("left-over copy of the store", p) for p in leftovers]
    return rows


def _describe(args) -> int:
    from profiles.governance.annex import (AnnexError, describe_store, dpia_path,
                                           dpia_template)
    from profiles.governance.annex_render import annex_to_html, annex_to_markdown
    from profiles.release import data_status, default_db_path, open_read_only

    db = Path(args.db) if args.db else default_db_path()
    if not db.exists():
        raise UserError(f"{db}: no store here; give --db PATH, or load feeds first")
    con = open_read_only(db)
    try:
        status = data_status(con)
    finally:
        con.close()
    answers = dpia_path(db)
    if not answers.exists():
        fd = os.open(answers, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dpia_template())
        print(f"Wrote a blank {answers}: the force fills in its legal-basis answers there, "
              f"and the annex carries them.", file=sys.stderr)
    try:
        annex = describe_store(db, status=status, files=lantern_files(db))
    except AnnexError as exc:
        raise UserError(str(exc)) from None
    if not args.out:
        sys.stdout.write(annex_to_markdown(annex))
        return 0
    out = Path(args.out)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, text in zip(ANNEX_NAMES, (annex_to_markdown(annex), annex_to_html(annex))):
        path = out / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    print(f"wrote {out / ANNEX_NAMES[0]} and {out / ANNEX_NAMES[1]} ({annex.marking})",
          file=sys.stderr)
    return 0
