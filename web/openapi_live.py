"""The live-stream part of the OpenAPI document (:mod:`web.live`): starting a live job and the state its page polls."""

from __future__ import annotations

from typing import Any

from mediaops.live.job import LIVE_SETTINGS


def live_paths(job_id: dict[str, Any], options: dict[str, Any], json_body: Any, errors: Any) -> dict[str, Any]:
    """The ``/api`` paths of :mod:`web.live`, built with the main document's parameter, schema and helpers."""
    live_settings = {"type": "object", "additionalProperties": False, "description": "How the stream is watched",
                     "properties": {s.key: {"type": "number", "minimum": s.low, "maximum": s.high,
                                            "description": f"{s.description} (default {s.default:g})"}
                                    for s in LIVE_SETTINGS}}
    clip = {"type": "object", "required": ["id", "start_s", "end_s", "url"], "properties": {
        "id": {"type": "string"}, "start_s": {"type": "number"}, "end_s": {"type": "number"},
        "duration_s": {"type": "number"}, "title": {"type": "string"},
        "reasons": {"type": "array", "items": {"type": "string"}}, "url": {"type": "string"},
        "download_url": {"type": "string"}, "cover_url": {"type": ["string", "null"]}}}
    alert = {"type": "object", "required": ["id", "kind", "text"], "properties": {
        "id": {"type": "string"},
        "kind": {"type": "string", "description": "viewers_drop, dead_air, unanswered_questions, pitch_overrun"},
        "t_s": {"type": ["number", "null"]}, "label": {"type": "string"},
        "text": {"type": "string", "description": "the alert in plain words of the request's language"},
        "message": {"type": "string", "description": "the library's English sentence"},
        "details": {"type": "object"}}}
    state = {"type": "object", "required": ["id", "status", "stage", "clips", "alerts"], "properties": {
        "id": {"type": "string"}, "status": {"type": "string"}, "phase": {"type": "string"},
        "stage": {"enum": ["queued", "on_air", "retrospective", "ended", "failed", "cancelled"]},
        "stage_label": {"type": "string"}, "written_s": {"type": "number"}, "recognised_s": {"type": "number"},
        "updated_at": {"type": ["string", "null"]},
        "viewers": {"type": ["object", "null"], "properties": {
            "t_s": {"type": "array", "items": {"type": "number"}},
            "values": {"type": "array", "items": {"type": ["number", "null"]}}, "interval_s": {"type": "number"}}},
        "clips": {"type": "array", "items": clip}, "alerts": {"type": "array", "items": alert},
        "warnings": {"type": "array", "items": {"type": "object"}}, "reason": {"type": ["string", "null"]},
        "links": {"type": "object", "additionalProperties": {"type": ["string", "null"]}}}}
    create = {"type": "object", "required": ["source"], "description": (
        "source: an rtmp(s)://, http(s):// or srt:// URL, or a recording being written inside <storage>/live/ or an "
        "allowed folder (absolute, or relative to <storage>/live/). Side files by path (there) or by upload id; "
        "metrics is required."), "properties": {
        "source": {"type": "string"}, "metrics_path": {"type": "string"}, "comments_path": {"type": "string"},
        "products_path": {"type": "string"}, "metrics": {"type": "string"}, "comments": {"type": "string"},
        "products": {"type": "string"}, "name": {"type": "string"}, "options": options, "live": live_settings}}
    return {
        "/api/live": {"post": {
            "summary": "Start watching a live stream: clips and alerts while on air, the review when it ends",
            "operationId": "createLiveJob",
            "requestBody": {"required": True, "content": {"application/json": {"schema": create}}},
            "responses": {"201": json_body({"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "links": {"type": "object", "additionalProperties": {"type": "string"}}}},
                "Live job queued")} | errors(400, 401, 403, 404, 409, 415, 503)}},
        "/api/streams/{job_id}/live": {"get": {
            "summary": "A live stream now: its phase, viewers curve so far, clips and alerts (poll it)",
            "operationId": "getLiveState", "parameters": [job_id],
            "responses": {"200": json_body(state)} | errors(401, 404)}},
    }
