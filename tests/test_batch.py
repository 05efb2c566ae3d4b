"""Batch submission and folder watching: the side-file naming convention, "stopped growing", ``mediaops batch``.

No worker runs here: the jobs are queued on an embedded broker and checked in the job database.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mediaops.errors import InputFileError
from mediaops.inputs.sidecars import recordings_in, sidecars_of
from mediaops.media.stability import GrowthTracker
from tests.conftest import REPO, SAMPLE
from workers import state
from workers.config import Settings
from workers.jobs import get_job, list_jobs
from workers.watch import watch_folder


def touch(path: Path, data: bytes = b"x") -> Path:
    path.write_bytes(data)
    return path


def test_sidecars_by_name(tmp_path: Path) -> None:
    rec = touch(tmp_path / "Shop 11-27.mp4")
    touch(tmp_path / "Shop 11-27.metrics.xlsx")
    touch(tmp_path / "Shop 11-27.comments.csv")
    touch(tmp_path / "Shop 11-27.products.csv")
    touch(tmp_path / "other.metrics.csv")
    files = sidecars_of(rec)
    assert files.metrics == tmp_path / "Shop 11-27.metrics.xlsx"
    assert files.comments == tmp_path / "Shop 11-27.comments.csv"
    assert files.products == tmp_path / "Shop 11-27.products.csv"
    lonely = sidecars_of(touch(tmp_path / "lonely.mkv"))
    assert lonely.metrics is None and lonely.comments is None and lonely.products is None


def test_recordings_in_files_and_folders(tmp_path: Path) -> None:
    a = touch(tmp_path / "a.mp4")
    b = touch(tmp_path / "b.FLV")
    touch(tmp_path / ".hidden.mp4")
    touch(tmp_path / ".c.partial.mp4")
    touch(tmp_path / "a.metrics.csv")
    assert recordings_in([tmp_path]) == [a, b]
    assert recordings_in([a, tmp_path]) == [a, b]  # each once
    with pytest.raises(InputFileError, match="not a recording"):
        recordings_in([tmp_path / "a.metrics.csv"])
    with pytest.raises(InputFileError, match="not found"):
        recordings_in([tmp_path / "missing.mp4"])


def test_growth_tracker_waits_for_a_quiet_file() -> None:
    tracker = GrowthTracker(settle_s=5.0)
    path = Path("rec.mp4")
    assert not tracker.observe(path, 100, 1, now_s=0.0)
    assert not tracker.observe(path, 200, 2, now_s=3.0)  # grew
    assert not tracker.observe(path, 200, 2, now_s=7.0)  # quiet for 4 s
    assert tracker.observe(path, 200, 2, now_s=8.0)  # quiet for 5 s
    assert not tracker.observe(path, 300, 3, now_s=9.0)  # grew again: wait again
    assert not GrowthTracker(0.0).observe(Path("empty.mp4"), 0, 1, 0.0)
    empty = GrowthTracker(0.0)
    empty.observe(Path("empty.mp4"), 0, 1, 0.0)
    assert not empty.observe(Path("empty.mp4"), 0, 1, 10.0), "an empty file is never complete"


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({}, storage_root=tmp_path / "storage")


def test_watch_submits_a_recording_once_it_stopped_growing(tmp_path: Path, settings: Settings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copyfile(SAMPLE / "metrics.csv", inbox / "live.metrics.csv")
    data = (SAMPLE / "demo_stream.mp4").read_bytes()
    recording = inbox / "live.mp4"
    stop = threading.Event()
    submitted_at: list[float] = []
    watcher = threading.Thread(target=watch_folder, kwargs={
        "settings": settings, "folder": inbox, "interval_s": 0.2, "settle_s": 1.0, "should_stop": stop.is_set,
        "on_submit": lambda s: submitted_at.append(time.monotonic()),
    })
    watcher.start()
    try:
        chunk = len(data) // 10
        for i in range(10):  # the recorder writes for ~3 s
            with recording.open("ab") as handle:
                handle.write(data[i * chunk:(i + 1) * chunk] if i < 9 else data[i * chunk:])
            finished_at = time.monotonic()
            time.sleep(0.3)
            assert not submitted_at, "submitted while the file was still growing"
        deadline = finished_at + 30
        while not submitted_at and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # more polls: it must not be submitted twice
    finally:
        stop.set()
        watcher.join(30)
    assert len(submitted_at) == 1
    assert submitted_at[0] - finished_at >= 0.95  # settled for 1 s after the last write (less clock jitter)
    (job,) = list_jobs(settings)
    assert job["recording"] == str(recording) and job["status"] == "queued"
    assert job["metrics"] == str(inbox / "live.metrics.csv")
    assert recording.stat().st_size == len(data)

    # a second watcher (a restart) does not submit it again
    made = watch_folder(settings, inbox, interval_s=0.1, settle_s=0.0, max_polls=3)
    assert made == [] and len(list_jobs(settings)) == 1


def test_watch_waits_for_the_metrics_export(tmp_path: Path, settings: Settings) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copyfile(SAMPLE / "demo_stream.mp4", inbox / "s.mp4")
    assert watch_folder(settings, inbox, interval_s=0.05, settle_s=0.0, max_polls=4) == []
    shutil.copyfile(SAMPLE / "metrics.csv", inbox / "s.metrics.csv")
    (made,) = watch_folder(settings, inbox, interval_s=0.05, settle_s=0.0, max_polls=4)
    assert made.job_id and get_job(settings, made.job_id)["status"] == "queued"


def test_batch_command(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "streams"
    folder.mkdir()
    shutil.copyfile(SAMPLE / "demo_stream.mp4", folder / "day1.mp4")
    shutil.copyfile(SAMPLE / "metrics.csv", folder / "day1.metrics.csv")
    shutil.copyfile(SAMPLE / "comments.jsonl", folder / "day1.comments.jsonl")
    shutil.copyfile(SAMPLE / "products.csv", folder / "day1.products.csv")
    shutil.copyfile(SAMPLE / "demo_stream.mp4", folder / "day2.mp4")  # no metrics export
    proc = subprocess.run(
        [sys.executable, "-m", "mediaops", "batch", str(folder), "--clips", "3", "--storage",
         str(settings.storage_root)],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "day2.mp4: no metrics export beside day2.mp4 — save it as day2.metrics.csv" in proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = proc.stdout.splitlines()
    job = get_job(settings, line.split()[0])
    assert job["name"] == "day1" and job["status"] == "queued" and job["options"] == {"clips": 3}
    assert job["comments"].endswith("day1.comments.jsonl") and job["products"].endswith("day1.products.csv")
    engine = state.engine_for(settings.database_url)
    assert state.jobs_for_recording(engine, str(folder / "day1.mp4")) == [job["id"]]

    bad = subprocess.run([sys.executable, "-m", "mediaops", "batch", str(tmp_path / "nope"), "--storage",
                          str(settings.storage_root)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "not found" in bad.stderr


def test_bad_job_options_are_refused(settings: Settings) -> None:
    from workers.jobs import JobOptionsError, submit_job

    for options, message in (({"clips": 0}, "out of range"), ({"aspect": "4:3"}, "aspect"),
                             ({"colour": "red"}, "unknown job option 'colour'"),
                             ({"min_duration_s": 50, "max_duration_s": 20}, "swap"), ({"lang": "fr"}, "lang")):
        with pytest.raises(JobOptionsError, match=message):
            submit_job(settings, SAMPLE / "demo_stream.mp4", SAMPLE / "metrics.csv", options=options)
    with pytest.raises(InputFileError, match="metrics file not found"):
        submit_job(settings, SAMPLE / "demo_stream.mp4", SAMPLE / "nope.csv")
    assert list_jobs(settings) == []


def test_job_options_reach_the_pipeline_options(settings: Settings) -> None:
    from workers.jobs import process_options

    options = process_options({"clips": 2, "aspect": "9:16", "cut": "fast", "captions": True, "lang": "en",
                               "language": "zh", "metrics_offset_s": -5, "min_duration_s": 10}, settings)
    assert options.highlights.max_clips == 2 and options.highlights.min_duration_s == 10
    assert (options.render.aspect, options.render.cut, options.render.captions) == ("9:16", "fast", True)
    assert options.render.labels == "en" and options.report.lang == "en"
    assert options.transcribe.language == "zh" and options.transcribe.model == settings.model
    assert options.metrics.offset_s == -5
