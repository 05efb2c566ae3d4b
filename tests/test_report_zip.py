"""What the web hands out for a stream: the ZIP of its results plays its clips once unpacked, and the PDF and the
report's title come from the job (issue #18, items 1, 9 and 10).

Wrong implementations these tests reject (each was checked by breaking the code once):

- a ZIP with the clips at its top level while ``report.html`` inside links to ``clips/…`` (the unpacked report
  plays nothing), or names in the archive that climb out of its folder (``clips/../x``);
- a ZIP without the PDF or the CSV tables the job wrote;
- a web job that leaves the PDF to its first download (9 s of waiting with no sign of progress);
- a web job whose report is titled with the recording's file name instead of the stream's name, or that ignores
  the server's ``MEDIAOPS_TIMEZONE``.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from mediaops.jobs.stages import JobFolder
from mediaops.report import ReportOptions, render_reports, write_reports
from mediaops.timeline import read_timeline
from tests.retro_data import write_output_folder
from tests.test_web_files_security import make_job, small_video
from tests.web_support import add_user, make_app
from workers import jobs
from workers.config import Settings


@pytest.fixture
def app(tmp_path: Path):
    app = make_app(tmp_path / "storage")
    add_user(app, "admin", "admin")
    return app


def _out_dir(app, job_id: str) -> Path:
    return Path(jobs.get_job(app.extensions["mediaops_settings"], job_id)["out_dir"])


def test_unpacked_zip_report_plays_its_clips(app, admin, browser, tmp_path: Path) -> None:
    job_id = make_job(app, small_video(tmp_path / "media"), outputs=True)
    out = _out_dir(app, job_id)
    (out / "report.pdf").write_bytes(b"%PDF-1.4\n")
    render_reports(out, ReportOptions(lang="zh", formats=("html", "csv")))
    zipped = admin.get(f"/streams/{job_id}/clips.zip")
    assert zipped.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(zipped.data))
    names = archive.namelist()
    assert "clips/clip-01.mp4" in names and "report.html" in names, names
    assert {"report.pdf", "report_products.csv", "timeline.json"} <= set(names)
    assert not any(n.startswith(("/", "../")) or "/../" in n for n in names)
    unpacked = tmp_path / "unpacked"
    archive.extractall(unpacked)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((unpacked / "report.html").as_uri())
    page.wait_for_selector("body[data-shown='1']", timeout=30_000)
    page.locator("#clips [data-play='1']").click()
    # the player loads the clip's file from the unpacked folder: its metadata arrives (a missing file never does)
    page.wait_for_function("""() => { const v = document.getElementById('clip-player');
        return v.getAttribute('data-clip') === 'clip-02' && (v.readyState >= 1 || v.error); }""", timeout=30_000)
    state = page.evaluate("""() => { const v = document.getElementById('clip-player');
        return {src: v.currentSrc, ready: v.readyState, error: v.error && v.error.code, duration: v.duration}; }""")
    page.close()
    assert state["error"] is None and state["ready"] >= 1 and state["duration"] > 0, state
    played = Path(state["src"].removeprefix("file://"))
    assert played.is_file() and played.is_relative_to(unpacked), state


def test_web_jobs_write_the_pdf_and_name_their_reports(app, tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    from mediaops.report.pdf import has_pdf_font

    if not has_pdf_font():
        pytest.skip("no CJK font for the PDF (apt-get install fonts-noto-cjk)")
    settings = app.extensions["mediaops_settings"]
    job_id = make_job(app, small_video(tmp_path / "media"))
    job_id = jobs.rerun_job(settings, job_id, {}, owner="admin")  # any path into submit_job
    options = JobFolder(settings.jobs_dir / job_id, settings.artifacts_dir).spec.options
    assert "pdf" in options.report.formats
    assert options.report.title == "tiny.mp4"  # the job's name (make_job names it after the file it gave)
    named = jobs.submit_job(settings, small_video(tmp_path / "other"), settings.storage_root / "inputs" /
                            "metrics.csv", name="双十一晚场")
    options = JobFolder(settings.jobs_dir / named, settings.artifacts_dir).spec.options
    assert options.report.title == "双十一晚场"
    # what the job's publish stage does with these options: the PDF is there before anyone asks for it
    out = _out_dir(app, named)
    write_output_folder(out)
    written = write_reports(read_timeline(out), out, options.report)
    assert out / "report.pdf" in written
    text = subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "双十一晚场" in text and "UTC+08:00" in text


def test_server_time_zone_setting(tmp_path: Path) -> None:
    settings = Settings.from_env({"MEDIAOPS_TIMEZONE": "Asia/Shanghai"}, storage_root=tmp_path)
    assert jobs.process_options({}, settings).report.timezone == "Asia/Shanghai"
    assert jobs.process_options({}, Settings(storage_root=tmp_path)).report.timezone == ""
    with pytest.raises(ValueError, match="unknown time zone"):
        Settings(storage_root=tmp_path, timezone="Mars/Olympus")
