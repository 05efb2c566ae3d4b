"""What views need from a job: fetching it (404 if unknown), its output files, and a summary for lists.

Calls :mod:`workers.jobs` (the job system's contract); holds no job logic of its own.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path
from typing import Any

from flask import current_app

from mediaops.jobs.options import JobOptionsError, check_job_options
from web.security import abort_json, inside

JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def settings():
    return current_app.extensions["mediaops_settings"]


def get_job_or_404(job_id: str) -> dict[str, Any]:
    from workers import jobs

    job = jobs.get_job(settings(), job_id) if JOB_ID.fullmatch(job_id) else None
    if job is None:
        abort_json(404, f"no stream {job_id}; list them at /api/streams")
    return job


def out_dir(job: dict[str, Any]) -> Path:
    """The job's output folder; 404 unless it exists inside the storage root."""
    folder = inside(settings().storage_root, Path(job.get("out_dir") or "/nonexistent"))
    if folder is None or not folder.is_dir():
        abort_json(404, "this stream has no results yet; wait until it has finished")
    return folder


def require_finished(job: dict[str, Any]) -> Path:
    if job["status"] != "succeeded":
        abort_json(409, f"stream {job['id']} is {job['status']}; results exist only once it has succeeded")
    return out_dir(job)


@functools.lru_cache(maxsize=256)
def _timeline_cached(path: str, _mtime_ns: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def read_timeline(job: dict[str, Any]) -> dict[str, Any] | None:
    """The job's ``timeline.json`` document, or None where it has none (yet)."""
    if job["status"] != "succeeded" or not job.get("out_dir"):
        return None
    path = Path(job["out_dir"]) / "timeline.json"
    try:
        return _timeline_cached(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError):
        return None


def _series(doc: dict[str, Any], name: str) -> list[float]:
    for series in (doc.get("metrics") or {}).get("series", []):
        if series.get("name") == name:
            return [v for v in series.get("values", []) if isinstance(v, int | float) and math.isfinite(v)]
    return []


def summarize(job: dict[str, Any]) -> dict[str, Any]:
    """Figures for the streams list: duration, clip count, peak viewers, orders, GMV, thumbnail (None if absent)."""
    doc = read_timeline(job)
    summary: dict[str, Any] = {"duration_s": None, "clips": None, "peak_viewers": None, "orders": None, "gmv": None,
                               "thumbnail": None}
    if doc is None:
        return summary
    viewers, orders, gmv = _series(doc, "online_viewers"), _series(doc, "orders"), _series(doc, "gmv")
    clips = doc.get("clips") or []
    summary.update(
        duration_s=(doc.get("recording") or {}).get("duration_s"),
        clips=len(clips),
        peak_viewers=max(viewers) if viewers else None,
        orders=sum(orders) if orders else None,
        gmv=sum(gmv) if gmv else None,
        thumbnail=next((c["cover"] for c in clips if c.get("cover")), None),
    )
    return summary


class BadOptionsError(ValueError):
    """Job options from a request that the job system would refuse (the message names the key)."""


def parse_options(raw: Any) -> dict[str, Any]:
    """Validate job options from a request with the job system's own rule
    (:func:`mediaops.jobs.options.check_job_options`: the same bounds, choices and model allow-list as the
    workers); raises :class:`BadOptionsError` naming the offending key."""
    try:
        return check_job_options(raw, settings().allowed_models)
    except JobOptionsError as exc:
        raise BadOptionsError(str(exc)) from None
