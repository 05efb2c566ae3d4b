"""Windows cut at pauses, and downmixing that never cancels or drowns a channel."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from mediaops.media.audio import (
    SAMPLE_RATE_HZ,
    channel_layout,
    iter_audio_windows,
    iter_windows_at_pauses,
    quietest_point,
    read_audio,
    speech_tracks,
)
from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.transcribe import TranscribeOptions, transcribe


def _tone_bursts(out: Path, bursts: list[tuple[float, float]], total_s: float) -> Path:
    """A WAV with a 440 Hz tone during each ``(start_s, end_s)`` burst and silence elsewhere."""
    enable = "+".join(f"between(t,{a},{b})" for a, b in bursts)
    run_ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=16000:duration={total_s}",
                "-af", f"volume=enable='not({enable})':volume=0", "-ac", "2", str(out)])
    return out


def test_quietest_point_lands_in_the_gap() -> None:
    rng = np.random.default_rng(0)
    samples = rng.normal(0, 0.3, SAMPLE_RATE_HZ * 10).astype(np.float32)
    samples[int(6.2 * SAMPLE_RATE_HZ) : int(6.7 * SAMPLE_RATE_HZ)] *= 0.001
    cut = quietest_point(samples, 4 * SAMPLE_RATE_HZ, 8 * SAMPLE_RATE_HZ)
    assert 6.2 <= cut / SAMPLE_RATE_HZ <= 6.7


def test_windows_cut_in_pauses_cover_every_sample_once(tmp_path: Path) -> None:
    bursts = [(0.0, 2.6), (3.0, 5.7), (6.1, 9.3), (9.6, 12.0)]
    wav = _tone_bursts(tmp_path / "bursts.wav", bursts, 12.0)
    windows = list(iter_windows_at_pauses(wav, window_s=4.0, search_s=1.5, read_s=1.0))
    whole = np.concatenate([frames for _start, frames in windows])
    reference = next(iter_audio_windows(wav, 100.0, channels=2))[1]
    assert np.array_equal(whole, reference)
    starts = [start for start, _frames in windows]
    assert starts[0] == 0.0
    for (start, frames), next_start in zip(windows, [*starts[1:], None], strict=True):
        assert len(frames) <= 4.0 * SAMPLE_RATE_HZ
        if next_start is not None:
            assert next_start == pytest.approx(start + len(frames) / SAMPLE_RATE_HZ)
            gaps = [(end, start) for (_s, end), (start, _e) in itertools.pairwise(bursts)]
            assert any(a <= next_start <= b for a, b in gaps), f"cut at {next_start:.2f} s is inside a tone"


def test_stopping_early_does_not_hang(tmp_path: Path) -> None:
    wav = _tone_bursts(tmp_path / "long.wav", [(0.0, 30.0)], 30.0)
    windows = iter_audio_windows(wav, 1.0)
    next(windows)
    windows.close()


def test_channel_layouts() -> None:
    t = np.arange(SAMPLE_RATE_HZ) / SAMPLE_RATE_HZ
    voice = np.sin(2 * np.pi * 220 * t).astype(np.float32)
    other = np.sin(2 * np.pi * 317 * t + 1).astype(np.float32)
    assert channel_layout(np.stack([voice, voice], axis=1)).kind == "same"
    assert channel_layout(np.stack([voice, -voice], axis=1)).kind == "opposite"
    assert channel_layout(np.stack([voice, voice * 0.001], axis=1)).kind == "one-sided"
    assert channel_layout(np.stack([voice, other], axis=1)).kind == "separate"
    (track,) = speech_tracks(np.stack([voice, -voice], axis=1))
    assert np.sqrt(np.mean(track**2)) == pytest.approx(np.sqrt(np.mean(voice**2)), rel=0.01)
    assert len(speech_tracks(np.stack([voice, other], axis=1))) == 2


def _words(transcript) -> list[str]:
    return [re.sub(r"[^a-z']", "", w.text.lower()) for s in transcript.segments for w in s.words]


@pytest.mark.parametrize(("name", "window_s"), [("jfk.flac", 5.0), ("librispeech-1995-1837-0001.wav", 3.5)],
                         ids=["jfk-5s", "librispeech-3.5s"])
@pytest.mark.slow
def test_seams_lose_and_repeat_no_word(testdata: Path, whisper_model: str, name: str, window_s: float) -> None:
    """The nominal boundary falls mid-sentence; the cut moves to a pause and the words match the one-window run."""
    path = testdata / "speech" / name
    whole = transcribe(path, TranscribeOptions(model=whisper_model, language="en"))
    windowed = transcribe(path, TranscribeOptions(model=whisper_model, language="en", window_s=window_s,
                                                  seam_search_s=2.0))
    assert any(w.start_s < window_s < w.end_s for s in whole.segments for w in s.words), "boundary not mid-word"
    assert len({round(s.start_s) for s in windowed.segments}) >= 2
    assert _words(windowed) == _words(whole)
    times = [w.start_s for s in windowed.segments for w in s.words]
    assert times == sorted(times)


@pytest.mark.slow
def test_anti_phase_stereo_is_not_cancelled(tmp_path: Path, testdata: Path, whisper_model: str) -> None:
    stereo = tmp_path / "antiphase.wav"
    run_ffmpeg(["-i", str(testdata / "speech" / "jfk.flac"), "-af", "pan=stereo|c0=c0|c1=-1*c0", str(stereo)])
    assert np.abs(read_audio(stereo)).max() < 0.01  # a plain mono downmix is silence
    transcript = transcribe(stereo, TranscribeOptions(model=whisper_model))
    assert "ask not what your country can do for you" in " ".join(_words(transcript))


def test_times_past_the_window_are_clipped_or_dropped() -> None:
    from mediaops.transcribe.run import clamp_segments
    from mediaops.types import Segment, Word

    inside = Segment(10.0, 12.0, "ok", words=(Word(10.0, 11.0, "ok"),))
    tail = Segment(13.5, 16.0, "tail", words=(Word(13.5, 14.5, "ta"), Word(15.0, 16.0, "il")))
    beyond = Segment(33.9, 34.0, "ghost")
    kept = clamp_segments([inside, tail, beyond], 10.0, 14.0)
    assert kept[0] == inside
    assert (kept[1].start_s, kept[1].end_s) == (13.5, 14.0)
    assert [(w.start_s, w.end_s) for w in kept[1].words] == [(13.5, 14.0)]
    assert len(kept) == 2
