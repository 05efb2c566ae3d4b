"""A worker for one machine: ``mediaops worker`` in a child process, with the settings' broker (embedded by default).

``mediaops serve`` starts one beside the web app, so a laptop needs no broker server and no second terminal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from workers.config import Settings


class EmbeddedWorker:
    """A running ``mediaops worker`` child process; :meth:`stop` ends it (waiting for running tasks first)."""

    def __init__(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """End the worker and its pool at once (SIGKILL to its process group), as a crash would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout_s: float = 30.0) -> int | None:
        """Warm shutdown (SIGTERM: finish running tasks); SIGKILL after ``timeout_s``. Returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def worker_command(concurrency: int | None = None, queues: str | None = None, loglevel: str = "INFO") -> list[str]:
    """The argument list of a ``mediaops worker`` process run by this Python."""
    command = [sys.executable, "-m", "mediaops", "worker", "--loglevel", loglevel]
    if concurrency:
        command += ["--concurrency", str(concurrency)]
    if queues:
        command += ["--queues", queues]
    return command


def start_embedded_worker(settings: Settings, concurrency: int | None = None, wait_s: float = 0.0) -> EmbeddedWorker:
    """Start a worker consuming every queue with ``settings`` (its own process group, log under the storage root).

    With ``wait_s`` > 0, wait up to that long for the worker to report that it is ready.
    """
    settings.storage_root.mkdir(parents=True, exist_ok=True)
    log_path = settings.storage_root / "worker.log"
    env = {**os.environ, **settings.to_env()}
    with log_path.open("ab") as log:
        process = subprocess.Popen(worker_command(concurrency), env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    worker = EmbeddedWorker(process, log_path)
    deadline = time.monotonic() + wait_s
    while wait_s and time.monotonic() < deadline and worker.alive():
        if b" ready." in log_path.read_bytes()[-20000:]:
            break
        time.sleep(0.2)
    return worker
