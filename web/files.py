"""Files of a stream: outputs (clips, covers, reports), the recording for the player, and all clips as a ZIP.

Every path is resolved and must stay inside the storage root (or, for a recording given by server path, inside
an allowed folder): ``..``, absolute names and symlinks that point outside give 404.

Every file goes out with a media type from :data:`SERVED_TYPES` (chosen by its name ending, never sniffed),
``X-Content-Type-Options: nosniff`` and a sandbox Content-Security-Policy, so that no uploaded or generated file
can run script in the app's origin: a file of any other type is an ``application/octet-stream`` download. The one
HTML file served, a job's ``report.html``, runs its inline scripts in a sandbox without the app's origin (no
cookies, no same-origin pages); it is opened through a signed link (:func:`report`) so that its clips still play.
"""

from __future__ import annotations

import json
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer

from web.jobs_view import get_job_or_404, out_dir, require_finished, settings
from web.security import abort_json, db, inside, require, safe_file, signed_in_user

bp = Blueprint("files", __name__)


@dataclass(frozen=True, slots=True)
class ServedType:
    """How files of one name ending are sent: the media type, and whether a browser may show them in a tab."""

    mimetype: str
    inline: bool


_VIDEO = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".mkv": "video/x-matroska",
          ".flv": "video/x-flv", ".ts": "video/mp2t", ".webm": "video/webm"}
_AUDIO = {".m4a": "audio/mp4", ".mp3": "audio/mpeg", ".wav": "audio/wav", ".flac": "audio/flac", ".aac": "audio/aac"}
#: the allow-list: the only media types a file is ever served with
SERVED_TYPES: dict[str, ServedType] = {
    **{suffix: ServedType(mimetype, inline=True) for suffix, mimetype in (_VIDEO | _AUDIO).items()},
    ".jpg": ServedType("image/jpeg", inline=True), ".jpeg": ServedType("image/jpeg", inline=True),
    ".png": ServedType("image/png", inline=True),
    ".srt": ServedType("text/plain; charset=utf-8", inline=True),
    ".vtt": ServedType("text/plain; charset=utf-8", inline=True),
    ".json": ServedType("application/json", inline=True),
    ".csv": ServedType("text/csv; charset=utf-8", inline=False),
    ".md": ServedType("text/markdown; charset=utf-8", inline=False),
    ".pdf": ServedType("application/pdf", inline=False),
    ".zip": ServedType("application/zip", inline=False),
}
#: everything not in the allow-list (HTML, SVG, scripts, unknown endings)
DOWNLOAD_ONLY = ServedType("application/octet-stream", inline=False)
#: the self-contained report, the only HTML file served, and only under this name at the top of a job's outputs
REPORT = "report.html"
REPORT_TYPE = ServedType("text/html; charset=utf-8", inline=True)

#: a file shown in a tab: no script, no requests. The browser's own video/audio viewer needs the file's origin to
#: load the media (a bare ``sandbox`` blocks playback), which is harmless because no script runs in it.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
MEDIA_CSP = ("sandbox allow-same-origin; default-src 'none'; media-src 'self'; img-src 'self'; "
             "style-src 'unsafe-inline'; frame-ancestors 'none'")
#: the report's inline scripts (chart, clip player) run in a sandbox with an opaque origin: no cookies, no
#: access to the app's pages or API, no requests but its own clips and covers (the same as its <meta> policy)
REPORT_CSP = ("sandbox allow-scripts allow-downloads; default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
              "style-src 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; font-src data:; "
              "form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
#: how long a signed report link opens the report and its clips
REPORT_LINK_TTL_S = 8 * 3600


def served_type(path: Path, report: bool = False) -> ServedType:
    """The type ``path`` is served as; ``report``: it is a job's ``report.html``."""
    if report and path.name == REPORT:
        return REPORT_TYPE
    return SERVED_TYPES.get(path.suffix.lower(), DOWNLOAD_ONLY)


def send_served(path: Path, download_name: str | None = None, download: bool = False, report: bool = False):
    """``path`` with its allow-listed type, ``nosniff``, a sandbox policy, and as a download unless it is shown
    inline (video, audio, images, subtitles, JSON, the report)."""
    kind = served_type(path, report)
    attachment = download or not kind.inline
    response = send_file(path, mimetype=kind.mimetype, as_attachment=attachment,
                         download_name=(download_name or path.name) if attachment else None, conditional=True,
                         max_age=0)  # conditional: Range requests, so the player can seek
    response.headers["X-Content-Type-Options"] = "nosniff"
    if kind is REPORT_TYPE:
        response.headers["Content-Security-Policy"] = REPORT_CSP
        response.headers["Referrer-Policy"] = "no-referrer"
    else:
        media = kind.mimetype.startswith(("video/", "audio/"))
        response.headers["Content-Security-Policy"] = MEDIA_CSP if media else FILE_CSP
    return response


@bp.route("/files/<job_id>/<path:relative>", methods=["GET"])
@require("viewer")
def output(job_id: str, relative: str):
    path = safe_file(out_dir(get_job_or_404(job_id)), relative)
    download = request.args.get("download") == "1"
    if relative == REPORT and not download:
        return redirect(url_for("files.report", job_id=job_id))
    return send_served(path, download_name=f"{job_id}-{path.name}", download=download, report=relative == REPORT)


def _report_links() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="mediaops-report-link")


