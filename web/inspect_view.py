"""The upload page's preview of a metrics export or comment log: ``POST /api/uploads/<id>/inspect``.

It is :func:`mediaops.inputs.inspect.inspect_input` — what ``mediaops inspect FILE`` prints — run on a finished
upload with the job options that decide how files are read (start time, time zone, date order, ``times``,
``counts``, offset), against the recording when its upload is named too. Reading a large export takes seconds
of pure Python, and the file is hostile until read, so the reading never runs in the request: a child process
(:mod:`web.inspect_child`, its memory capped, killed after ``PREVIEW_TIMEOUT_S``) writes the report next
to the upload, and the request answers ``202`` until it is there (the client repeats the same request). Files
over ``PREVIEW_MAX_BYTES`` get no preview (413); a job still reads them.

The answer holds the report as ``mediaops inspect --json`` has it (English, for scripts; the server path
replaced by the file name) and ``preview``: the same report in the page's language, in plain words, naming the
form fields that fix what it warns about (never a command-line flag). Every string from the file stays a plain
JSON string; the page puts it in the document as text only (``web/static/inspect.js``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from mediaops.inputs.messages import describe_message, describe_reading
from web.i18n import english, language, translate
from web.security import require
from web.uploads import _checked_kind, _own_upload, upload_path

bp = Blueprint("inspect", __name__, url_prefix="/api/uploads")

#: defaults of the app settings of the same names (``app.config``)
PREVIEW_MAX_BYTES = 32 * 1024 * 1024
PREVIEW_TIMEOUT_S = 60.0
PREVIEW_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
#: previews computed at once by one web process (each in its own child process)
PREVIEW_WORKERS = 2
#: bumped when the stored result changes shape, so that old results are computed again
RESULT_VERSION = 1
#: the kinds of upload that have a preview
PREVIEW_KINDS = ("metrics", "comments")

#: command-line flags in the library's messages -> the upload form's field that does the same
FLAG_FIELDS = {"--start-time": "start_time", "--timezone": "timezone", "--day-first": "date_order",
               "--month-first": "date_order", "--times": "times", "--counts": "counts",
               "--metrics-offset": "metrics_offset_s", "--comments": "comments"}

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


# --- the request ----------------------------------------------------------------------------------------------------

def _error(status: int, key: str, field: str = "", **values: object):
    """A JSON error: ``error`` in English (the API's language), ``message`` in the page's."""
    response = jsonify({"error": english(key, **values), "status": status, "message": translate(key, **values),
                        **({"field": field} if field else {})})
    response.status_code = status
    return response


def _setting(name: str, default: float) -> float:
    return float(current_app.config.get(name, default))


@bp.route("/<upload_id>/inspect", methods=["POST"])
@require("operator")
def inspect(upload_id: str):
    """How an uploaded metrics export or comment log will be read (see the module's description)."""
    from mediaops.jobs.options import (
        JOB_OPTIONS,
        READING_OPTIONS,
        JobOptionsError,
        StreamInputs,
        check_job_options,
        job_process_options,
        job_stream_inputs,
    )
    from web.jobs_view import settings

    body: Any = {}
    if request.content_length or request.mimetype == "application/json":
        body = request.get_json(silent=True) if request.mimetype == "application/json" else None
        if not isinstance(body, dict):
            return _error(415, "pv_err_body")
    upload = _owned(upload_id)
    if upload is None:
        return _error(404, "pv_err_gone")
    if upload.status == "receiving":
        return _error(409, "pv_err_unfinished", filename=upload.filename)
    kind = _checked_kind(upload)
    if kind not in PREVIEW_KINDS:
        return _error(415, "pv_err_kind", filename=upload.filename)
    path = upload_path(upload, kind)
    recording_id = body.get("recording")
    recording_path: Path | None = None
    if recording_id is not None:
        if not isinstance(recording_id, str):
            return _error(400, "pv_err_recording_id")
        recording = _owned(recording_id)
        if recording is None:
            return _error(404, "pv_err_gone")
        if recording.status == "receiving":
            return _error(409, "pv_err_unfinished", filename=recording.filename)
        if _checked_kind(recording) != "recording":
            return _error(415, "pv_err_not_recording", filename=recording.filename)
        recording_path = upload_path(recording, "recording")
    allowed = settings().allowed_models
    try:
        options = check_job_options(body.get("options"), allowed)
    except JobOptionsError as exc:
        rule = next((option for option in JOB_OPTIONS if option.key == exc.key), None)
        if rule is None or rule.key not in READING_OPTIONS:
            return _error(400, "why_options", field=exc.key)
        return _error(400, f"opt_{rule.key}_invalid", field=rule.key, low=f"{rule.low or 0:g}",
                      high=f"{rule.high or 0:g}")
    metrics = job_process_options(options, allowed).metrics
    start_time = job_stream_inputs(options, allowed, StreamInputs(path)).start_time
    limit = int(_setting("PREVIEW_MAX_BYTES", PREVIEW_MAX_BYTES))
    if path.stat().st_size > limit:
        return _error(413, "pv_err_too_big", filename=upload.filename, limit=f"{limit / 1048576:g}")

    from mediaops.serialize import encode

    spec = {"path": str(path), "kind": kind, "recording": str(recording_path) if recording_path else None,
            "start_time": start_time.isoformat() if start_time else None, "options": encode(metrics)}
    timeout_s, memory = _setting("PREVIEW_TIMEOUT_S", PREVIEW_TIMEOUT_S), int(_setting("PREVIEW_MEMORY_BYTES",
                                                                                       PREVIEW_MEMORY_BYTES))
    # the same upload, recording, options and limits give the same report: stored next to the upload
    key = hashlib.sha256(json.dumps([RESULT_VERSION, upload.id, recording_id, spec, timeout_s, memory],
                                    sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]
    result_path = path.parent / ".preview" / f"{key}.json"
    found = _read_result(result_path)
    if found is None:
        _start(spec, result_path, timeout_s, memory)
        response = jsonify({"status": "reading", "upload": upload.id, "retry_after_s": 1,
                            "message": translate("pv_reading", filename=upload.filename)})
        response.status_code = 202
        response.headers["Retry-After"] = "1"
        return response
    return jsonify(_answer(found, upload.id, upload.filename, kind, recording_id, timeout_s))


def _owned(upload_id: str) -> Any:
    """The current user's upload ``upload_id`` (an admin's: anyone's), or ``None``."""
    try:
        return _own_upload(upload_id)
    except HTTPException:
        return None


def _read_result(path: Path) -> dict[str, Any] | None:
    try:
        found = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


# --- reading in a child process, off the request ---------------------------------------------------------------------

def _start(spec: dict[str, Any], result_path: Path, timeout_s: float, memory_bytes: int) -> None:
    """Start reading unless this upload, recording and options are being read already (by any web process)."""
    global _pool
    result_path.parent.mkdir(exist_ok=True)
    marker = result_path.with_suffix(".running")
    for _attempt in range(2):
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            break
        except FileExistsError:
            try:
                if time.time() - marker.stat().st_mtime < timeout_s + 30:
                    return  # another request started it
                marker.unlink()  # left by a process that died while reading
            except FileNotFoundError:
                pass
    else:
        return
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(PREVIEW_WORKERS, thread_name_prefix="mediaops-preview")
    _pool.submit(_read_in_child, spec, result_path, marker, timeout_s, memory_bytes)


def _read_in_child(spec: dict[str, Any], result_path: Path, marker: Path, timeout_s: float,
                   memory_bytes: int) -> None:
    from mediaops.serialize import write_text_atomic

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "web.inspect_child"], capture_output=True, timeout=timeout_s,
                              input=json.dumps({**spec, "memory_bytes": memory_bytes}).encode(), env=env, check=False)
        result = _read_result_text(done.stdout) if done.returncode == 0 else None
        if result is None:  # out of memory or a crash: what the user can do is the same as for a timeout
            result = {"unreadable": True, "seconds": round(time.monotonic() - started, 1)}
    except subprocess.TimeoutExpired:
        result = {"timed_out": True}
    try:
        write_text_atomic(result_path, json.dumps({"version": RESULT_VERSION, **result}, ensure_ascii=False))
    except OSError:
        pass  # the upload was deleted meanwhile
    finally:
        marker.unlink(missing_ok=True)


def _read_result_text(raw: bytes) -> dict[str, Any] | None:
    try:
        found = json.loads(raw.decode("utf-8"))
    except ValueError:
        return None
    return found if isinstance(found, dict) and ("report" in found or "failure" in found) else None


# --- the answer ------------------------------------------------------------------------------------------------------

def _answer(found: dict[str, Any], upload_id: str, filename: str, kind: str, recording_id: str | None,
            timeout_s: float) -> dict[str, Any]:
    from mediaops.inputs.inspect import InputReport
    from mediaops.serialize import decode, to_jsonable

    answer: dict[str, Any] = {"status": "done", "upload": upload_id, "filename": filename, "kind": kind,
                              "recording": recording_id}
    if "report" in found:
        report = replace(decode(InputReport, found["report"]), path=filename)  # never the server's path
        return answer | {"ok": report.ok, "report": {**to_jsonable(report), "ok": report.ok},
                         "preview": preview(report, recording_id is not None)}
    title = translate(f"pv_title_{kind}", filename=filename)
    if found.get("failure") == "recording":
        notice = translate("pv_failed_recording")
    elif found.get("failure") == "file":
        notice = translate("pv_failed_file", filename=filename)
    elif found.get("timed_out"):
        notice = translate("pv_timed_out", filename=filename, seconds=f"{timeout_s:g}")
    else:
        notice = translate("pv_unreadable", filename=filename)
    # a file or recording that cannot be read fails the job too; a slow one may still be read by the job
    ok = False if "failure" in found else None
    return answer | {"ok": ok, "report": None, "error": _scrubbed(str(found.get("error", ""))) or None,
                     "preview": {"lang": language(), "title": title, "verdict": notice, "ok": ok, "facts": [],
                                 "columns": None, "rows": [], "warnings": [], "error": None,
                                 "labels": {"warnings": translate("pv_warnings"), "result": translate("pv_result"),
                                            "change": translate("pv_change")},
                                 "field_labels": field_labels()}}


def _scrubbed(text: str) -> str:
    """A library message without server folders (``/srv/storage/uploads/<id>/metrics.csv`` → ``metrics.csv``)."""
    return re.sub(r"(?:/[^/\s]+)+/([^/\s]+)", r"\1", text)


def _field_label(field: str) -> str:
    return translate("comments") if field == "comments" else translate(f"opt_{field}")


def _quote(text: str) -> str:
    return translate("pv_quoted", text=text)


def _number(value: float | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _clock(t_s: float) -> str:
    from mediaops.inputs.placement import clock

    return clock(t_s)


def _metric(name: str) -> str:
    key = f"metric_{name}" if name not in ("user", "text", "time") else f"pv_field_{name}"
    text = translate(key)
    return name if text == key else text


def _unquote(text: str) -> str:
    """A value the library wrote with ``repr``, as the file has it."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _reading(label: str) -> str:
    """How the library read a time column (its label), in the page's language."""
    return describe_reading(label, language())


_ALIGN = re.compile(r"^(?P<word>times of day|absolute times) aligned with (?P<source>--start-time|the recording's "
                    r"creation time) (?P<start>\S+?)(?P<note>;.*?)?(?:, shifted by (?P<shift>[+-]?[\d.]+) s "
                    r"\(--metrics-offset\))?$")
_ALIGN_NOTES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), k) for p, k in (
    (r"^; the header gives the zone (?P<zone>.+)$", "pv_al_header_zone"),
    (r"^; the export's times read in (?P<zone>.+) \(--timezone\)$", "pv_al_option_zone"),
    (r"^; the export's times have no zone, read as Beijing time \((?P<zone>.+)\)$", "pv_al_beijing"),
    (r"^; the export's times have no zone, assumed (?P<zone>.+)$", "pv_al_assumed"),
))


