"""A job as a Celery canvas, in the order ``mediaops process`` runs it.

First clips (the default): probe → metrics → highlights → render each clip ‖ → rendered → (transcribe ‖ scenes)
→ publish, so the clips reach the stream page as soon as the CLI would have them; without first clips:
probe → (transcribe ‖ scenes ‖ metrics) → highlights → render each clip ‖ → publish.

The render fan-out is decided by the highlights task, which replaces itself by a group of render tasks (one
per clip); the chain then waits for all of them before publishing. Task ids are derived from the job id, so a
job's tasks can be revoked by name, and every signature carries time limits scaled to the recording's length.
"""

from __future__ import annotations

from celery import Celery, chain, group
from celery.canvas import Signature

from workers.execution import time_limits


def task_id(job_id: str, stage: str, clip_id: str | None = None) -> str:
    return f"{job_id}.{stage}" if clip_id is None else f"{job_id}.{stage}.{clip_id}"


def stage_signature(app: Celery, job_id: str, stage: str, duration_s: float | None) -> Signature:
    soft, hard = time_limits(stage, duration_s)
    return app.signature(f"mediaops.{stage}", args=(job_id,), immutable=True, task_id=task_id(job_id, stage),
                         soft_time_limit=soft, time_limit=hard)


def render_signature(app: Celery, job_id: str, clip_id: str, duration_s: float | None) -> Signature:
    soft, hard = time_limits("render", duration_s)
    return app.signature("mediaops.render", args=(job_id, clip_id), immutable=True,
                         task_id=task_id(job_id, "render", clip_id), soft_time_limit=soft, time_limit=hard)


def job_canvas(app: Celery, job_id: str, duration_s: float | None, first_clips: bool = True) -> Signature:
    """The whole job's canvas (``duration_s`` scales the time limits; ``None`` if it is not known yet)."""

    def stage(name: str) -> Signature:
        return stage_signature(app, job_id, name, duration_s)

    if first_clips:
        return chain(
            stage("probe"),
            stage("metrics"),
            stage("highlights"),
            stage("rendered"),
            group(stage("transcribe"), stage("scenes")),
            stage("publish"),
        )
    return chain(
        stage("probe"),
        group(stage("transcribe"), stage("scenes"), stage("metrics")),
        stage("highlights"),
        stage("publish"),
    )


def job_task_ids(job_id: str, clip_ids: list[str]) -> list[str]:
    """Every task id a job's canvas may use (for revoking it)."""
    ids = [task_id(job_id, s)
           for s in ("probe", "transcribe", "scenes", "metrics", "highlights", "rendered", "publish")]
    return ids + [task_id(job_id, "render", c) for c in clip_ids]


def live_signature(app: Celery, job_id: str) -> Signature:
    """The one task of a live job (queue "live"): it runs as long as the stream is on air, so it has no time limit."""
    return app.signature("mediaops.live", args=(job_id,), immutable=True, task_id=task_id(job_id, "live"))
