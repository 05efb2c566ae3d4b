"""The JSON API: streams (jobs), their timeline, Markdown report and clips; job creation; the OpenAPI document.

Authenticate with ``Authorization: Bearer <token>`` (tokens from the "API tokens" page) or a browser session.
Errors are ``{"error": "<one line>", "status": <code>}``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, request, send_file, url_for

from web.jobs_view import BadOptionsError, get_job_or_404, phase, require_finished, settings, summarize
from web.jobs_view import parse_options as _parse_options
from web.models import Upload
from web.openapi import openapi_document
from web.security import abort_json, db, inside, require, safe_file, signed_in_user
from web.uploads import failure_reason, save_file_upload

bp = Blueprint("api", __name__, url_prefix="/api")

INPUT_KINDS = ("recording", "metrics", "comments", "products")


def parse_options(raw: Any) -> dict[str, Any]:
    try:
        return _parse_options(raw)
    except BadOptionsError as exc:
        abort_json(400, str(exc))


def job_json(job: dict[str, Any]) -> dict[str, Any]:
    """The public view of a job: no server paths, plus summary figures and links."""
    public = {k: job.get(k) for k in ("id", "name", "status", "progress", "stages", "error", "created_at",
                                      "finished_at", "options", "owner")}
    public["phase"] = phase(job)  # the stage-following status the pages show (st_… or ph_…)
    public["recording_name"] = Path(job.get("recording") or "").name
    public["summary"] = summarize(job)
    public["links"] = {
        "self": url_for("api.stream", job_id=job["id"]),
        "page": url_for("streams.stream", job_id=job["id"]),
        "timeline": url_for("api.timeline", job_id=job["id"]),
        "report_md": url_for("api.report_md", job_id=job["id"]),
        "clips": url_for("api.clips", job_id=job["id"]),
    }
    return public


@bp.route("/streams", methods=["GET"])
@require("viewer")
def streams():
    from workers import jobs

    try:
        limit = min(max(int(request.args.get("limit", "100")), 1), 1000)
    except ValueError:
        abort_json(400, "limit must be a whole number")
    return jsonify({"streams": [job_json(j) for j in jobs.list_jobs(settings(), limit=limit)]})


@bp.route("/streams/<job_id>", methods=["GET"])
@require("viewer")
def stream(job_id: str):
    return jsonify(job_json(get_job_or_404(job_id)))


@bp.route("/streams/<job_id>/timeline", methods=["GET"])
@require("viewer")
def timeline(job_id: str):
    folder = require_finished(get_job_or_404(job_id))
    return send_file(safe_file(folder, "timeline.json"), mimetype="application/json", max_age=0)


@bp.route("/streams/<job_id>/report.md", methods=["GET"])
@require("viewer")
def report_md(job_id: str):
    folder = require_finished(get_job_or_404(job_id))
    if not (folder / "report.md").is_file():
        abort_json(404, "this stream's output has no report.md; re-run it to write one")
    return send_file(safe_file(folder, "report.md"), mimetype="text/markdown", max_age=0)


def caller_language() -> str:
    """The language of an answer's words: ``?lang=``, else the language cookie of a signed-in browser, else the
    caller's ``Accept-Language`` (``zh-CN`` → ``zh``), else the app's default (Chinese)."""
    from web.i18n import LANGUAGES, language

    if "lang" not in request.args and "lang" not in request.cookies:
        best = request.accept_languages.best_match(LANGUAGES)
        if best:
            return best
    return language()


def reason_json(clip: dict[str, Any], lang: str) -> dict[str, Any]:
    """Why a clip was chosen, for the API: ``reason_records`` (code and numbers, as ``timeline.json`` keeps them;
    for a timeline written before records, read back from its English texts) and ``reason_words``, the same in
    plain words of ``lang``. ``reasons`` stays ``timeline.json``'s English texts, for scripts."""
    from mediaops.analysis.reasons import describe_reasons, reasons_of
    from mediaops.serialize import to_jsonable

    records = reasons_of(clip)
    return {"reason_records": to_jsonable(list(records)), "reason_words": list(describe_reasons(records, lang))}