def _wall(iso: str) -> str:
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = moment.strftime("%z")
    return moment.strftime("%Y-%m-%d %H:%M:%S") + (f" {zone[:3]}:{zone[3:]}" if zone else "")


def _alignment(text: str) -> str:
    """How the times were put on the recording, in words (the library's ``alignment``)."""
    offset = re.match(r"^offset times \(.*\)(?:, shifted by (?P<shift>[+-]?[\d.]+) s \(--metrics-offset\))?$", text)
    if offset:
        shift = offset["shift"]
        return translate("pv_al_offsets") + (translate("pv_al_shift", seconds=shift) if shift else "")
    match = _ALIGN.match(text)
    if not match:
        return translate("pv_al_other") if language() == "zh" else _flagless(text)
    source = "pv_al_src_start" if match["source"] == "--start-time" else "pv_al_src_creation"
    words = [translate("pv_al_wall", what=translate("pv_rd_clock" if match["word"] == "times of day"
                                                    else "pv_rd_datetimes"),
                       source=translate(source), start=_wall(match["start"]))]
    for pattern, key in _ALIGN_NOTES:
        note = pattern.match(match["note"] or "")
        if note:
            words.append(translate(key, zone=note["zone"]))
    if match["shift"]:
        words.append(translate("pv_al_shift", seconds=match["shift"]))
    return "".join(words)


