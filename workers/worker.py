"""Starting a Celery worker process for :class:`Settings` (``mediaops worker``)."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import threading
import time
from typing import IO

from mediaops.errors import MediaOpsError
from workers.config import Settings


def _lock_embedded(settings: Settings) -> IO[str]:
    """Hold ``worker.lock`` under the storage root: the embedded broker serves exactly one worker."""
    handle = (settings.storage_root / "worker.lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise MediaOpsError(
            f"another worker already uses the embedded broker of {settings.storage_root} — stop it, or set "
            "MEDIAOPS_BROKER_URL to a Redis or RabbitMQ server to run several workers"
        ) from None
    return handle


def recover_embedded(settings: Settings) -> list[str]:
    """Re-queue every unfinished job of the embedded broker (whose in-flight tasks a crash may have lost).

    Only for the single worker of an embedded broker (the lock is held): with nothing running, the queued
    messages are dropped and each queued or running job is queued again; its finished stages are reused.
    """
    from workers.celery_app import get_app
    from workers.jobs import resubmit_active_jobs

    get_app(settings).control.purge()
    return resubmit_active_jobs(settings)


def prune_embedded_broker(settings: Settings) -> int:
    """Delete the embedded broker's delivered messages (kombu's SQL transport keeps them, marked invisible);
    returns how many. Safe while the worker runs: an unacknowledged message lives on in the worker's memory
    and is written back if the worker stops before acknowledging it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(settings.broker_url.removeprefix("sqla+"), connect_args={"timeout": 30})
    try:
        with engine.begin() as conn:
            return conn.execute(text("DELETE FROM kombu_message WHERE visible = 0")).rowcount
    finally:
        engine.dispose()


def _stop_when_orphaned(parent_pid: int, interval_s: float = 1.0, grace_s: float = 10.0) -> None:
    """Watch (in a thread) for process ``parent_pid`` to go; then cold-shut this worker down (SIGQUIT), and kill
    its process group if it is still there ``grace_s`` later. A worker started by ``mediaops serve`` thus never
    outlives it, even when serve is killed with SIGKILL."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval_s)
        os.kill(os.getpid(), signal.SIGQUIT)
        time.sleep(grace_s)
        os.killpg(os.getpgid(0), signal.SIGKILL)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run_worker(settings: Settings, concurrency: int, queues: str, loglevel: str = "INFO",
               parent_pid: int | None = None) -> int:
    """Run a worker in this process until it is stopped (SIGTERM: warm shutdown; SIGQUIT: cold shutdown, running
    tasks given back to the broker). With ``parent_pid``, it also stops once that process is gone.

    Unless the settings allow model downloads, the Hugging Face Hub client is put offline for the whole process
    (on top of the jobs' own ``allow_download=False``): no task reaches the internet for a model.
    Returns its exit status.
    """
    from workers.celery_app import get_app

    if not settings.allow_model_download:
        os.environ["HF_HUB_OFFLINE"] = "1"
    if parent_pid is not None:
        if os.getppid() != parent_pid:
            return 0  # started by a process that has already gone
        _stop_when_orphaned(parent_pid)
    settings.storage_root.mkdir(parents=True, exist_ok=True)
    lock = _lock_embedded(settings) if settings.embedded else None
    try:
        if lock is not None:
            recovered = recover_embedded(settings)
            if recovered:
                print(f"mediaops: re-queued {len(recovered)} unfinished job(s)", flush=True)
        app = get_app(settings)
        app.worker_main([
            "worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", f"--queues={queues}",
            f"--hostname=mediaops-{os.getpid()}@{socket.gethostname()}", "--without-gossip", "--without-mingle",
        ])
    finally:
        if lock is not None:
            lock.close()
    return 0
