"""Celery tasks: one per pipeline stage, each a thin call into :mod:`mediaops.jobs.stages` via :func:`run_stage`.

Tasks take a job id (and a highlight id); everything else is in the job folder and the job database.
"""

from __future__ import annotations

from typing import Any

from celery import group, shared_task
from celery.exceptions import TimeLimitExceeded
from celery.signals import task_failure

from mediaops.jobs import stages
from workers import state
from workers.canvas import render_signature
from workers.execution import StageFailedError, run_stage, settings_of, stage_artifacts
from workers.live import run_live_task
from workers.worker import prune_embedded_broker

#: how a job ends on purpose (bad input, a cancellation): logged in one line, without a traceback.
EXPECTED = (StageFailedError, stages.JobCancelledError)


@shared_task(bind=True, throws=EXPECTED, name="mediaops.probe")
def probe(self: Any, job_id: str) -> float:
    def work(job: stages.JobFolder, _progress: Any) -> tuple[float, str]:
        info = stages.probe(job)
        state.set_duration(state.engine_for(settings_of(self).database_url), job_id, info.duration_s)
        return info.duration_s, f"{info.duration_s:.0f} s, {info.width}x{info.height}"

    return run_stage(self, job_id, "probe", work)


@shared_task(bind=True, throws=EXPECTED, name="mediaops.metrics")
def metrics(self: Any, job_id: str) -> None:
    def work(job: stages.JobFolder, _progress: Any) -> tuple[None, str]:
        data = stages.metrics(job)
        return None, f"{len(data.metrics.series)} series, {len(data.comments)} comments"

    return run_stage(self, job_id, "metrics", work)


@shared_task(bind=True, throws=EXPECTED, name="mediaops.transcribe")
def transcribe(self: Any, job_id: str) -> None:
    def work(job: stages.JobFolder, progress: Any) -> tuple[None, str]:
        transcript = stages.transcribe(job, progress, progress.check_cancelled)
        return None, f"{len(transcript.segments)} segments, language {transcript.language}"

    return run_stage(self, job_id, "transcribe", work)


@shared_task(bind=True, throws=EXPECTED, name="mediaops.scenes")
def scenes(self: Any, job_id: str) -> None:
    def work(job: stages.JobFolder, progress: Any) -> tuple[None, str]:
        return None, f"{len(stages.scenes(job, progress))} scenes"

    return run_stage(self, job_id, "scenes", work)


@shared_task(bind=True, throws=EXPECTED, name="mediaops.highlights")
def highlights(self: Any, job_id: str) -> None:
    """Choose the highlights, then replace this task by one render task per clip, in parallel."""

    def work(job: stages.JobFolder, progress: Any) -> tuple[list[str], str]:
        plan = stages.highlights(job, check_cancelled=progress.check_cancelled)
        return [h.id for h in plan.highlights], f"{len(plan.highlights)} highlights from {len(plan.peaks)} peaks"

    clip_ids = run_stage(self, job_id, "highlights", work)
    if clip_ids:
        duration_s = state.job_duration_s(state.engine_for(settings_of(self).database_url), job_id)
        raise self.replace(group(render_signature(self.app, job_id, clip_id, duration_s) for clip_id in clip_ids))


@shared_task(bind=True, throws=EXPECTED, name="mediaops.render")
def render(self: Any, job_id: str, highlight_id: str) -> None:
    def work(job: stages.JobFolder, progress: Any) -> tuple[None, str]:
        stages.render(job, highlight_id)
        done, missing = stages.rendered(job)
        total = len(done) + len(missing)
        progress("render", len(done) / max(1, total), f"{len(done)}/{total} clips")
        return None, ""

    return run_stage(self, job_id, "render", work, finish=False)


def _render_finished(task: Any, job_id: str) -> None:
    """Mark the render stage done once every render task has run (they do not finish the stage themselves)."""
    settings = settings_of(task)
    job = stages.JobFolder(settings.jobs_dir / job_id, settings.artifacts_dir)
    clips = stage_artifacts(job, "render", settings) if job.spec_path.is_file() else None
    state.stage_finished(state.engine_for(settings.database_url), job_id, "render", "all clips rendered", clips)


@shared_task(bind=True, throws=EXPECTED, name="mediaops.rendered")
def rendered(self: Any, job_id: str) -> None:
    """The first clips are out: close the render stage before the full analysis starts."""
    _render_finished(self, job_id)


@shared_task(bind=True, throws=EXPECTED, name="mediaops.publish")
def publish(self: Any, job_id: str) -> str:
    def work(job: stages.JobFolder, progress: Any) -> tuple[str, str]:
        timeline = stages.publish(job, progress, progress.check_cancelled)
        return str(job.spec.out_dir), f"{len(timeline.clips)} clips, {len(timeline.sales_spikes)} sales spikes"

    settings = settings_of(self)
    engine = state.engine_for(settings.database_url)
    _render_finished(self, job_id)
    out_dir = run_stage(self, job_id, "publish", work)
    state.finish_job(engine, job_id)
    if settings.embedded:
        prune_embedded_broker(settings)
    return out_dir


@shared_task(bind=True, throws=EXPECTED, name="mediaops.live")
def live(self: Any, job_id: str) -> str | None:
    """A live stream, from its first poll to its retrospective (queue "live"; see :mod:`workers.live`)."""
    return run_live_task(self, job_id)


@task_failure.connect
def _hard_time_limit(sender: Any = None, exception: BaseException | None = None, args: Any = None,
                     **_kwargs: Any) -> None:
    """A task killed at its hard time limit never reaches its own error handling: fail its job here."""
    name = getattr(sender, "name", "") or ""
    if isinstance(exception, TimeLimitExceeded) and name.startswith("mediaops.") and args:
        stage = name.split(".", 1)[1]
        state.fail_job(state.engine_for(settings_of(sender).database_url), args[0], stage,
                       f"the {stage} stage was stopped at its time limit — the recording may be damaged; check it, "
                       "or cut it into shorter parts")
