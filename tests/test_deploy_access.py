"""Header sign-on only where the proxy alone can send the headers, and pages that follow the
checked audience (issue 28: "anyone can make themselves an analyst").

The server tests start the real ``lantern serve`` bound to every address (``0.0.0.0``) with
header sign-on and ``trusted_proxies = ["127.0.0.1"]``, then connect from 127.0.0.2 (another
address of this machine, so not the proxy) with forged identity headers, as an attacker who
reaches the port would.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from serving import free_port, start_serve, stop_serve, wait_healthy

from profiles.governance import audit
from profiles.governance.access import (DEFAULT_PATH, REFUSED, AccessConfig, AccessError,
                                        check_binding, load_access, resolve_identity)

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
ROLES = {"partner": ("partnership",), "commander": ("partnership", "command"),
         "analyst": ("partnership", "command", "analyst")}
FORGED = {"X-Forwarded-User": "mallory", "X-Forwarded-Role": "analyst"}


def header_access(tmp_path, proxies: list[str] | None) -> Path:
    path = tmp_path / "access.toml"
    line = "" if proxies is None else f"trusted_proxies = {proxies!r}\n".replace("'", '"')
    path.write_text('[identity]\nmode = "header"\n' + line +
                    '[roles]\npartner = ["partnership"]\ncommander = ["partnership", "command"]\n'
                    'analyst = ["partnership", "command", "analyst"]\n')
    return path


# ---- the rule, as data ------------------------------------------------------------------------

@pytest.mark.parametrize("mode, address, proxies, refused", [
    ("header", "0.0.0.0", (), True),
    ("header", "::", (), True),
    ("header", "192.168.1.20", (), True),
    ("header", "127.0.0.1", (), False),
    ("header", "localhost", (), False),
    ("header", "0.0.0.0", ("10.0.0.5",), False),
    ("none", "0.0.0.0", (), False),
    ("oidc", "0.0.0.0", (), False),
], ids=["any-v4", "any-v6", "lan", "loopback", "localhost", "with-proxies", "no-sign-on",
        "oidc"])
def test_header_sign_on_on_an_open_address_needs_trusted_proxies(mode, address, proxies,
                                                                refused):
    config = AccessConfig(mode, ROLES, trusted_proxies=proxies)
    if refused:
        with pytest.raises(AccessError, match=r"choose their own role\. Set trusted_proxies"):
            check_binding(config, address)
    else:
        check_binding(config, address)


@pytest.mark.parametrize("peer, audiences", [
    ("10.0.0.5", ("partnership", "command", "analyst")),
    ("10.0.0.6", ()),
    ("127.0.0.1", ()),
    ("::ffff:10.0.0.5", ("partnership", "command", "analyst")),
    (None, ()),
    ("not an address", ()),
], ids=["proxy", "other-host", "loopback-not-listed", "v4-mapped-proxy", "unknown", "garbage"])
def test_only_a_trusted_proxy_may_name_the_role(peer, audiences):
    config = AccessConfig("header", ROLES, trusted_proxies=("10.0.0.5",))
    ident = resolve_identity(config, headers=FORGED, peer=peer)
    assert ident.audiences == audiences
    if not audiences:
        assert ident.user is None and ident.message == REFUSED


def test_without_trusted_proxies_only_loopback_is_trusted():
    config = AccessConfig("header", ROLES)
    assert resolve_identity(config, headers=FORGED, peer="127.0.0.1").audiences[-1] == "analyst"
    assert resolve_identity(config, headers=FORGED, peer="192.168.1.7").audiences == ()


@pytest.mark.parametrize("value", ['["not-an-ip"]', '"10.0.0.5"', "[5]"],
                         ids=["bad-address", "not-a-list", "number"])
def test_bad_trusted_proxies_refuse_to_start(tmp_path, value):
    path = tmp_path / "access.toml"
    path.write_text(f'[identity]\nmode = "header"\ntrusted_proxies = {value}\n'
                    '[roles]\np = ["partnership"]\n')
    with pytest.raises(AccessError, match="trusted_proxies must list the sign-on proxy's"):
        load_access(path)


def test_the_shipped_access_file_names_no_proxy():
    assert load_access(DEFAULT_PATH).trusted_proxies == ()


# ---- lantern serve refuses the dangerous configuration --------------------------------------

def test_lantern_serve_refuses_header_mode_on_every_address(demo_copy, tmp_path):
    env = {"LANTERN_ACCESS": str(header_access(tmp_path, None)), "HOME": str(tmp_path),
           "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-m", "profiles.cli", "serve", "--db", str(demo_copy),
                          "--address", "0.0.0.0", "--port", str(free_port())],
                         capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode != 0
    assert "header sign-on on 0.0.0.0 would let anyone" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_dashboard_server_itself_refuses_it_too(demo_copy, tmp_path):
    """Running dashboard/server.py with Streamlit directly cannot skip the check."""
    env = {"LANTERN_ACCESS": str(header_access(tmp_path, None)), "HOME": str(tmp_path),
           "PATH": "/usr/bin:/bin", "LANTERN_DB": str(demo_copy)}
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run",
                             str(DASHBOARD / "server.py"), "--server.address", "0.0.0.0",
                             "--server.port", str(port), "--server.headless", "true"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        stop_serve(proc)
        pytest.fail("the server started header sign-on on 0.0.0.0 with no trusted proxies")
    assert proc.returncode != 0
    assert b"Lantern will not start: header sign-on on 0.0.0.0" in out


# ---- a real server: refused peers, trusted proxy ------------------------------------------------

def _get(port: int, path: str, source: str, headers: dict | None = None) -> tuple[int, str]:
    """GET ``path`` on 127.0.0.1:``port`` from the local address ``source``."""
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=(source, 0)) as sock:
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
                 *(f"{k}: {v}" for k, v in (headers or {}).items()), "", ""]
        sock.sendall("\r\n".join(lines).encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode(errors="replace")


def _websocket(port: int, source: str, headers: dict) -> str:
    """Open Streamlit's websocket from ``source`` with ``headers``; 'open' or the refusal."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    try:
        with connect(f"ws://127.0.0.1:{port}/_stcore/stream", sock=sock,
                     additional_headers=headers, subprotocols=["streamlit"],
                     open_timeout=10):
            return "open"
    except InvalidStatus as exc:
        return f"refused {exc.response.status_code}"


