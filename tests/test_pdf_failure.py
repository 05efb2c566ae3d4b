"""A PDF report that cannot be made does not fail the job, and a PDF made on its first download shows progress.

Jobs write ``report.pdf`` while they publish (the last report written); a job from before, or one whose PDF
failed, has it made when it is first downloaded (seconds of work).

Wrong implementations these tests reject:
- a job whose PDF fails (no Chinese font; fpdf2 or Matplotlib raising on some text) failing as a whole, or
  publishing without the other reports (HTML, Markdown, CSV) or without a record of why the PDF is missing (the
  page could not say so);
- any other report's failure swallowed like the PDF's (only the PDF may be missing from a published job);
- a stream page that shows the failure in English on a Chinese page, or the library's message with its
  installation commands (``apt-get``, ``--font``), or that still shows it once the PDF has been made;
- an on-demand PDF whose failure answers only the English error (the page's script shows ``message``, in the
  page's language);
- a page that waits silently while the PDF is made: in a real browser (Debian's chromium) a click shows a progress
  indicator at once, then saves the file; a failure shows the server's words in the page's language; the script
  is a file of ``web/static`` (the page's CSP forbids inline script).
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from mediaops.errors import ReportError
from mediaops.jobs import stages
from mediaops.report import FORMATS, ReportOptions, report_failures
from mediaops.timeline import read_timeline
from tests.retro_data import build_timeline, write_output_folder
from tests.test_web_operator import engine, submit, visible_text
from tests.web_support import PASSWORD, add_user, login, make_app

ZH_LAYOUT = "PDF 报告没有生成：排版时出错。其他报告和切片都已完成，可以点击“⬇ PDF”再试一次。"
ZH_NO_FONT = "PDF 报告没有生成：服务器缺少中文字体，请联系管理员安装。其他报告和切片都已完成。"


def _layout_failure(*_args: object) -> bytes:
    raise RuntimeError("Matplotlib cannot lay out this chart")


@pytest.mark.parametrize("failure", ["no_font", "layout"])
def test_a_failed_pdf_leaves_the_job_published(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    out = write_output_folder(tmp_path / "out")
    doc = json.loads((out / "timeline.json").read_text("utf-8"))
    options = ReportOptions(formats=FORMATS)
    if failure == "no_font":
        options = ReportOptions(formats=FORMATS, font=tmp_path / "nope.ttf")
    else:
        monkeypatch.setattr("mediaops.report.pdf._chart_png", _layout_failure)
    published = stages.write_job_reports(build_timeline(), doc, out, options)
    for name in ("report.html", "report.md", "report_clips.csv", "report_products.csv"):
        assert (out / name).is_file(), name
    assert not (out / "report.pdf").exists()
    (record,) = report_failures(published.extras)
    assert record["format"] == "pdf"
    assert record["code"] == ("no_font" if failure == "no_font" else "failed")
    assert ("cannot read font file" if failure == "no_font" else "RuntimeError") in record["message"]
    assert report_failures(read_timeline(out).get("extras")) == [record]  # published, valid against the schema


def test_another_report_failing_fails_the_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = write_output_folder(tmp_path / "out")
    doc = json.loads((out / "timeline.json").read_text("utf-8"))

    def broken(*_args: object) -> str:
        raise ValueError("a table the Markdown writer cannot write")

    monkeypatch.setattr("mediaops.report.render_markdown", broken)
    with pytest.raises(ValueError, match="Markdown writer"):
        stages.write_job_reports(build_timeline(), doc, out, ReportOptions(formats=FORMATS))


def _finished_job(app, tmp_path: Path, failure: dict[str, str] | None) -> str:
    """A succeeded job whose output folder holds the report tests' stream without a PDF, with ``failure`` recorded
    as the job would record it."""
    from workers import jobs, state

    job_id = submit(app)
    out = Path(jobs.get_job(app.extensions["mediaops_settings"], job_id)["out_dir"])
    write_output_folder(tmp_path / "made")
    doc = json.loads((tmp_path / "made" / "timeline.json").read_text("utf-8"))
    if failure:
        doc["extras"] = {**doc.get("extras", {}), "report_failures": [failure]}
    (tmp_path / "made" / "timeline.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    shutil.copytree(tmp_path / "made", out, dirs_exist_ok=True)
    (out / "report.html").write_text("<p>报告</p>", "utf-8")
    state.finish_job(engine(app), job_id)
    return job_id


def test_the_stream_page_says_why_the_pdf_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    client = app.test_client()
    login(client, "op")
    failed = ReportError("no Chinese font found for the PDF report: apt-get install fonts-noto-cjk (or give one "
                         "with --font)", "pdf", "no_font").record()
    job_id = _finished_job(app, tmp_path, failed)
    html = client.get(f"/streams/{job_id}?lang=zh").get_data(as_text=True)
    notice = re.search(r'<p class="flash error" id="pdf-failed">(.*?)</p>', html, re.S)
    assert notice and notice[1] == ZH_NO_FONT
    assert "apt-get" not in visible_text(html) and "--font" not in html
    link = re.search(r'<a [^>]*id="pdf-download"[^>]*>', html)[0]
    assert 'data-build="1"' in link  # made on the first download: the script shows progress
    assert 'id="pdf-progress"' in html and 'src="/static/stream.js"' in html and "<script>" not in html
    english = client.get(f"/streams/{job_id}?lang=en").get_data(as_text=True)
    assert "The PDF report was not made: the server has no Chinese font" in english

    # the download tries again; a failure answers in English and in the page's language
    def no_font(*_args: object, **_kwargs: object) -> Path:
        raise ReportError("no Chinese font found for the PDF report", "pdf", "no_font")

    monkeypatch.setattr("mediaops.report.pdf.write_pdf", no_font)
    answer = client.get(f"/streams/{job_id}/report.pdf?lang=zh")
    assert answer.status_code == 503
    assert answer.get_json() == {"error": "no Chinese font found for the PDF report", "status": 503,
                                 "message": ZH_NO_FONT}
    monkeypatch.undo()
    monkeypatch.setattr("mediaops.report.pdf._chart_png", _layout_failure)
    answer = client.get(f"/streams/{job_id}/report.pdf?lang=zh")
    assert answer.status_code == 500 and answer.get_json()["message"] == ZH_LAYOUT
    monkeypatch.undo()

    # once made, the PDF downloads at once and the failure is no longer shown
    made = client.get(f"/streams/{job_id}/report.pdf?lang=zh")
    assert made.status_code == 200 and made.data.startswith(b"%PDF")
    html = client.get(f"/streams/{job_id}?lang=zh").get_data(as_text=True)
    assert 'id="pdf-failed"' not in html and "data-build" not in html and 'id="pdf-progress"' not in html


# ---- the page in a real browser ------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser():
    import os

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def _text(page, selector: str) -> str:
    return page.locator(selector).text_content() or ""


def _wait(page, selector: str, text: str, timeout_s: float = 30) -> None:
    """Poll through the driver (the page's CSP forbids wait_for_function's in-page eval)."""
    deadline = time.monotonic() + timeout_s
    while text not in _text(page, selector):
        assert time.monotonic() < deadline, (selector, text, _text(page, selector))
        time.sleep(0.1)


def test_a_pdf_made_on_download_shows_progress(tmp_path: Path, browser, monkeypatch: pytest.MonkeyPatch) -> None:
    from werkzeug.serving import make_server

    app = make_app(tmp_path / "storage")
    add_user(app, "op", "operator")
    job_id = _finished_job(app, tmp_path, None)
    release = threading.Event()
    outcome: dict[str, BaseException | None] = {"error": None}

    def slow_pdf(retro: object, path: Path, lang: str = "zh", font: object = None) -> Path:
        release.wait(20)  # the page must show progress while this runs
        if outcome["error"] is not None:
            raise outcome["error"]
        path.write_bytes(b"%PDF-1.4\n%%EOF\n")
        return path

    monkeypatch.setattr("mediaops.report.pdf.write_pdf", slow_pdf)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    try:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.goto(f"{base}/login?lang=zh")
        page.fill("input[name=username]", "op")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")

        # a failure first: the server's words in the page's language, under the button
        outcome["error"] = ReportError("the PDF report could not be laid out", "pdf", "failed")
        page.goto(f"{base}/streams/{job_id}?lang=zh")
        assert not page.locator("#pdf-progress").is_visible()
        page.click("#pdf-download")
        _wait(page, "#pdf-progress-text", "正在生成 PDF 报告")
        assert page.locator("#pdf-progress").is_visible()
        release.set()
        _wait(page, "#pdf-progress-text", ZH_LAYOUT)
        release.clear()

        # then it works: progress at once, the file saved, the indicator gone
        outcome["error"] = None
        with page.expect_download(timeout=30_000) as download:
            page.click("#pdf-download")
            _wait(page, "#pdf-progress-text", "正在生成 PDF 报告")
            assert page.locator(".pdf-progress .bar.busy").is_visible()
            release.set()
        saved = tmp_path / "saved.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF")
        assert download.value.suggested_filename == f"{job_id}-report.pdf"
        deadline = time.monotonic() + 10
        while page.locator("#pdf-progress").is_visible():
            assert time.monotonic() < deadline, "the progress indicator stays after the download"
            time.sleep(0.1)
        context.close()
    finally:
        httpd.shutdown()
