"""Cancelling a job stops its transcription within 5 s: a real 8-minute recording, the real Whisper base model
and a real embedded worker (two windows recognised at once), cancelled in the middle of a window.

Wrong implementations this rejects: checking the cancellation only at progress reports (once per window: minutes
on a long recording); checking between segments only (faster-whisper yields a segment after a whole chunk's
decoding with its temperature fallbacks: half a minute on a busy CPU); stopping the window being consumed while
the other decoding worker runs on to the end of its window; marking the job cancelled while the worker keeps
computing.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.process_support import cpu_use, long_stream
from tests.workers_support import wait_until
from workers.config import Settings

pytestmark = pytest.mark.slow


@pytest.mark.xfail(strict=False, reason="KNOWN REGRESSION (2026-12-02, open in #20): since the Celery canvas runs the "
                   "first clips first, a cancel during the full transcription was not seen within 120 s in CI; to fix")
def test_a_cancelled_transcription_stops_within_5_s(tmp_path: Path, whisper_model: str) -> None:
    from workers.embedded import start_embedded_worker
    from workers.jobs import cancel_job, get_job, submit_job

    recording, metrics = long_stream(tmp_path / "media")
    settings = Settings.from_env({}, storage_root=tmp_path / "storage", model=whisper_model)
    worker = start_embedded_worker(settings, concurrency=2, wait_s=120)
    try:
        assert worker.alive(), worker.log_path.read_text()[-3000:]
        job_id = submit_job(settings, recording, metrics, options={"language": "zh"})

        def transcribe_stage() -> dict:
            return next(s for s in get_job(settings, job_id)["stages"] if s["name"] == "transcribe")

        try:
            wait_until(lambda: transcribe_stage()["status"] == "running", 180, "the transcription to start")
        except AssertionError:
            raise AssertionError(f"{get_job(settings, job_id)}\n{worker.log_path.read_text()[-3000:]}") from None
        time.sleep(8.0)  # the model is loaded; both decoding workers are inside their first 260 s window
        assert transcribe_stage()["progress"] == 0.0, "the first window ended already; use a longer recording"
        assert cpu_use(worker.pid, 1.0) > 0.5, "the worker is not decoding"

        start = time.monotonic()
        assert cancel_job(settings, job_id) is True
        assert get_job(settings, job_id)["status"] == "cancelled"
        stopped = re.compile(rf"mediaops\.transcribe\[{job_id}\.transcribe\] raised expected: JobCancelledError")
        wait_until(lambda: stopped.search(worker.log_path.read_text(errors="replace")), 120,
                   "the transcription task to stop", interval_s=0.1)
        raised_after_s = time.monotonic() - start
        assert raised_after_s <= 5.0, f"the transcription stopped {raised_after_s:.1f} s after the cancellation"

        # and nothing of the job keeps computing: the worker falls idle (the scene pass stops as well)
        wait_until(lambda: cpu_use(worker.pid, 1.0) < 0.2, 30, "the worker to fall idle")
        idle_after_s = time.monotonic() - start
        assert idle_after_s <= 10.0, f"the worker was busy for {idle_after_s:.1f} s after the cancellation"
        stage = transcribe_stage()
        assert stage["status"] == "cancelled" and stage["progress"] == 0.0
        assert not Path(get_job(settings, job_id)["out_dir"]).exists()
    finally:
        assert worker.stop() == 0
