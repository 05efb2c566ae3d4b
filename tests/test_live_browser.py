"""The live page in a real browser (Debian's chromium via Playwright), in Chinese and English, at 1280×800 and 390×844,
fed by a live job's output folder as the session writes it (:mod:`tests.live_web_support`).

Wrong implementations these tests reject:
- a page that needs a reload to show a new clip or the link to the review (or reloads itself to do so);
- clips, alerts or the viewers curve missing from the page while the stream is on air, or a curve drawn through a
  missing row as if it were zero;
- at 390×844, a chart, clip card or alert that makes the page scroll sideways, or a hidden navigation;
- an English word on the Chinese page other than input names and units (the alerts' library sentences, ``clip-01``
  as a title, ``s``/``viewers`` labels), or Chinese on the English page other than input names;
- a clip title from ``live.jsonl`` inserted as markup (its ``onerror`` runs) — inline script is also refused by the
  page's policy, so the page's script must be a file.
Screenshots go to the test's tmp folder (``live-<lang>-<width>.png``).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mediaops.live.events import EventLog
from mediaops.live.status import LiveStatus, write_live_status
from tests.live_web_support import INPUT_NAMES, engine, submit_live, write_on_air
from tests.test_web_operator import ALLOWED_LATIN
from tests.test_web_operator_browser import SIZES, signed_in
from tests.web_support import add_user, make_app
from workers import state

STREAM_NAME = "周五晚场直播"
CLIP_TITLES = ("保温杯上新",)
#: what the operator's inputs put on the page in Chinese (shown as written on the English page too)
CHINESE_INPUTS = (STREAM_NAME, *CLIP_TITLES)


@pytest.fixture
def served(tmp_path: Path):
    from werkzeug.serving import make_server

    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    job_id = submit_live(app, name=STREAM_NAME)
    out = write_on_air(app, job_id, tmp_path, clip_titles=CLIP_TITLES)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{httpd.server_port}", job_id, out
    finally:
        httpd.shutdown()


def _wait_for_content(page) -> None:
    page.wait_for_selector(".live-clip", timeout=15_000)
    expect(page.locator(".live-alert")).to_have_count(4, timeout=15_000)
    page.wait_for_selector("#live-chart svg .curve", timeout=15_000)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_live_page_fits_and_speaks_one_language(served, browser, tmp_path: Path, size: str, lang: str):
    _app, base, job_id, _out = served
    width, height = SIZES[size]
    context, page = signed_in(browser, base, width, height)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base}/streams/{job_id}?lang={lang}")  # the stream page sends a stream on air to its live page
    assert page.url.endswith(f"/streams/{job_id}/live")
    _wait_for_content(page)
    page.wait_for_load_state("networkidle")

    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], overflow
    for selector in ("#live-chart svg", ".live-clip", ".live-alert", "header.topbar nav"):
        for element in page.locator(selector).all():
            box = element.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (selector, box)
    # a row without a count is bridged, never drawn as zero viewers: every vertex lies well above the baseline
    paths = page.evaluate("[...document.querySelectorAll('#live-chart svg .curve')].map(p => p.getAttribute('d'))")
    assert len(paths) == 1 and paths[0].count("M") == 1
    bottom = page.evaluate("(() => { const r = document.querySelector('#live-chart .plot-bg'); "
                           "return Number(r.getAttribute('y')) + Number(r.getAttribute('height')); })()")
    ys = [float(y) for y in re.findall(r"[ML][\d.]+,([\d.]+)", paths[0])]
    assert len(ys) == 18 and max(ys) < bottom - 50, (ys, bottom)  # 19 rows, one without a count

    text = page.evaluate("document.body.innerText")
    titles = page.evaluate("[...document.querySelectorAll('#live-chart svg title')].map(t => t.textContent)")
    shown = text + " " + " ".join(titles)
    if lang == "zh":
        words = set(re.findall(r"[A-Za-z][A-Za-z0-9'-]*", shown)) - ALLOWED_LATIN - INPUT_NAMES - {"op"}
        assert not words, words
        assert page.locator("#live-stage").inner_text() == "直播中"
        assert "在线人数 60 秒内下降 40%" in text and "冷场" in text and "尺码" in text
    else:
        for name in CHINESE_INPUTS:
            shown = shown.replace(name, "")
        assert not re.findall(r"[\u3400-\u9fff]", shown.replace("中文", ""))  # the language switch says 中文
        assert page.locator("#live-stage").inner_text() == "On air"
        assert "online viewers fell 40% within 60 s" in text
    assert page.locator(".live-clip video").first.get_attribute("src").endswith("/clips/clip-01.mp4")
    page.screenshot(path=str(tmp_path / f"live-{lang}-{width}.png"), full_page=True)
    assert not errors, errors
    context.close()


def test_clips_and_the_review_link_arrive_without_a_reload(served, browser, tmp_path: Path):
    app, base, job_id, out = served
    context, page = signed_in(browser, base, 1280, 800)
    page.goto(f"{base}/streams/{job_id}/live?lang=en")
    _wait_for_content(page)
    assert page.locator("#live-report").is_hidden()
    page.evaluate("window.__same_page = 1")

    hostile = '<img src=x onerror="window.__pwned=1">'
    (out / "clips" / "clip-02.mp4").write_bytes((out / "clips" / "clip-01.mp4").read_bytes())
    EventLog(out / "live.jsonl").append({"event": "clip", "id": "clip-02", "start_s": 80.0, "end_s": 90.0,
                                         "score": 1.0, "file": "clips/clip-02.mp4", "title": hostile})
    expect(page.locator(".live-clip")).to_have_count(2, timeout=15_000)
    newest = page.locator(".live-clip").first
    assert newest.locator(".clip-title b").inner_text() == hostile  # shown as text, newest first
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#live-clip-count").inner_text() == "2"

    # the stream ends: the retrospective, then the review
    status = LiveStatus("retrospective", 96.0, 96.0, 2, 4, None, "2026-01-01T00:02:00+00:00")
    write_live_status(out, status)
    expect(page.locator("#live-stage")).to_have_text("Writing the review", timeout=15_000)
    state.stage_finished(engine(app), job_id, "live")
    state.finish_job(engine(app), job_id)
    page.wait_for_selector("#live-report", state="visible", timeout=15_000)
    assert page.locator("#live-stage").inner_text() == "Stream over"
    assert page.locator("#live-cancel").is_hidden()
    assert page.evaluate("window.__same_page") == 1  # by polling, not by reloading
    assert page.locator("#live-report").get_attribute("href") == f"/streams/{job_id}"
    context.close()
