"""The Celery application: broker, result store, queues and delivery guarantees, from :class:`Settings`.

``celery -A workers.celery_app worker`` uses :data:`app`, configured from the environment; ``mediaops worker``
and the job functions build theirs with :func:`get_app`.
"""

from __future__ import annotations

import threading

from celery import Celery
from celery.signals import worker_process_init
from kombu import Queue

from workers import state
from workers.config import Settings

#: queues: heavy speech recognition and rendering are consumed apart so each can get its own machines; a live
#: stream's one long task goes to "live", so that streams on air can have workers of their own.
QUEUES = ("transcribe", "render", "default", "live")
TASK_ROUTES = {"mediaops.transcribe": {"queue": "transcribe"}, "mediaops.render": {"queue": "render"},
               "mediaops.live": {"queue": "live"}}

_apps: dict[Settings, Celery] = {}
_apps_lock = threading.Lock()


def create_celery(settings: Settings) -> Celery:
    """A Celery app for ``settings``; the task modules register on it by name. Creates nothing on disk."""
    app = Celery("mediaops", broker=settings.broker_url, backend=settings.result_backend,
                 include=["workers.tasks"], set_as_current=False)
    transport_options: dict[str, object] = {}
    if settings.broker_url.startswith(("redis", "rediss")):
        # A task taken by a worker that died is handed to another after this long (acks_late keeps it queued).
        transport_options["visibility_timeout"] = settings.visibility_timeout_s
        # look for tasks of dead workers often enough to notice them soon after the timeout
        transport_options["unacked_restore_interval"] = max(1, min(10, round(settings.visibility_timeout_s / 5)))
        transport_options["unacked_restore_throttle"] = 1
    app.conf.update(
        task_acks_late=True,                 # ack after the task ran: a crash mid-task redelivers it
        task_reject_on_worker_lost=True,     # … also when the pool process running it was killed
        worker_prefetch_multiplier=1,        # a long stage never holds other tasks back behind it
        task_default_queue="default",
        task_queues=[Queue(name) for name in QUEUES],
        task_routes=TASK_ROUTES,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=7 * 24 * 3600,
        task_track_started=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # ride out a broker restart instead of exiting
        # a task that finishes while the broker restarts still queues the job's next stage (~1 min of retries)
        task_publish_retry_policy={"max_retries": 30, "interval_start": 0.5, "interval_step": 0.5,
                                   "interval_max": 3.0},
        broker_transport_options=transport_options,
        result_backend_transport_options=transport_options,
        result_backend_always_retry=True,    # storing a result rides out a broker/backend restart
        result_backend_max_retries=60,
        database_engine_options={"pool_pre_ping": True},
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    app.mediaops_settings = settings
    return app


def get_app(settings: Settings) -> Celery:
    """The Celery app of ``settings`` (one per settings per process)."""
    with _apps_lock:
        app = _apps.get(settings)
        if app is None:
            app = _apps[settings] = create_celery(settings)
            app.loader.import_default_modules()
        return app


@worker_process_init.connect
def _fresh_connections_after_fork(**_kwargs: object) -> None:
    # Database connections opened by the worker's parent must not be shared with its pool processes.
    state.dispose_engines()


app = get_app(Settings.from_env())
