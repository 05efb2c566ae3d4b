"""The OpenAPI 3.1 document of the JSON API, served at ``/api/openapi.json``.

Kept by hand next to the routes; ``tests/test_api_openapi.py`` checks that both list the same paths and methods.
"""

from __future__ import annotations

from typing import Any

from mediaops import __version__
from mediaops.jobs.options import JOB_OPTIONS, JobOption
from web.openapi_live import live_paths

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    texts = {400: "Bad input", 401: "Not signed in / no token", 403: "Role too weak or path not allowed",
             404: "Unknown stream, clip or upload", 409: "Not finished yet, or a conflicting state",
             411: "Content-Length missing", 412: "Tus-Resumable missing", 413: "Too large",
             415: "Wrong content type or file kind", 423: "Upload busy", 460: "Checksum mismatch",
             503: "Transient failure; retry"}
    return {str(c): _json(_ERROR, texts[c]) for c in codes}


_JOB_ID = {"name": "job_id", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}}
_UPLOAD_ID = {"name": "upload_id", "in": "path", "required": True, "schema": {"type": "string"}}
_TUS = {"name": "Tus-Resumable", "in": "header", "required": True, "schema": {"type": "string", "enum": ["1.0.0"]}}
_LANG = {"name": "lang", "in": "query", "required": False, "schema": {"type": "string", "enum": ["zh", "en"]},
         "description": "the language of the reasons' words (reason_words); without it: the language cookie, then "
                        "Accept-Language, then Chinese"}

def _option_schema(option: JobOption) -> dict[str, Any]:
    """The JSON Schema of one job option, from the job system's own rule (bounds and choices are not repeated)."""
    schema: dict[str, Any] = {"description": option.description}
    if option.choices:
        return schema | {"enum": list(option.choices)}
    kind = {int: "integer", float: "number", bool: "boolean", str: "string"}[option.kind]
    schema["type"] = kind
    if option.low is not None:
        schema |= {"minimum": option.low, "maximum": option.high}
    if option.pattern:
        schema["pattern"] = f"^(?:{option.pattern})$"
    return schema


_OPTIONS = {
    "type": "object", "additionalProperties": False,
    "description": "Job settings; min_duration_s must not exceed max_duration_s; model must be one of the "
                   "models the server allows (any other value is refused with one message).",
    "properties": {option.key: _option_schema(option) for option in JOB_OPTIONS},
}

_SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "status"],
              "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
    "Options": _OPTIONS,
    "Stage": {"type": "object", "properties": {
        "name": {"type": "string"}, "status": {"type": "string"}, "progress": {"type": ["number", "null"]},
        "started_at": {"type": ["string", "null"]}, "finished_at": {"type": ["string", "null"]},
        "seconds": {"type": ["number", "null"]}, "error": {"type": ["string", "null"]}}},
    "Stream": {"type": "object", "required": ["id", "status", "links"], "properties": {
        "id": {"type": "string"}, "name": {"type": ["string", "null"]},
        "status": {"enum": ["queued", "running", "succeeded", "failed", "cancelled"]},
        "progress": {"type": ["number", "null"]},
        "stages": {"type": "array", "items": {"$ref": "#/components/schemas/Stage"}},
        "error": {"type": ["string", "null"]}, "created_at": {"type": ["string", "null"]},
        "finished_at": {"type": ["string", "null"]}, "options": {"type": ["object", "null"]},
        "owner": {"type": ["string", "null"]}, "recording_name": {"type": "string"},
        "summary": {"type": "object"}, "links": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "Clip": {"type": "object", "required": ["id", "start_s", "end_s", "url"], "properties": {
        "id": {"type": "string"}, "start_s": {"type": "number"}, "end_s": {"type": "number"},
        "duration_s": {"type": "number"}, "score": {"type": ["number", "null"]},
        "reasons": {"type": "array", "items": {"type": "string"},
                    "description": "why it was chosen, in English words (timeline.json's texts, for scripts)"},
        "reason_records": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"},
                           "description": "the reasons as data: a code and its numbers "
                                          "(see mediaops.analysis.reasons)"},
        "reason_words": {"type": "array", "items": {"type": "string"},
                         "description": "the reasons in plain words of the answer's lang, one sentence each"},
        "title": {"type": ["string", "null"]},
        "product_sku": {"type": ["string", "null"]}, "url": {"type": "string"},
        "cover_url": {"type": ["string", "null"]}}},
    "Reason": {"type": "object", "required": ["code", "params"], "properties": {
        "code": {"type": "string", "description": "engagement_surge, scene_cut_before, sentence_end …"},
        "params": {"type": "object", "description": "the code's numbers and names (times in seconds)"}}},
    "Created": {"type": "object", "required": ["id"], "properties": {
        "id": {"type": "string"}, "links": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "JobFromUploads": {"type": "object", "description": (
        "Inputs by upload id (from /api/uploads) or by server path inside the allowed folders; "
        "recording and metrics are required, as an id or a path each."), "properties": {
        "recording": {"type": "string"}, "metrics": {"type": "string"}, "comments": {"type": "string"},
        "products": {"type": "string"}, "recording_path": {"type": "string"}, "metrics_path": {"type": "string"},
        "comments_path": {"type": "string"}, "products_path": {"type": "string"}, "name": {"type": "string"},
        "options": _OPTIONS}},
    "InspectRequest": {"type": "object", "additionalProperties": False, "properties": {
        "recording": {"type": "string", "description": "id of a finished recording upload: the times are then "
                                                       "checked against it (its length and creation time)"},
        "options": {**_OPTIONS, "description": "the job's options; the reading ones (start_time, timezone, "
                                               "date_order, times, counts, metrics_offset_s) decide the preview"}}},
    "InspectAnswer": {"type": "object", "required": ["status"], "properties": {
        "status": {"enum": ["reading", "done"], "description": "reading (202): repeat the same request after "
                                                               "Retry-After seconds"},
        "upload": {"type": "string"}, "filename": {"type": "string"}, "kind": {"enum": ["metrics", "comments"]},
        "recording": {"type": ["string", "null"]},
        "ok": {"type": ["boolean", "null"], "description": "false: a job would refuse the file (report.error "
                                                           "says why); null: no preview (too slow to read)"},
        "report": {"type": ["object", "null"], "description": "as `mediaops inspect --json` prints it (English): "
                                                              "columns, time reading, alignment, first and last "
                                                              "rows, totals, warnings, error"},
        "preview": {"type": "object", "description": "the same in the page's language (?lang=zh|en), in plain "
                                                     "words; warnings name the job options that change them "
                                                     "(fields)"},
        "message": {"type": "string"}, "retry_after_s": {"type": "number"}}},
    "JobFromFiles": {"type": "object", "required": ["recording", "metrics"], "properties": {
        "recording": {"type": "string", "format": "binary"}, "metrics": {"type": "string", "format": "binary"},
        "comments": {"type": "string", "format": "binary"}, "products": {"type": "string", "format": "binary"},
        "name": {"type": "string"}, "options": {"type": "string", "description": "Options as a JSON object"}}},
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of every ``/api`` route."""
    stream = {"$ref": "#/components/schemas/Stream"}
    paths: dict[str, Any] = {
        "/api/streams": {"get": {
            "summary": "List streams (jobs), newest first", "operationId": "listStreams",
            "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                        "maximum": 1000}}],
            "responses": {"200": _json({"type": "object", "required": ["streams"], "properties": {
                "streams": {"type": "array", "items": stream}}})} | _errors(400, 401)}},
        "/api/streams/{job_id}": {"get": {
            "summary": "One stream: status, stage progress, summary", "operationId": "getStream",
            "parameters": [_JOB_ID], "responses": {"200": _json(stream)} | _errors(401, 404)}},
        "/api/streams/{job_id}/timeline": {"get": {
            "summary": "The stream's timeline.json (schema version 1)", "operationId": "getTimeline",
            "parameters": [_JOB_ID],
            "responses": {"200": _json({"type": "object", "required": ["schema_version"]},
                                       "timeline.json; see mediaops/schema/timeline.schema.json")}
            | _errors(401, 404, 409)}},
        "/api/streams/{job_id}/report.md": {"get": {
            "summary": "The review report in Markdown", "operationId": "getReportMarkdown", "parameters": [_JOB_ID],
            "responses": {"200": {"description": "Markdown", "content": {"text/markdown": {"schema": {
                "type": "string"}}}}} | _errors(401, 404, 409)}},
        "/api/streams/{job_id}/clips": {"get": {
            "summary": "The stream's clips with download links and why each was chosen", "operationId": "listClips",
            "parameters": [_JOB_ID, _LANG],
            "responses": {"200": _json({"type": "object", "required": ["lang", "clips"], "properties": {
                "lang": {"enum": ["zh", "en"], "description": "the language of reason_words"},
                "clips": {"type": "array", "items": {"$ref": "#/components/schemas/Clip"}}}})}
            | _errors(401, 404, 409)}},
        "/api/streams/{job_id}/clips/{clip_id}": {"get": {
            "summary": "Download one clip (MP4)", "operationId": "getClipFile",
            "parameters": [_JOB_ID, {"name": "clip_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "MP4", "content": {"video/mp4": {"schema": {
                "type": "string", "format": "binary"}}}}} | _errors(401, 404, 409)}},
        "/api/streams/{job_id}/first-clips": {"get": {
            "summary": "Clips rendered so far while the job runs (first clips); empty once it has succeeded",
            "operationId": "listFirstClips", "parameters": [_JOB_ID, _LANG],
            "responses": {"200": _json({"type": "object", "required": ["status", "lang", "clips"], "properties": {
                "status": {"type": "string"}, "lang": {"enum": ["zh", "en"]},
                "clips": {"type": "array", "items": {"$ref": "#/components/schemas/Clip"}}}})}
            | _errors(401, 404)}},
        "/api/streams/{job_id}/first-clips/{clip_id}/{part}": {"get": {
            "summary": "A first clip's video or cover, before the job has published it",
            "operationId": "getFirstClipFile",
            "parameters": [_JOB_ID, {"name": "clip_id", "in": "path", "required": True, "schema": {"type": "string"}},
                           {"name": "part", "in": "path", "required": True,
                            "schema": {"type": "string", "enum": ["video", "cover"]}}],
            "responses": {"200": {"description": "MP4 or JPEG", "content": {"application/octet-stream": {"schema": {
                "type": "string", "format": "binary"}}}}} | _errors(401, 404)}},
        "/api/streams/{job_id}/rerun": {"post": {
            "summary": "Run the same inputs again with other settings", "operationId": "rerunStream",
            "parameters": [_JOB_ID],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"options": _OPTIONS}}}}},
            "responses": {"202": _json({"$ref": "#/components/schemas/Created"}, "New job queued")}
            | _errors(400, 401, 403, 404, 415, 503)}},
        "/api/streams/{job_id}/cancel": {"post": {
            "summary": "Cancel a queued or running job", "operationId": "cancelStream", "parameters": [_JOB_ID],
            "responses": {"200": _json({"type": "object", "properties": {"id": {"type": "string"},
                                                                         "cancelled": {"type": "boolean"}}})}
            | _errors(401, 403, 404)}},
        "/api/jobs": {"post": {
            "summary": "Create a job from finished uploads, server paths, or files in a multipart body",
            "operationId": "createJob",
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/JobFromUploads"}},
                "multipart/form-data": {"schema": {"$ref": "#/components/schemas/JobFromFiles"}}}},
            "responses": {"201": _json({"$ref": "#/components/schemas/Created"}, "Job queued")}
            | _errors(400, 401, 403, 404, 409, 413, 415, 503)}},
        "/api/uploads": {
            "options": {"summary": "tus capabilities (version, extensions, max size, checksum algorithms)",
                        "operationId": "tusOptions", "responses": {"204": {"description": "tus headers"}}},
            "post": {"summary": "tus creation: start a resumable upload", "operationId": "createUpload",
                     "parameters": [_TUS,
                                    {"name": "Upload-Length", "in": "header", "required": True,
                                     "schema": {"type": "integer", "minimum": 1}},
                                    {"name": "Upload-Metadata", "in": "header", "schema": {"type": "string"},
                                     "description": "base64 pairs: filename, kind (recording|metrics|comments|"
                                                    "products), sha256 (hex of the whole file, checked after the last "
                                                    "chunk: status 'verifying', then 'complete' or 'failed')"}],
                     "responses": {"201": _json({"type": "object", "properties": {
                         "id": {"type": "string"}, "url": {"type": "string"}}}, "Created; Location header")}
                     | _errors(400, 401, 403, 412, 413, 415)}},
        "/api/uploads/{upload_id}": {
            "head": {"summary": "tus: how many bytes the server has", "operationId": "uploadOffset",
                     "parameters": [_UPLOAD_ID], "responses": {"200": {"description": "Upload-Offset header"},
                                                               "401": {"description": "Not signed in"},
                                                               "404": {"description": "Unknown upload"},
                                                               "410": {"description": "Failed: the whole file's "
                                                                                      "sha256 did not match"}}},
            "get": {"summary": "Upload state as JSON", "operationId": "getUpload", "parameters": [_UPLOAD_ID],
                    "responses": {"200": _json({"type": "object"})} | _errors(401, 403, 404)},
            "patch": {"summary": "tus: append a chunk at Upload-Offset (optional Upload-Checksum)",
                      "operationId": "appendUpload",
                      "parameters": [_UPLOAD_ID, _TUS,
                                     {"name": "Upload-Offset", "in": "header", "required": True,
                                      "schema": {"type": "integer", "minimum": 0}},
                                     {"name": "Upload-Checksum", "in": "header", "schema": {"type": "string"},
                                      "description": "'sha1|sha256|md5 <base64 digest of this chunk>'"}],
                      "requestBody": {"required": True, "content": {"application/offset+octet-stream": {
                          "schema": {"type": "string", "format": "binary"}}}},
                      "responses": {"204": {"description": "Stored; new Upload-Offset header"}}
                      | _errors(400, 401, 403, 404, 409, 411, 412, 413, 415, 423, 460)},
            "delete": {"summary": "tus termination: drop an unfinished upload", "operationId": "deleteUpload",
                       "parameters": [_UPLOAD_ID], "responses": {"204": {"description": "Deleted"}}
                       | _errors(401, 403, 404, 409)}},
        "/api/uploads/{upload_id}/inspect": {"post": {
            "summary": "How a finished metrics or comments upload will be read (`mediaops inspect`), against the "
                       "recording when given", "operationId": "inspectUpload",
            "description": "The file is read in the background: 202 until the report is ready (repeat the same "
                           "request), then 200. Files over the server's preview size get 413; a job still reads "
                           "them. Errors carry `message` in the page's language and `field` for a bad option.",
            "parameters": [_UPLOAD_ID, {"name": "lang", "in": "query", "schema": {"enum": ["zh", "en"]}}],
            "requestBody": {"required": False, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/InspectRequest"}}}},
            "responses": {"200": _json({"$ref": "#/components/schemas/InspectAnswer"}, "The report"),
                          "202": _json({"$ref": "#/components/schemas/InspectAnswer"}, "Still reading; repeat "
                                       "after Retry-After seconds")}
            | _errors(400, 401, 403, 404, 409, 413, 415)}},
        "/api/openapi.json": {"get": {"summary": "This document", "operationId": "openapi", "security": [],
                                      "responses": {"200": _json({"type": "object"})}}},
    }
    paths |= live_paths(_JOB_ID, _OPTIONS, _json, _errors)
    return {
        "openapi": "3.1.0",
        "info": {"title": "MediaOps API", "version": __version__,
                 "description": "Livestream review: streams, timelines (schema v1), clips, reports, uploads (tus)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "components": {"schemas": _SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "API token from the 'API tokens' page"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
        "paths": paths,
    }
