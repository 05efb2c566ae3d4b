"""Live streams in the web app: the form that starts one, its page, and the JSON the page polls.

A live job watches a recording that a recorder is still writing under ``<storage>/live/`` (or an allowed
folder), or records a stream URL; its clips and alerts are announced in ``live.jsonl`` and its viewers curve in
``live-status.json`` (:mod:`mediaops.live.status`). The page polls ``GET /api/streams/<id>/live``, which reads
both and says everything in the page's language. Views validate, call :mod:`workers.live`, and return.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for

from mediaops.live.alerts import alert_text as live_alert_text
from web.i18n import MESSAGES, clip_reasons, language, translate
from web.jobs_view import BadOptionsError, get_job_or_404, parse_options, phase, settings
from web.security import abort_json, inside, require, signed_in_user

bp = Blueprint("live", __name__)

#: the folder under the storage root where recorders and dashboard exports write what a live job watches.
LIVE_FOLDER = "live"
#: the stream URLs a live job may record.
URL_SCHEMES = ("rtmp", "rtmps", "http", "https", "srt")
SIDE_FILES = ("metrics", "comments", "products")


class LiveInputError(ValueError):
    """A live form or API field that names no usable source or file; ``field`` says which."""

    def __init__(self, field: str, message: str, key: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.key = key or f"live_err_{field}"


def _roots() -> list[Path]:
    return [settings().storage_root / LIVE_FOLDER, *(Path(r) for r in current_app.config["ALLOWED_PATH_ROOTS"])]


def live_path(value: Any, field: str) -> Path:
    """The existing file ``value`` names: absolute inside ``<storage>/live`` or an allowed folder, or relative to
    ``<storage>/live``. Raises :class:`LiveInputError` for anything else (outside, missing, not a path)."""
    if not isinstance(value, str) or not value.strip() or "\x00" in value or len(value) > 4096:
        raise LiveInputError(field, f"{field} must be a path to a file in <storage>/{LIVE_FOLDER}/ or an allowed "
                                    "folder")
    candidate = Path(value.strip())
    if not candidate.is_absolute():
        candidate = settings().storage_root / LIVE_FOLDER / candidate
    for root in _roots():
        found = inside(root, candidate) if root.is_dir() else None
        if found is not None and found.is_file():
            return found
    raise LiveInputError(field, f"{field} is not a file in <storage>/{LIVE_FOLDER}/ or an allowed folder; start the "
                                "recorder or the export there first")


def live_source(value: Any) -> str:
    """A stream URL (rtmp, rtmps, http, https, srt) as given, or the absolute path of a growing recording (see
    :func:`live_path`). Raises :class:`LiveInputError`."""
    if isinstance(value, str) and "://" in value:
        text = value.strip()
        try:
            parts = urlsplit(text)
        except ValueError:
            parts = None
        if (parts is None or parts.scheme.lower() not in URL_SCHEMES or not parts.hostname or len(text) > 2048
                or any(ch.isspace() or ord(ch) < 32 for ch in text)):
            raise LiveInputError("source", f"source must be a {', '.join(URL_SCHEMES)} URL or a recording file")
        if not public_stream_host(parts.hostname, settings().live_url_hosts):
            raise LiveInputError("source", f"source {parts.hostname} is inside this network: give a public stream "
                                 "address, or ask the administrator to add the host to MEDIAOPS_LIVE_URL_HOSTS",
                                 "live_err_source_private")
        return text
    return str(live_path(value, "source"))


def public_stream_host(host: str, allowed: tuple[str, ...] = ()) -> bool:
    """Whether a live job may record from ``host``: one of ``allowed`` (the administrator's own stream servers),
    or a name or address whose every address is a public one. Loopback, private, link-local (cloud metadata),
    multicast and reserved addresses are refused, so that a user cannot make a worker read from inside the
    network. A name that does not resolve here passes: the worker reports the source it cannot read."""
    import ipaddress
    import socket

    name = host.strip().lower().rstrip(".")
    if name in allowed:
        return True
    if name == "localhost" or name.endswith(".localhost"):
        return False
    try:
        addresses = [ipaddress.ip_address(name)]
    except ValueError:
        try:
            found = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return True
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if any(str(a) in allowed for a in addresses):
        return True
    return all(a.is_global and not a.is_multicast for a in addresses)


def _submit(source: str, files: dict[str, Path | None], options: dict[str, Any], live: Any, name: Any) -> str:
    """Queue the live job watching ``source`` (checked by :func:`live_source`); raises LiveInputError,
    BadOptionsError or MediaOpsError."""
    from mediaops.jobs.options import JobOptionsError
    from workers.live import submit_live_job

    if name is not None and (not isinstance(name, str) or len(name) > 200):
        raise LiveInputError("name", "name must be text of at most 200 characters")
    metrics = files.get("metrics")
    if metrics is None:
        raise LiveInputError("metrics", "a live job needs its metrics export (a file that grows while on air)")
    try:
        return submit_live_job(settings(), source, metrics, files.get("comments"),
                               files.get("products"), options, live, name or None, signed_in_user().username)
    except JobOptionsError as exc:
        raise BadOptionsError(str(exc)) from None


# --- the form ---------------------------------------------------------------------------------------------------

def _form_rules() -> dict[str, Any]:
    from mediaops.jobs.options import JOB_OPTIONS
    from mediaops.live.job import LIVE_SETTINGS

    return {"rules": {o.key: o for o in JOB_OPTIONS}, "live_rules": {s.key: s for s in LIVE_SETTINGS},
            "folder": LIVE_FOLDER}


def _form_values() -> tuple[dict[str, Any], dict[str, float]]:
    raw: dict[str, Any] = {"captions": request.form.get("captions") == "on"}
    for key, cast in (("clips", int), ("min_duration_s", float), ("max_duration_s", float)):
        if request.form.get(key):
            try:
                raw[key] = cast(request.form[key])
            except ValueError:
                raw[key] = request.form[key]  # parse_options names the bad field
    for key in ("aspect", "cut", "lang"):
        if request.form.get(key):
            raw[key] = request.form[key]
    live: dict[str, Any] = {}
    for key in ("idle_s", "viewers_drop_pct"):
        if request.form.get(key):
            try:
                live[key] = float(request.form[key])
            except ValueError:
                live[key] = request.form[key]
    return parse_options(raw), live


@bp.route("/live/new", methods=["GET", "POST"])
@require("operator")
def new():
    from mediaops.errors import MediaOpsError

    if request.method == "GET":
        return render_template("live_new.html", form={}, **_form_rules())
    form = request.form
    try:
        source = live_source(form.get("source", ""))
        files: dict[str, Path | None] = {kind: live_path(form[kind], kind) if form.get(kind, "").strip() else None
                                         for kind in SIDE_FILES}
        options, live = _form_values()
        job_id = _submit(source, files, options, live, form.get("name") or None)
    except LiveInputError as exc:
        flash(translate(exc.key, folder=LIVE_FOLDER), "error")
    except BadOptionsError:
        flash(translate("why_options"), "error")
    except MediaOpsError as exc:
        flash(translate("why_queue") if exc.transient or "broker" in str(exc) else translate("live_err_files"),
              "error")
    else:
        return redirect(url_for("live.page", job_id=job_id))
    return render_template("live_new.html", form=form, **_form_rules()), 400


# --- the page ---------------------------------------------------------------------------------------------------

@bp.route("/streams/<job_id>/live", methods=["GET"])
@require("viewer")
def page(job_id: str):
    from workers.live import is_live

    job = get_job_or_404(job_id)
    if not is_live(job):
        return redirect(url_for("streams.stream", job_id=job_id))
    labels = {key: translate(key) for key in MESSAGES if key.startswith(("live_l_", "alk_"))}
    labels |= {"clips": translate("clips"), "online_viewers": translate("online_viewers")}
    return render_template("live.html", job=job, labels=labels, reason=live_reason(job))


@bp.route("/streams/<job_id>/live/retry", methods=["POST"])
@require("operator")
def retry(job_id: str):
    """Watch the same source again with the same settings (a new live job of whoever asks)."""
    from mediaops.errors import MediaOpsError
    from workers.live import resubmit_live_job

    get_job_or_404(job_id)
    try:
        new_id = resubmit_live_job(settings(), job_id, owner=signed_in_user().username)
    except MediaOpsError:
        flash(translate("why_retry_failed"), "error")
        return redirect(url_for("live.page", job_id=job_id))
    return redirect(url_for("live.page", job_id=new_id))


def live_reason(job: dict[str, Any]) -> str | None:
    """Why a live job ended without its retrospective, in the page's language (the job's own error is English,
    written for the command line, and may name the stream URL)."""
    if job["status"] == "cancelled":
        return translate("live_why_cancelled")
    if job["status"] != "failed":
        return None
    error = (job.get("error") or "").lower()
    for words, key in ((("could not queue", "broker"), "why_queue"), (("model",), "why_model"),
                       (("metrics",), "live_why_metrics"), (("recorded", "url", "recording", "audio", "video"),
                                                            "live_why_source")):
        if any(word in error for word in words):
            return translate(key)
    return translate("live_why_unknown")


# --- the JSON the page polls ------------------------------------------------------------------------------------

def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def alert_text(event: dict[str, Any]) -> str:
    """One alert in plain words of the page's language, from its kind and numbers (never its English message):
    the library's :func:`mediaops.live.alerts.alert_text`, the same sentence ``live.jsonl`` readers get."""
    found = event.get("details")
    details: dict[str, Any] = found if isinstance(found, dict) else {}
    t_s = _number(event.get("t_s")) or 0.0
    return live_alert_text(str(event.get("kind") or ""), t_s, details, language())


