"""The operator's pages against the real app and job store (no worker: job states are recorded the way the
workers record them, via :mod:`workers.state` and the job folder's artifact store).

Wrong implementations these tests reject:
- a badge that shows the job's coarse status (排队中/处理中 for the whole run) instead of the running stage;
- a failed or cancelled job that still says 处理完成后这里会显示结果, shows the job system's English error
  (paths, ``--mapping`` style CLI advice), or offers no retry; a retry that loses the job's settings;
- a re-run indistinguishable from its original in the list and on its page (no "重跑 · 3 条 · 9:16");
- a stream page that shows no clips until the whole job is done, or whose first clips' files cannot be fetched;
- an upload page without clip count, duration range, aspect and captions, or with bounds that differ from
  ``JOB_OPTIONS``; upload options that never reach the job;
- any Latin-script word on a Chinese page (list, upload, finished stream, failed stream, login, account) other
  than names from the inputs, units and a small allow-list; a server path on any page.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mediaops.jobs.options import JOB_OPTIONS
from tests.conftest import SAMPLE
from tests.web_support import add_user, make_app

#: Latin words a Chinese page may show: the product's name, formats and units operators know by these letters.
ALLOWED_LATIN = {"MediaOps", "EN", "GMV", "API", "MP4", "MOV", "FLV", "MKV", "TS", "WebM", "CSV", "JSON", "XLSX",
                 "XML", "PDF", "ZIP", "HTML", "Markdown", "SRT", "FCPXML", "EDL", "MB", "GB"}
#: names from the test's inputs (stream name, user names, clip titles): these are the operator's own words.
INPUT_NAMES = {"op", "admin", "viewer"}


class VisibleText(HTMLParser):
    """The text a browser shows: no script/style/title, plus button values and input placeholders."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template", "head"):
            self._skip += 1
        found = dict(attrs)
        if tag == "input" and found.get("placeholder"):
            self.parts.append(found["placeholder"])
        if tag in ("img",) and found.get("alt"):
            self.parts.append(found["alt"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    # elements hidden with the hidden attribute are still text a later script may show: keep them
    return " ".join(parser.parts)


def latin_words(html: str, names: set[str] = frozenset()) -> set[str]:
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9'-]*", visible_text(html)))
    return {w for w in words if w not in ALLOWED_LATIN and w not in INPUT_NAMES and w not in names}


# ---- jobs in known states ---------------------------------------------------------------------------------------

@pytest.fixture
def app(tmp_path: Path):
    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    return app


def submit(app, name: str = "春季新品专场", options: dict | None = None) -> str:
    from workers import jobs

    settings = app.extensions["mediaops_settings"]
    inputs = settings.storage_root / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    recording, metrics = inputs / "demo.mp4", inputs / "metrics.csv"
    if not recording.exists():
        shutil.copy(SAMPLE / "demo_stream.mp4", recording)
        shutil.copy(SAMPLE / "metrics.csv", metrics)
    return jobs.submit_job(settings, recording, metrics, options=options, name=name, owner="op")


def engine(app):
    from workers import state

    return state.engine_for(app.extensions["mediaops_settings"].database_url)


def run_stage(app, job_id: str, *stages: str) -> None:
    from workers import state

    for stage in stages:
        state.stage_started(engine(app), job_id, stage)


def finish(app, job_id: str) -> None:
    """Publish a small, known timeline (one clip with a Chinese and an English reason) and mark it succeeded."""
    from workers import jobs, state

    job = jobs.get_job(app.extensions["mediaops_settings"], job_id)
    out = Path(job["out_dir"])
    (out / "clips").mkdir(parents=True)
    shutil.copy(SAMPLE / "demo_stream.mp4", out / "clips" / "clip-01.mp4")
    doc = {
        "recording": {"duration_s": 120.0},
        "metrics": {"series": [{"name": "online_viewers", "t_s": [0, 60], "values": [100, 250], "interval_s": 60},
                               {"name": "orders", "t_s": [0, 60], "values": [3, 9], "interval_s": 60}]},
        "clips": [{"id": "clip-01", "start_s": 30.0, "end_s": 55.0, "score": 2.1, "file": "clips/clip-01.mp4",
                   "cover": None, "title": "保温杯讲解",
                   "reasons": ["在线人数上升", "online viewers +40/min (+2.1σ)"]}],
        "sales_spikes": [{"id": "s1", "t_s": 60.0, "metric": "orders", "value": 9, "clip_id": "clip-01"}],
        "scenes": [], "pitches": [],
    }
    (out / "timeline.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (out / "report.html").write_text("<p>报告</p>", encoding="utf-8")
    for stage in ("probe", "metrics", "transcribe", "scenes", "highlights", "render", "publish"):
        state.stage_started(engine(app), job_id, stage)
        state.stage_finished(engine(app), job_id, stage)
    state.finish_job(engine(app), job_id)


def fail(app, job_id: str, stage: str, error: str) -> None:
    from workers import state

    state.stage_started(engine(app), job_id, stage)
    state.fail_job(engine(app), job_id, stage, error)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def badge(html: str) -> str:
    return re.search(r'id="job-status"[^>]*>([^<]*)<', html).group(1)


# ---- status badges, reasons, retry, re-run labels ---------------------------------------------------------------

def test_badge_follows_the_stages(app, op):
    job_id = submit(app)
    assert badge(page(op, f"/streams/{job_id}")) == "排队中"
    run_stage(app, job_id, "probe")
    assert badge(page(op, f"/streams/{job_id}")) == "检查文件中"
    run_stage(app, job_id, "metrics", "scenes", "transcribe")  # side by side: the long one names the phase
    assert badge(page(op, f"/streams/{job_id}")) == "转写中"
    from workers import state

    for stage in ("probe", "metrics", "transcribe", "scenes", "highlights"):
        state.stage_finished(engine(app), job_id, stage)
    run_stage(app, job_id, "render")
    html = page(op, f"/streams/{job_id}")
    assert badge(html) == "剪辑中"
    assert "剪辑中" in page(op, "/")  # the list's badge too
    assert op.get(f"/api/streams/{job_id}").get_json()["phase"] == "ph_render"
    assert badge(page(op, f"/streams/{job_id}?lang=en")) == "Cutting clips"
    finish(app, job_id)
    assert badge(page(op, f"/streams/{job_id}?lang=zh")) == "已完成"


@pytest.mark.parametrize(("error", "expected"), [
    ("metrics.csv has no time column — name it with --mapping time=<column>", "数据导出无法识别"),
    ("/srv/mediaops/jobs/x/in.mp4: could not decode the recording (ffprobe exit 1)", "录像无法读取"),
    ("something nobody planned for", "“语音转写”这一步失败了"),
], ids=["metrics-cli-advice", "recording-with-path", "unknown"])
def test_failed_job_says_why_in_the_ui_language_and_offers_retry(app, op, error, expected):
    job_id = submit(app, options={"clips": 3, "aspect": "9:16"})
    fail(app, job_id, "transcribe", error)
    html = page(op, f"/streams/{job_id}")
    assert badge(html) == "失败"
    assert expected in html
    assert "处理完成后这里会显示结果" not in html
    assert "--mapping" not in html and "/srv/" not in html and "ffprobe" not in html
    assert 'id="retry"' in html
    english = page(op, f"/streams/{job_id}?lang=en")
    assert "Retry with the same settings" in english and "--mapping" not in english

    retried = op.post(f"/streams/{job_id}/retry")
    assert retried.status_code == 302
    new_id = retried.headers["Location"].rsplit("/", 1)[1]
    assert new_id != job_id
    new = op.get(f"/api/streams/{new_id}").get_json()
    assert new["options"] == {"clips": 3, "aspect": "9:16"} and new["status"] == "queued"
    assert "重跑 · 3 条 · 9:16" in page(op, f"/streams/{new_id}?lang=zh")


def test_cancelled_job_says_cancelled_in_chinese_with_retry(app, op):
    job_id = submit(app)
    run_stage(app, job_id, "probe")
    assert op.post(f"/streams/{job_id}/cancel").status_code == 302
    html = page(op, f"/streams/{job_id}")
    assert badge(html) == "已取消"
    assert "任务已取消" in html and 'id="retry"' in html
    assert ">cancelled<" not in html and "处理完成后这里会显示结果" not in html


def test_reruns_are_labelled_with_their_settings(app, op):
    first = submit(app)
    finish(app, first)
    response = op.post(f"/streams/{first}/rerun", data={"clips": "3", "aspect": "9:16", "min_duration_s": "10",
                                                         "max_duration_s": "40"})
    again = response.headers["Location"].rsplit("/", 1)[1]
    listing = page(op, "/")
    labels = re.findall(r'class="sub job-label">([^<]*)<', listing)
    assert labels == ["重跑 · 3 条 · 10–40 秒 · 9:16"]  # the first run carries no re-run label
    assert "重跑 · 3 条 · 10–40 秒 · 9:16" in page(op, f"/streams/{again}")
    assert "Re-run · 3 clips · 10–40 s · 9:16" in page(op, f"/streams/{again}?lang=en")
    assert 'id="job-label"' not in page(op, f"/streams/{first}?lang=zh")


# ---- first clips -------------------------------------------------------------------------------------------------

def render_first_clip(app, job_id: str) -> None:
    """Store a highlight plan and one rendered clip exactly where the render stage puts them."""
    from mediaops.jobs import stages
    from mediaops.jobs.stages import HighlightPlan
    from mediaops.types import Clip, Highlight

    settings = app.extensions["mediaops_settings"]
    job = stages.JobFolder(settings.jobs_dir / job_id, settings.artifacts_dir)
    one = Highlight(id="clip-01", start_s=30.0, end_s=55.0, score=2.0, peak_t_s=40.0, title="首个高光")
    two = Highlight(id="clip-02", start_s=80.0, end_s=100.0, score=1.5, peak_t_s=90.0, title="第二个高光")
    job.store.save("highlights", stages._plan_key(job), HighlightPlan((one, two), (), (), ()))
    folder = stages.clip_folder(job, one)
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE / "demo_stream.mp4", folder / "clip.mp4")
    job.store.save("render", folder.name.removeprefix("render-"),
                   Clip(id="clip-01", start_s=30.0, end_s=55.0, score=2.0, file="clip.mp4", title="首个高光"))


def test_first_clips_show_before_the_job_is_done(app, op):
    job_id = submit(app)
    run_stage(app, job_id, "probe")
    waiting = page(op, f"/streams/{job_id}")
    assert 'id="first-clips"' in waiting and "首批切片剪好后会立刻显示在这里" in waiting
    assert op.get(f"/api/streams/{job_id}/first-clips").get_json()["clips"] == []

    render_first_clip(app, job_id)
    run_stage(app, job_id, "render")
    html = page(op, f"/streams/{job_id}")
    assert 'id="first-clip-01"' in html and 'id="first-clip-02"' not in html  # only what is rendered
    assert "首个高光" in html and "完整分析和复盘报告完成后会显示在这里" in html
    found = op.get(f"/api/streams/{job_id}/first-clips").get_json()["clips"]
    assert [c["id"] for c in found] == ["clip-01"]
    assert "/" not in json.dumps(found).replace(found[0]["url"], "").replace("\\/", "")  # no server paths
    video = op.get(found[0]["url"])
    assert video.status_code == 200 and video.mimetype == "video/mp4"
    assert op.get(f"/api/streams/{job_id}/first-clips/clip-02/video").status_code == 404
    assert op.get(f"/api/streams/{job_id}/first-clips/clip-01/..%2f..%2fmediaops.sqlite").status_code == 404


# ---- upload page ---------------------------------------------------------------------------------------------------

def test_upload_page_offers_the_job_options_with_the_servers_bounds(app, op):
    html = page(op, "/upload")
    rules = {option.key: option for option in JOB_OPTIONS}
    for key in ("clips", "min_duration_s", "max_duration_s"):
        field = re.search(rf'<input name="{key}"[^>]*>', html).group(0)
        assert f'min="{rules[key].low}"' in field and f'max="{rules[key].high}"' in field, field
    options = re.findall(r"<option[^>]*>([^<]*)</option>", re.search(r'<select name="aspect">.*?</select>', html,
                                                                    re.S).group(0))
    assert tuple(options) == tuple(rules["aspect"].choices)
    assert '<input name="captions" type="checkbox"' in html
    assert 'id="resume-notice"' in html and "data-msg-resume-found" in html


def test_upload_options_reach_the_job(app, op):
    from tests.test_web_app import create_upload, patch

    ids = {}
    for kind, source in (("recording", SAMPLE / "demo_stream.mp4"), ("metrics", SAMPLE / "metrics.csv")):
        body = source.read_bytes()
        created = create_upload(op, len(body), source.name, kind)
        assert created.status_code == 201, created.get_data(as_text=True)
        url = created.headers["Location"]
        assert patch(op, url, 0, body).status_code == 204
        ids[kind] = url.rsplit("/", 1)[1]
    options = {"clips": 2, "min_duration_s": 8, "max_duration_s": 30, "aspect": "1:1", "captions": True}
    response = op.post("/api/jobs", json={**ids, "name": "带参数", "options": options})
    assert response.status_code == 201, response.get_data(as_text=True)
    job = op.get(response.get_json()["links"]["self"]).get_json()
    assert job["options"] == options


# ---- one language per page -----------------------------------------------------------------------------------------

def test_chinese_pages_have_no_stray_english(app, op):
    done = submit(app, name="春季新品专场")
    finish(app, done)
    failed = submit(app, name="夜场")
    fail(app, failed, "metrics", "metrics.csv: no column for online viewers — give it with --mapping viewers=<col>")
    cancelled = submit(app, name="早场")
    op.post(f"/streams/{cancelled}/cancel")
    anonymous = app.test_client()
    pages = {
        "login": anonymous.get("/login?lang=zh").get_data(as_text=True),
        "list": page(op, "/?lang=zh"),
        "upload": page(op, "/upload"),
        "finished stream": page(op, f"/streams/{done}"),
        "failed stream": page(op, f"/streams/{failed}"),
        "cancelled stream": page(op, f"/streams/{cancelled}"),
        "account": page(op, "/account"),
    }
    storage = str(app.extensions["mediaops_settings"].storage_root)
    for name, html in pages.items():
        assert latin_words(html) == set(), name
        assert storage not in html and "/inputs/" not in html, name
    assert "保温杯讲解" in pages["finished stream"] and "在线人数上升" in pages["finished stream"]
    english = page(op, f"/streams/{done}?lang=en")
    # reasons in the page's language: an old timeline's English reason read back and worded in each language
    assert "在线人数每分钟增加 40 人" in pages["finished stream"]
    assert "online viewers grew by 40 a minute" in english