def _source(text: str) -> str:
    csv = re.match(r"^CSV \((?P<encoding>[^,]+), (?P<separator>.+)-separated\)$", text)
    if csv:
        separator = {"','": "comma", "';'": "semicolon", "tab": "tab", "'|'": "pipe"}.get(csv["separator"], "")
        return translate("pv_src_csv", encoding=csv["encoding"],
                         separator=translate(f"pv_sep_{separator}") if separator else csv["separator"])
    sheet = re.match(r"^XLSX sheet (?P<sheet>.+)$", text)
    if sheet:
        return translate("pv_src_xlsx", sheet=_quote(_unquote(sheet["sheet"])))
    return {"JSON": "JSON", "JSON Lines": "JSON Lines", "Bilibili danmaku XML": translate("pv_src_danmaku")}.get(
        text, text)


def _flagless(text: str) -> str:
    """An English library text with each command-line flag (and its value) replaced by the form field's name."""
    def field(match: re.Match[str]) -> str:
        name = FLAG_FIELDS.get(match[1])
        return f"“{english('comments' if name == 'comments' else f'opt_{name}')}”" if name else "a renamed column"

    return re.sub(r"(--[a-z-]+)(?:[ =](?:offsets|clock|per-interval|running-total|[+-]\d\d:\d\d))?", field, text)