def _warning_text(event: dict[str, Any]) -> str:
    message = str(event.get("message") or "")
    for prefix, key in (("metrics", "live_warn_metrics"), ("comments", "live_warn_comments")):
        if message.startswith(prefix):
            return translate(key)
    return translate("live_warn_other")


def _clip_json(job_id: str, event: dict[str, Any]) -> dict[str, Any] | None:
    start_s, end_s, file = _number(event.get("start_s")), _number(event.get("end_s")), event.get("file")
    clip_id = event.get("id")
    if start_s is None or end_s is None or not isinstance(file, str) or not isinstance(clip_id, str):
        return None  # not a clip this page can show (a garbled line)
    cover = event.get("cover") if isinstance(event.get("cover"), str) else None
    try:
        reasons = list(clip_reasons(event))
    except (TypeError, ValueError, KeyError):  # reasons the library cannot read back (a garbled line)
        reasons = []
    return {
        "id": clip_id, "start_s": start_s, "end_s": end_s, "duration_s": round(end_s - start_s, 3),
        "title": event.get("title") if isinstance(event.get("title"), str) else "",
        "reasons": reasons[:4], "wall_time": event.get("wall_time"),
        "url": url_for("files.output", job_id=job_id, relative=file),
        "download_url": url_for("files.output", job_id=job_id, relative=file, download=1),
        "cover_url": url_for("files.output", job_id=job_id, relative=cover) if cover else None,
    }


