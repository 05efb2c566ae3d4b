"""Resumable uploads: the tus 1.0.0 protocol (core, creation, checksum, termination, expiration) in Flask.

Bytes are streamed from the request straight into ``<storage>/uploads/<id>/data.part`` in 1 MiB pieces, never
held whole in memory. A PATCH with ``Upload-Checksum`` (sha1, sha256 or md5 of that chunk) is kept only if the
digest matches; otherwise the file is cut back to where the chunk began and the client resends it. When the last
byte arrives the file gets its real name and its content is checked. If ``sha256`` was declared in
``Upload-Metadata``, the upload is then ``verifying`` while a background thread hashes the whole file (no request
reads gigabytes): it becomes ``complete`` if the digest matches, else ``failed`` (its bytes deleted, the reason in
``GET``). Only a complete, verified upload can become a job's input; unfinished, failed or unused uploads are
deleted after ``UPLOAD_EXPIRY_S``.

Every upload declares its ``kind`` and its bytes must be that kind, whatever its name says: a recording must
start like a video container and then open in PyAV (:func:`mediaops.media.probe.probe`) as one of
:data:`RECORDING_CONTAINERS`; metrics, comments and products must be text (CSV, JSON, JSONL) or a real XLSX
workbook. HTML, scripts and executables are refused (415) as soon as their first bytes arrive, and the upload is
deleted. Only an upload whose content was checked becomes a job input, and only as the kind it was checked for.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

from flask import Blueprint, Request, abort, current_app, jsonify, request, url_for
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import ClientDisconnected

from web.i18n import english, translate
from web.models import Upload, utcnow
from web.security import abort_json, db, require, signed_in_user

bp = Blueprint("uploads", __name__, url_prefix="/api/uploads")
log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination,expiration"
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
PIECE = 1024 * 1024
#: file name endings accepted for each kind of input (``kind`` in Upload-Metadata).
KINDS = {
    "recording": (".mp4", ".mov", ".m4v", ".mkv", ".flv", ".ts", ".webm", ".avi"),
    "metrics": (".csv", ".xlsx", ".json", ".txt"),
    "comments": (".jsonl", ".json", ".csv", ".txt", ".xlsx", ".xml"),
    "products": (".csv", ".json", ".xlsx"),
}
#: the largest ``Upload-Metadata`` header taken (filename, kind and sha256 need a few hundred bytes); kept under
#: the header limits of the servers in front (gunicorn: 8190 bytes a line) so that the refusal is our JSON 431
MAX_METADATA_BYTES = 4096
#: how many first bytes are sniffed to tell what a file is; checked as soon as they have arrived
HEAD_BYTES = 8192
#: PyAV/FFmpeg demuxers a recording may open with (what the pipeline reads; never playlists or scripts)
RECORDING_CONTAINERS = ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "flv", "mpegts", "avi")
#: server-side key in ``Upload.metadata_json``: the kind the content was checked as (never taken from the client)
CHECKED_KEY = "checked_kind"
#: server-side key in ``Upload.metadata_json``: why a ``failed`` upload failed (English, one line)
FAILURE_KEY = "failure"
#: whole-file sha256 checks running at once in one web process (each reads a file from disk at full speed)
VERIFY_THREADS = 2


def _tus_headers() -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}


def safe_filename(name: str) -> str:
    """A file name without folders, control characters or leading dots (Chinese names are kept)."""
    name = name.replace("\\", "/").split("/")[-1]
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "_", name).strip().lstrip(".")
    return name[:200] or "upload"


class ContentRefusedError(ValueError):
    """An upload refused for what it is; ``status`` is the HTTP status to answer with.

    ``key`` and ``values`` name the message in :data:`web.i18n.MESSAGES`; values named ``*_key`` are words from
    there too. ``str()`` is the English text.
    """

    def __init__(self, status: int, key: str, **values: object) -> None:
        self.status, self.key, self.values = status, key, values
        super().__init__(self.text(english))

    def text(self, lookup: Callable[..., str] = translate) -> str:
        """The message through ``lookup`` (:func:`web.i18n.translate`: the page's language)."""
        words = {name.removesuffix("_key"): lookup(str(value)) if name.endswith("_key") else value
                 for name, value in self.values.items()}
        return lookup(self.key, **words)

    def response(self, headers: dict[str, str] | None = None):
        """The JSON error: ``error`` in English (the API's language), ``message`` in the page's language."""
        response = jsonify({"error": str(self), "status": self.status, "message": self.text()})
        response.status_code = self.status
        response.headers.update(headers or {})
        return response


def refuse(status: int, key: str, headers: dict[str, str] | None = None, **values: object) -> NoReturn:
    """Stop the request with :meth:`ContentRefusedError.response`."""
    abort(ContentRefusedError(status, key, **values).response(headers))


def check_kind(kind: str | None, filename: str) -> None:
    """Refuse an upload without a known kind (400) or whose name does not fit it (415)."""
    if not kind:
        refuse(400, "err_kind_missing", _tus_headers(), filename=filename, kinds=", ".join(KINDS))
    if kind not in KINDS:
        refuse(400, "err_kind_unknown", _tus_headers(), kind=kind, kinds=", ".join(KINDS))
    if not filename.lower().endswith(KINDS[kind]):
        refuse(415, "err_kind_name", _tus_headers(), filename=filename, kind_key=f"kind_{kind}",
               endings=" ".join(KINDS[kind]))


_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                     b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\x00asm", b"dex\n", b"#!")
_ISO_BOXES = (b"ftyp", b"styp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"uuid")
#: how JavaScript starts (a CSV header, JSON or a comment log never does)
_SCRIPT_START = re.compile(
    r"""(//|/\*|['"]use strict['"]|(async\s+)?function\s*[\w$]*\s*\("""
    r"""|\(\s*(async\s*)?(function\b|\(\s*\)\s*=>|[\w$]+\s*=>)|(var|let|const)\s+[\w$]+\s*="""
    r"""|import\s*[({'"*]|import\s+[\w$]+\s+from\b|export\s+(default|const|function|class)\b"""
    r"""|class\s+[\w$]+\s*(extends\b|\{)|(window|document|globalThis|self|top|parent|location)\s*(\.|\[)"""
    r"""|(fetch|eval|alert|setTimeout|Function)\s*\()""")


#: tags and namespaces of documents a browser renders (and runs script in)
_RENDERED_MARKUP = re.compile(r"<(!doctype|html|head|body|script|svg|iframe|object|embed|math|a\b|img)|xmlns\s*=|"
                              r"javascript:", re.IGNORECASE)


def _is_container(head: bytes) -> bool:
    """Whether ``head`` starts like a recording container: ISO-BMFF (MP4/MOV), Matroska/WebM, FLV, MPEG-TS, AVI."""
    if head[4:8] in _ISO_BOXES or head.startswith((b"\x1a\x45\xdf\xa3", b"FLV\x01")):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return True
    # MPEG-TS packets are 188 bytes, each starting with 0x47 (192 in M2TS, after a 4-byte timecode)
    return any(len(head) > step + start and head[start] == head[start + step] == 0x47
               for start, step in ((0, 188), (4, 192)))


def _text_of(head: bytes) -> str | None:
    """``head`` as text if it is UTF-8, UTF-16 (with BOM) or GB18030 without control characters, else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)  # a cut last character is fine
        except UnicodeDecodeError:
            continue
        controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f\v")
        return None if "\x00" in text or controls > len(text) // 100 else text
    return None


def describe_content(head: bytes) -> str:
    """What the first bytes of a file are: ``container``, ``zip``, ``executable``, ``xml`` (a data document such
    as Bilibili danmaku), ``markup`` (HTML, SVG or other markup a browser renders), ``script``, ``text`` or
    ``binary``."""
    if head.startswith(_EXECUTABLE_MAGIC):
        return "executable"
    if _is_container(head):
        return "container"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    text = _text_of(head)
    if text is None:
        return "binary"
    start = text.lstrip("\ufeff \t\r\n\f\v")
    if start.startswith("<"):
        data_xml = start.startswith(("<?xml", "<i>", "<i ")) and not _RENDERED_MARKUP.search(start)
        return "xml" if data_xml else "markup"
    if _SCRIPT_START.match(start):
        return "script"
    return "text"


#: what a recording, metrics, comments or products file never is
_REFUSED = ("executable", "markup", "script", "binary")


def check_content(path: Path, kind: str, filename: str, complete: bool) -> None:
    """Check that the bytes at ``path`` are a ``kind`` file; ``complete``: the whole file is there.

    With only the first bytes (``complete`` false) this refuses what can never be right (HTML, scripts, programs,
    a recording that does not start like a container); the whole file is then probed (recordings) or opened
    (XLSX).

    Raises:
        ContentRefusedError: 415 for content of a type this kind never is; 400 for a recording FFmpeg cannot read.
    """
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    found = describe_content(head)
    if kind == "recording":
        if found in (*_REFUSED, "xml") and found != "binary":
            raise ContentRefusedError(415, "err_not_recording", filename=filename, what_key=f"what_{found}")
        if found != "container":
            raise ContentRefusedError(400, "err_unreadable_recording", filename=filename)
        if complete:
            _probe_recording(path, filename)
        return
    xlsx = filename.lower().endswith(".xlsx")
    if found == "xml" and kind == "comments":  # danmaku; the reader says whether it really is
        return
    if found in _REFUSED or found in ("container", "xml") or (found == "zip") != xlsx:
        raise ContentRefusedError(415, "err_not_xlsx" if xlsx else "err_not_input", filename=filename,
                                  what_key=f"what_{found}", kind_key=f"kind_{kind}")
    if xlsx and complete:
        try:
            with zipfile.ZipFile(path) as workbook:
                names = set(workbook.namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise ContentRefusedError(415, "err_broken_xlsx", filename=filename) from exc
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise ContentRefusedError(415, "err_not_xlsx", filename=filename, what_key="what_zip")


def _probe_recording(path: Path, filename: str) -> None:
    from mediaops.errors import MediaOpsError
    from mediaops.media.probe import probe

    try:
        info = probe(path)
    except MediaOpsError as exc:
        raise ContentRefusedError(400, "err_broken_recording", filename=filename, reason=str(exc)) from exc
    if info.container not in RECORDING_CONTAINERS:
        raise ContentRefusedError(415, "err_recording_container", filename=filename, container=info.container)


def _checked_kind(upload: Upload) -> str | None:
    try:
        value = json.loads(upload.metadata_json or "{}").get(CHECKED_KEY)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _mark_checked(upload: Upload, kind: str) -> None:
    metadata = json.loads(upload.metadata_json or "{}")
    metadata[CHECKED_KEY] = kind
    upload.metadata_json = json.dumps(metadata, ensure_ascii=False)


def uploads_root() -> Path:
    return current_app.extensions["mediaops_settings"].storage_root / "uploads"


def _parse_metadata(header: str) -> dict[str, str]:
    metadata: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value, validate=True).decode("utf-8") if value else ""
        except (binascii.Error, UnicodeDecodeError):
            abort_json(400, f"Upload-Metadata value for {key!r} is not base64 of UTF-8 text")
    return metadata


def expire_uploads(session: Session, root: Path, expiry_s: float) -> int:
    """Delete uploads (rows and files) not finished, failed, or finished but unused, for ``expiry_s``; returns how
    many. A ``verifying`` upload whose server stopped mid-way goes too."""
    cutoff = utcnow() - timedelta(seconds=expiry_s)
    stale = session.scalars(
        select(Upload).where(Upload.status.in_(("receiving", "verifying", "failed", "complete")),
                             Upload.updated_at < cutoff)
    ).all()
    for upload in stale:
        shutil.rmtree(root / upload.id, ignore_errors=True)
        session.delete(upload)
    session.commit()
    # spooled multipart files of requests that died before cleaning up after themselves
    for leftover in (root / ".incoming").glob("*") if (root / ".incoming").is_dir() else ():
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < time.time() - expiry_s:
                leftover.unlink()
    return len(stale)


def upload_path(upload: Upload, kind: str | None = None) -> Path:
    """Where a complete upload's file lies; with ``kind``, only if its content was checked as that kind (else 415)."""
    checked = _checked_kind(upload)
    if kind is not None and checked != kind:
        values = {"upload": upload.id, "filename": upload.filename, "kind_key": f"kind_{kind}", "kind_name": kind}
        if checked in KINDS:
            refuse(415, "err_upload_wrong_kind", None, checked_key=f"kind_{checked}", **values)
        refuse(415, "err_upload_unchecked", None, **values)
    return uploads_root() / upload.id / upload.filename


def _own_upload(upload_id: str) -> Upload:
    upload = db().get(Upload, upload_id) if re.fullmatch(r"[0-9a-f]{32}", upload_id) else None
    user = signed_in_user()
    if upload is None or (upload.owner != user.username and not user.may("admin")):
        abort_json(404, f"no upload {upload_id}; start the upload again", _tus_headers())
    return upload


def _expires(upload: Upload) -> str:
    when = upload.updated_at + timedelta(seconds=current_app.config["UPLOAD_EXPIRY_S"])
    return when.strftime("%a, %d %b %Y %H:%M:%S GMT")


@bp.after_app_request
def tus_resumable(response):
    """Every answer of the tus endpoint but OPTIONS names the protocol version, errors included (tus 1.0.0)."""
    if request.path.startswith(bp.url_prefix or "/api/uploads") and request.method != "OPTIONS":
        response.headers.setdefault("Tus-Resumable", TUS_VERSION)
    return response


@bp.route("", methods=["OPTIONS"])
def options():
    headers = _tus_headers() | {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": TUS_EXTENSIONS,
        "Tus-Max-Size": str(current_app.config["MAX_UPLOAD_BYTES"]),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUMS),
    }
    return "", 204, headers


@bp.route("", methods=["POST"])
@require("operator")
def create():
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        abort_json(412, "send 'Tus-Resumable: 1.0.0'", {"Tus-Version": TUS_VERSION})
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        abort_json(400, "Upload-Length must be the file size in bytes", _tus_headers())
    if length < 1:
        abort_json(400, "the file is empty; choose the real recording or export", _tus_headers())
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if length > limit:
        abort_json(413, f"file of {length} bytes is over this server's limit of {limit} bytes", _tus_headers())
    raw_metadata = request.headers.get("Upload-Metadata", "")
    if len(raw_metadata) > MAX_METADATA_BYTES:
        refuse(431, "err_metadata_too_big", _tus_headers(), size=len(raw_metadata), limit=MAX_METADATA_BYTES)
    metadata = _parse_metadata(raw_metadata)
    for key in (CHECKED_KEY, FAILURE_KEY):  # the server's words (what it is, why it failed), never the client's
        metadata.pop(key, None)
    filename = safe_filename(metadata.get("filename", "upload"))
    check_kind(metadata.get("kind"), filename)
    sha256 = metadata.get("sha256", "").lower() or None
    if sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", sha256):
        abort_json(400, "metadata sha256 must be 64 hex digits", _tus_headers())

    root = uploads_root()
    expire_uploads(db(), root, current_app.config["UPLOAD_EXPIRY_S"])
    upload = Upload(id=secrets.token_hex(16), owner=signed_in_user().username, filename=filename, length=length,
                    sha256=sha256, metadata_json=json.dumps(metadata, ensure_ascii=False))
    folder = root / upload.id
    folder.mkdir(parents=True)
    (folder / "data.part").touch()
    db().add(upload)
    db().commit()
    location = url_for("uploads.status", upload_id=upload.id)
    headers = _tus_headers() | {"Location": location, "Upload-Expires": _expires(upload)}
    return jsonify({"id": upload.id, "url": location}), 201, headers


@bp.route("/<upload_id>", methods=["HEAD"])
@require("operator")
def head(upload_id: str):
    upload = _own_upload(upload_id)
    if upload.status == "failed":  # its bytes are gone: a tus client must not take the full offset as success
        abort_json(410, failure_reason(upload), _tus_headers())
    return "", 200, _tus_headers() | {
        "Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length), "Upload-Expires": _expires(upload)
    }


@bp.route("/<upload_id>", methods=["GET"])
@require("operator")
def status(upload_id: str):
    upload = _own_upload(upload_id)
    failure = {"error": failure_reason(upload)} if upload.status == "failed" else {}
    return jsonify({"id": upload.id, "filename": upload.filename, "length": upload.length, "offset": upload.offset,
                    "status": upload.status, "job_id": upload.job_id} | failure)


@bp.route("/<upload_id>", methods=["DELETE"])
@require("operator")
def terminate(upload_id: str):
    upload = _own_upload(upload_id)
    if upload.status == "attached":
        abort_json(409, "this upload is the input of a job and cannot be deleted", _tus_headers())
    shutil.rmtree(uploads_root() / upload.id, ignore_errors=True)
    db().delete(upload)
    db().commit()
    return "", 204, _tus_headers()


def _checksum(header: str | None):
    if not header:
        return None, None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        abort_json(400, f"checksum algorithm {algorithm!r} not supported; use {', '.join(CHECKSUMS)}", _tus_headers())
    try:
        return CHECKSUMS[algorithm](), base64.b64decode(encoded, validate=True)
    except binascii.Error:
        abort_json(400, "Upload-Checksum must be '<algorithm> <base64 digest>'", _tus_headers())


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(PIECE):
            digest.update(piece)
    return digest.hexdigest()


def failure_reason(upload: Upload) -> str:
    """Why the ``failed`` upload failed (one English line)."""
    reason = json.loads(upload.metadata_json or "{}").get(FAILURE_KEY)
    return reason if isinstance(reason, str) else f"{upload.filename}: the upload failed; upload it again"


_verifier_lock = threading.Lock()


def _verify_later(upload_id: str, kind: str) -> None:
    """Queue :func:`verify_upload` for ``upload_id`` on this app's pool of :data:`VERIFY_THREADS` threads."""
    with _verifier_lock:
        pool = current_app.extensions.get("mediaops_upload_verifier")
        if pool is None:
            pool = ThreadPoolExecutor(VERIFY_THREADS, thread_name_prefix="upload-sha256")
            current_app.extensions["mediaops_upload_verifier"] = pool
    future = pool.submit(verify_upload, current_app.extensions["mediaops_db"], uploads_root(), upload_id, kind)
    future.add_done_callback(_log_verify_error)


def _log_verify_error(future: Future[str | None]) -> None:
    # nobody waits for the check: an error (the database gone) is logged, and the upload expires as ``verifying``
    if (exc := future.exception()) is not None:
        log.error("checking an upload's sha256 failed", exc_info=exc)


def verify_upload(sessions: sessionmaker, root: Path, upload_id: str, kind: str) -> str | None:
    """Check a ``verifying`` upload's whole file under ``root`` against its declared sha256.

    A match makes it ``complete`` (an input of ``kind``); a mismatch deletes its bytes and makes it ``failed``,
    with the reason that ``GET /api/uploads/<id>`` shows. An upload deleted (or no longer verifying) meanwhile is
    left alone. Returns the new status, or None when there was nothing to do.
    """
    with sessions() as session:
        upload = session.get(Upload, upload_id)
        if upload is None or upload.status != "verifying" or upload.sha256 is None:
            return None
        try:
            matches = _sha256_of(root / upload.id / upload.filename) == upload.sha256
        except OSError:  # deleted by its owner while it was read
            return None
        metadata = json.loads(upload.metadata_json or "{}")
        if matches:
            metadata[CHECKED_KEY] = kind
            status = "complete"
        else:
            shutil.rmtree(root / upload.id, ignore_errors=True)
            metadata[FAILURE_KEY] = f"{upload.filename}: sha256 of the whole file does not match; upload it again"
            status = "failed"
        # only if still verifying: a DELETE that came meanwhile wins
        session.execute(update(Upload).where(Upload.id == upload_id, Upload.status == "verifying").values(
            status=status, metadata_json=json.dumps(metadata, ensure_ascii=False), updated_at=utcnow()))
        session.commit()
        return status


@bp.route("/<upload_id>", methods=["PATCH"])
@require("operator")
def patch(upload_id: str):
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        abort_json(412, "send 'Tus-Resumable: 1.0.0'", {"Tus-Version": TUS_VERSION})
    if request.mimetype != "application/offset+octet-stream":
        abort_json(415, "PATCH bodies must be 'Content-Type: application/offset+octet-stream'", _tus_headers())
    upload = _own_upload(upload_id)
    if upload.status != "receiving":
        abort_json(409, "this upload is complete already", _tus_headers())
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        abort_json(400, "Upload-Offset must be a byte count", _tus_headers())
    if offset != upload.offset:
        abort_json(409, f"Upload-Offset {offset} does not match the server's {upload.offset}; HEAD, then resume",
                   _tus_headers() | {"Upload-Offset": str(upload.offset)})
    if request.content_length is None:
        abort_json(411, "send Content-Length with each chunk", _tus_headers())
    if offset + request.content_length > upload.length:
        abort_json(413, "this chunk goes past the declared Upload-Length", _tus_headers())
    hasher, expected = _checksum(request.headers.get("Upload-Checksum"))

    part = uploads_root() / upload.id / "data.part"
    with part.open("r+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            abort_json(423, "another request is writing this upload; wait and resume", _tus_headers())
        db().refresh(upload)  # another PATCH may have finished between our first look and the lock
        if upload.offset != offset or upload.status != "receiving":
            abort_json(409, f"Upload-Offset {offset} does not match the server's {upload.offset}; HEAD, then resume",
                       _tus_headers() | {"Upload-Offset": str(upload.offset)})
        handle.truncate(offset)  # drop bytes of an earlier chunk that was never acknowledged
        handle.seek(offset)
        written = 0
        try:
            while piece := request.stream.read(PIECE):
                handle.write(piece)
                written += len(piece)
                if hasher is not None:
                    hasher.update(piece)
        except (ClientDisconnected, OSError):
            pass  # keep what arrived (unless a checksum must cover the whole chunk, below)
        complete_chunk = written == request.content_length
        if hasher is not None and (not complete_chunk or hasher.digest() != expected):
            handle.truncate(offset)
            if complete_chunk:
                abort_json(460, "chunk checksum mismatch; resend this chunk", _tus_headers() | {
                    "Upload-Offset": str(offset)})
            written = 0
        handle.flush()
        os.fsync(handle.fileno())
    upload.offset = offset + written
    upload.updated_at = utcnow()
    kind = json.loads(upload.metadata_json).get("kind", "")
    complete = upload.offset == upload.length
    if not complete and offset < HEAD_BYTES <= upload.offset:
        _check_or_discard(upload, part, kind, complete=False)  # refuse HTML, scripts, programs before GBs arrive
    if complete:
        final = uploads_root() / upload.id / upload.filename
        os.replace(part, final)
        _check_or_discard(upload, final, kind, complete=True)
        if upload.sha256 is None:
            _mark_checked(upload, kind)
            upload.status = "complete"
        else:
            upload.status = "verifying"
    db().commit()
    if upload.status == "verifying":  # committed first: the check may finish before this request does
        _verify_later(upload.id, kind)
    return "", 204, _tus_headers() | {"Upload-Offset": str(upload.offset), "Upload-Expires": _expires(upload)}


def _discard(upload: Upload) -> None:
    shutil.rmtree(uploads_root() / upload.id, ignore_errors=True)
    db().delete(upload)
    db().commit()


def _check_or_discard(upload: Upload, path: Path, kind: str, complete: bool) -> None:
    """:func:`check_content`, deleting the upload (rows and bytes) and answering with its JSON error if refused."""
    try:
        check_content(path, kind, upload.filename, complete)
    except ContentRefusedError as exc:
        _discard(upload)
        abort(exc.response(_tus_headers()))


class StreamingRequest(Request):
    """Puts files of multipart bodies (API job creation) in the storage folder instead of the system temp.

    The spooled files then become uploads by a hard link, not by a multi-GB copy.
    """

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        incoming = current_app.extensions["mediaops_settings"].storage_root / "uploads" / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        return tempfile.NamedTemporaryFile("w+b", dir=incoming)  # deleted when the request closes it


def save_file_upload(storage, kind: str) -> Upload:
    """Turn one multipart file part into a complete :class:`Upload` owned by the current user."""
    filename = safe_filename(storage.filename or kind)
    check_kind(kind, filename)
    stream = storage.stream
    stream.flush()
    size = os.fstat(stream.fileno()).st_size
    if size == 0:
        abort_json(400, f"{filename} is empty; choose the real file")
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if size > limit:
        abort_json(413, f"{filename} has {size} bytes, over this server's limit of {limit} bytes")
    upload = Upload(id=secrets.token_hex(16), owner=signed_in_user().username, filename=filename, length=size,
                    offset=size, status="complete",
                    metadata_json=json.dumps({"filename": filename, "kind": kind, CHECKED_KEY: kind}))
    folder = uploads_root() / upload.id
    folder.mkdir(parents=True)
    try:
        os.link(stream.name, folder / filename)
    except OSError:
        stream.seek(0)
        with (folder / filename).open("wb") as out:
            shutil.copyfileobj(stream, out, PIECE)
    try:
        check_content(folder / filename, kind, filename, complete=True)
    except ContentRefusedError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        abort(exc.response())
    db().add(upload)
    db().commit()
    return upload
