"""A worker for one machine: ``mediaops worker`` in a child process, with the settings' broker (embedded by default).

``mediaops serve`` starts one beside the web app (:func:`serve_beside_worker`), so a laptop needs no broker server
and no second terminal; SIGTERM or SIGINT stops both within :data:`STOP_WITHIN_S` seconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from workers.config import Settings

#: ``mediaops serve`` has stopped, its worker included, this many seconds after SIGTERM or SIGINT.
STOP_WITHIN_S = 5.0
#: of which the worker gets this long for a cold shutdown (giving its running tasks back to the broker)
#: before it and everything it started are killed.
COLD_SHUTDOWN_S = 2.0


class EmbeddedWorker:
    """A running ``mediaops worker`` child process (leader of its own process group, with its pool and the
    ffmpeg processes of its tasks); :meth:`stop` ends it after its running tasks, :meth:`stop_now` at once."""

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
            self._kill_group()
            self.process.wait()

    def _kill_group(self, settle_s: float = 2.0) -> None:
        """SIGKILL the worker's process group and wait (at most ``settle_s``) until its members are gone: a
        process holding a loaded model takes a moment to die, and serve must not exit before it has."""
        with contextlib.suppress(ProcessLookupError, PermissionError):  # nothing of the group is left
            os.killpg(self.process.pid, signal.SIGKILL)
        deadline = time.monotonic() + settle_s
        while time.monotonic() < deadline and _group_alive(self.process.pid):
            time.sleep(0.05)

    def stop(self, timeout_s: float = 30.0) -> int | None:
        """Warm shutdown (SIGTERM: finish running tasks); SIGKILL after ``timeout_s``. Returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self.process.wait()
        self._kill_group()  # pool processes or ffmpeg children a task left behind
        return self.process.returncode

    def stop_now(self, grace_s: float = COLD_SHUTDOWN_S) -> int | None:
        """Stop within ``grace_s`` seconds, whatever runs: a cold shutdown first (SIGQUIT: Celery hands the
        running tasks back to the broker unacknowledged, so they run again when a worker next starts; an
        embedded broker's worker re-queues its unfinished jobs when it starts), then SIGKILL to the whole process
        group (pool processes, ffmpeg) once ``grace_s`` has passed. Returns the worker's exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self.process.wait()
        self._kill_group()
        return self.process.returncode


def worker_command(concurrency: int | None = None, queues: str | None = None, loglevel: str = "INFO",
                   parent_pid: int | None = None) -> list[str]:
    """The argument list of a ``mediaops worker`` process run by this Python (ending itself when process
    ``parent_pid`` is gone, where given)."""
    command = [sys.executable, "-m", "mediaops", "worker", "--loglevel", loglevel]
    if concurrency:
        command += ["--concurrency", str(concurrency)]
    if queues:
        command += ["--queues", queues]
    if parent_pid:
        command += ["--parent-pid", str(parent_pid)]
    return command


def start_embedded_worker(settings: Settings, concurrency: int | None = None, wait_s: float = 0.0) -> EmbeddedWorker:
    """Start a worker consuming every queue with ``settings`` (its own process group, log under the storage root).

    The worker ends itself if this process dies without stopping it (even by SIGKILL).
    With ``wait_s`` > 0, wait up to that long for the worker to report that it is ready.
    """
    settings.storage_root.mkdir(parents=True, exist_ok=True)
    log_path = settings.storage_root / "worker.log"
    env = {**os.environ, **settings.to_env()}
    with log_path.open("ab") as log:
        process = subprocess.Popen(worker_command(concurrency, parent_pid=os.getpid()), env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    worker = EmbeddedWorker(process, log_path)
    deadline = time.monotonic() + wait_s
    while wait_s and time.monotonic() < deadline and worker.alive():
        if b" ready." in log_path.read_bytes()[-20000:]:
            break
        time.sleep(0.2)
    return worker


class StopRequested(BaseException):
    """Raised in the main thread by the first SIGTERM or SIGINT while :func:`serve_beside_worker` runs."""


def serve_beside_worker(settings: Settings, serve: Callable[[], object], with_worker: bool = True,
                        grace_s: float = COLD_SHUTDOWN_S) -> int:
    """Run ``serve()`` (a blocking server loop) with an embedded worker beside it, until SIGTERM or SIGINT (or
    until ``serve`` returns or fails); then stop both, the worker within ``grace_s`` (see
    :meth:`EmbeddedWorker.stop_now`). Returns 0.

    The first signal unwinds ``serve`` at once (werkzeug's server closes its socket on the way out); later ones
    are ignored while the bounded shutdown runs, so an impatient second Ctrl+C cannot leave the worker behind.
    A signal that arrives while the worker is being started is acted on as soon as it has started.
    """
    stopping = False
    deferred: list[int] = []
    starting = False

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:
            return
        if starting:
            deferred.append(signum)
            return
        stopping = True
        raise StopRequested(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    worker: EmbeddedWorker | None = None
    try:
        if with_worker:
            starting = True
            try:
                worker = start_embedded_worker(settings)
            finally:
                starting = False
            if deferred:
                stopping = True
                raise StopRequested(signal.Signals(deferred[0]).name)
        serve()
    except StopRequested:
        pass
    finally:
        stopping = True
        if worker is not None:
            worker.stop_now(grace_s)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _group_alive(pgid: int) -> bool:
    """Whether process group ``pgid`` still has a member that is not a zombie (Linux /proc; elsewhere False)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return False
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False