def message(text: str) -> dict[str, Any]:
    """One warning or refusal of the library in the page's language: ``text`` (the library's words,
    :func:`mediaops.inputs.messages.describe_message`), the form ``fields`` that change it (upload form names) and
    a sentence saying so (``fix``); ``key`` names the words used (empty: no match)."""
    found = describe_message(text, language())
    fields = list(dict.fromkeys(FLAG_FIELDS[flag] for flag in found.flags if flag in FLAG_FIELDS))
    if found.code:
        return {"key": found.code, "text": found.text, "fields": fields, "fix": fix_sentence(fields)}
    generic = translate("pv_other") if language() == "zh" else _flagless(text)
    return {"key": "", "text": generic, "fields": fields, "fix": fix_sentence(fields)}


def fix_sentence(fields: list[str], key: str = "pv_fix_fields") -> str:
    """The sentence ``key`` naming the upload form's ``fields`` that change a message (empty without fields)."""
    if not fields:
        return ""
    joined = translate("pv_list_sep").join(translate("pv_quoted", text=_field_label(f)) for f in fields)
    return translate(key, fields=joined)


def _row(label_key: str, row: Any) -> dict[str, Any]:
    return {"label": translate(label_key), "line": translate("pv_line", line=row.line), "time": row.time,
            "at": translate("pv_at", clock=_clock(row.t_s)) if row.t_s is not None else translate("pv_not_placed"),
            "values": [{"name": _metric(name), "value": _number(value)} for name, value in row.values]}


