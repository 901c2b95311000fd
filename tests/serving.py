"""Start ``lantern serve`` for a test (a free port, the command, a health wait), and open
headless Chromium on it.

Shared by the browser tests and the server-lifecycle test (not a test module itself).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

#: Debian's Chromium, driven by Playwright (``playwright install`` cannot download here)
CHROMIUM = "/usr/bin/chromium"
#: software WebGL for the maps, and nothing fetched from the internet by the browser itself
ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic"]


@contextmanager
def chromium_page(tmp_path, *, width: int = 1600, height: int = 1800, timeout_ms=60_000,
                  **options):
    """Yield a page in headless Chromium with its own profile and ``HOME`` under ``tmp_path``
    (Chromium writes ``~/.config``); the browser is closed afterwards.

    ``options`` go to Playwright's ``launch_persistent_context`` (``accept_downloads=True``).
    """
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium"
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, headless=True,
            args=ARGS, viewport={"width": width, "height": height},
            env=dict(os.environ, HOME=str(tmp_path)), **options)
        try:
            context.set_default_timeout(timeout_ms)
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def choose_option(page, widget, option: str) -> None:
    """Choose ``option`` in a Streamlit selectbox or multiselect the keyboard way: open it,
    type the option's words, and press Enter once that option is listed.

    Clicking an option with the mouse was lost now and then on a loaded machine: the list
    moved between the press and the release, so the click landed on the list itself.
    """
    widget.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).first.wait_for()
    page.keyboard.press("Enter")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Return True when a new server could bind ``port`` on 127.0.0.1."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def start_serve(db, port: int, home, *extra: str, env: dict | None = None) -> subprocess.Popen:
    """Start ``lantern serve`` on ``db`` in its own session (so a test can clean up the group)."""
    lantern = Path(sys.executable).with_name("lantern")
    cmd = ([str(lantern)] if lantern.exists() else [sys.executable, "-m", "profiles.cli"])
    env = dict(os.environ if env is None else env, HOME=str(home))
    return subprocess.Popen([*cmd, "serve", "--db", str(db), "--port", str(port), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok``; fail if the server exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"lantern serve exited with {proc.returncode}: "
                                 f"{proc.stdout.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"lantern serve was not healthy at {url} within {timeout:.0f} s")


def stop_serve(proc: subprocess.Popen) -> None:
    """Stop a server started by :func:`start_serve` and everything in its process group."""
    import os
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
