#!/usr/bin/env bash
# Lantern's two commands on a fresh machine (Python 3.11+, pip and apt only):
#   bash run.sh demo   set up .venv, build the synthetic town's database, start the dashboard
#   bash run.sh test   set up .venv with test tools and Debian's Chromium, run every test
# Also: bash run.sh bench   (benchmarks, see bench/README.md)
set -euo pipefail
cd "$(dirname "$0")"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"

setup() {   # $1 = pip extras ("" or "[test]")
  if [ ! -x "$PY" ]; then
    echo "==> creating $VENV" >&2
    python3 -m venv "$VENV" || {
      echo "python3 -m venv failed; install it with: apt-get install -y python3-venv" >&2; exit 1; }
  fi
  local stamp="$VENV/.lantern-installed$1"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing Lantern$1 into $VENV" >&2
    "$PY" -m pip install -q --disable-pip-version-check --upgrade pip
    "$PY" -m pip install -q --disable-pip-version-check -e ".$1"
    touch "$stamp"
  fi
}

apt_install() {   # Debian packages for the browser, reverse-proxy and PDF tests
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
  # the reverse-proxy end-to-end tests run Debian's nginx and Caddy in front of the dashboard
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v caddy >/dev/null 2>&1 || missing+=(caddy)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}" >&2
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

case "${1:-}" in
  demo)
    setup ""
    shift
    exec "$VENV/bin/lantern" demo "$@"
    ;;
  test)
    apt_install
    setup "[test]"
    shift
    exec "$PY" -m pytest -n 2 --dist loadgroup "$@"
    ;;
  bench)
    setup "[test,bench]"
    shift
    exec "$PY" bench/run_all.py "$@"
    ;;
  *)
    echo "usage: bash run.sh demo|test|bench [args...]" >&2
    exit 2
    ;;
esac
