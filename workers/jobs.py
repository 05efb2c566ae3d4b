"""Jobs for the web app and the command line: submit, inspect, list, cancel, re-run (plain functions, no Flask).

A job is a folder ``<storage>/jobs/<id>/`` (``job.json``, results in ``out/``), a row in the job database and a
Celery canvas (:mod:`workers.canvas`). The contract with the web app is ``notes/jobs_contract.md``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from mediaops.errors import MediaOpsError
from mediaops.jobs.options import JobOptionsError, check_job_options, job_process_options, job_stream_inputs
from mediaops.jobs.pipeline import ProcessOptions, StreamInputs
from mediaops.jobs.stages import JobFolder, clip_folder, prepare_job, rendered, stage_order
from mediaops.jobs.stages import highlights as highlight_plan
from mediaops.live.job import is_live_job
from mediaops.media.probe import check_input_file
from mediaops.media.probe import probe as probe_media
from mediaops.report.pdf import has_pdf_font
from workers import state
from workers.canvas import job_canvas, job_task_ids, live_signature
from workers.config import Settings

log = logging.getLogger(__name__)

__all__ = ["JobOptionsError", "cancel_job", "get_job", "list_jobs", "process_options", "rendered_clips",
           "rerun_job", "resubmit_active_jobs", "submit_job"]


def process_options(options: dict[str, Any], settings: Settings) -> ProcessOptions:
    """The pipeline options of a job's ``options`` dict (the rule is the library's, shared with the web app).

    The model is the settings' default unless the options choose another of ``settings.allowed_models``; a
    worker downloads a model only where ``settings.allow_model_download`` is on.

    Raises:
        JobOptionsError: an unknown key, a bad value, or a model this server does not allow.
    """
    base = ProcessOptions()
    # the PDF is written by the job, not on its first download (seconds of waiting for a blank page)
    formats = (*base.report.formats, "pdf") if has_pdf_font() else base.report.formats
    base = replace(base, transcribe=replace(base.transcribe, model=settings.model,
                                            allow_download=settings.allow_model_download),
                   report=replace(base.report, formats=formats, timezone=settings.timezone))
    return job_process_options(options, settings.allowed_models, base)


def _duration_or_none(recording: Path) -> float | None:
    try:
        return probe_media(recording).duration_s
    except MediaOpsError:
        return None  # the probe stage will fail the job with the reason


def submit_job(
    settings: Settings,
    recording: Path,
    metrics: Path,
    comments: Path | None = None,
    products: Path | None = None,
    options: dict[str, Any] | None = None,
    name: str | None = None,
    owner: str | None = None,
) -> str:
    """Record a job for ``recording`` and queue it; returns the job id.

    Files are used where they are (they must be readable by the workers: under the storage root in a cluster).
    Checks quickly that they exist and that the options are valid; a recording that cannot be decoded fails
    its job in the worker, with the reason in the job's ``error``.

    Raises:
        InputFileError: a file is missing or empty. JobOptionsError: a bad option.
        MediaOpsError: the broker cannot be reached (the job is then recorded as failed).
    """
    options = dict(options or {})
    check_input_file(Path(recording), "recording")
    check_input_file(Path(metrics), "metrics file")
    for label, path in (("comments file", comments), ("products file", products)):
        if path is not None:
            check_input_file(Path(path), label)
    pipeline_options = process_options(options, settings)
    # the reports are titled with the stream's name as the operator gave it
    pipeline_options = replace(pipeline_options, report=replace(pipeline_options.report,
                                                                title=name or Path(recording).stem))
    options = check_job_options(options, settings.allowed_models)  # stored as checked (numbers as numbers)
    job_id = uuid.uuid4().hex
    job_dir = settings.jobs_dir / job_id
    out_dir = job_dir / "out"
    settings.storage_root.mkdir(parents=True, exist_ok=True)
    inputs = job_stream_inputs(options, settings.allowed_models, StreamInputs(
        Path(metrics), Path(comments) if comments else None, Path(products) if products else None))  # start_time
    prepare_job(job_dir, Path(recording), inputs, pipeline_options, out_dir, settings.artifacts_dir)
    duration_s = _duration_or_none(Path(recording))
    engine = state.engine_for(settings.database_url)
    state.insert_job(engine, {
        "id": job_id, "name": name or Path(recording).stem, "recording": str(Path(recording).absolute()),
        "metrics": str(Path(metrics).absolute()), "comments": str(Path(comments).absolute()) if comments else None,
        "products": str(Path(products).absolute()) if products else None, "options": options, "owner": owner,
        "job_dir": str(job_dir), "out_dir": str(out_dir), "duration_s": duration_s,
    }, stage_order(pipeline_options.first_clips))
    _enqueue(settings, job_id, duration_s)
    return job_id


def _enqueue(settings: Settings, job_id: str, duration_s: float | None) -> None:
    from workers.celery_app import get_app

    app = get_app(settings)
    try:
        # fail fast (a few seconds) when the broker is down, instead of waiting out the publish retries
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=2, interval_start=0.2, interval_step=0.5, interval_max=1.0)
        job = JobFolder(settings.jobs_dir / job_id, settings.artifacts_dir)
        if is_live_job(job.root):  # a live stream: one long task on the "live" queue (workers.live)
            result = live_signature(app, job_id).apply_async()
        else:
            first_clips = job.spec.options.first_clips if job.spec_path.is_file() else True
            result = job_canvas(app, job_id, duration_s, first_clips).apply_async()
        _stop_listening(result)
    except Exception as exc:  # kombu raises its own and socket errors; the job must not stay "queued" forever
        reason = " ".join(str(exc).split())  # one line, whatever the client library wrote
        message = f"could not queue the job: broker {settings.broker_url} unreachable ({reason}) — start it and re-run"
        state.fail_job(state.engine_for(settings.database_url), job_id, None, message)
        raise MediaOpsError(message) from exc


def _stop_listening(result: Any) -> None:
    """Unsubscribe from the results of a just-queued canvas: progress is read from the job database, and a
    result backend with push notifications (Redis) would otherwise keep a subscription per task open."""
    from celery.result import GroupResult

    pending = [result]
    while pending:
        item = pending.pop()
        if item is None:
            continue
        if isinstance(item, GroupResult):
            pending.extend(item.results or ())
        elif item.backend is not None:
            item.backend.remove_pending_result(item)
            item.backend = None
        pending.append(item.parent)


def get_job(settings: Settings, job_id: str) -> dict[str, Any] | None:
    """The job's state (keys in the jobs contract), or ``None`` if there is no such job."""
    return state.get_job(state.engine_for(settings.database_url), job_id)


