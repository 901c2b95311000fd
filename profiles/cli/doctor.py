"""``lantern doctor``: is this installation safe and healthy? Each check in plain words.

Checks the configuration (access, audiences, basemap), how access and binding fit together
(header sign-on only behind a proxy; police-only audiences open to everyone only on synthetic
data), the hashing key (present, mode 0600), who else could read the store, its cache, audit
log and quarantine reports, the free disk space an ingest needs (a copy of the store), and the
audit log's chain. Exits 1 when anything is a problem, so a monitoring job can run it.
"""
from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from data_contracts.words import plural
from profiles.cli import command


@dataclass(frozen=True)
class Finding:
    """One check's result: ``ok`` or a problem, in words, with the fix for a problem.

    >>> Finding("store", False, "not found", "run lantern demo").line()
    'PROBLEM store: not found Fix: run lantern demo'
    """

    check: str
    ok: bool
    text: str
    fix: str = ""

    def line(self) -> str:
        """The finding as one line of the report."""
        head = f"{'ok' if self.ok else 'PROBLEM':<8}{self.check}: {self.text}"
        return head if self.ok or not self.fix else f"{head} Fix: {self.fix}"


def register(sub) -> None:
    """Add ``doctor`` to the ``lantern`` parser."""
    p = command(sub, _doctor, "doctor")
    p.add_argument("--address", default="127.0.0.1",
                   help="the address `lantern serve` listens on (default 127.0.0.1)")
    p.add_argument("--min-free-gb", type=float, default=1.0, metavar="GB",
                   help="free disk space to ask for beyond a copy of the store (default 1)")


def _doctor(args) -> int:
    """check the installation (config, access, key, permissions, disk, audit log)

    Check that this installation is safe and healthy, in plain words. Exits 1 if anything is a
    problem.
    """
    from profiles.release import default_db_path

    db = Path(args.db) if args.db else default_db_path()
    findings = diagnose(db, address=args.address, min_free=args.min_free_gb * (1 << 30))
    for f in findings:
        print(f.line())
    problems = [f for f in findings if not f.ok]
    print(plural(len(problems), "problem") if problems else "no problems found")
    return 1 if problems else 0


def diagnose(db: Path, *, address: str = "127.0.0.1", min_free: float = 1 << 30) -> list:
    """Return the :class:`Finding` of every check, in the report's order."""
    findings: list[Finding] = []
    config = _config(findings)
    synthetic = _store(db, findings)
    if config is not None:
        _access(config, address, synthetic, findings)
    _key(db, findings)
    _permissions(db, findings)
    _disk(db, min_free, findings)
    _audit(db, findings)
    return findings


def _config(findings: list):
    from geo.basemap import BasemapError, load_basemap
    from profiles.governance import AccessError, load_access
    from profiles.release import AUDIENCES, PolicyError, load_policies

    config = None
    try:
        config = load_access()
        findings.append(Finding("access file", True, f"{_access_path()} is valid "
                                                     f"(mode {config.mode!r})."))
    except AccessError as exc:
        findings.append(Finding("access file", False, str(exc),
                                "correct the file, or unset LANTERN_ACCESS for the default."))
    try:
        policies = load_policies()
        missing = [a for a in AUDIENCES if a not in policies]
        findings.append(Finding("audiences file", not missing,
                                "every audience has a disclosure policy." if not missing else
                                f"no policy for {', '.join(missing)}.",
                                "restore the audiences file or unset LANTERN_AUDIENCES."))
    except (PolicyError, OSError, ValueError) as exc:
        findings.append(Finding("audiences file", False, str(exc),
                                "correct the file, or unset LANTERN_AUDIENCES."))
    try:
        basemap = load_basemap()
        findings.append(Finding("basemap", True, "none configured (the default)."
                                if basemap is None else f"{basemap.source}."))
    except BasemapError as exc:
        findings.append(Finding("basemap", False, str(exc), "correct LANTERN_BASEMAP's file."))
    return config


def _access_path() -> str:
    from profiles.governance import DEFAULT_PATH

    return os.environ.get("LANTERN_ACCESS") or str(DEFAULT_PATH)


def _access(config, address: str, synthetic: bool | None, findings: list) -> None:
    from profiles.governance import AccessError, check_binding, is_loopback

    try:
        check_binding(config, address)
    except AccessError as exc:
        findings.append(Finding("access and binding", False, str(exc)))
        return
    if config.mode == "header":
        who = (", ".join(config.trusted_proxies) if config.trusted_proxies
               else "this machine (loopback) only")
        findings.append(Finding("access and binding", True,
                                f"header sign-on on {address}; identity accepted from {who}."))
        return
    police = [a for a in config.unidentified if a != "partnership"]
    if police and synthetic is not True:
        findings.append(Finding(
            "access and binding", False,
            f"everyone who can reach {address} may see {', '.join(police)} without signing "
            f"on, and this store is not the synthetic demo.",
            "set unidentified_audiences = [\"partnership\"] in the access file and put "
            "Lantern behind sign-on (README, 'Deploying')."))
        return
    where = "this machine only" if is_loopback(address) else f"anyone who can reach {address}"
    findings.append(Finding("access and binding", True,
                            f"mode {config.mode!r} on {address} ({where}); viewers not signed "
                            f"on see {', '.join(config.unidentified)}."))


