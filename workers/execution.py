"""Running one stage of a job inside a task: job state, progress, cancellation, time limits and retry decisions.

The tasks in :mod:`workers.tasks` are one line each over :func:`run_stage`; the work itself is a function of
:mod:`mediaops.jobs.stages`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError as DatabaseOperationalError

from mediaops.errors import MediaOpsError
from mediaops.jobs.stages import JobCancelledError, JobFolder, artifact_paths
from workers import state
from workers.config import Settings

log = logging.getLogger(__name__)

#: a transient failure is retried this many times, after 5, 10, 20 … seconds (capped at 5 minutes).
MAX_RETRIES = 3

#: soft time limit of each stage: (seconds, seconds per second of recording); the hard limit follows it.
STAGE_LIMITS = {"probe": (120.0, 0.0), "metrics": (120.0, 0.0), "transcribe": (600.0, 2.0), "scenes": (300.0, 1.0),
                "highlights": (300.0, 0.05), "render": (600.0, 0.0), "publish": (300.0, 0.02)}

#: the duration assumed when a recording cannot be probed at submission (the probe stage then says why).
ASSUMED_DURATION_S = 6 * 3600.0


class StageFailedError(MediaOpsError):
    """A stage failed for good; the job is marked failed with this message."""


def time_limits(stage: str, duration_s: float | None) -> tuple[float, float]:
    """``(soft, hard)`` time limits of ``stage`` for a recording of ``duration_s`` seconds."""
    base, per_second = STAGE_LIMITS.get(stage, (300.0, 0.0))
    soft = base + per_second * (duration_s if duration_s is not None else ASSUMED_DURATION_S)
    return soft, soft * 1.1 + 60.0


def retry_delay_s(retries: int) -> float:
    return min(300.0, 5.0 * 2**retries)


def is_transient(exc: BaseException) -> bool:
    """Failures worth retrying: the library's transient errors (ffmpeg), I/O and database hiccups."""
    if isinstance(exc, MediaOpsError):
        return exc.transient
    return isinstance(exc, OSError | ConnectionError | DatabaseOperationalError)


def settings_of(task: Any) -> Settings:
    settings = getattr(task.app, "mediaops_settings", None)
    return settings if settings is not None else Settings.from_env()


class ProgressRecorder:
    """A ``ProgressCallback`` that writes a stage's progress to the job database at most once per interval
    (always at 100 %), and stops the stage by raising :class:`JobCancelledError` once the job is cancelled.

    :meth:`check_cancelled` is also the stage's cancellation hook (transcription calls it from its decoding
    threads many times a second): it reads the job's status at most every ``check_interval_s``.
    """

    def __init__(self, engine: Engine, job_id: str, stage: str, min_interval_s: float = 1.0,
                 check_interval_s: float = 0.5) -> None:
        self.engine = engine
        self.job_id = job_id
        self.stage = stage
        self.min_interval_s = min_interval_s
        self.check_interval_s = check_interval_s
        self._last = float("-inf")
        self._checked_at = float("-inf")
        self._cancelled = False

    def check_cancelled(self) -> None:
        now = time.monotonic()
        if not self._cancelled and now - self._checked_at >= self.check_interval_s:
            self._checked_at = now
            self._cancelled = state.job_status(self.engine, self.job_id) == "cancelled"
        if self._cancelled:
            raise JobCancelledError(f"job {self.job_id} was cancelled")

    def __call__(self, stage: str, fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - self._last < self.min_interval_s:
            return
        self._last = now
        self.check_cancelled()
        state.stage_progress(self.engine, self.job_id, self.stage, fraction, message)


def run_stage(
    task: Any,
    job_id: str,
    stage: str,
    work: Callable[[JobFolder, ProgressRecorder], tuple[Any, str]],
    finish: bool = True,
) -> Any:
    """Run ``work`` as ``stage`` of job ``job_id`` inside Celery task ``task`` and record what happened.

    A job that has ended runs no more stages (a duplicate task of a job that succeeded returns ``None``).
    ``work`` returns ``(result, message)``: the task's result and a line for the stage row. Transient failures
    are retried with backoff up to :data:`MAX_RETRIES` times; bad input fails the job at once with the
    library's message.

    Raises:
        JobCancelledError: the job was cancelled. StageFailedError: the stage failed for good.
        celery.exceptions.Retry: the task will run again.
    """
    settings = settings_of(task)
    engine = state.engine_for(settings.database_url)
    status = state.job_status(engine, job_id)
    if status is None:
        raise StageFailedError(f"job {job_id} is not in the job database {settings.database_url}")
    if status == "cancelled":
        raise JobCancelledError(f"job {job_id} was cancelled")
    if status == "succeeded":
        # a second delivery of a task that already ran (a redelivery after a broker or worker hiccup)
        log.info("job %s has already succeeded; its %s task is a duplicate and does nothing", job_id, stage)
        return None
    if status in state.FINAL:
        raise StageFailedError(f"job {job_id} has already {status}; its {stage} stage is not run")
    state.stage_started(engine, job_id, stage)
    progress = ProgressRecorder(engine, job_id, stage)
    job = JobFolder(settings.jobs_dir / job_id, settings.artifacts_dir)
    try:
        result, message = work(job, progress)
    except JobCancelledError:
        state.fail_job(engine, job_id, stage, "cancelled", status="cancelled")
        raise
    except SoftTimeLimitExceeded:
        soft, _hard = time_limits(stage, state.job_duration_s(engine, job_id))
        message = (f"the {stage} stage took longer than its limit of {soft:.0f} s — the recording may be damaged; "
                   "check it, or cut it into shorter parts")
        state.fail_job(engine, job_id, stage, message)
        raise StageFailedError(message) from None
    except Exception as exc:
        if is_transient(exc) and task.request.retries < MAX_RETRIES:
            delay = retry_delay_s(task.request.retries)
            state.stage_progress(engine, job_id, stage, 0.0, f"retrying in {delay:.0f} s after: {exc}")
            raise task.retry(exc=exc, countdown=delay, max_retries=MAX_RETRIES) from exc
        message = str(exc) if isinstance(exc, MediaOpsError) else f"{stage} failed: {type(exc).__name__}: {exc}"
        state.fail_job(engine, job_id, stage, message)
        raise StageFailedError(message) from exc
    if finish:
        state.stage_finished(engine, job_id, stage, message, stage_artifacts(job, stage, settings))
    return result


def stage_artifacts(job: JobFolder, stage: str, settings: Settings) -> dict[str, Any]:
    """The stage's files for its job row, relative to the storage root where they lie under it."""
    files = []
    for path in artifact_paths(job, stage):
        try:
            files.append(str(path.relative_to(settings.storage_root)))
        except ValueError:
            files.append(str(path))
    return {"files": files}