def live_json(job: dict[str, Any]) -> dict[str, Any]:
    """What the live page shows, from the job row, ``live-status.json`` and ``live.jsonl``, in the page's language."""
    from mediaops.live.status import read_live_events, read_live_status

    folder = inside(settings().storage_root, Path(job.get("out_dir") or "/nonexistent"))
    status = read_live_status(folder) if folder is not None else None
    events = read_live_events(folder) if folder is not None else []
    if job["status"] == "queued":
        stage = "queued"
    elif job["status"] == "running":
        # the session has written its last status before the task records the job done: still the retrospective
        stage = "retrospective" if status is not None and status.phase in ("retrospective", "ended") else "on_air"
    else:
        stage = {"succeeded": "ended"}.get(job["status"], job["status"])
    clips = [c for c in (_clip_json(job["id"], e) for e in events if e.get("event") == "clip") if c is not None]
    alerts = [{"id": str(e.get("id")), "kind": str(e.get("kind")), "t_s": _number(e.get("t_s")),
               "label": translate(f"alk_{e.get('kind')}") if f"alk_{e.get('kind')}" in MESSAGES else translate(
                   "alk_other"),
               "text": alert_text(e), "wall_time": e.get("wall_time"),
               "message": str(e.get("message") or ""), "details": e.get("details") or {}}
              for e in events if e.get("event") == "alert"]
    readable = status is not None and status.viewers is not None  # the export is read now, whatever it was
    warnings = [{"id": str(e.get("id")), "text": _warning_text(e)} for e in events if e.get("event") == "warning"
                and not (readable and str(e.get("message") or "").startswith("metrics"))]
    viewers = None
    if status is not None and status.viewers is not None:
        viewers = {"t_s": list(status.viewers.t_s), "values": list(status.viewers.values),
                   "interval_s": status.viewers.interval_s}
    return {
        "id": job["id"], "status": job["status"], "phase": phase(job), "stage": stage,
        "stage_label": translate({"queued": "st_queued", "on_air": "live_on_air", "retrospective": "live_finishing",
                                  "ended": "live_ended"}.get(stage, f"st_{stage}")),
        "written_s": status.written_s if status is not None else 0.0,
        "recognised_s": status.recognised_s if status is not None else 0.0,
        "updated_at": status.updated_at if status is not None else None,
        "viewers": viewers, "clips": clips, "alerts": alerts, "warnings": warnings,
        "reason": live_reason(job),
        "links": {"self": url_for("live.live_state", job_id=job["id"]), "page": url_for("live.page", job_id=job["id"]),
                  "stream": url_for("api.stream", job_id=job["id"]),
                  "report": url_for("streams.stream", job_id=job["id"]) if job["status"] == "succeeded" else None},
    }


