"""Submitting recordings found by the side-file naming convention (``mediaops batch`` and ``mediaops watch``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mediaops.errors import InputFileError, MediaOpsError
from mediaops.inputs.sidecars import missing_metrics_message, sidecars_of
from workers import state
from workers.config import Settings
from workers.jobs import submit_job


@dataclass(frozen=True, slots=True)
class Submission:
    """What became of one recording: a job id, or the one-line reason it was not submitted."""

    recording: Path
    job_id: str | None = None
    error: str | None = None


def submit_recording(settings: Settings, recording: Path, options: dict[str, Any] | None = None,
                     owner: str | None = None) -> Submission:
    """Submit ``recording`` with its side files; never raises for one bad recording (the reason is returned)."""
    files = sidecars_of(recording)
    if files.metrics is None:
        return Submission(recording, error=missing_metrics_message(recording))
    try:
        job_id = submit_job(settings, recording, files.metrics, files.comments, files.products, options,
                            name=recording.stem, owner=owner)
    except MediaOpsError as exc:
        return Submission(recording, error=str(exc))
    return Submission(recording, job_id=job_id)


def already_submitted(settings: Settings, recording: Path) -> bool:
    """True if some job (in any state) was made from ``recording``."""
    return bool(state.jobs_for_recording(state.engine_for(settings.database_url), str(recording.absolute())))


def submit_recordings(settings: Settings, recordings: list[Path], options: dict[str, Any] | None = None,
                      skip_submitted: bool = False) -> list[Submission]:
    """Submit each recording in turn; one's failure does not stop the others."""
    results = []
    for recording in recordings:
        if skip_submitted and already_submitted(settings, recording):
            results.append(Submission(recording, error="already submitted (see `mediaops jobs`)"))
            continue
        if not recording.is_file():
            results.append(Submission(recording, error=str(InputFileError(f"not found: {recording}"))))
            continue
        results.append(submit_recording(settings, recording, options))
    return results
