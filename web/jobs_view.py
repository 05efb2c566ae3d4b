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


#: what a running job is doing, by the stage that runs (the badge's word: 转写中, 识别场景, 剪辑中 …)
PHASE_OF_STAGE = {"probe": "ph_probe", "metrics": "ph_metrics", "transcribe": "ph_transcribe", "scenes": "ph_scenes",
                  "highlights": "ph_highlights", "render": "ph_render", "publish": "ph_publish", "live": "ph_live"}


def phase(job: dict[str, Any]) -> str:
    """The i18n key of the job's badge: its status, or, while it runs, the stage it is in.

    Of stages running side by side (transcribe ‖ scenes ‖ metrics) the slowest-weighted one names the phase;
    a running job between two stages names the next pending one.
    """
    status = job["status"]
    if status != "running":
        return f"st_{status}"
    from workers.state import STAGE_WEIGHTS

    stage_list = job.get("stages") or []
    running = [s for s in stage_list if s["status"] == "running"]
    if running:
        name = max(running, key=lambda s: STAGE_WEIGHTS.get(s["name"], 1))["name"]
    else:
        name = next((s["name"] for s in stage_list if s["status"] == "pending"), "")
    return PHASE_OF_STAGE.get(name, "st_running")


#: (words in the job system's English error, i18n key of what the operator sees and does in the UI), first match
_ERROR_KINDS = (
    (("cancelled",), "why_cancelled"),
    (("time limit", "took longer"), "why_time_limit"),
    (("broker", "could not queue"), "why_queue"),
    (("model",), "why_model"),
    (("metrics", "column", "mapping", "timestamp"), "why_metrics"),
    (("comments",), "why_comments"),
    (("products", "sku"), "why_products"),
    (("targets", "run of show"), "why_targets"),
    (("recording", "decode", "ffmpeg", "ffprobe", "stream", "audio", "video", "media"), "why_recording"),
)


def failure_reason(job: dict[str, Any]) -> str | None:
    """Why a failed or cancelled job ended, in the page's language and saying what to do in the web UI.

    The job's own ``error`` is written for the command line (English, file paths, CLI flags such as
    ``--mapping``); pages show a translated reason of its kind instead (the API keeps the original).
    """
    from web.i18n import translate

    if job["status"] not in ("failed", "cancelled"):
        return None
    error = (job.get("error") or "").lower()
    if job["status"] == "cancelled":
        return translate("why_cancelled")
    for words, key in _ERROR_KINDS:
        if any(word in error for word in words):
            return translate(key)
    failed = next((s["name"] for s in job.get("stages") or [] if s["status"] == "failed"), None)
    return translate("why_stage", stage=translate(f"stage_{failed}")) if failed else translate("why_unknown")


def settings_label(job: dict[str, Any]) -> str:
    """The job's clip settings in a few words ("3 条 · 9:16 · 字幕"); empty where it chose none."""
    from web.i18n import translate

    options = job.get("options") or {}
    parts = []
    if "clips" in options:
        parts.append(translate("n_clips_short", count=options["clips"]))
    if "min_duration_s" in options or "max_duration_s" in options:
        low, high = options.get("min_duration_s"), options.get("max_duration_s")
        parts.append(translate("durations_short", low=f"{low:g}" if low is not None else "…",
                               high=f"{high:g}" if high is not None else "…"))
    if "aspect" in options:
        parts.append(str(options["aspect"]))
    if options.get("captions"):
        parts.append(translate("captions_short"))
    if options.get("cut") == "fast":
        parts.append(translate("cut_fast_short"))
    return " · ".join(parts)


def reruns(jobs_list: list[dict[str, Any]]) -> set[str]:
    """Ids of the jobs in ``jobs_list`` that re-run an earlier job (the same recording processed before)."""
    first: dict[str, tuple[str, str]] = {}
    for job in jobs_list:
        mark = (job.get("created_at") or "", job["id"])
        if job["recording"] not in first or mark < first[job["recording"]]:
            first[job["recording"]] = mark
    return {job["id"] for job in jobs_list if first[job["recording"]][1] != job["id"]}


def is_rerun(job: dict[str, Any]) -> bool:
    """True when an earlier job processed the same recording (so this one is a re-run of it)."""
    from workers import state

    engine = state.engine_for(settings().database_url)
    others = [j for j in (state.get_job(engine, i) for i in state.jobs_for_recording(engine, job["recording"])) if j]
    return job["id"] in reruns(others)


def job_label(job: dict[str, Any], rerun: bool) -> str:
    """"重跑 · 3 条 · 9:16" for a re-run; the settings alone (maybe empty) for a first run."""
    from web.i18n import translate

    label = settings_label(job)
    if not rerun:
        return label
    return translate("rerun_label") + (f" · {label}" if label else "")
