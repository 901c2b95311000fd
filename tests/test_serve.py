"""``lantern serve`` owns its server: a SIGTERM or SIGINT to its pid stops the dashboard.

Before 0.3 the command started Streamlit as a child and a SIGTERM to ``lantern serve`` left the
child serving the port as an orphan, so the next start failed with "Port 8501 is not available".
"""
from __future__ import annotations

import os
import signal
import subprocess

import pytest

from serving import free_port, port_is_free, start_serve, wait_healthy

pytestmark = pytest.mark.slow


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_lantern_serve_stops_the_server_and_frees_the_port(demo_copy, tmp_path, sig):
    port = free_port()
    proc = start_serve(demo_copy, port, tmp_path)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        assert not port_is_free(port)
        os.kill(proc.pid, sig)            # that pid alone, as kill or systemd would
        try:
            proc.wait(timeout=20)         # a bound, not a timing claim
        except subprocess.TimeoutExpired:
            pytest.fail(f"lantern serve did not stop on {sig.name}")
        # start_new_session made lantern serve the leader of its own process group: any child
        # it left behind would still be in that group, and would still hold the port.
        assert not _group_alive(proc.pid), "a process of lantern serve is still running"
        assert port_is_free(port), f"port {port} is still taken after {sig.name}"
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
