"""The one-machine default: a worker with the embedded SQLite broker, result store and job database — no server.

One worker (as ``mediaops serve`` starts it) serves the whole module: a job completes, a running job is
cancelled, a re-run with other settings reuses the transcript, a worker killed mid-job is replaced and the
job completes. Recordings are 60 s cuts of the sample stream, transcribed with the real Whisper base model.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediaops.inputs.sidecars import sidecars_of
from tests.conftest import REPO
from tests.workers_support import check_outputs, cut_stream, wait_for_jobs, wait_until
from workers.config import Settings
from workers.embedded import EmbeddedWorker, start_embedded_worker
from workers.jobs import cancel_job, get_job, list_jobs, rerun_job, submit_job

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def streams(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("streams")
    return {"a": cut_stream(folder, "a", 10.0, 60.0), "b": cut_stream(folder, "b", 80.0, 60.0)}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, whisper_model: str) -> Settings:
    settings = Settings.from_env({}, storage_root=tmp_path_factory.mktemp("storage"), model=whisper_model)
    assert settings.embedded and settings.broker_url.startswith("sqla+sqlite:///")
    assert settings.database_url.startswith("sqlite:///")
    return settings


@pytest.fixture(scope="module")
def worker(settings: Settings) -> Iterator[EmbeddedWorker]:
    worker = start_embedded_worker(settings, concurrency=2, wait_s=120)
    assert worker.alive(), worker.log_path.read_text()[-3000:]
    yield worker
    assert worker.stop() == 0


def submit(settings: Settings, recording: Path, **options: object) -> str:
    files = sidecars_of(recording)
    return submit_job(settings, recording, files.metrics, files.comments, files.products, dict(options))


def jobs_command(settings: Settings) -> str:
    proc = subprocess.run([sys.executable, "-m", "mediaops", "jobs", "--storage", str(settings.storage_root)],
                          capture_output=True, text=True, cwd=REPO, timeout=120, check=True)
    return proc.stdout


def test_embedded_worker_completes_a_job(settings: Settings, worker: EmbeddedWorker,
                                         streams: dict[str, Path]) -> None:
    job_id = submit(settings, streams["a"])
    seen_progress: set[float] = set()

    def ended() -> dict | None:
        job = get_job(settings, job_id)
        seen_progress.add(job["progress"])
        return job if job["status"] in ("succeeded", "failed", "cancelled") else None

    job = wait_until(ended, 300, "the embedded worker to finish the job", interval_s=0.3)
    assert job["status"] == "succeeded", (job["error"], worker.log_path.read_text()[-3000:])
    assert any(0 < p < 100 for p in seen_progress), f"no progress between 0 and 100 %: {sorted(seen_progress)}"
    clips = check_outputs(job)
    assert any(abs(c["start_s"] - 25.0) <= 0.1 for c in clips), clips
    # the first clips come first, as in `mediaops process`: every clip is rendered (and the render stage closed)
    # before the full transcription starts (the old canvas transcribed the whole recording before any highlight)
    assert [s["name"] for s in job["stages"]] == ["probe", "metrics", "highlights", "render", "transcribe",
                                                   "scenes", "publish"]
    by_name = {s["name"]: s for s in job["stages"]}
    assert by_name["render"]["finished_at"] <= by_name["transcribe"]["started_at"], job["stages"]
    assert by_name["highlights"]["finished_at"] <= by_name["render"]["started_at"], job["stages"]
    assert all(s["seconds"] is not None and s["seconds"] >= 0 for s in job["stages"])
    artifacts = {s["name"]: s["artifacts"]["files"] for s in job["stages"]}
    assert artifacts["transcribe"][0].startswith("artifacts/transcribe-")
    assert all((settings.storage_root / f).exists() for files in artifacts.values() for f in files)
    assert len(artifacts["render"]) == len(clips) and artifacts["render"][0].startswith("artifacts/render-")
    assert artifacts["publish"] == [f"jobs/{job_id}/out"]
    # delivered messages do not pile up in the embedded broker (kombu's SQL transport keeps them otherwise)
    import sqlite3

    with sqlite3.connect(settings.broker_url.removeprefix("sqla+sqlite:///")) as broker:
        assert broker.execute("SELECT count(*) FROM kombu_message WHERE visible = 0").fetchone()[0] < 10
    listing = jobs_command(settings)
    assert job_id[:10] in listing and "succeeded" in listing and "100%" in listing


def test_cancel_a_running_job(settings: Settings, worker: EmbeddedWorker, streams: dict[str, Path]) -> None:
    job_id = submit(settings, streams["b"])
    wait_until(lambda: any(s["name"] == "transcribe" and s["status"] == "running"
                           for s in get_job(settings, job_id)["stages"]), 120, "transcription to start")
    assert cancel_job(settings, job_id) is True
    assert cancel_job(settings, job_id) is False  # already ended
    # the transcription stops at its next progress report, and no later stage starts
    wait_until(lambda: f"{job_id}.transcribe] raised expected" in worker.log_path.read_text(), 120,
               "the transcription task to stop")
    job = get_job(settings, job_id)
    assert job["status"] == "cancelled" and job["error"] == "cancelled"
    statuses = {s["name"]: s["status"] for s in job["stages"]}
    assert statuses["transcribe"] == "cancelled"
    # the first clips were out before the full transcription started; nothing after it runs
    assert statuses["highlights"] == statuses["render"] == "succeeded"
    assert statuses["publish"] == "skipped"
    assert not Path(job["out_dir"]).exists()
    assert f"mediaops.publish[{job_id}" not in worker.log_path.read_text()


def test_rerun_reuses_finished_stages(settings: Settings, worker: EmbeddedWorker) -> None:
    first = next(j for j in list_jobs(settings) if j["status"] == "succeeded")
    job_id = rerun_job(settings, first["id"], {"clips": 1, "cut": "fast"})
    (job,) = wait_for_jobs(lambda j: get_job(settings, j), [job_id], timeout_s=240, log=worker.log_path)
    assert job["status"] == "succeeded", job["error"]
    assert job["options"] == {"clips": 1, "cut": "fast"}
    transcribe = next(s for s in job["stages"] if s["name"] == "transcribe")
    first_transcribe = next(s for s in first["stages"] if s["name"] == "transcribe")
    assert transcribe["message"] == "reused" or transcribe["seconds"] < first_transcribe["seconds"] / 3
    assert len(check_outputs(job)) == 1


def test_killed_embedded_worker_is_replaced_and_the_job_completes(
    settings: Settings, worker: EmbeddedWorker, streams: dict[str, Path]
) -> None:
    worker.stop()
    first = start_embedded_worker(settings, concurrency=2, wait_s=120)
    job_id = submit(settings, streams["a"], captions=True)  # a render that is not in the store yet
    artifacts = settings.artifacts_dir
    try:
        wait_until(lambda: any(artifacts.glob(".render-*")), 240, "a clip being rendered", interval_s=0.05)
    finally:
        first.kill()
    assert get_job(settings, job_id)["status"] == "running", first.log_path.read_text()[-3000:]
    # the embedded broker cannot hand a dead worker's tasks to another: the next worker re-queues the job
    second = start_embedded_worker(settings, concurrency=2, wait_s=120)
    try:
        (job,) = wait_for_jobs(lambda j: get_job(settings, j), [job_id], timeout_s=240, log=second.log_path)
    finally:
        second.stop()
    assert job["status"] == "succeeded", (job["error"], second.log_path.read_text()[-4000:])
    clips = check_outputs(job)
    assert not list(artifacts.glob(".render-*")), list(artifacts.glob(".render-*"))
    assert sorted(p.name for p in (Path(job["out_dir"]) / "clips").glob("*.mp4")) == [f"{c['id']}.mp4" for c in clips]
    assert "re-queued 1 unfinished job" in second.log_path.read_text()
