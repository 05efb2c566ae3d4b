"""Files of a stream: outputs (clips, covers, reports), the recording for the player, and all clips as a ZIP.

Every path is resolved and must stay inside the storage root (or, for a recording given by server path, inside
an allowed folder): ``..``, absolute names and symlinks that point outside give 404.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_file, stream_with_context

from web.jobs_view import get_job_or_404, out_dir, require_finished, settings
from web.security import abort_json, inside, require, safe_file

bp = Blueprint("files", __name__)

MIMETYPES = {".md": "text/markdown; charset=utf-8", ".srt": "text/plain; charset=utf-8",
             ".vtt": "text/vtt; charset=utf-8", ".json": "application/json"}


@bp.route("/files/<job_id>/<path:relative>", methods=["GET"])
@require("viewer")
def output(job_id: str, relative: str):
    path = safe_file(out_dir(get_job_or_404(job_id)), relative)
    download = request.args.get("download") == "1"
    return send_file(path, mimetype=MIMETYPES.get(path.suffix.lower()), as_attachment=download,
                     download_name=f"{job_id}-{path.name}" if download else None, conditional=True, max_age=0)


@bp.route("/streams/<job_id>/report.pdf", methods=["GET"])
@require("viewer")
def report_pdf(job_id: str):
    """The PDF report, rendered from the job's outputs on first request (the pipeline writes HTML/MD/CSV)."""
    from mediaops.errors import MediaOpsError
    from mediaops.report import ReportOptions, render_reports
    from web.i18n import language

    folder = require_finished(get_job_or_404(job_id))
    if not (folder / "report.pdf").is_file():
        try:
            render_reports(folder, ReportOptions(lang=language(), formats=("pdf",)))
        except MediaOpsError as exc:
            abort_json(503 if exc.transient else 500, str(exc))
    return send_file(safe_file(folder, "report.pdf"), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{job_id}-report.pdf", max_age=0)


@bp.route("/streams/<job_id>/recording", methods=["GET"])
@require("viewer")
def recording(job_id: str):
    job = get_job_or_404(job_id)
    candidate = Path(job.get("recording") or "/nonexistent")
    roots = [settings().storage_root, *(Path(r) for r in current_app.config["ALLOWED_PATH_ROOTS"])]
    found = next((p for p in (inside(r, candidate) for r in roots) if p is not None and p.is_file()), None)
    if found is None:
        abort_json(404, "the recording of this stream is no longer on the server")
    return send_file(found, conditional=True, max_age=0)  # conditional: Range requests, so the player can seek


class _Pipe:
    """A write-only file for :class:`zipfile.ZipFile` whose bytes are handed out as the response goes."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def zip_stream(folder: Path, names: list[tuple[str, str]], piece: int = 1024 * 1024) -> Iterator[bytes]:
    """ZIP (stored, zip64) of ``(relative path, name in archive)`` pairs, produced piece by piece."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:  # type: ignore[arg-type]
        for relative, arcname in names:
            path = safe_file(folder, relative)
            info = zipfile.ZipInfo.from_file(path, arcname)
            with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
                while data := source.read(piece):
                    target.write(data)
                    yield pipe.take()
    yield pipe.take()


@bp.route("/streams/<job_id>/clips.zip", methods=["GET"])
@require("viewer")
def clips_zip(job_id: str):
    folder = require_finished(get_job_or_404(job_id))
    with safe_file(folder, "timeline.json").open(encoding="utf-8") as handle:
        doc = json.load(handle)
    names = []
    for clip in doc.get("clips", []):
        for key in ("file", "cover", "subtitles"):
            if clip.get(key) and (folder / clip[key]).is_file():
                names.append((clip[key], Path(clip[key]).name))
    names += [(n, n) for n in ("timeline.json", "report.html", "report.md") if (folder / n).is_file()]
    # safe_file needs the app context while the generator runs, hence stream_with_context
    return Response(stream_with_context(zip_stream(folder, names)), mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{job_id}-clips.zip"'})
