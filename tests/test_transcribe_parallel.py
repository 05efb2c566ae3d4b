"""Several windows recognised at once: same words, in order, with bounded read-ahead."""

from __future__ import annotations

import difflib
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.transcribe import TranscribeOptions, transcribe
from mediaops.transcribe.options import available_cores
from mediaops.transcribe.parallel import ordered_map
from mediaops.transcribe.run import window_length_s
from tests.conftest import SAMPLE


def test_ordered_map_keeps_order_and_reads_ahead_at_most_the_workers() -> None:
    pulled: list[int] = []
    running = 0
    most_running = 0
    lock = threading.Lock()

    def items():
        for i in range(8):
            pulled.append(i)
            yield i

    def work(i: int) -> int:
        nonlocal running, most_running
        with lock:
            running += 1
            most_running = max(most_running, running)
        time.sleep(0.05 * (8 - i))  # later items finish first
        with lock:
            running -= 1
        return i * i

    results = []
    for result in ordered_map(work, items(), workers=3):
        results.append(result)
        assert len(pulled) <= len(results) + 3
    assert results == [i * i for i in range(8)]
    assert most_running == 3


def test_ordered_map_raises_the_workers_error() -> None:
    def work(i: int) -> int:
        if i == 2:
            raise ValueError("bad window")
        return i

    with pytest.raises(ValueError, match="bad window"):
        list(ordered_map(work, range(5), workers=2))
    assert list(ordered_map(lambda i: i + 1, range(3), workers=1)) == [1, 2, 3]


def test_workers_and_threads_share_the_cores() -> None:
    cores = available_cores()
    auto = TranscribeOptions()
    assert auto.resolved_workers() == min(4, cores)
    assert auto.resolved_workers() * auto.resolved_cpu_threads() <= max(cores, auto.resolved_workers())
    assert TranscribeOptions(device="cuda").resolved_workers() == 1
    assert TranscribeOptions(engine="openai-whisper").resolved_workers() == 1
    assert TranscribeOptions(workers=3, cpu_threads=2).resolved_workers() == 3
    assert TranscribeOptions(workers=3, cpu_threads=2).resolved_cpu_threads() == 2


def test_windows_shrink_with_the_workers_and_short_recordings_still_split() -> None:
    options = TranscribeOptions()
    assert window_length_s(options, 3600.0, 2) == 300.0  # two windows in flight hold what one would
    assert window_length_s(options, 3600.0, 4) == 150.0
    assert window_length_s(options, 240.0, 2) == 140.0
    assert window_length_s(options, 60.0, 4) == 60.0
    assert window_length_s(options, 240.0, 1) == 600.0
    assert window_length_s(options, None, 2) == 300.0


@pytest.mark.slow
def test_two_workers_write_the_same_transcript_as_one(tmp_path: Path, whisper_model: str) -> None:
    clip = tmp_path / "first2min.mp4"
    run_ffmpeg(["-i", str(SAMPLE / "demo_stream.mp4"), "-t", "120", "-c", "copy", str(clip)])
    one = transcribe(clip, TranscribeOptions(model=whisper_model, language="en", workers=1), 120.0)
    two = transcribe(clip, replace(TranscribeOptions(model=whisper_model, language="en"), workers=2), 120.0)
    words_one = [w.text.strip(" ,.!?").lower() for s in one.segments for w in s.words]
    words_two = [w.text.strip(" ,.!?").lower() for s in two.segments for w in s.words]
    assert len(words_one) > 150
    assert difflib.SequenceMatcher(a=words_one, b=words_two, autojunk=False).ratio() >= 0.97
    starts = [s.start_s for s in two.segments]
    assert starts == sorted(starts)  # the windows came back in time order


def test_the_workers_flag_reaches_the_options() -> None:
    import argparse

    from mediaops.cli.transcribe import add_asr_arguments, asr_options_from

    parser = argparse.ArgumentParser()
    add_asr_arguments(parser)
    parser.add_argument("--model", default="base")
    parser.add_argument("--language", default="auto")
    assert asr_options_from(parser.parse_args(["--asr-workers", "3"]), TranscribeOptions()).workers == 3
    assert asr_options_from(parser.parse_args([]), TranscribeOptions()).workers == 0
