"""The pages: streams list, upload, one stream (progress, player, timeline, clips, report), re-run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from web.i18n import MESSAGES, language, translate
from web.jobs_view import (
    BadOptionsError,
    failure_reason,
    get_job_or_404,
    is_rerun,
    job_label,
    parse_options,
    phase,
    read_timeline,
    reruns,
    settings,
    summarize,
)
from web.security import require, signed_in_user

bp = Blueprint("streams", __name__)

REPORT_FORMATS = (("report.html", "HTML"), ("report.md", "Markdown"))
#: other outputs offered for download where the job wrote them: (file, label key)
EXTRA_OUTPUTS = (("reel.mp4", "dl_reel"), ("replay.mp4", "dl_replay"), ("report_clips.csv", "dl_clips_csv"),
                 ("report_spikes.csv", "dl_spikes_csv"), ("report_products.csv", "dl_products_csv"),
                 ("transcript.srt", "dl_transcript"), ("highlights.fcpxml", "dl_fcpxml"), ("highlights.edl", "dl_edl"))


@bp.route("/", methods=["GET"])
@require("viewer")
def index():
    from workers import jobs

    listed = jobs.list_jobs(settings(), limit=200)
    again = reruns(listed)
    rows = [(job, summarize(job)) for job in listed]
    return render_template("streams.html", rows=rows, phase=phase, labels={j["id"]: job_label(j, j["id"] in again)
                                                                           for j in listed})


@bp.route("/upload", methods=["GET"])
@require("operator")
def upload():
    from mediaops.jobs.options import JOB_OPTIONS, ProcessOptions

    return render_template("upload.html", defaults=ProcessOptions(),
                           chunk_bytes=current_app.config["UPLOAD_CHUNK_BYTES"],
                           max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
                           rules={option.key: option for option in JOB_OPTIONS})


@bp.route("/streams/<job_id>", methods=["GET"])
@require("viewer")
def stream(job_id: str):
    from workers.live import is_live

    job = get_job_or_404(job_id)
    if is_live(job) and job["status"] != "succeeded":  # on air, or ended without its review: the live page
        return redirect(url_for("live.page", job_id=job_id))
    doc = read_timeline(job)
    reports, extras, notes, pdf = [], [], [], {}
    if doc is not None:
        folder = Path(job["out_dir"])
        reports = [(name, label) for name, label in REPORT_FORMATS if (folder / name).is_file()]
        extras = [(name, key) for name, key in EXTRA_OUTPUTS if (folder / name).is_file()]
        notes = data_notes(doc)
        pdf = pdf_state(doc, folder)
    stage_labels = {key[6:]: translate(key) for key in MESSAGES if key.startswith("stage_")}
    from mediaops.jobs.options import JOB_OPTIONS

    # the form's bounds and choices come from the one table of job options the server checks against
    rules = {option.key: option for option in JOB_OPTIONS}
    from web.api import first_clips_json

    phase_labels = {key: translate(key) for key in MESSAGES if key.startswith(("ph_", "st_"))}
    return render_template("stream.html", job=job, doc=doc, reports=reports, extras=extras, summary=summarize(job),
                           stage_labels=stage_labels, rules=rules, phase=phase(job), phase_labels=phase_labels,
                           reason=failure_reason(job), label=job_label(job, is_rerun(job)),
                           first_clips=first_clips_json(job, language()), notes=notes, pdf=pdf)


def data_notes(doc: dict[str, Any]) -> list[dict[str, str]]:
    """What the metrics reader chose or skipped (``metrics.warnings``, English lines naming command-line flags) in
    the page's language, the library's words, each with the upload form's fields that change it (never a flag)."""
    from web.inspect_view import fix_sentence, message

    notes: dict[str, dict[str, str]] = {}
    for line in (doc.get("metrics") or {}).get("warnings") or ():
        found = message(str(line))
        notes.setdefault(found["text"], {"text": found["text"],
                                         "fix": fix_sentence(found["fields"], "data_note_fix")})
    return list(notes.values())


def pdf_state(doc: dict[str, Any], folder: Path) -> dict[str, str | bool]:
    """The PDF report's state for the page: ``ready`` (the job wrote it, a download is instant) or to be made on
    the first download (a job from before jobs wrote it, or whose PDF failed: the page shows progress), and the
    failure the job recorded, in the page's language."""
    from mediaops.report import report_failures

    ready = (folder / "report.pdf").is_file()
    failure = next((f for f in report_failures(doc.get("extras")) if f["format"] == "pdf"), None)
    code = failure["code"] if failure and failure["code"] in ("no_font", "failed") else "unknown"
    return {"ready": ready, "failure": translate(f"pdf_failed_{code}") if failure and not ready else "",
            "building": translate("pdf_building"), "failed": translate("pdf_failed_unknown")}


def _form_options() -> dict:
    raw: dict = {"captions": request.form.get("captions") == "on"}
    for key, cast in (("clips", int), ("min_duration_s", float), ("max_duration_s", float)):
        if request.form.get(key):
            try:
                raw[key] = cast(request.form[key])
            except ValueError:
                raw[key] = request.form[key]  # parse_options names the bad field
    for key in ("aspect", "cut"):
        if request.form.get(key):
            raw[key] = request.form[key]
    return parse_options(raw)


@bp.route("/streams/<job_id>/rerun", methods=["POST"])
@require("operator")
def rerun(job_id: str):
    from mediaops.errors import MediaOpsError
    from workers import jobs

    get_job_or_404(job_id)
    try:
        new_id = jobs.rerun_job(settings(), job_id, _form_options(), owner=signed_in_user().username)
    except BadOptionsError:
        flash(translate("why_options"), "error")
        return redirect(url_for("streams.stream", job_id=job_id))
    except MediaOpsError:
        flash(translate("why_queue"), "error")
        return redirect(url_for("streams.stream", job_id=job_id))
    return redirect(url_for("streams.stream", job_id=new_id))


@bp.route("/streams/<job_id>/retry", methods=["POST"])
@require("operator")
def retry(job_id: str):
    """Run a failed or cancelled job again with the same inputs and settings (a new job of whoever asks)."""
    from mediaops.errors import MediaOpsError
    from workers import jobs

    get_job_or_404(job_id)
    try:
        new_id = jobs.rerun_job(settings(), job_id, {}, owner=signed_in_user().username)
    except MediaOpsError:
        flash(translate("why_retry_failed"), "error")
        return redirect(url_for("streams.stream", job_id=job_id))
    return redirect(url_for("streams.stream", job_id=new_id))


@bp.route("/streams/<job_id>/cancel", methods=["POST"])
@require("operator")
def cancel(job_id: str):
    from workers import jobs

    get_job_or_404(job_id)
    jobs.cancel_job(settings(), job_id)
    return redirect(url_for("streams.stream", job_id=job_id))