@bp.route("/api/streams/<job_id>/live", methods=["GET"])
@require("viewer")
def live_state(job_id: str):
    from workers.live import is_live

    job = get_job_or_404(job_id)
    if not is_live(job):
        abort_json(404, f"stream {job_id} is not a live stream; see /api/streams/{job_id}")
    return jsonify(live_json(job))


@bp.route("/api/live", methods=["POST"])
@require("operator")
def create():
    """Start a live job: ``{"source", "metrics_path" | "metrics", "comments_path" | "comments",
    "products_path" | "products", "name", "options", "live"}`` (side files by path or by upload id)."""
    from mediaops.errors import MediaOpsError
    from web.api import _upload_input
    from web.models import Upload
    from web.security import db
    from web.uploads import upload_path

    body = request.get_json(silent=True) if request.mimetype == "application/json" else None
    if not isinstance(body, dict):
        abort_json(415, "send a JSON object: {\"source\": ..., \"metrics_path\": ..., \"options\": {...}}")
    files: dict[str, Path | None] = {}
    uploads: list[Upload] = []
    try:
        source = live_source(body.get("source"))
        for kind in SIDE_FILES:
            if body.get(kind) is not None and body.get(f"{kind}_path") is not None:
                abort_json(400, f"give either {kind} (an upload id) or {kind}_path, not both")
            if body.get(kind) is not None:
                upload = _upload_input(body[kind], kind)
                uploads.append(upload)
                files[kind] = upload_path(upload, kind)
            else:
                path = body.get(f"{kind}_path")
                files[kind] = live_path(path, f"{kind}_path") if path is not None else None
        options = parse_options(body.get("options"))
        job_id = _submit(source, files, options, body.get("live"), body.get("name"))
    except LiveInputError as exc:
        abort_json(400, str(exc))
    except BadOptionsError as exc:
        abort_json(400, str(exc))
    except MediaOpsError as exc:
        abort_json(503 if exc.transient or "broker" in str(exc) else 400, str(exc))
    for upload in uploads:
        upload.status, upload.job_id = "attached", job_id
    db().commit()
    return jsonify({"id": job_id, "links": {"self": url_for("api.stream", job_id=job_id),
                                            "live": url_for("live.live_state", job_id=job_id),
                                            "page": url_for("live.page", job_id=job_id)}}), 201