def clip_json(job_id: str, clip: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
    keys = ("id", "start_s", "end_s", "score", "reasons", "title", "product_sku")
    return {k: clip.get(k) for k in keys} | reason_json(clip, lang) | {
        "duration_s": round(clip["end_s"] - clip["start_s"], 3),
        "url": url_for("api.clip_file", job_id=job_id, clip_id=clip["id"]),
        "cover_url": url_for("files.output", job_id=job_id, relative=clip["cover"]) if clip.get("cover") else None,
    }


def _timeline_doc(folder: Path) -> dict[str, Any]:
    with safe_file(folder, "timeline.json").open(encoding="utf-8") as handle:
        return json.load(handle)


@bp.route("/streams/<job_id>/clips", methods=["GET"])
@require("viewer")
def clips(job_id: str):
    folder = require_finished(get_job_or_404(job_id))
    lang = caller_language()
    clips = _timeline_doc(folder).get("clips", [])
    return jsonify({"lang": lang, "clips": [clip_json(job_id, c, lang) for c in clips]})


@bp.route("/streams/<job_id>/clips/<clip_id>", methods=["GET"])
@require("viewer")
def clip_file(job_id: str, clip_id: str):
    folder = require_finished(get_job_or_404(job_id))
    clip = next((c for c in _timeline_doc(folder).get("clips", []) if c.get("id") == clip_id), None)
    if clip is None:
        abort_json(404, f"stream {job_id} has no clip {clip_id}")
    path = safe_file(folder, clip["file"])
    return send_file(path, mimetype="video/mp4", as_attachment=True, download_name=f"{job_id}-{path.name}")


def first_clips_json(job: dict[str, Any], lang: str = "zh") -> list[dict[str, Any]]:
    """The clips a job has rendered before it finished (first clips), as the page and the API show them, their
    reasons in words of ``lang``; empty once it has succeeded (its clips are then in ``clips``) or before the
    render stage has made any."""
    from workers import jobs

    if job["status"] == "succeeded":
        return []
    keys = ("id", "start_s", "end_s", "score", "reasons", "title", "product_sku")
    return [{k: clip.get(k) for k in keys} | reason_json(clip, lang) | {
        "duration_s": round(clip["end_s"] - clip["start_s"], 3),
        "url": url_for("api.first_clip_file", job_id=job["id"], clip_id=clip["id"], part="video"),
        "cover_url": url_for("api.first_clip_file", job_id=job["id"], clip_id=clip["id"], part="cover")
        if clip.get("cover") else None,
    } for clip in jobs.rendered_clips(settings(), job["id"])]


@bp.route("/streams/<job_id>/first-clips", methods=["GET"])
@require("viewer")
def first_clips(job_id: str):
    job = get_job_or_404(job_id)
    lang = caller_language()
    return jsonify({"status": job["status"], "lang": lang, "clips": first_clips_json(job, lang)})


@bp.route("/streams/<job_id>/first-clips/<clip_id>/<part>", methods=["GET"])
@require("viewer")
def first_clip_file(job_id: str, clip_id: str, part: str):
    from web.files import send_served
    from workers import jobs

    get_job_or_404(job_id)
    clip = next((c for c in jobs.rendered_clips(settings(), job_id) if c["id"] == clip_id), None)
    path = clip.get({"video": "file", "cover": "cover"}.get(part, "")) if clip else None
    found = inside(settings().storage_root, Path(path)) if path else None
    if found is None or not found.is_file():
        abort_json(404, f"stream {job_id} has no rendered {part} for clip {clip_id} (yet)")
    return send_served(found, download_name=f"{job_id}-{clip_id}{found.suffix}")


@bp.route("/streams/<job_id>/rerun", methods=["POST"])
@require("operator")
def rerun(job_id: str):
    from workers import jobs

    get_job_or_404(job_id)
    body = request.get_json(silent=True) if request.mimetype == "application/json" else None
    if body is None or not isinstance(body, dict):
        abort_json(415, "send a JSON object: {\"options\": {...}}")
    # the re-run is a new job of whoever asked for it, not of the first job's owner
    new_id = _call_jobs(jobs.rerun_job, settings(), job_id, parse_options(body.get("options", {})),
                        owner=signed_in_user().username)
    return jsonify({"id": new_id, "links": {"self": url_for("api.stream", job_id=new_id)}}), 202


@bp.route("/streams/<job_id>/cancel", methods=["POST"])
@require("operator")
def cancel(job_id: str):
    from workers import jobs

    get_job_or_404(job_id)
    return jsonify({"id": job_id, "cancelled": bool(jobs.cancel_job(settings(), job_id))})


def _call_jobs(function, *args, **kwargs):
    from mediaops.errors import MediaOpsError

    try:
        return function(*args, **kwargs)
    except MediaOpsError as exc:
        abort_json(503 if exc.transient else 400, str(exc))


def _upload_input(upload_id: Any, kind: str) -> Upload:
    upload = db().get(Upload, upload_id) if isinstance(upload_id, str) else None
    user = signed_in_user()
    if upload is None or (upload.owner != user.username and not user.may("admin")):
        abort_json(404, f"no upload {upload_id!r} for {kind}; upload the file first")
    if upload.status == "receiving":
        abort_json(409, f"the {kind} upload is not complete ({upload.offset}/{upload.length} bytes); finish it first")
    if upload.status == "verifying":
        abort_json(409, f"the {kind} upload's sha256 is still being checked; poll GET /api/uploads/{upload.id} until "
                        "its status is complete")
    if upload.status == "failed":
        abort_json(409, f"the {kind} upload failed: {failure_reason(upload)}")
    return upload


def _allowed_path(value: Any, kind: str) -> Path:
    roots = [Path(r) for r in current_app.config["ALLOWED_PATH_ROOTS"]]
    if not roots:
        abort_json(403, "this server takes no server-side paths (ALLOWED_PATH_ROOTS is empty); upload instead")
    if not isinstance(value, str) or not value or "\x00" in value:
        abort_json(400, f"{kind}_path must be a path string")
    if not Path(value).is_absolute():  # a relative path would be resolved from the server's working folder
        abort_json(400, f"{kind}_path must be an absolute path inside an allowed folder, not {value!r}")
    for root in roots:
        found = inside(root, Path(value))
        if found is not None and found.is_file():
            return found
    abort_json(403, f"{kind}_path is not a file inside the allowed folders; ask an admin which folders are allowed")


def create_job_from(inputs: dict[str, Path], uploads: list[Upload], options: dict[str, Any], name: str | None):
    """Submit the job, then mark its uploads as used so that expiry never deletes a job's inputs."""
    from workers import jobs

    if "recording" not in inputs or "metrics" not in inputs:
        abort_json(400, "a job needs a recording and its metrics export")
    job_id = _call_jobs(jobs.submit_job, settings(), inputs["recording"], inputs["metrics"],
                        comments=inputs.get("comments"), products=inputs.get("products"), options=options,
                        name=name, owner=signed_in_user().username)
    for upload in uploads:
        upload.status, upload.job_id = "attached", job_id
    db().commit()
    return jsonify({"id": job_id, "links": {"self": url_for("api.stream", job_id=job_id),
                                            "page": url_for("streams.stream", job_id=job_id)}}), 201


@bp.route("/jobs", methods=["POST"])
@require("operator")
def create_job():
    from web.uploads import upload_path

    inputs: dict[str, Path] = {}
    uploads: list[Upload] = []
    if request.mimetype == "application/json":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort_json(400, "the body is not a JSON object")
        for kind in INPUT_KINDS:
            if body.get(kind) is not None and body.get(f"{kind}_path") is not None:
                abort_json(400, f"give either {kind} (an upload id) or {kind}_path, not both")
            if body.get(kind) is not None:
                upload = _upload_input(body[kind], kind)
                uploads.append(upload)
                inputs[kind] = upload_path(upload, kind)
            elif body.get(f"{kind}_path") is not None:
                inputs[kind] = _allowed_path(body[f"{kind}_path"], kind)
        options, name = parse_options(body.get("options")), body.get("name")
    elif request.mimetype == "multipart/form-data":
        try:
            options = parse_options(json.loads(request.form.get("options") or "{}"))
        except json.JSONDecodeError:
            abort_json(400, "the options field is not JSON")
        name = request.form.get("name")
        for kind in INPUT_KINDS:
            if kind in request.files:
                upload = save_file_upload(request.files[kind], kind)
                uploads.append(upload)
                inputs[kind] = upload_path(upload, kind)
    else:
        abort_json(415, "send application/json (upload ids or server paths) or multipart/form-data (files)")
    if name is not None and (not isinstance(name, str) or len(name) > 200):
        abort_json(400, "name must be text of at most 200 characters")
    return create_job_from(inputs, uploads, options, name or None)


@bp.route("/openapi.json", methods=["GET"])
def openapi():
    return jsonify(openapi_document())