def list_jobs(settings: Settings, limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` jobs, newest first."""
    return state.list_jobs(state.engine_for(settings.database_url), limit)


def rendered_clips(settings: Settings, job_id: str) -> list[dict[str, Any]]:
    """The clips of ``job_id`` rendered so far, before the job has published them (first clips).

    Each is its :class:`~mediaops.types.Clip` fields, with ``file`` and ``cover`` absolute paths in the artifact
    store; in the order of the highlight plan. Empty while no highlight plan exists (or the job is unknown).
    """
    from mediaops.jobs.artifacts import encode
    from mediaops.types import Clip

    folder = JobFolder(settings.jobs_dir / job_id, settings.artifacts_dir)
    if not folder.spec_path.is_file():
        return []
    try:
        done, _missing = rendered(folder)
        plan = highlight_plan(folder)  # stored: rendered() found it
    except MediaOpsError:
        return []
    found: list[dict[str, Any]] = []
    for highlight in plan.highlights:
        if highlight.id not in done:
            continue
        clip_dir = clip_folder(folder, highlight)
        clip = folder.store.load("render", clip_dir.name.removeprefix("render-"), Clip)
        if clip is None or not (clip_dir / clip.file).is_file():
            continue
        record = encode(clip)
        record["file"] = str(clip_dir / clip.file)
        record["cover"] = str(clip_dir / clip.cover) if clip.cover and (clip_dir / clip.cover).is_file() else None
        found.append(record)
    return found


def cancel_job(settings: Settings, job_id: str) -> bool:
    """Cancel a queued or running job; False if it had already ended (or does not exist).

    The job is marked cancelled at once: its next stage does not start, and a running stage stops within
    seconds (it reads the flag at its progress reports and, while transcribing, between decoding steps in every
    decoding thread). Its queued tasks are also revoked where the broker supports it.
    """
    engine = state.engine_for(settings.database_url)
    if not state.fail_job(engine, job_id, None, "cancelled", status="cancelled"):
        return False
    job = state.get_job(engine, job_id) or {}
    for stage in job.get("stages", []):
        if stage["status"] == "running":
            state.fail_job(engine, job_id, stage["name"], "cancelled", status="cancelled")
    _revoke(settings, job_id)
    return True


def _revoke(settings: Settings, job_id: str) -> None:
    from workers.celery_app import get_app

    try:
        done, missing = rendered(JobFolder(settings.jobs_dir / job_id, settings.artifacts_dir))
        clip_ids = done + missing
    except MediaOpsError:
        clip_ids = []  # no highlights yet, so no render tasks
    try:
        get_app(settings).control.revoke(job_task_ids(job_id, clip_ids))
    except Exception as exc:  # the embedded broker has no broadcast; the database flag does the work there
        log.info("revoke of job %s not broadcast (%s); workers stop it at the next stage", job_id, exc)


def rerun_job(settings: Settings, job_id: str, options: dict[str, Any], *, owner: str | None = None) -> str:
    """Submit a new job with the inputs of ``job_id`` and its options updated by ``options``; returns its id.

    The new job belongs to ``owner``, whoever asked for the re-run (never, silently, to the first job's owner).
    Finished stages whose inputs and settings are unchanged (the transcript, the scenes) are reused.
    Raises:
        JobOptionsError: a bad option. InputFileError: no such job, or its files are gone.
    """
    from mediaops.errors import InputFileError

    old = get_job(settings, job_id)
    if old is None:
        raise InputFileError(f"no job {job_id} — list jobs with `mediaops jobs`")
    merged = {**old["options"], **options}

    def path(key: str) -> Path | None:
        return Path(old[key]) if old[key] else None

    return submit_job(settings, Path(old["recording"]), Path(old["metrics"]), path("comments"), path("products"),
                      merged, old["name"], owner)


def resubmit_active_jobs(settings: Settings) -> list[str]:
    """Queue again every job still queued or running (after the embedded broker lost its tasks in a crash).

    Stages that finished are reused from their artifacts, so nothing is computed twice.
    """
    engine = state.engine_for(settings.database_url)
    active = state.list_jobs(engine, limit=10_000, statuses=state.ACTIVE)
    for job in active:
        _enqueue(settings, job["id"], job["duration_s"])
    return [job["id"] for job in active]