def preview(report: Any, with_recording: bool) -> dict[str, Any]:
    """The :class:`~mediaops.inputs.inspect.InputReport` in the page's language, as the upload page shows it: the
    same parts as ``mediaops inspect`` prints, in plain words, every value from the file kept as written."""
    kind = report.kind
    facts: list[dict[str, str]] = []
    source = _source(report.source) if report.source else ""
    if report.header_line:
        source += translate("pv_header_line", line=report.header_line)
    if source:
        facts.append({"label": translate("pv_source"), "value": source})
    if report.time_column:
        how = translate("pv_read_as", reading=_reading(report.time_reading)) if report.time_reading else ""
        facts.append({"label": translate("pv_time"), "value": _quote(report.time_column) + how})
    if report.alignment:
        facts.append({"label": translate("pv_alignment"), "value": _alignment(report.alignment)})
    if report.rows:
        parts = [translate(f"pv_rows_{kind}", count=report.rows)]
        if report.interval_s:
            parts.append(translate("pv_interval", seconds=f"{report.interval_s:g}"))
        if report.rows_in_recording is not None and report.rows_in_recording != report.rows:
            parts.append(translate("pv_inside", count=report.rows_in_recording))
        if report.range_s:
            parts.append(translate("pv_span", first=_clock(report.range_s[0]), end=_clock(report.range_s[1])))
        facts.append({"label": translate("pv_rows"), "value": translate("pv_part_sep").join(parts)})
    facts.append({"label": translate("pv_recording"), "value": translate(
        "pv_recording_checked", length=_clock(report.recording_s)) if with_recording and report.recording_s
        else translate("pv_recording_later")})
    columns = [{"header": c.header, "metric": _metric(c.name), "unit": c.unit,
                "reading": translate(f"pv_reading_{c.reading.split(' ')[0].replace('-', '_')}") if c.reading else "",
                "total": "" if c.total is None else translate(
                    "pv_peak" if c.reading == "level" else "pv_total", value=_number(c.total))}
               for c in report.columns]
    rows = []
    if report.first_row is not None:
        rows.append(_row("pv_first_row", report.first_row))
    if report.last_row is not None and report.last_row != report.first_row:
        rows.append(_row("pv_last_row", report.last_row))
    error = message(report.error) if report.error else None
    return {
        "lang": language(),
        "title": translate(f"pv_title_{kind}", filename=Path(report.path).name),
        "ok": report.ok,
        "verdict": translate("pv_ok") if report.ok else translate("pv_refused"),
        "facts": facts,
        "columns": {"head": [translate(k) for k in ("pv_col_header", "pv_col_metric", "pv_col_unit",
                                                     "pv_col_reading", "pv_col_total")],
                    "rows": columns} if columns else None,
        "rows": rows,
        "warnings": [message(w) for w in report.warnings],
        "error": error,
        "labels": {"warnings": translate("pv_warnings"), "result": translate("pv_result"),
                   "change": translate("pv_change")},
        "field_labels": field_labels(),
    }


def field_labels() -> dict[str, str]:
    """The upload form's fields a preview may point at, with their names in the page's language."""
    return {field: _field_label(field) for field in dict.fromkeys(FLAG_FIELDS.values())}