def _store(db: Path, findings: list) -> bool | None:
    """Whether the store opens; returns whether it is synthetic (None when it does not open)."""
    from profiles.release import is_synthetic, open_read_only

    if not db.is_file():
        findings.append(Finding("store", False, f"there is no database at {db}.",
                                "name it with --db or LANTERN_DB, or load feeds with "
                                "`lantern ingest`."))
        return None
    from profiles.release import StoreTooOld
    from profiles.store import SCHEMA_VERSION

    try:
        con = open_read_only(db)
        try:
            synthetic = bool(is_synthetic(con))
        finally:
            con.close()
    except StoreTooOld as exc:
        findings.append(Finding("schema", False, f"{db} has layout {exc.found}, written by an "
                                                 f"earlier Lantern; this version reads layout "
                                                 f"{SCHEMA_VERSION}.",
                                f"run `lantern migrate --db {db}` (it backs the store up "
                                f"first)."))
        return None
    except Exception as exc:  # noqa: BLE001 - DuckDB's own error types
        findings.append(Finding("store", False, f"{db} does not open "
                                                f"({type(exc).__name__}).",
                                "restore it from a backup (`lantern restore`)."))
        return None
    findings.append(Finding("store", True, f"{db} opens"
                            + (" (synthetic demonstration data)." if synthetic else ".")))
    findings.append(Finding("schema", True, f"the store's layout is {SCHEMA_VERSION}, this "
                                            f"version's."))
    return synthetic


def _key(db: Path, findings: list) -> None:
    if os.environ.get("LANTERN_KEY"):
        try:
            bytes.fromhex(os.environ["LANTERN_KEY"])
            findings.append(Finding("key", True, "taken from LANTERN_KEY."))
        except ValueError:
            findings.append(Finding("key", False, "LANTERN_KEY is not hexadecimal.",
                                    "set it to the key's hex digits."))
        return
    path = Path(f"{db}.key")
    if not path.exists():
        findings.append(Finding("key", False, f"no key file at {path}: files loaded from now "
                                              f"on would not match earlier ones by premises "
                                              f"or subject.",
                                "restore it from where it was backed up "
                                "(`lantern restore --key`)."))
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        findings.append(Finding("key", False, f"{path} has mode {mode:04o}: other users can "
                                              f"read it.", f"chmod 600 {path}"))
        return
    try:
        bytes.fromhex(path.read_text().strip())
    except (ValueError, OSError):
        findings.append(Finding("key", False, f"{path} is not a key file (hexadecimal).",
                                "restore it from where it was backed up."))
        return
    findings.append(Finding("key", True, f"{path} is present, mode 0600."))


def _open_to_others(path: Path) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)


def _permissions(db: Path, findings: list) -> None:
    folder = db.parent if db.parent != Path("") else Path(".")
    if not folder.is_dir():
        return
    if not os.access(folder, os.W_OK | os.X_OK):
        findings.append(Finding("permissions", False, f"{folder} cannot be written by this "
                                                      f"user, so no ingest can swap a new "
                                                      f"store in.",
                                "run as the store's owner, or chown it to this user."))
    if not _open_to_others(folder):
        mode = stat.S_IMODE(folder.stat().st_mode)
        findings.append(Finding("permissions", True, f"{folder} is closed to other users "
                                                     f"(mode {mode:04o})."))
        return
    exposed = [p for p in (db, Path(f"{db}.audit.jsonl"), db.with_name(f".{db.name}.release"),
                           folder / "lantern-quarantine")
               if p.exists() and _open_to_others(p)]
    if exposed:
        findings.append(Finding("permissions", False,
                                f"other users can reach {folder} and read "
                                f"{', '.join(p.name for p in exposed)} (OFFICIAL-SENSITIVE).",
                                f"chmod 700 {folder}"))
    else:
        findings.append(Finding("permissions", True, "the store, its cache, audit log and "
                                                     "quarantine reports are readable by "
                                                     "their owner only."))


def _disk(db: Path, min_free: float, findings: list) -> None:
    folder = db.parent if db.parent != Path("") else Path(".")
    if not folder.is_dir():
        return
    free = shutil.disk_usage(folder).free
    size = db.stat().st_size if db.exists() else 0
    need = size + min_free             # an ingest writes a whole copy of the store
    gb = 1 << 30
    if free < need:
        findings.append(Finding("disk space", False,
                                f"{free / gb:,.1f} GB free beside the store; an ingest needs a "
                                f"copy of it ({size / gb:,.1f} GB) and {min_free / gb:,.1f} GB "
                                f"more.", "free space on that disk, or move the store."))
    else:
        findings.append(Finding("disk space", True, f"{free / gb:,.1f} GB free beside the "
                                                    f"store ({size / gb:,.2f} GB)."))


def _audit(db: Path, findings: list) -> None:
    from profiles.governance import audit

    try:
        ok, where = audit.verify_chain(db)
    except (ValueError, UnicodeDecodeError) as exc:
        ok, where = False, f"a line is not a record ({type(exc).__name__})"
    path = audit.audit_path(db)
    if ok:
        findings.append(Finding("audit log", True, f"{path}: {where}."
                                if where != "ok" else f"{path}: the chain is intact."))
    else:
        findings.append(Finding("audit log", False, f"{path} has been altered: {where}.",
                                "keep the altered file as evidence, tell whoever is "
                                "responsible for information security, and start a new log "
                                "from a backup's copy."))
