"""The upload page's preview of a metrics export or comment log (``POST /api/uploads/<id>/inspect``), the reading
options in the one table of job options, and ``mediaops.inspect_input`` — against the real app, real uploads,
the real child process and, for the page, Debian's chromium at 1280×800 and 390×844 in Chinese and English.

Wrong implementations these tests reject:
- a preview read inside the request (the first answer is the report, not ``202`` with ``Retry-After``), or in the
  server's own process (a memory cap on the reader would not stop it), or one that never gives up on a slow file;
- a preview that is not ``mediaops inspect``'s report (another reading of the file), or that ignores the reading
  options (date order, start time, time zone: the refusal and the alignment must change with them);
- a preview in English on a Chinese page, one that shows command-line flags (``--times``, ``--day-first``) instead
  of naming the form field, or a warning of the library it cannot put in words (every message of the 65-case
  export corpus must be matched);
- a preview that renders a string from the file as HTML (a header ``<script>alert(1)</script>``, a comment
  ``<img src=x onerror=…>``, ``=HYPERLINK(…)`` cells): it must show them as text, run nothing, add no element;
- no size cap; a preview of another user's upload, of a products list or an unfinished upload; a server path in
  the answer; a bad option answered without naming its field;
- reading options the form offers but the job never gets (start time into the job's inputs, zone/order/times/
  counts into its metrics options), or that workers take without the same checks; an OpenAPI schema that repeats
  their choices instead of reading the table; a façade without ``inspect_input``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mediaops.inputs.metrics import COUNT_READINGS, DATE_ORDERS, TIME_READINGS
from mediaops.jobs.options import (
    JOB_OPTIONS,
    READING_OPTIONS,
    JobOptionsError,
    StreamInputs,
    check_job_options,
    job_process_options,
    job_stream_inputs,
)
from tests.conftest import SAMPLE
from tests.test_web_app import create_upload, patch
from tests.web_support import PASSWORD, add_user, login, make_app

RULES = {option.key: option for option in JOB_OPTIONS}
SCRIPT_HEADER = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","x")'
IMG = "<img src=x onerror=alert(1)>"


# ---- files known by construction ---------------------------------------------------------------------------------

def hostile_metrics(folder: Path) -> Path:
    """A 4-minute export (10 s rows) whose extra headers are markup and a spreadsheet formula."""
    quoted = '"' + FORMULA.replace('"', '""') + '"'
    lines = [f"time,{SCRIPT_HEADER},{quoted},online_viewers,comments"]
    lines += [f"00:{k // 6:02d}:{k % 6 * 10:02d},1,2,{100 + k},{k % 5}" for k in range(24)]
    path = folder / "hostile.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hostile_comments(folder: Path) -> Path:
    quoted = '"' + FORMULA.replace('"', '""') + '"'
    rows = ["time,user,text", f"0.5,<b>bold</b>,{IMG}", "60,alice,买了", f"120,{quoted},{quoted}"]
    path = folder / "hostile_comments.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def ambiguous_dates(folder: Path) -> Path:
    """05/11/2026 20:00:00 … every 10 s for 4 minutes: 5 November or May 11, decided only by the start time."""
    rows = ["Date & time,online_viewers,comments,orders"]
    rows += [f"05/11/2026 20:{k // 6:02d}:{k % 6 * 10:02d},{120 + k},{k % 4},{k % 3}" for k in range(24)]
    path = folder / "dates.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# ---- the app ------------------------------------------------------------------------------------------------------

@pytest.fixture
def app(tmp_path: Path):
    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    add_user(app, "other", "operator")
    add_user(app, "viewer", "viewer")
    return app


def client_for(app, username: str):
    client = app.test_client()
    client.environ_base["HTTP_X_CSRF_TOKEN"] = login(client, username)
    return client


@pytest.fixture
def op(app):
    return client_for(app, "op")


def upload(client, kind: str, path: Path, complete: bool = True) -> str:
    body = path.read_bytes()
    created = create_upload(client, len(body), path.name, kind)
    assert created.status_code == 201, created.get_data(as_text=True)
    url = created.headers["Location"]
    part = body if complete else body[: len(body) // 2]
    assert patch(client, url, 0, part).status_code == 204
    return url.rsplit("/", 1)[1]


def ask(client, upload_id: str, body: dict[str, Any] | None = None, lang: str = "zh", limit_s: float = 90):
    """POST the preview request until it is not 202; returns (statuses seen, last response)."""
    statuses = []
    deadline = time.monotonic() + limit_s
    while True:
        response = client.post(f"/api/uploads/{upload_id}/inspect?lang={lang}", json=body or {})
        statuses.append(response.status_code)
        if response.status_code != 202:
            return statuses, response
        assert response.headers["Retry-After"] == "1"
        assert time.monotonic() < deadline, "the preview never finished"
        time.sleep(0.2)


def texts(value: Any) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return []


# ---- the endpoint -------------------------------------------------------------------------------------------------

def test_the_preview_is_read_off_the_request_and_is_mediaops_inspect(app, op, tmp_path):
    from mediaops.inputs.inspect import inspect_input
    from mediaops.serialize import to_jsonable

    metrics = upload(op, "metrics", SAMPLE / "metrics.csv")
    recording = upload(op, "recording", SAMPLE / "demo_stream.mp4")
    statuses, response = ask(op, metrics, {"recording": recording})
    assert statuses[0] == 202 and statuses[-1] == 200, statuses  # never read inside the request
    answer = response.get_json()
    expected = to_jsonable(inspect_input(SAMPLE / "metrics.csv", recording=SAMPLE / "demo_stream.mp4"))
    assert answer["report"] == {**expected, "path": "metrics.csv", "ok": True}
    assert answer["ok"] is True and answer["recording"] == recording
    view = answer["preview"]
    assert view["title"] == "数据导出预览：metrics.csv" and view["verdict"].startswith("可以读取")
    assert {"label": "录像", "value": "已与录像核对（录像长 00:04:00）"} in view["facts"]
    assert [c["metric"] for c in view["columns"]["rows"]] == ["在线人数", "评论", "点赞", "订单", "成交额"]
    assert view["columns"]["rows"][0]["total"] == "峰值 311" and view["columns"]["rows"][2]["total"] == "合计 2,351"
    assert [r["label"] for r in view["rows"]] == ["第一行", "最后一行"] and view["rows"][1]["at"] == "录像上的 00:03:50"
    # asked again: the stored report, at once
    again, _ = ask(op, metrics, {"recording": recording})
    assert again == [200]
    storage = str(app.extensions["mediaops_settings"].storage_root)
    assert storage not in response.get_data(as_text=True)
    # without the recording: said so, and the times are not checked yet
    _, alone = ask(op, metrics, lang="en")
    assert {"label": "Recording", "value": "not uploaded yet: the times are checked against it once it is"} in \
        alone.get_json()["preview"]["facts"]


def test_reading_options_change_the_preview_and_name_the_fields(op, tmp_path):
    dates = upload(op, "metrics", ambiguous_dates(tmp_path))
    recording = upload(op, "recording", SAMPLE / "demo_stream.mp4")  # 240 s, no creation time

    def preview(options: dict[str, Any], lang: str = "zh") -> dict[str, Any]:
        _, response = ask(op, dates, {"recording": recording, "options": options}, lang)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    unknown = preview({})
    assert unknown["ok"] is False and "can be day-first or month-first" in unknown["report"]["error"]
    error = unknown["preview"]["error"]
    assert error["fields"] == ["date_order"] and error["fix"] == "可在“日期顺序”中修改。"
    assert error["text"] == "“05/11/2026 20:00:00”这样的日期既可按日在前、也可按月在前读取，而录像的开播时间未知。"
    day_first = preview({"date_order": "day-first"})
    assert day_first["ok"] is False and day_first["preview"]["error"]["fields"] == ["start_time"]
    started = preview({"date_order": "day-first", "start_time": "2026-11-05T20:00:00+08:00"})
    assert started["ok"] is True and started["report"]["rows_in_recording"] == 24
    facts = {f["label"]: f["value"] for f in started["preview"]["facts"]}
    assert facts["时间列"] == "“Date & time”，按 日在前的日期（05/11/2026 = 2026年11月5日） 读取"
    assert facts["对齐方式"] == "日期时间按填写的开播时间（2026-11-05 20:00:00 +08:00）对齐"
    # the start alone: only day-first lines up; the preview says which field would change that
    chosen = preview({"start_time": "2026-11-05T20:00:00+08:00"}, "en")
    assert chosen["ok"] is True
    warning = next(w for w in chosen["preview"]["warnings"] if w["fields"] == ["date_order"])
    assert warning["text"] == ("Read the dates day first (05/11/2026 = 5 November 2026): only that reading lines up "
                               "with the recording.")
    assert warning["fix"] == "Change it under “Date order”."
    # a time zone read in the option's zone; a shift shows in the alignment
    shifted = preview({"date_order": "day-first", "start_time": "2026-11-05T12:00:00+00:00", "timezone": "+08:00",
                       "metrics_offset_s": 5}, "en")
    assert shifted["ok"] is True
    assert {f["label"]: f["value"] for f in shifted["preview"]["facts"]}["Alignment"] == (
        "dates and times aligned with the stream start you entered (2026-11-05 12:00:00 +00:00); the file's times "
        "read in +08:00, the zone you entered, shifted by +5 s")
    for answer in (unknown, day_first, started, chosen, shifted):
        assert not re.search(r"--[a-z]", json.dumps(answer["preview"], ensure_ascii=False))


def test_bad_requests_are_refused_with_their_field_and_no_server_path(app, op, tmp_path):
    metrics = upload(op, "metrics", SAMPLE / "metrics.csv")
    bad = op.post(f"/api/uploads/{metrics}/inspect?lang=zh", json={"options": {"timezone": "Mars/Base"}})
    assert bad.status_code == 400 and bad.get_json()["field"] == "timezone"
    assert bad.get_json()["message"] == "“文件时区”无法识别，请填写如 +08:00 的时区。"
    far = op.post(f"/api/uploads/{metrics}/inspect?lang=en", json={"options": {"metrics_offset_s": 1e9}})
    assert far.status_code == 400
    assert far.get_json()["message"] == "“Time shift (s)” must be a number from -86400 to 86400."
    products = upload(op, "products", SAMPLE / "products.csv")
    assert op.post(f"/api/uploads/{products}/inspect", json={}).status_code == 415
    half = upload(op, "metrics", hostile_metrics(tmp_path), complete=False)
    assert op.post(f"/api/uploads/{half}/inspect", json={}).status_code == 409
    assert op.post(f"/api/uploads/{metrics}/inspect", json={"recording": metrics}).status_code == 415
    other = client_for(app, "other")
    gone = other.post(f"/api/uploads/{metrics}/inspect?lang=zh", json={})
    assert gone.status_code == 404 and gone.get_json()["message"].startswith("找不到这个上传")
    theirs = upload(other, "recording", SAMPLE / "demo_stream.mp4")
    assert op.post(f"/api/uploads/{metrics}/inspect", json={"recording": theirs}).status_code == 404
    assert client_for(app, "viewer").post(f"/api/uploads/{metrics}/inspect", json={}).status_code == 403
    assert app.test_client().post(f"/api/uploads/{metrics}/inspect", json={}).status_code == 401
    storage = str(app.extensions["mediaops_settings"].storage_root)
    for response in (bad, far):
        assert storage not in response.get_data(as_text=True)


def test_size_cap_time_limit_and_memory_cap(tmp_path):
    app = make_app(tmp_path / "storage", PREVIEW_MAX_BYTES=500)
    add_user(app, "op", "operator")
    op = client_for(app, "op")
    big = upload(op, "metrics", SAMPLE / "metrics.csv")  # 707 bytes
    refused = op.post(f"/api/uploads/{big}/inspect?lang=zh", json={})
    assert refused.status_code == 413 and refused.get_json()["message"].startswith("metrics.csv 超过")

    app.config.update(PREVIEW_MAX_BYTES=10_000_000, PREVIEW_TIMEOUT_S=0.001)
    statuses, slow = ask(op, big)
    assert statuses[0] == 202 and slow.status_code == 200
    answer = slow.get_json()
    assert answer["ok"] is None and answer["report"] is None and "未能预览" in answer["preview"]["verdict"]

    app.config.update(PREVIEW_TIMEOUT_S=60, PREVIEW_MEMORY_BYTES=20 * 1024 * 1024)
    comments = upload(op, "comments", SAMPLE / "comments.jsonl")
    _, capped = ask(op, comments, lang="en")
    assert capped.get_json()["ok"] is None  # the reader died at its cap; the server goes on
    assert "too large or complex to preview" in capped.get_json()["preview"]["verdict"]


def test_hostile_strings_stay_data(op, tmp_path):
    metrics = upload(op, "metrics", hostile_metrics(tmp_path))
    _, response = ask(op, metrics)
    assert response.mimetype == "application/json"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    view = response.get_json()["preview"]
    shown = [w["text"] for w in view["warnings"]]
    assert f"“{SCRIPT_HEADER}”列不是可识别的指标，已忽略。" in shown
    assert f"“{FORMULA}”列不是可识别的指标，已忽略。" in shown
    comments = upload(op, "comments", hostile_comments(tmp_path))
    _, response = ask(op, comments, lang="en")
    rows = response.get_json()["preview"]["rows"]
    assert rows[0]["values"] == [{"name": "user", "value": "<b>bold</b>"}, {"name": "text", "value": IMG}]
    assert rows[1]["values"] == [{"name": "user", "value": FORMULA}, {"name": "text", "value": FORMULA}]


# ---- the words ------------------------------------------------------------------------------------------------------

#: Latin words the Chinese catalogue entries of the preview may hold: formats, encodings, units, examples
ZH_LATIN = {"CSV", "XLSX", "JSON", "XML", "UTF", "GBK", "Windows", "Excel", "UTC", "B", "MB", "xls", "xlsx"}


def test_chinese_words_of_the_preview_are_chinese():
    from web.i18n import MESSAGES

    keys = [k for k in MESSAGES if k.startswith(("pv_", "opt_", "reading_settings", "metric_"))]
    assert len(keys) > 150
    for key in keys:
        zh, en = MESSAGES[key]
        latin = set(re.findall(r"[A-Za-z]+", re.sub(r"\{[a-z_]+\}", "", zh))) - ZH_LATIN
        assert not latin, (key, latin)
        assert not re.search(r"--[a-z]", zh + en), key
        if key != "pv_date":  # the month by number in Chinese, by name in English
            assert set(re.findall(r"\{([a-z_]+)\}", zh)) == set(re.findall(r"\{([a-z_]+)\}", en)), key


def test_every_message_of_the_export_corpus_is_put_in_words(app, tmp_path):
    from mediaops.inputs.inspect import inspect_input
    from tests.test_exports_corpus import CASES, _file, _options
    from web.inspect_view import message, preview

    seen = 0
    reports = []
    for case in CASES:
        start = __import__("datetime").datetime.fromisoformat(case["start_time"]) if case["start_time"] else None
        reports.append(inspect_input(_file(case, tmp_path), _options(case), start_time=start,
                                     duration_s=case["duration_s"], kind=case["kind"]))
    for lang in ("zh", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            for report in reports:
                for text in (*report.warnings, *([report.error] if report.error else [])):
                    assert message(text)["key"], f"no words for: {text}"
                    seen += 1
                shown = json.dumps(preview(report, True), ensure_ascii=False)
                assert not re.search(r"--[a-z]", shown), shown
                assert "wall clock" not in shown or lang == "en"
    assert seen > 60


# ---- the options table, the jobs and the workers -----------------------------------------------------------------

def test_reading_options_are_job_options_checked_once_everywhere(app, op, tmp_path):
    from workers import jobs
    from workers.config import Settings

    assert set(READING_OPTIONS) <= set(RULES)
    assert RULES["date_order"].choices == DATE_ORDERS and RULES["times"].choices == TIME_READINGS
    assert RULES["counts"].choices == COUNT_READINGS
    for bad, key in (({"timezone": "Mars/Base"}, "timezone"), ({"start_time": "tomorrow"}, "start_time"),
                     ({"date_order": "middle"}, "date_order"), ({"times": 3}, "times"),
                     ({"counts": "sometimes"}, "counts"), ({"metrics_offset_s": 1e6}, "metrics_offset_s")):
        with pytest.raises(JobOptionsError) as caught:
            check_job_options(bad, ["base"])
        assert caught.value.key == key
    chosen = {"timezone": "Asia/Shanghai", "date_order": "day-first", "times": "clock", "counts": "running-total",
              "metrics_offset_s": -3, "start_time": "2026-11-05T20:00:00+08:00"}
    metrics = job_process_options(chosen, ["base"]).metrics
    assert (metrics.timezone, metrics.date_order, metrics.times, metrics.counts, metrics.offset_s) == (
        "Asia/Shanghai", "day-first", "clock", "running-total", -3.0)
    inputs = job_stream_inputs(chosen, ["base"], StreamInputs(Path("m.csv")))
    assert inputs.start_time is not None and inputs.start_time.isoformat() == "2026-11-05T20:00:00+08:00"

    # through the API into the job folder the workers run from
    ids = {"recording": upload(op, "recording", SAMPLE / "demo_stream.mp4"),
           "metrics": upload(op, "metrics", ambiguous_dates(tmp_path))}
    created = op.post("/api/jobs", json={**ids, "options": chosen})
    assert created.status_code == 201, created.get_data(as_text=True)
    job_id = created.get_json()["id"]
    assert op.get(f"/api/streams/{job_id}").get_json()["options"] == chosen
    settings: Settings = app.extensions["mediaops_settings"]
    spec = json.loads((settings.jobs_dir / job_id / "job.json").read_text("utf-8"))
    assert spec["inputs"]["start_time"] == "2026-11-05T20:00:00+08:00"
    assert spec["options"]["metrics"]["date_order"] == "day-first"
    assert spec["options"]["report"]["timezone"] == "Asia/Shanghai"  # the reports' clock, as on the command line
    refused = op.post("/api/jobs", json={**ids, "options": {"start_time": "soon"}})
    assert refused.status_code == 400 and "start_time" in refused.get_json()["error"]
    with pytest.raises(JobOptionsError):
        jobs.submit_job(settings, SAMPLE / "demo_stream.mp4", SAMPLE / "metrics.csv", options={"timezone": "Nowhere"})


def test_openapi_and_upload_form_read_the_table(app, op):
    from web.openapi import openapi_document

    doc = openapi_document()
    schema = doc["components"]["schemas"]["Options"]["properties"]
    assert schema["date_order"]["enum"] == list(DATE_ORDERS) and schema["counts"]["enum"] == list(COUNT_READINGS)
    assert schema["metrics_offset_s"]["minimum"] == RULES["metrics_offset_s"].low
    assert "/api/uploads/{upload_id}/inspect" in doc["paths"]
    html = op.get("/upload?lang=zh").get_data(as_text=True)
    for key in ("date_order", "times", "counts"):
        select = re.search(rf'<select name="{key}">.*?</select>', html, re.S).group(0)
        assert re.findall(r'value="([^"]+)"', select) == list(RULES[key].choices)
    offset = re.search(r'<input name="metrics_offset_s"[^>]*>', html).group(0)
    assert f'min="{RULES["metrics_offset_s"].low}"' in offset and f'max="{RULES["metrics_offset_s"].high}"' in offset
    assert 'name="start_time" type="datetime-local"' in html and 'name="timezone"' in html
    assert 'src="/static/inspect.js"' in html and "<script>" not in html


def test_the_facade_inspects(tmp_path):
    import mediaops

    report = mediaops.inspect_input(SAMPLE / "metrics.csv", recording=SAMPLE / "demo_stream.mp4", offset_s=5)
    assert isinstance(report, mediaops.InputReport) and report.ok
    assert report.first_row is not None and report.first_row.t_s == 5.0
    assert {"inspect_input", "InputReport"} <= set(mediaops.__all__)


# ---- the page in a real browser ------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def served(tmp_path: Path):
    from werkzeug.serving import make_server

    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def signed_in(browser, base: str, width: int, height: int, lang: str):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{base}/login?lang={lang}")
    page.fill("input[name=username]", "op")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page


def wait_for(page, selector: str, text: str, timeout_s: float = 60) -> None:
    """Poll through the driver (the page's CSP forbids wait_for_function's in-page eval)."""
    deadline = time.monotonic() + timeout_s
    while text not in (page.locator(selector).text_content() or ""):
        assert time.monotonic() < deadline, (selector, text, page.locator(selector).text_content())
        time.sleep(0.2)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_the_upload_page_previews_hostile_and_ambiguous_files(served, browser, tmp_path: Path, size: str, lang: str):
    _app, base = served
    width, height = SIZES[size]
    context, page = signed_in(browser, base, width, height, lang)
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/upload?lang={lang}")
    assert page.locator("#preview-metrics").is_hidden()

    page.set_input_files("input[name=metrics]", str(hostile_metrics(tmp_path)))
    page.set_input_files("input[name=comments]", str(hostile_comments(tmp_path)))
    ok = "可以读取" if lang == "zh" else "Reads right"
    wait_for(page, "#preview-metrics", ok)
    wait_for(page, "#preview-comments", ok)
    metrics_box, comments_box = page.locator("#preview-metrics"), page.locator("#preview-comments")
    assert SCRIPT_HEADER in metrics_box.text_content() and FORMULA in metrics_box.text_content()
    assert IMG in comments_box.text_content() and "<b>bold</b>" in comments_box.text_content()
    assert page.locator("#previews script, #previews img").count() == 0
    assert page.locator("#previews b", has_text="bold").count() == 0
    assert page.locator("#previews a").count() == 0
    metrics_text = metrics_box.text_content()
    assert ("在线人数" in metrics_text) == (lang == "zh") and ("online viewers" in metrics_text) == (lang == "en")
    assert not re.search(r"--[a-z]", metrics_text + comments_box.text_content())

    # a file a job would refuse: the preview says why and which field changes it; changing it reads it again
    page.set_input_files("input[name=metrics]", str(ambiguous_dates(tmp_path)))
    refused = "处理时会拒绝" if lang == "zh" else "A job would refuse"
    wait_for(page, "#preview-metrics", refused)
    button = page.locator("#preview-metrics button.change[data-field=date_order]")
    assert button.is_visible()
    button.click()
    assert page.evaluate("document.activeElement.name") == "date_order"
    assert page.locator("label:has(select[name=date_order])").get_attribute("class") == "needs-change"
    page.select_option("select[name=date_order]", "day-first")
    page.fill("input[name=start_time]", "2026-11-05T20:00:00")
    wait_for(page, "#preview-metrics", ok)
    assert page.locator("label.needs-change").count() == 0
    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], overflow
    page.screenshot(path=str(tmp_path / f"preview-{lang}-{width}.png"), full_page=True)
    assert not dialogs and not errors, (dialogs, errors)
    context.close()


def test_submitting_stops_at_a_file_the_job_would_refuse(served, browser, tmp_path: Path):
    _app, base = served
    context, page = signed_in(browser, base, 1280, 800, "zh")
    page.goto(f"{base}/upload")
    page.set_input_files("input[name=recording]", str(SAMPLE / "demo_stream.mp4"))
    page.set_input_files("input[name=metrics]", str(ambiguous_dates(tmp_path)))
    page.select_option("select[name=date_order]", "day-first")  # the start time is still unknown
    wait_for(page, "#preview-metrics", "处理时会拒绝")
    page.evaluate("window.__same_page = 1")
    page.click("#upload-submit")
    wait_for(page, "#upload-status", "请先按预览中的提示修改")
    assert page.evaluate("window.__same_page") == 1 and page.url.endswith("/upload")
    page.fill("input[name=start_time]", "2026-11-05T20:00:00")
    wait_for(page, "#preview-metrics", "已与录像核对（录像长 00:04:00）")
    page.click("#upload-submit")
    page.wait_for_url(re.compile(r"/streams/[0-9a-f]+"), timeout=60_000)
    context.close()
