"""Cancelling a job stops its transcription within 5 s: a real 16-minute recording, the real Whisper base model
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


def test_a_cancelled_transcription_stops_within_5_s(tmp_path: Path, whisper_model: str) -> None:
    from workers.embedded import start_embedded_worker
    from workers.jobs import cancel_job, get_job, submit_job

    # 16 minutes whose engagement moves only in the first 4 (flat afterwards): the first clips' spans, which the
    # full pass skips, lie there, and the windows after them are minutes of speech each
    recording, metrics = long_stream(tmp_path / "media", repeats=4)
    header, first, *rows = metrics.read_text().splitlines()
    flat = first.split(",", 1)[1]
    metrics.write_text("\n".join([header, first, *(r if r < "00:04:00" else f"{r.split(',', 1)[0]},{flat}"
                                                   for r in rows)]) + "\n")
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
        time.sleep(8.0)  # the model is loaded; the decoding workers are inside the first two 300 s windows
        assert cpu_use(worker.pid, 1.0) > 0.5, "the worker is not decoding"
        assert transcribe_stage()["progress"] == 0.0, "the first window ended already; use a longer recording"

        start = time.monotonic()
        assert cancel_job(settings, job_id) is True
        assert get_job(settings, job_id)["status"] == "cancelled"
        at_cancel = transcribe_stage()["progress"]
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
        assert stage["status"] == "cancelled" and stage["progress"] == at_cancel < 100.0  # nothing after it
        assert not Path(get_job(settings, job_id)["out_dir"]).exists()
    finally:
        assert worker.stop() == 0