@pytest.fixture
def header_server(demo_copy, tmp_path):
    access = header_access(tmp_path, ["127.0.0.1"])
    port = free_port()
    proc = start_serve(demo_copy, port, tmp_path, "--address", "0.0.0.0",
                       env={**__import__("os").environ, "LANTERN_ACCESS": str(access)})
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, timeout=60)
        yield port, demo_copy
    finally:
        stop_serve(proc)


@pytest.mark.slow
def test_a_peer_that_is_not_the_proxy_is_refused_whatever_headers_it_sends(header_server):
    port, db = header_server
    status, body = _get(port, "/", "127.0.0.2", FORGED)
    assert status == 403 and body.strip() == REFUSED
    status, body = _get(port, "/map", "127.0.0.2", FORGED)
    assert status == 403 and "sign-on proxy" in body
    assert _websocket(port, "127.0.0.2", FORGED) == "refused 403"
    # the health check answers anyone, and says nothing else
    assert _get(port, "/_stcore/health", "127.0.0.2") == (200, "ok")
    # the trusted proxy is served (the page and the websocket)
    status, body = _get(port, "/", "127.0.0.1", FORGED)
    assert status == 200 and "<html" in body.lower()
    assert _websocket(port, "127.0.0.1", FORGED) == "open"
    # mallory never reached a session: nothing was recorded in her name
    assert not [r for r in audit.read_log(db) if r.get("user") == "mallory"]


# ---- pages follow the checked audience (AppTest, forged session values) ---------------------

def _app(audience: str) -> AppTest:
    at = AppTest.from_file(str(DASHBOARD / "app.py"), default_timeout=60)
    at.session_state["audience"] = audience
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_forged_audience_in_the_session_does_not_open_police_pages(demo_copy, monkeypatch):
    monkeypatch.setenv("LANTERN_DB", str(demo_copy))
    monkeypatch.setenv("LANTERN_ACCESS", str(DEFAULT_PATH))     # partnership only
    at = _app("analyst")                                        # never offered, set anyway
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/patrols.py")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/evaluate.py")
    at.switch_page("pages/map.py").run()
    assert not at.exception and at.title[0].value == "Map"
    assert at.selectbox(key="w_audience").options == ["Partnership meeting"]


def test_the_same_session_value_opens_them_where_sign_on_allows_it(demo_copy, monkeypatch):
    """The check above is not vacuous: an allowed analyst gets the police pages."""
    from profiles.governance.access import DEMO_PATH

    monkeypatch.setenv("LANTERN_DB", str(demo_copy))
    monkeypatch.setenv("LANTERN_ACCESS", str(DEMO_PATH))
    at = _app("analyst")
    at.switch_page("pages/patrols.py").run()
    assert not at.exception and at.title[0].value == "Patrol planning"


def test_a_refused_viewer_sees_the_refusal_and_nothing_else(demo_copy, tmp_path, monkeypatch):
    """Header sign-on whose proxy is elsewhere: this session (from this machine) is refused,
    whatever audience its state claims."""
    monkeypatch.setenv("LANTERN_DB", str(demo_copy))
    monkeypatch.setenv("LANTERN_ACCESS", str(header_access(tmp_path, ["10.0.0.5"])))
    at = _app("analyst")
    assert [e.value for e in at.error] == [REFUSED]
    assert not at.selectbox and not at.metric and not at.title
    assert not at.get("deck_gl_json_chart")
    at.switch_page("pages/map.py").run()          # a deep link: the page refuses as well
    assert [e.value for e in at.error] == [REFUSED]
    assert not at.selectbox and not at.title and not at.get("deck_gl_json_chart")
