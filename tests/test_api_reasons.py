"""Why each clip was chosen, through the JSON API: ``reasons`` (timeline.json's English texts, for scripts),
``reason_records`` (a code and its numbers) and ``reason_words`` (plain words in the caller's language), as the
OpenAPI document describes them.

Wrong implementations these tests reject:
- an API that gives only the English texts (no records, no words in the caller's language), or words in the
  app's default language whatever the caller asks (``?lang=en``, ``Accept-Language: en-US``);
- records missing for a timeline written before records existed (its English texts must be read back);
- first clips (a job still running) without them;
- an OpenAPI document whose Clip does not describe the answer (validated against it), or that does not document
  ``lang``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from mediaops.analysis.reasons import describe_reasons, reasons_of
from tests.retro_data import build_timeline, write_output_folder
from tests.test_web_operator import engine, submit
from tests.web_support import add_user, login, make_app

#: what an old timeline (before records) wrote into ``reasons``
OLD_REASONS = ["likes ×10.0 its baseline (+10.4σ)",
               "starts at the scene cut at 0:00:35.00, 8.0 s before the audience reacted at 0:00:43.00; the only cut "
               "in the reaction window"]


@pytest.fixture
def site(tmp_path: Path):
    from workers import jobs, state

    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    client = app.test_client()
    login(client, "op")
    job_id = submit(app)
    out = Path(jobs.get_job(app.extensions["mediaops_settings"], job_id)["out_dir"])
    shutil.copytree(write_output_folder(tmp_path / "made"), out, dirs_exist_ok=True)
    state.finish_job(engine(app), job_id)
    return app, client, job_id, out


def _schema_of(response_schema: dict, doc: dict) -> dict:
    """A response schema of the OpenAPI document, with its components, for jsonschema."""
    return {**response_schema, "components": doc["components"]}


def test_clips_carry_records_and_words_in_the_callers_language(site) -> None:
    _app, client, job_id, out = site
    timeline = build_timeline()
    first = timeline.clips[0]
    for headers, query, lang in (({}, "", "zh"), ({"Accept-Language": "en-US,en;q=0.9"}, "", "en"),
                                 ({"Accept-Language": "zh-CN,zh;q=0.9"}, "", "zh"),
                                 ({"Accept-Language": "zh-CN"}, "?lang=en", "en")):
        answer = client.get(f"/api/streams/{job_id}/clips{query}", headers=headers).get_json()
        assert answer["lang"] == lang, (headers, query)
        clip = answer["clips"][0]
        assert clip["reasons"] == list(first.reasons)  # timeline.json's English texts, unchanged
        assert clip["reason_records"][0] == {"code": "engagement_surge",
                                             "params": {"metric": "comments", "z": 4.0, "ratio": 6.2}}
        assert [r["code"] for r in clip["reason_records"]] == [r.code for r in first.reason_records]
        assert clip["reason_words"] == list(describe_reasons(first.reason_records, lang))
        assert clip["reason_words"][0] == {"zh": "评论是平时的 6 倍，点赞是 2.4 倍",
                                           "en": "comments 6× their usual level, likes 2.4×"}[lang]

    # a timeline written before records: its English texts read back
    doc = json.loads((out / "timeline.json").read_text("utf-8"))
    for clip in doc["clips"]:
        clip.pop("reason_records", None)
        clip["reasons"] = OLD_REASONS
    (out / "timeline.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    clip = client.get(f"/api/streams/{job_id}/clips?lang=zh").get_json()["clips"][0]
    assert [r["code"] for r in clip["reason_records"]] == ["engagement_surge", "scene_cut_before", "only_cut"]
    assert clip["reason_words"] == ["点赞是平时的 10 倍", "画面在观众反应前 8 秒切换，反应前只有这一次画面切换"]


def test_first_clips_carry_them_too(site, monkeypatch: pytest.MonkeyPatch) -> None:
    app, client, _job_id, _out = site
    running = submit(app)
    clip = {"id": "clip-01", "start_s": 35.0, "end_s": 60.0, "score": 3.0, "reasons": OLD_REASONS, "title": "",
            "product_sku": None, "file": "/nowhere/clip-01.mp4", "cover": None}
    monkeypatch.setattr("workers.jobs.rendered_clips", lambda settings, job_id: [clip])
    answer = client.get(f"/api/streams/{running}/first-clips?lang=en").get_json()
    assert answer["lang"] == "en"
    assert answer["clips"][0]["reason_words"] == list(describe_reasons(reasons_of(clip), "en"))
    assert answer["clips"][0]["reason_records"][-1] == {"code": "only_cut", "params": {}}


def test_the_openapi_document_describes_them(site) -> None:
    from web.openapi import openapi_document

    _app, client, job_id, _out = site
    doc = openapi_document()
    clip = doc["components"]["schemas"]["Clip"]["properties"]
    assert {"reasons", "reason_records", "reason_words"} <= set(clip)
    assert clip["reason_records"]["items"] == {"$ref": "#/components/schemas/Reason"}
    for path in ("/api/streams/{job_id}/clips", "/api/streams/{job_id}/first-clips"):
        assert "lang" in [p["name"] for p in doc["paths"][path]["get"]["parameters"]], path
    listed = doc["paths"]["/api/streams/{job_id}/clips"]["get"]["responses"]["200"]["content"]["application/json"]
    answer = client.get(f"/api/streams/{job_id}/clips?lang=zh").get_json()
    jsonschema.validate(answer, _schema_of(listed["schema"], doc))
    # the schema is strict enough to catch an answer that lost its records' shape
    answer["clips"][0]["reason_records"][0] = "comments 6×"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, _schema_of(listed["schema"], doc))
