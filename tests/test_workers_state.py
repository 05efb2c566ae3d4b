"""Job state in SQL (SQLite and PostgreSQL), progress throttling, cancellation flag, time limits, retry policy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from mediaops.errors import FFmpegError, InvalidMediaError
from mediaops.jobs.stages import JobCancelledError
from tests.workers_support import postgres_database
from workers import state
from workers.config import Settings
from workers.execution import ProgressRecorder, is_transient, retry_delay_s, time_limits


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        yield state.engine_for(f"sqlite:///{tmp_path / 'db' / 'jobs.sqlite'}")
    else:
        with postgres_database() as url:
            yield state.engine_for(url)


def new_job(engine: Engine, job_id: str = "j1") -> str:
    state.insert_job(engine, {"id": job_id, "name": "demo", "recording": "/r.mp4", "metrics": "/m.csv",
                              "options": {"clips": 3}, "job_dir": "/jobs/j1", "out_dir": "/jobs/j1/out"})
    return job_id


def test_job_lifecycle(engine: Engine) -> None:
    job_id = new_job(engine)
    job = state.get_job(engine, job_id)
    assert job["status"] == "queued" and job["progress"] == 0.0 and job["options"] == {"clips": 3}
    assert [s["status"] for s in job["stages"]] == ["pending"] * 7
    state.stage_started(engine, job_id, "probe")
    state.stage_finished(engine, job_id, "probe", "240 s")
    state.stage_started(engine, job_id, "transcribe")
    state.stage_progress(engine, job_id, "transcribe", 0.5, "120/240 s")
    job = state.get_job(engine, job_id)
    assert job["status"] == "running" and job["started_at"]
    stages = {s["name"]: s for s in job["stages"]}
    assert stages["probe"]["status"] == "succeeded" and stages["probe"]["seconds"] >= 0
    assert stages["transcribe"]["progress"] == 50.0 and stages["transcribe"]["message"] == "120/240 s"
    assert 0 < job["progress"] < 50
    for name in ("transcribe", "metrics", "scenes", "highlights", "render", "publish"):
        state.stage_finished(engine, job_id, name)
    state.finish_job(engine, job_id)
    job = state.get_job(engine, job_id)
    assert job["status"] == "succeeded" and job["progress"] == 100.0 and job["finished_at"]


def test_an_ended_job_stays_ended(engine: Engine) -> None:
    job_id = new_job(engine)
    state.stage_started(engine, job_id, "transcribe")
    assert state.fail_job(engine, job_id, "transcribe", "cancelled", status="cancelled")
    assert not state.fail_job(engine, job_id, None, "late failure")  # already ended
    state.stage_progress(engine, job_id, "transcribe", 0.9, "late report")
    state.stage_finished(engine, job_id, "transcribe")
    state.finish_job(engine, job_id)
    job = state.get_job(engine, job_id)
    assert job["status"] == "cancelled" and job["error"] == "cancelled"
    stages = {s["name"]: s["status"] for s in job["stages"]}
    assert stages["transcribe"] == "cancelled" and stages["publish"] == "skipped"


def test_list_newest_first_and_by_recording(engine: Engine) -> None:
    for i in range(3):
        new_job(engine, f"job{i}")
    assert [j["id"] for j in state.list_jobs(engine)] == ["job2", "job1", "job0"]
    assert [j["id"] for j in state.list_jobs(engine, limit=1)] == ["job2"]
    assert sorted(state.jobs_for_recording(engine, "/r.mp4")) == ["job0", "job1", "job2"]
    assert state.jobs_for_recording(engine, "/other.mp4") == []


def test_progress_is_throttled_and_stops_a_cancelled_job(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    job_id = new_job(engine)
    clock = [100.0]
    monkeypatch.setattr("workers.execution.time.monotonic", lambda: clock[0])
    recorder = ProgressRecorder(engine, job_id, "transcribe", min_interval_s=1.0)
    writes = []
    real_write = state.stage_progress
    monkeypatch.setattr(state, "stage_progress", lambda *a: (writes.append(a[3]), real_write(*a)))
    for i in range(10):  # ten reports within 0.9 s: one write
        clock[0] = 100.0 + i * 0.1
        recorder("transcribe", i / 100, "")
    clock[0] = 101.5
    recorder("transcribe", 0.2, "")
    recorder("transcribe", 1.0, "done")  # the last report is always written
    assert writes == [0.0, 0.2, 1.0]
    with engine.connect() as conn:
        progress = conn.execute(select(state.stages.c.progress).where(state.stages.c.name == "transcribe")).scalar()
    assert progress == 100.0
    state.fail_job(engine, job_id, None, "cancelled", status="cancelled")
    clock[0] = 110.0
    with pytest.raises(JobCancelledError):
        recorder("transcribe", 0.3, "")


def test_time_limits_scale_with_the_recording() -> None:
    short_soft, short_hard = time_limits("transcribe", 60.0)
    long_soft, long_hard = time_limits("transcribe", 6 * 3600.0)
    assert short_soft < short_hard and long_soft < long_hard
    assert long_soft - short_soft == pytest.approx(2.0 * (6 * 3600.0 - 60.0))
    assert time_limits("render", 60.0) == time_limits("render", 6 * 3600.0)  # one clip, whatever the length
    assert time_limits("transcribe", None) == time_limits("transcribe", 6 * 3600.0)


def test_only_transient_failures_are_retried() -> None:
    assert is_transient(FFmpegError(["ffmpeg"], 1, "Connection reset by peer"))
    assert is_transient(OSError(5, "Input/output error"))
    assert not is_transient(InvalidMediaError("cannot decode x.mp4 — is it a video?"))
    assert not is_transient(ValueError("a bug"))
    assert [retry_delay_s(n) for n in range(3)] == [5.0, 10.0, 20.0]
    assert retry_delay_s(20) == 300.0


def test_settings_from_environment(tmp_path: Path) -> None:
    default = Settings.from_env({}, storage_root=tmp_path)
    assert default.embedded and default.database_url == f"sqlite:///{tmp_path / 'mediaops.sqlite'}"
    assert default.result_backend == f"db+{default.database_url}"
    env = {"MEDIAOPS_STORAGE": str(tmp_path / "s"), "MEDIAOPS_BROKER_URL": "redis://h:6379/1",
           "MEDIAOPS_DATABASE_URL": "postgresql+psycopg://u@db/m", "MEDIAOPS_VISIBILITY_TIMEOUT": "600"}
    cluster = Settings.from_env(env)
    assert not cluster.embedded and cluster.storage_root == tmp_path / "s"
    assert cluster.result_backend == "redis://h:6379/1" and cluster.visibility_timeout_s == 600.0
    assert Settings.from_env(cluster.to_env()) == cluster
    assert Settings.from_env({"MEDIAOPS_BROKER_URL": "amqp://g:g@h//"}).result_backend.startswith("db+sqlite:///")


def test_a_task_killed_at_its_hard_time_limit_fails_its_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from celery.exceptions import TimeLimitExceeded
    from celery.signals import task_failure

    from workers import tasks

    monkeypatch.setenv("MEDIAOPS_STORAGE", str(tmp_path))
    for name in ("MEDIAOPS_DATABASE_URL", "MEDIAOPS_BROKER_URL", "MEDIAOPS_RESULT_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    engine = state.engine_for(Settings.from_env().database_url)
    job_id = new_job(engine)
    state.stage_started(engine, job_id, "render")
    # what the worker's main process sends after killing the pool process at the hard limit
    task_failure.send(sender=tasks.render, task_id=f"{job_id}.render.clip-01", exception=TimeLimitExceeded(660),
                      args=(job_id, "clip-01"), kwargs={})
    job = state.get_job(engine, job_id)
    assert job["status"] == "failed" and "render stage was stopped at its time limit" in job["error"]
    assert {s["name"]: s["status"] for s in job["stages"]}["render"] == "failed"


def test_an_unreachable_broker_fails_the_submission_in_one_line(tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    from mediaops.errors import MediaOpsError
    from tests.conftest import SAMPLE
    from tests.workers_support import free_port
    from workers.jobs import list_jobs, submit_job

    settings = Settings(storage_root=tmp_path, broker_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    with pytest.raises(MediaOpsError, match="could not queue the job: broker redis://") as info:
        submit_job(settings, SAMPLE / "demo_stream.mp4", SAMPLE / "metrics.csv")
    assert "\n" not in str(info.value)
    (job,) = list_jobs(settings)
    assert job["status"] == "failed" and job["error"] == str(info.value)
    caplog.clear()  # kombu may log its reconnection attempts as errors; they are expected here
