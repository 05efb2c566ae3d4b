"""``mediaops serve``: first admin, web answering, embedded worker started and stopped with the server."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_creates_admin_serves_and_stops_its_worker(tmp_path: Path):
    port = _free_port()
    storage = tmp_path / "storage"
    env = {**os.environ, "MEDIAOPS_STORAGE": str(storage)}
    env.pop("MEDIAOPS_ADMIN_PASSWORD", None)
    server = subprocess.Popen([sys.executable, "-m", "mediaops", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = server.stdout.readline()
        assert re.search(r"created user 'admin' with password \S{12,}", first), first
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).status
            except OSError:
                time.sleep(0.3)
        assert status == 200
        log = storage / "worker.log"
        while time.monotonic() < deadline and b" ready." not in (log.read_bytes() if log.exists() else b""):
            time.sleep(0.3)
        assert b" ready." in log.read_bytes()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    assert b"Warm shutdown" in log.read_bytes() or b"shutdown" in log.read_bytes().lower()
    restarted = subprocess.run([sys.executable, "-m", "mediaops", "user", "add", "admin", "--password-stdin"],
                               input="another-password\n", env=env, capture_output=True, text=True)
    assert restarted.returncode == 2 and "exists already" in restarted.stderr
