"""Real workers on a real cluster setup: ``mediaops worker`` processes, a Redis broker, PostgreSQL job state.

The broker is a private ``redis-server`` on a free port (append-only, as a production broker runs), so that this
test can restart it without disturbing anyone else's Redis and no other run can take its tasks; the job
database is a fresh PostgreSQL database on 127.0.0.1:5432, dropped afterwards. Recordings are 80–130 s cuts of
the sample stream, transcribed with the real Whisper base model.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from mediaops.inputs.sidecars import sidecars_of
from tests.workers_support import (
    RedisServer,
    WorkerProcess,
    check_outputs,
    cut_stream,
    postgres_database,
    wait_for_jobs,
    wait_until,
)
from workers.config import Settings
from workers.jobs import get_job, submit_job

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def streams(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("streams")
    return {
        "a": cut_stream(folder, "a", 10.0, 60.0),
        "b": cut_stream(folder, "b", 80.0, 60.0),
        "c": cut_stream(folder, "c", 160.0, 60.0),
        "two_clips": cut_stream(folder, "two_clips", 20.0, 110.0),
    }


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One storage root for the module: later tests reuse the transcripts of earlier ones (content-keyed)."""
    return tmp_path_factory.mktemp("storage")


@pytest.fixture()
def cluster(storage: Path, redis_server: RedisServer, whisper_model: str) -> Iterator[Settings]:
    """Settings of a cluster: the private Redis, a fresh PostgreSQL database, the module's storage root.

    The visibility timeout (how long a task taken by a dead worker waits before another gets it) must exceed
    the longest stage, or that stage runs twice; 120 s covers these short recordings on a busy machine.
    """
    with postgres_database() as database_url:
        yield Settings(storage_root=storage, broker_url=redis_server.url, database_url=database_url,
                       model=whisper_model, visibility_timeout_s=120.0)


def submit(settings: Settings, recording: Path, **options: object) -> str:
    files = sidecars_of(recording)
    return submit_job(settings, recording, files.metrics, files.comments, files.products, dict(options))


def test_three_jobs_at_once_and_a_bad_recording(cluster: Settings, streams: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 5000)
    bad.with_name("broken.metrics.csv").write_bytes(streams["a"].with_name("a.metrics.csv").read_bytes())
    log = tmp_path / "worker.log"
    worker = WorkerProcess(cluster.to_env(), log)
    try:
        bad_id = submit(cluster, bad)
        ids = [submit(cluster, streams[name]) for name in ("a", "b", "c")]
        jobs = wait_for_jobs(lambda j: get_job(cluster, j), [bad_id, *ids], timeout_s=420, log=log)
    finally:
        worker.stop()
    failed, *done = jobs
    assert failed["status"] == "failed"
    assert "broken.mp4" in failed["error"] and "\n" not in failed["error"], failed["error"]
    assert [s["status"] for s in failed["stages"] if s["name"] == "probe"] == ["failed"]
    for job, start_s in zip(done, (25.0, 15.0, 15.0), strict=True):
        assert job["status"] == "succeeded", job["error"]
        assert job["progress"] == 100.0
        assert all(s["status"] == "succeeded" and s["seconds"] is not None for s in job["stages"]), job["stages"]
        clips = check_outputs(job)
        # each cut's product reveal (the scene change at 35 s of the sample) opens its clip
        assert any(abs(c["start_s"] - start_s) <= 0.1 for c in clips), clips
        transcript = json.loads((Path(job["out_dir"]) / "transcript.json").read_text())
        assert transcript["segments"], "empty transcript"


def test_worker_killed_mid_render_then_replaced(cluster: Settings, streams: dict[str, Path], tmp_path: Path) -> None:
    # A short visibility timeout so the replacement worker gets the killed one's tasks soon; the recording
    # was transcribed by the first test (its transcript is reused), so every stage left is far shorter.
    cluster = replace(cluster, visibility_timeout_s=15.0)
    log = tmp_path / "worker.log"
    artifacts = cluster.artifacts_dir
    for scratch in artifacts.glob(".render-*"):
        shutil.rmtree(scratch)
    worker = WorkerProcess(cluster.to_env(), log)
    job_id = submit(cluster, streams["a"], captions=True)  # burnt-in captions: a render not in the store yet
    try:
        # a render task has created its scratch folder: ffmpeg is writing a clip right now
        wait_until(lambda: artifacts.is_dir() and any(artifacts.glob(".render-*")), 240, "a clip being rendered",
                   interval_s=0.05)
    finally:
        worker.kill()
    assert get_job(cluster, job_id)["status"] == "running"
    second = WorkerProcess(cluster.to_env(), log)
    try:
        (job,) = wait_for_jobs(lambda j: get_job(cluster, j), [job_id], timeout_s=240, log=log)
    finally:
        second.stop()
    assert job["status"] == "succeeded", job["error"]
    clips = check_outputs(job)
    assert clips
    render = next(s for s in job["stages"] if s["name"] == "render")
    assert render["attempts"] > len(clips), "the render stage was not run again after the kill"
    # no scratch left behind, and the output holds exactly the timeline's clips (check_outputs), each once
    assert not list(artifacts.glob(".render-*"))
    out = Path(job["out_dir"])
    assert sorted(p.name for p in (out / "clips").iterdir() if p.suffix == ".mp4") == [
        f"{c['id']}.mp4" for c in clips
    ]


def test_broker_restart_mid_job(cluster: Settings, streams: dict[str, Path], redis_server: RedisServer,
                                tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    worker = WorkerProcess(cluster.to_env(), log)
    try:
        job_id = submit(cluster, streams["two_clips"])
        wait_until(lambda: any(s["name"] == "transcribe" and s["status"] == "running"
                               for s in get_job(cluster, job_id)["stages"]), 120, "transcription to start")
        redis_server.restart(down_s=3.0)
        started = time.monotonic()
        (job,) = wait_for_jobs(lambda j: get_job(cluster, j), [job_id], timeout_s=300, log=log)
    finally:
        worker.stop()
    assert job["status"] == "succeeded", job["error"]
    check_outputs(job)
    assert time.monotonic() - started < 300
