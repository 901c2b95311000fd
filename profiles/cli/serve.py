"""``lantern serve``: run the Streamlit dashboard on a database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from profiles.cli import UserError, add_db_argument


def register(sub) -> None:
    """Add ``serve`` to the ``lantern`` parser."""
    p = sub.add_parser("serve", help="start the dashboard",
                       description="Start the Streamlit dashboard (read-only on the database).")
    add_db_argument(p)
    p.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p.add_argument("--address", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; put a sign-on proxy in "
                        "front for anything else)")
    p.add_argument("--basemap", metavar="FILE", default=None,
                   help="a TOML file naming a street map to draw under the hexagons: your "
                        "organisation's tile server or a local MBTiles/PMTiles file (default "
                        "$LANTERN_BASEMAP, else none; see README, 'Basemap')")
    p.set_defaults(func=lambda args: run_server(args.db, args.port, args.address,
                                                basemap=args.basemap))


def server_command(db, port: int, address: str = "127.0.0.1", *, basemap=None,
                   demo: bool = False) -> tuple[list[str], dict]:
    """Return the command and environment that serve the dashboard on ``db``.

    ``basemap`` (a TOML file, default ``$LANTERN_BASEMAP``) is checked now, so a bad one
    stops the command with a plain message rather than a broken map. The synthetic demo
    (``demo``) never draws a basemap.
    """
    from geo.basemap import BasemapError, load_basemap
    from profiles.governance import AccessError, check_binding, load_access
    from profiles.release import default_db_path

    try:   # header sign-on where anyone could send the headers: refused before anything runs
        check_binding(load_access(), address)
    except AccessError as exc:
        raise UserError(str(exc)) from None
    db = Path(db) if db else default_db_path()
    if not db.exists():
        raise UserError(f"no database at {db}; build the demo with `lantern demo` or load "
                        f"feeds with `lantern ingest`")
    from profiles.release import StoreTooOld, open_read_only

    try:                      # a store of an earlier layout is refused before anything starts
        open_read_only(db).close()
    except StoreTooOld as exc:
        raise UserError(str(exc)) from None
    app = Path(__file__).resolve().parents[2] / "dashboard" / "server.py"
    # LANTERN_WARM_CACHE: build the released tables in the background as soon as the server
    # opens the database, rather than on the first person's first page.
    env = dict(os.environ, LANTERN_DB=str(db.resolve()), LANTERN_WARM_CACHE="1")
    # Every session's script runs in a thread of its own, and glibc gives threads up to eight
    # memory arenas per core, each keeping freed memory for itself: two keep the server's
    # resident memory near what it uses (unless the operator chose otherwise).
    env.setdefault("MALLOC_ARENA_MAX", "2")
    # Analysts' uploads are read inside the server: spreadsheets and GIS files are parsed in
    # a child process held to this many MB, so a file that exhausts a reader is refused and
    # the server carries on (data_contracts.isolated).
    env.setdefault("LANTERN_READ_LIMIT_MB", "2048")
    env.pop("LANTERN_BASEMAP", None)
    if not demo:
        source = basemap or os.environ.get("LANTERN_BASEMAP")
        try:
            if load_basemap(source, environ={}) is not None:
                env["LANTERN_BASEMAP"] = str(Path(source).resolve())
        except BasemapError as exc:
            raise UserError(str(exc)) from None
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", address, "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
           "--theme.base", "light", "--client.toolbarMode", "viewer",
           # analysts' uploads on Data status: Streamlit refuses anything larger in the browser
           # (the page refuses a file over $LANTERN_UPLOAD_MB itself, in plain words)
           "--server.maxUploadSize", str(_upload_limit_mb())]
    return cmd, env


def remove_leftovers(db) -> list:
    """Remove the full copies of the store at ``db`` that ended processes left behind, and
    write one ``cleanup`` line per file in the audit log; return the files' paths."""
    from profiles.governance import audit
    from profiles.release import remove_leftover_copies

    removed = remove_leftover_copies(db)
    for path, kind in removed:
        audit.record(db, user=audit.local_user(), action="cleanup", file_name=path.name[:200],
                     copy=kind, via="serve")
    return [path for path, _ in removed]


def _upload_limit_mb() -> int:
    """``$LANTERN_UPLOAD_MB`` (default 200), as the dashboard reads it (dashboard.loading)."""
    try:
        value = int(os.environ.get("LANTERN_UPLOAD_MB", "200"))
    except ValueError:
        return 200
    return value if value > 0 else 200


def run_server(db, port: int, address: str = "127.0.0.1", *, basemap=None,
               demo: bool = False) -> int:
    """Serve the dashboard until stopped.

    The ``lantern`` process *becomes* the Streamlit server (``os.execve``), so a SIGTERM or
    SIGINT sent to the pid of ``lantern serve`` — by ``kill``, systemd or a supervisor —
    reaches the server itself, which shuts down and frees its port. There is no parent left
    behind to orphan a child.

    Before it starts, the copies of the store that a killed server or ingest left behind are
    removed, each with a line in the audit log (:func:`remove_leftovers`); the server removes
    its own as it shuts down (``dashboard/server.py``).

    Returns
    -------
    int
        Never returns on success (the process is replaced); the exit code of the server
        where ``exec`` is unavailable.

    Raises
    ------
    UserError
        When there is no database at ``db``.
    """
    cmd, env = server_command(db, port, address, basemap=basemap, demo=demo)
    remove_leftovers(env["LANTERN_DB"])
    print(f"Lantern dashboard: http://{address}:{port}  (Ctrl+C to stop)", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    if hasattr(os, "execve") and os.name == "posix":
        os.execve(cmd[0], cmd, env)
    try:  # pragma: no cover - platforms without exec (Windows)
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:  # pragma: no cover
        return 0
