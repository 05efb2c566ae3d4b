"""Resumable uploads: the tus 1.0.0 protocol (core, creation, checksum, termination, expiration) in Flask.

Bytes are streamed from the request straight into ``<storage>/uploads/<id>/data.part`` in 1 MiB pieces, never
held whole in memory. A PATCH with ``Upload-Checksum`` (sha1, sha256 or md5 of that chunk) is kept only if the
digest matches; otherwise the file is cut back to where the chunk began and the client resends it. When the last
byte arrives the file gets its real name and, if ``sha256`` was declared in ``Upload-Metadata``, the whole file is
checked against it. Only a complete, verified upload can become a job's input; unfinished or unused uploads are
deleted after ``UPLOAD_EXPIRY_S``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, Request, current_app, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import ClientDisconnected

from web.models import Upload, utcnow
from web.security import abort_json, current_user, db, require

bp = Blueprint("uploads", __name__, url_prefix="/api/uploads")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination,expiration"
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
PIECE = 1024 * 1024
#: file name endings accepted for each kind of input (``kind`` in Upload-Metadata).
KINDS = {
    "recording": (".mp4", ".mov", ".m4v", ".mkv", ".flv", ".ts", ".webm", ".avi"),
    "metrics": (".csv", ".xlsx", ".json", ".txt"),
    "comments": (".jsonl", ".json", ".csv", ".txt"),
    "products": (".csv", ".json", ".xlsx"),
}


def _tus_headers() -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}


def safe_filename(name: str) -> str:
    """A file name without folders, control characters or leading dots (Chinese names are kept)."""
    name = name.replace("\\", "/").split("/")[-1]
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "_", name).strip().lstrip(".")
    return name[:200] or "upload"


def check_kind(kind: str | None, filename: str) -> None:
    """Refuse a file whose name does not fit its declared kind (415)."""
    if kind is None:
        return
    if kind not in KINDS:
        abort_json(400, f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if not filename.lower().endswith(KINDS[kind]):
        abort_json(415, f"{filename} is not a {kind} file; expected {' '.join(KINDS[kind])}")


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
    """Delete uploads (rows and files) not finished, or finished but unused, for ``expiry_s``; returns how many."""
    cutoff = utcnow() - timedelta(seconds=expiry_s)
    stale = session.scalars(
        select(Upload).where(Upload.status.in_(("receiving", "complete")), Upload.updated_at < cutoff)
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


def upload_path(upload: Upload) -> Path:
    """Where a complete upload's file lies."""
    return uploads_root() / upload.id / upload.filename


def _own_upload(upload_id: str) -> Upload:
    upload = db().get(Upload, upload_id) if re.fullmatch(r"[0-9a-f]{32}", upload_id) else None
    user = current_user()
    if upload is None or (upload.owner != user.username and not user.may("admin")):
        abort_json(404, f"no upload {upload_id}; start the upload again", _tus_headers())
    return upload


def _expires(upload: Upload) -> str:
    when = upload.updated_at + timedelta(seconds=current_app.config["UPLOAD_EXPIRY_S"])
    return when.strftime("%a, %d %b %Y %H:%M:%S GMT")


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
    metadata = _parse_metadata(request.headers.get("Upload-Metadata", ""))
    filename = safe_filename(metadata.get("filename", "upload"))
    check_kind(metadata.get("kind"), filename)
    sha256 = metadata.get("sha256", "").lower() or None
    if sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", sha256):
        abort_json(400, "metadata sha256 must be 64 hex digits", _tus_headers())

    root = uploads_root()
    expire_uploads(db(), root, current_app.config["UPLOAD_EXPIRY_S"])
    upload = Upload(id=secrets.token_hex(16), owner=current_user().username, filename=filename, length=length,
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
    return "", 200, _tus_headers() | {
        "Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length), "Upload-Expires": _expires(upload)
    }


@bp.route("/<upload_id>", methods=["GET"])
@require("operator")
def status(upload_id: str):
    upload = _own_upload(upload_id)
    return jsonify({"id": upload.id, "filename": upload.filename, "length": upload.length, "offset": upload.offset,
                    "status": upload.status, "job_id": upload.job_id})


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
    if upload.offset == upload.length:
        final = uploads_root() / upload.id / upload.filename
        if upload.sha256 is not None and _sha256_of(part) != upload.sha256:
            shutil.rmtree(part.parent, ignore_errors=True)
            db().delete(upload)
            db().commit()
            abort_json(460, f"{upload.filename}: sha256 of the whole file does not match; upload it again",
                       _tus_headers())
        os.replace(part, final)
        upload.status = "complete"
    db().commit()
    return "", 204, _tus_headers() | {"Upload-Offset": str(upload.offset), "Upload-Expires": _expires(upload)}


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
    upload = Upload(id=secrets.token_hex(16), owner=current_user().username, filename=filename, length=size,
                    offset=size, status="complete")
    folder = uploads_root() / upload.id
    folder.mkdir(parents=True)
    try:
        os.link(stream.name, folder / filename)
    except OSError:
        stream.seek(0)
        with (folder / filename).open("wb") as out:
            shutil.copyfileobj(stream, out, PIECE)
    db().add(upload)
    db().commit()
    return upload
