"""Lantern behind the shipped nginx configuration, end to end (issue 28).

Starts Debian's nginx (as this user, under a temporary prefix, on a free high port) in front
of ``lantern serve`` bound to 127.0.0.1 with header sign-on, and drives headless Chromium
through it. nginx uses the shipped ``deploy/nginx/lantern-http.conf`` (the upstream's port
changed to the test server's) and ``deploy/nginx/lantern-proxy.conf`` as they are; only the
sign-on layer is the test's own: HTTP basic auth whose user names map to roles (``pat`` is a
partner, ``cora`` a commander), standing in for oauth2-proxy's auth_request answer that
``deploy/nginx/lantern-site.conf`` uses. Both define ``$lantern_user`` and ``$lantern_role``,
which the shipped snippet turns into Lantern's identity headers.

Every browser request carries forged ``X-Forwarded-User: mallory`` and
``X-Forwarded-Role: analyst``. Through the proxy they are ignored: the partner gets the
partnership view and no more, the commander their two audiences and not the analyst's. Direct
to Lantern (the proxy skipped, from this machine) the same headers are honoured, which shows
the browser really sends them: the proxy is what stops them.
"""
from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest

from serving import chromium_page, free_port, start_serve, stop_serve, wait_healthy
from test_browser import _map_canvas, _settle

from profiles.governance import audit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FORGED = {"X-Forwarded-User": "mallory", "X-Forwarded-Role": "analyst"}
USERS = {"pat": "partner-pass", "cora": "commander-pass"}

ACCESS = """[identity]
mode = "header"
user_header = "X-Forwarded-User"
role_header = "X-Forwarded-Role"
[roles]
partner = ["partnership"]
commander = ["partnership", "command"]
analyst = ["partnership", "command", "analyst"]
"""

NGINX_CONF = """{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;

    include {tmp}/lantern-http.conf;

    # the test's sign-on layer: basic auth, user name -> role
    map $remote_user $lantern_user {{ default $remote_user; }}
    map $remote_user $lantern_role {{ pat partner; cora commander; default ""; }}

    server {{
        listen 127.0.0.1:{port};
        auth_basic "Lantern (test sign-on)";
        auth_basic_user_file {tmp}/htpasswd;
        location / {{
            include {deploy}/nginx/lantern-proxy.conf;
        }}
    }}
}}
"""


def start_nginx(folder: Path, port: int, lantern_port: int) -> subprocess.Popen:
    """Start nginx in the foreground under ``folder`` on ``port``, proxying to Lantern."""
    assert Path(NGINX).exists(), "Debian's nginx is needed: apt-get install -y nginx " \
                                 "(bash run.sh test installs it)"
    folder.mkdir()
    http = (DEPLOY / "nginx" / "lantern-http.conf").read_text()
    assert "server 127.0.0.1:8501;" in http
    (folder / "lantern-http.conf").write_text(
        http.replace("server 127.0.0.1:8501;", f"server 127.0.0.1:{lantern_port};"))
    (folder / "htpasswd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in USERS.items()))
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, tmp=folder, port=port, deploy=DEPLOY))
    test = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(conf), "-e",
                           str(folder / "error.log")], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-e",
                             str(folder / "error.log")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
        except urllib.error.HTTPError:
            return proc            # it answers (401: the sign-on asks who you are)
        except OSError:
            time.sleep(0.2)
    raise AssertionError("nginx did not start")


def _basic(user: str) -> str:
    return "Basic " + b64encode(f"{user}:{USERS[user]}".encode()).decode()


@pytest.fixture
def proxied(demo_copy, tmp_path):
    """``lantern serve`` on 127.0.0.1 (header sign-on), nginx in front: (proxy URL, direct
    URL, database)."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS)
    lantern_port, proxy_port = free_port(), free_port()
    env = dict(os.environ, LANTERN_ACCESS=str(access))
    server = start_serve(demo_copy, lantern_port, tmp_path, env=env)
    nginx = None
    try:
        wait_healthy(f"http://127.0.0.1:{lantern_port}", server, timeout=60)
        nginx = start_nginx(tmp_path / "nginx", proxy_port, lantern_port)
        yield f"http://127.0.0.1:{proxy_port}", f"http://127.0.0.1:{lantern_port}", demo_copy
    finally:
        if nginx is not None:
            stop_serve(nginx)
        stop_serve(server)


def _open_map(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    _settle(page)
    link = page.locator("[data-testid='stSidebarNav'] a", has_text="Map").first
    link.click()
    page.wait_for_function("() => document.querySelector('h1')?.innerText === 'Map'",
                           timeout=30_000)
    _settle(page)
    _map_canvas(page)


def _menu(page) -> list[str]:
    return [t.strip().splitlines()[-1] for t in   # the title (after the icon's name)
            page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


def _audiences(page) -> list[str]:
    """The audiences the sidebar offers: the drop-down's options, or its one value."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    box.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [o.strip() for o in options]


def test_the_proxy_asks_who_you_are_and_passes_the_health_check(proxied):
    proxy, _, _ = proxied
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(urllib.request.Request(f"{proxy}/", headers=FORGED), timeout=10)
    assert err.value.code == 401
    req = urllib.request.Request(f"{proxy}/_stcore/health",
                                 headers={"Authorization": _basic("pat")})
    assert urllib.request.urlopen(req, timeout=10).read() == b"ok"


def test_through_nginx_forged_role_headers_get_the_partnership_view_and_no_more(proxied,
                                                                                 tmp_path):
    proxy, direct, db = proxied
    # the partner, sending the forged headers with every request (the websocket's too)
    with chromium_page(tmp_path / "pat", extra_http_headers=FORGED,
                       http_credentials={"username": "pat", "password": USERS["pat"]}) as page:
        _open_map(page, proxy)
        sidebar = page.locator("[data-testid='stSidebar']").inner_text()
        assert "Signed in as pat (partner)." in sidebar
        assert "mallory" not in sidebar and "Analyst" not in sidebar
        assert "Map" in _menu(page) and "Patrol planning" not in _menu(page)
        assert _audiences(page) == ["Partnership meeting"]
        markings = page.locator(".lantern-marking").all_inner_texts()
        assert markings and all("Partnership meeting" in m for m in markings)
    # the commander: their role from sign-on, not the analyst's from the forged header
    with chromium_page(tmp_path / "cora", extra_http_headers=FORGED,
                       http_credentials={"username": "cora",
                                         "password": USERS["cora"]}) as page:
        _open_map(page, proxy)
        assert _audiences(page) == ["Partnership meeting", "District command (police only)"]
    views = [r for r in audit.read_log(db) if r["action"] == "view"]
    assert {(v["user"], v["audience"]) for v in views} == {("pat", "partnership"),
                                                           ("cora", "partnership")}
    # the same headers straight to Lantern's port (from this machine, skipping the proxy) are
    # honoured: the browser does send them, and the proxy is what stops them. Lantern is bound
    # to 127.0.0.1, so no other machine can do this.
    with chromium_page(tmp_path / "direct", extra_http_headers=FORGED) as page:
        page.goto(direct, wait_until="domcontentloaded")
        _settle(page)
        assert _audiences(page) == ["Partnership meeting", "District command (police only)",
                                    "Analyst (police only)"]
