"""The operator's pages in a real browser (Debian's chromium via Playwright) at desktop and phone sizes.

Wrong implementations these tests reject:
- a layout where, at 390×844, the navigation is hidden (``display: none``) or a table (the streams list, 758 px
  wide) makes the whole page scroll sideways (``scrollWidth > innerWidth``);
- a stream page that shows first clips only after a reload, or only when the job is done;
- an upload page that forgets, after a reload, that an upload of a file is unfinished (nothing visible says so).
Screenshots of every page and size go to the test's tmp folder (``<page>-<lang>-<width>.png``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.test_web_operator import finish, render_first_clip, run_stage, submit
from tests.web_support import PASSWORD, add_user, make_app

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def served(tmp_path: Path):
    from werkzeug.serving import make_server

    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    done = submit(app, name="春季新品专场 · 保温杯与厨具超长名称测试")
    finish(app, done)
    for n in range(3):  # a longer list, with a running job and a re-run
        submit(app, name=f"夜场 {n}", options={"clips": 3, "aspect": "9:16"})
    running = submit(app, name="进行中的直播")
    run_stage(app, running, "probe")
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{httpd.server_port}", {"done": done, "running": running}
    finally:
        httpd.shutdown()


def signed_in(browser, base: str, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "op")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_pages_fit_and_keep_the_navigation(served, browser, tmp_path: Path, size: str, lang: str):
    _app, base, ids = served
    width, height = SIZES[size]
    context, page = signed_in(browser, base, width, height)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for name, path in (("list", "/"), ("upload", "/upload"), ("stream", f"/streams/{ids['done']}"),
                       ("running", f"/streams/{ids['running']}")):
        page.goto(f"{base}{path}?lang={lang}")
        page.wait_for_load_state("networkidle") if name == "stream" else None
        overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], (name, overflow)
        nav = page.locator("header.topbar nav")
        assert nav.is_visible(), name
        for link in nav.locator("a").all():
            box = link.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (name, link.inner_text())
        page.screenshot(path=str(tmp_path / f"{name}-{lang}-{width}.png"), full_page=True)
    assert not errors
    context.close()


def test_first_clips_appear_without_a_reload(served, browser):
    app, base, ids = served
    context, page = signed_in(browser, base, 390, 844)
    page.goto(f"{base}/streams/{ids['running']}")
    assert page.locator("#first-clips-notice").inner_text().startswith("正在处理")
    page.evaluate("window.__same_page = 1")
    render_first_clip(app, ids["running"])
    run_stage(app, ids["running"], "render")
    page.wait_for_selector("#first-clip-01", timeout=15_000)
    assert page.evaluate("window.__same_page") == 1  # shown by polling, not by reloading the page
    assert "完整分析和复盘报告" in page.locator("#first-clips-notice").inner_text()
    assert page.locator("#job-status").inner_text() == "剪辑中"
    context.close()


def test_an_unfinished_upload_is_offered_after_a_reload(served, browser):
    _app, base, _ids = served
    context, page = signed_in(browser, base, 1280, 800)
    page.goto(f"{base}/upload")
    assert page.locator("#resume-notice").is_hidden()
    # what the uploader stores once a tus upload exists (kind, file name, size, last modified)
    page.evaluate("localStorage.setItem('mediaops-upload:recording:直播录像.mp4:1048576:1700000000000', "
                  "'/api/uploads/abc')")
    page.reload()
    notice = page.locator("#resume-notice")
    assert notice.is_visible() and "直播录像.mp4" in notice.inner_text() and "继续" in notice.inner_text()
    context.close()
