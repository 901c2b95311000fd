"""The shipped production sites, end to end: ``deploy/nginx/lantern-site.conf`` (with TLS and
``auth_request``) and ``deploy/Caddyfile`` (``forward_auth``), each in front of
``lantern serve`` with a stand-in for oauth2-proxy.

The stand-in answers ``/oauth2/auth`` as oauth2-proxy does with ``--set-xauthrequest``: 202
with ``X-Auth-Request-Email`` and ``X-Auth-Request-Groups`` for a known bearer token, 401
otherwise. The sites are used as shipped; only the host name, ports, certificate and snippet
folder are the test's. Every browser request also carries forged identity headers, both
Lantern's and oauth2-proxy's own; the sign-on's answer alone decides who the viewer is.
"""
from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from serving import chromium_page, free_port, start_serve, stop_serve, wait_healthy
from test_browser import _settle
from test_deploy_proxy import ACCESS, DEPLOY, NGINX, _audiences, _menu

from profiles.governance import audit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: bearer token -> (e-mail, sign-on groups), as the force's identity provider would say
TOKENS = {"pat-token": ("pat@example.police.uk", "staff,lantern-partners"),
          "cora-token": ("cora@example.police.uk", "lantern-commanders,staff")}
FORGED = {"X-Forwarded-User": "mallory", "X-Forwarded-Role": "analyst",
          "X-Auth-Request-Email": "mallory@example.com",
          "X-Auth-Request-Groups": "lantern-analysts"}


class _SignOn(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if self.path.startswith("/oauth2/auth") and token in TOKENS:
            email, groups = TOKENS[token]
            self.send_response(202)
            self.send_header("X-Auth-Request-Email", email)
            self.send_header("X-Auth-Request-Groups", groups)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"sign in first"
        self.send_response(401 if self.path.startswith("/oauth2/auth") else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):   # quiet
        pass


@pytest.fixture
def backend(demo_copy, tmp_path):
    """Lantern (header sign-on, 127.0.0.1) and the sign-on stand-in: (ports, database)."""
    access = tmp_path / "access.toml"
    access.write_text(ACCESS)
    port = free_port()
    server = start_serve(demo_copy, port, tmp_path, env=dict(os.environ,
                                                             LANTERN_ACCESS=str(access)))
    sso = ThreadingHTTPServer(("127.0.0.1", 0), _SignOn)
    threading.Thread(target=sso.serve_forever, daemon=True).start()
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server, timeout=60)
        yield {"lantern": port, "sso": sso.server_address[1]}, demo_copy
    finally:
        sso.shutdown()
        stop_serve(server)


def _wait_answering(url: str, proc: subprocess.Popen, what: str) -> None:
    import ssl

    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{what} exited: " + proc.stdout.read().decode()[-2000:]
        try:
            urllib.request.urlopen(url, timeout=2, context=ctx)
            return
        except urllib.error.HTTPError:
            return                     # it answers (401 or a redirect to sign in)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{what} did not start")


def _check_views(url: str, tmp_path: Path, db: Path, **browser) -> None:
    """pat (partner) and cora (commander) through the site, both forging everything."""
    for token, expected in [("pat-token", ["Partnership meeting"]),
                            ("cora-token", ["Partnership meeting",
                                            "District command (police only)"])]:
        headers = dict(FORGED, Authorization=f"Bearer {token}")
        with chromium_page(tmp_path / token, extra_http_headers=headers, **browser) as page:
            page.goto(url, wait_until="domcontentloaded")
            _settle(page)
            assert _audiences(page) == expected
            assert "Overview" in _menu(page)
            if token == "pat-token":
                sidebar = page.locator("[data-testid='stSidebar']").inner_text()
                assert "Signed in as pat@example.police.uk (partner)." in sidebar
    users = {(r["user"], r["audience"]) for r in audit.read_log(db) if r["action"] == "view"}
    assert users == {("pat@example.police.uk", "partnership"),
                     ("cora@example.police.uk", "partnership")}


def test_the_nginx_site_sets_identity_from_sign_on_alone(backend, tmp_path):
    ports, db = backend
    folder = tmp_path / "nginx"
    folder.mkdir()
    key, cert = folder / "privkey.pem", folder / "fullchain.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    https = free_port()
    site = (DEPLOY / "nginx" / "lantern-site.conf").read_text()
    for old, new in [("/etc/ssl/lantern/privkey.pem", str(key)),
                     ("/etc/ssl/lantern/fullchain.pem", str(cert)),
                     ("/etc/nginx/snippets/", f"{DEPLOY}/nginx/"),
                     ("127.0.0.1:4180", f"127.0.0.1:{ports['sso']}"),
                     ("listen 80;", f"listen 127.0.0.1:{free_port()};"),
                     ("listen [::]:80;", ""), ("listen [::]:443 ssl http2;", ""),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")]:
        assert old in site, old
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    (folder / "lantern-http.conf").write_text(
        (DEPLOY / "nginx" / "lantern-http.conf").read_text()
        .replace("server 127.0.0.1:8501;", f"server 127.0.0.1:{ports['lantern']};"))
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    conf = folder / "nginx.conf"
    conf.write_text(f"{user}\nworker_processes 1;\ndaemon off;\npid {folder}/nginx.pid;\n"
                    f"error_log {folder}/error.log info;\nevents {{}}\nhttp {{\n"
                    f"  access_log {folder}/access.log;\n"
                    + "".join(f"  {k}_temp_path {folder}/{k};\n" for k in
                              ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
                    + f"  include {folder}/lantern-http.conf;\n"
                      f"  include {folder}/site.conf;\n}}\n")
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-e",
                             str(folder / "error.log")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_answering(f"https://127.0.0.1:{https}/", proc, "nginx")
        _check_views(f"https://127.0.0.1:{https}", tmp_path, db, ignore_https_errors=True)
    finally:
        stop_serve(proc)


CADDY = shutil.which("caddy")


@pytest.mark.skipif(CADDY is None, reason="caddy is not installed (bash run.sh test "
                                          "installs it: apt-get install -y caddy)")
def test_the_caddyfile_sets_identity_from_sign_on_alone(backend, tmp_path):
    ports, db = backend
    folder = tmp_path / "caddy"
    folder.mkdir()
    port = free_port()
    text = (DEPLOY / "Caddyfile").read_text()
    for old, new in [("lantern.example.police.uk {", "{\n\tadmin off\n}\n\n"
                      f"http://127.0.0.1:{port} {{"),
                     ("127.0.0.1:4180", f"127.0.0.1:{ports['sso']}"),
                     ("reverse_proxy 127.0.0.1:8501", f"reverse_proxy 127.0.0.1:"
                                                      f"{ports['lantern']}")]:
        assert old in text, old
        text = text.replace(old, new)
    (folder / "Caddyfile").write_text(text)
    env = dict(os.environ, HOME=str(folder), XDG_DATA_HOME=str(folder),
               XDG_CONFIG_HOME=str(folder))
    proc = subprocess.Popen([CADDY, "run", "--config", str(folder / "Caddyfile"), "--adapter",
                             "caddyfile"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, start_new_session=True)
    try:
        _wait_answering(f"http://127.0.0.1:{port}/", proc, "caddy")
        _check_views(f"http://127.0.0.1:{port}", tmp_path, db)
    finally:
        stop_serve(proc)