@bp.route("/streams/<job_id>/report", methods=["GET"])
@require("viewer")
def report(job_id: str):
    """Open the HTML report through a link signed for this user and job.

    The sandboxed report has no origin, so its requests carry no cookies; the signature in its URL lets its clips
    and covers (relative links) load for :data:`REPORT_LINK_TTL_S`, and nothing else.
    """
    folder = out_dir(get_job_or_404(job_id))
    safe_file(folder, REPORT)
    token = _report_links().dumps([job_id, signed_in_user().id])
    return redirect(url_for("files.signed_output", token=token, relative=REPORT))


@bp.route("/reports/<token>/<path:relative>", methods=["GET"])
def signed_output(token: str, relative: str):
    """A job's output file by a signed report link: the signer must still be an active viewer (or more)."""
    from web.models import User

    try:
        job_id, user_id = _report_links().loads(token, max_age=REPORT_LINK_TTL_S)
        user = db().get(User, int(user_id))
    except (BadSignature, TypeError, ValueError):
        abort(404)
    if user is None or not user.may("viewer"):
        abort(404)
    path = safe_file(out_dir(get_job_or_404(str(job_id))), relative)
    return send_served(path, report=relative == REPORT)


@bp.route("/streams/<job_id>/report.pdf", methods=["GET"])
@require("viewer")
def report_pdf(job_id: str):
    """The PDF report. The job writes it (:func:`workers.jobs.process_options` asks for it where a CJK font is
    installed); a job from before, one run without such a font or one whose PDF failed has it rendered here on
    first request (seconds: the stream page shows progress meanwhile, ``web/static/stream.js``). A failure answers
    ``{"error"}`` in English and ``{"message"}`` in the page's language."""
    from mediaops.errors import MediaOpsError, ReportError
    from mediaops.report import ReportOptions, render_reports
    from web.i18n import language, translate

    folder = require_finished(get_job_or_404(job_id))
    if not (folder / "report.pdf").is_file():
        try:
            render_reports(folder, ReportOptions(lang=language(), formats=("pdf",)))
        except MediaOpsError as exc:
            code = exc.code if isinstance(exc, ReportError) and exc.code in ("no_font", "failed") else "unknown"
            status = 503 if exc.transient or code == "no_font" else 500
            response = jsonify({"error": str(exc), "status": status, "message": translate(f"pdf_failed_{code}")})
            response.status_code = status
            abort(response)
    return send_served(safe_file(folder, "report.pdf"), download_name=f"{job_id}-report.pdf", download=True)


@bp.route("/streams/<job_id>/recording", methods=["GET"])
@require("viewer")
def recording(job_id: str):
    """The job's recording for the player: a video or audio type from the allow-list, else a download."""
    job = get_job_or_404(job_id)
    candidate = Path(job.get("recording") or "/nonexistent")
    if not candidate.is_absolute():  # never resolved from the server's working folder
        abort_json(404, "the recording of this stream is no longer on the server")
    roots = [settings().storage_root, *(Path(r) for r in current_app.config["ALLOWED_PATH_ROOTS"])]
    found = next((p for p in (inside(r, candidate) for r in roots) if p is not None and p.is_file()), None)
    if found is None:
        abort_json(404, "the recording of this stream is no longer on the server")
    return send_served(found, download_name=f"{job_id}-recording{found.suffix.lower()}")


class _Pipe:
    """A write-only file for :class:`zipfile.ZipFile` whose bytes are handed out as the response goes."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # ZipFile leaves a file it was given open; the pieces already taken are the whole archive

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def zip_stream(folder: Path, names: list[tuple[str, str]], piece: int = 1024 * 1024) -> Iterator[bytes]:
    """ZIP (stored, zip64) of ``(relative path, name in archive)`` pairs, produced piece by piece."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for relative, arcname in names:
            path = safe_file(folder, relative)
            info = zipfile.ZipInfo.from_file(path, arcname)
            with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
                while data := source.read(piece):
                    target.write(data)
                    yield pipe.take()
    yield pipe.take()


#: the reports and data that go into a stream's ZIP beside its clips, where the job wrote them
ZIP_EXTRAS = ("timeline.json", REPORT, "report.md", "report.pdf", "report_clips.csv", "report_spikes.csv",
              "report_products.csv", "transcript.srt")


@bp.route("/streams/<job_id>/clips.zip", methods=["GET"])
@require("viewer")
def clips_zip(job_id: str):
    """The stream's clips (with covers and subtitles) and reports as one ZIP, laid out as in the output folder:
    the report inside links to ``clips/…`` and plays them once unpacked."""
    folder = require_finished(get_job_or_404(job_id))
    with safe_file(folder, "timeline.json").open(encoding="utf-8") as handle:
        doc = json.load(handle)
    names = []
    for clip in doc.get("clips", []):
        for key in ("file", "cover", "subtitles"):
            if clip.get(key) and (folder / clip[key]).is_file():
                # the path the report links to; normalised, so no name in the archive climbs out of its folder
                names.append((clip[key], posixpath.normpath(Path(clip[key]).as_posix())))
    names += [(n, n) for n in ZIP_EXTRAS if (folder / n).is_file()]
    # safe_file needs the app context while the generator runs, hence stream_with_context
    return Response(stream_with_context(zip_stream(folder, names)), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{job_id}-clips.zip"',
                             "X-Content-Type-Options": "nosniff", "Content-Security-Policy": FILE_CSP})
