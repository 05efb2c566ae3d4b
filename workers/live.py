"""Live streams on the workers: submitting one, the adapter its one long task runs, and telling live jobs apart.

A live job is a job folder holding ``live-job.json`` (:mod:`mediaops.live.job`), a row in the job database with a
single stage, ``live``, and one Celery task on the ``live`` queue that runs :func:`mediaops.live.job.run_live_job`
from the first poll to the retrospective. While the stream is on air the task writes a heartbeat into the
stage's row at every poll (seconds written and recognised, clips and alerts so far); cancelling the job stops the
session at its next poll (the job database's flag, read by :class:`~workers.execution.ProgressRecorder`).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from mediaops.errors import InputFileError
from mediaops.jobs.options import StreamInputs, check_job_options, job_stream_inputs
from mediaops.live.job import LiveJobSpec, live_options, load_live_job, prepare_live_job, run_live_job
from mediaops.live.source import is_url
from mediaops.live.status import LiveStatus
from mediaops.media.probe import check_input_file
from workers import state
from workers.config import Settings
from workers.execution import ProgressRecorder, run_stage, settings_of
from workers.jobs import _enqueue, process_options
from workers.worker import prune_embedded_broker

#: the one stage of a live job (its name also tells live jobs apart in the job database).
LIVE_STAGE = "live"


def is_live(job: dict[str, Any]) -> bool:
    """Whether ``job`` (a job dict of :func:`workers.jobs.get_job`) is a live stream."""
    return [s["name"] for s in job.get("stages") or []] == [LIVE_STAGE]


def _existing_file(path: Path, what: str) -> Path:
    # a growing file may still be empty when the stream starts, but it must exist
    if not path.is_file():
        raise InputFileError(f"{what} not found: {path} — start the recorder or the export first, or check the path")
    return path


def submit_live_job(
    settings: Settings,
    source: str,
    metrics: Path,
    comments: Path | None = None,
    products: Path | None = None,
    options: dict[str, Any] | None = None,
    live: dict[str, Any] | None = None,
    name: str | None = None,
    owner: str | None = None,
) -> str:
    """Record a live job watching ``source`` (a growing recording, or a stream URL) and queue it; returns its id.

    ``options`` are a job's clip settings (:data:`mediaops.jobs.options.JOB_OPTIONS`), ``live`` its live settings
    (:data:`mediaops.live.job.LIVE_SETTINGS`). The source file, the metrics export and the comment log must exist
    (they may still be empty); the product list must be complete.

    Raises:
        InputFileError: a missing file. JobOptionsError: a bad option or live setting.
        MediaOpsError: the broker cannot be reached (the job is then recorded as failed).
    """
    options = dict(options or {})
    if not is_url(source):
        _existing_file(Path(source), "recording")
    _existing_file(Path(metrics), "metrics file")
    if comments is not None:
        _existing_file(Path(comments), "comments file")
    if products is not None:
        check_input_file(Path(products), "products file")
    pipeline_options = process_options(options, settings)
    inputs = job_stream_inputs(options, settings.allowed_models, StreamInputs(
        Path(metrics), Path(comments) if comments else None, Path(products) if products else None))
    watching = live_options(live)
    checked = check_job_options(options, settings.allowed_models)  # stored as checked (numbers as numbers)
    job_id = uuid.uuid4().hex
    job_dir = settings.jobs_dir / job_id
    spec = prepare_live_job(job_dir, source, inputs, pipeline_options, watching, job_dir / "out")
    return _record(settings, job_id, spec, checked, name or _default_name(source), owner)


def _default_name(source: str) -> str:
    # never the URL's last part: for RTMP that is the stream key
    return "live" if is_url(source) else Path(source).stem


def _record(settings: Settings, job_id: str, spec: LiveJobSpec, options: dict[str, Any], name: str,
            owner: str | None) -> str:
    engine = state.engine_for(settings.database_url)
    inputs = spec.inputs
    state.insert_job(engine, {
        "id": job_id, "name": name, "recording": str(spec.recording), "metrics": str(inputs.metrics),
        "comments": str(inputs.comments) if inputs.comments else None,
        "products": str(inputs.products) if inputs.products else None, "options": options, "owner": owner,
        "job_dir": str(settings.jobs_dir / job_id), "out_dir": str(spec.out_dir), "duration_s": None,
    }, (LIVE_STAGE,))
    _enqueue(settings, job_id, None)
    return job_id


def resubmit_live_job(settings: Settings, job_id: str, owner: str | None = None) -> str:
    """A new live job watching what the live job ``job_id`` watched, with its settings; returns its id.

    Raises:
        InputFileError: no such live job, or its folder is gone. MediaOpsError: the broker cannot be reached.
    """
    old = state.get_job(state.engine_for(settings.database_url), job_id)
    if old is None or not is_live(old):
        raise InputFileError(f"no live job {job_id} — list jobs with `mediaops jobs`")
    spec = load_live_job(Path(old["job_dir"]))
    new_id = uuid.uuid4().hex
    job_dir = settings.jobs_dir / new_id
    again = prepare_live_job(job_dir, spec.source, spec.inputs, spec.options, spec.live, job_dir / "out")
    return _record(settings, new_id, again, old["options"] or {}, old["name"], owner)


def heartbeat(status: LiveStatus) -> str:
    """The stage row's message for one poll of a live session."""
    if status.phase == "retrospective":
        return f"stream over after {status.written_s:.0f} s; writing the retrospective"
    return (f"{status.phase.replace('_', ' ')}: {status.written_s:.0f} s written, {status.recognised_s:.0f} s "
            f"recognised, {status.clips} clips, {status.alerts} alerts")


def _work(job: Any, progress: ProgressRecorder) -> tuple[str, str]:
    def beat(status: LiveStatus) -> None:
        progress.check_cancelled()
        state.stage_progress(progress.engine, progress.job_id, LIVE_STAGE, 0.0, heartbeat(status))

    timeline = run_live_job(job.root, on_progress=progress, check_cancelled=progress.check_cancelled, on_poll=beat)
    state.set_duration(progress.engine, progress.job_id, timeline.recording.duration_s)
    return str(load_live_job(job.root).out_dir), f"{len(timeline.clips)} clips"


def run_live_task(task: Any, job_id: str) -> str | None:
    """The body of the ``mediaops.live`` task: the whole session as the job's ``live`` stage, then the job done."""
    settings = settings_of(task)
    out_dir = run_stage(task, job_id, LIVE_STAGE, _work)
    state.finish_job(state.engine_for(settings.database_url), job_id)
    if settings.embedded:
        prune_embedded_broker(settings)
    return out_dir
