"""Speech only (issue 20): a voice-activity pass over the whole recording first, then windows of joined speech
shared equally between the workers; times mapped back to the recording.

Media known by construction: a gappy corpus of real sentences (tests/speech_corpus.py: silence, room tone and music
between them) for the VAD pass, and a generated signal whose every sample is known for the windows.

Wrong implementations these tests reject (each tried once by breaking the code):
- "windows of the recording" (the windows before, VAD only inside each): the engine is handed the gaps too, three
  times the corpus's speech — ``test_only_speech_reaches_the_engine_in_equal_shares`` fails;
- "packed greedily up to the window length" (no balancing): 47, 47 and 20 s of speech for two workers, or 3
  windows where 4 keep both busy — ``test_windows_hold_every_speech_sample_once_in_equal_shares`` and
  ``test_window_count`` fail;
- "a block's spans not shifted by the block's start" or "a seam between two VAD blocks drops the speech across
  it" — ``test_the_speech_pass_keeps_every_sentence_and_drops_the_gaps`` fails (VAD blocks made short so that the
  corpus has seams);
- "a piece split at every read chunk" or "a sample lost or repeated where a read chunk or window ends" — the
  samples/pieces comparison of the windows test fails;
- "times shifted by the window's start only" (as if one contiguous stretch): words after a join come out seconds
  early; "a word's start and end mapped each by its own piece": a word across a join is torn over the gap —
  ``test_times_move_with_the_piece_of_their_middle`` fails;
- "the nearest cut only" or "the quietest cut only" — ``test_quietest_point_near_a_target`` fails;
- "joined speech recognised with the engine's VAD on" (it trims the joins again, so the audio decoded is not what
  one faster-whisper pass would decode) and "separate speakers recognised with VAD off" (each channel's silence,
  where the other speaks, decoded) — ``test_joined_speech_skips_the_engines_vad_unless_channels_differ`` fails.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

import mediaops.transcribe.run as transcribe_run
import mediaops.transcribe.speech as speech
from mediaops.media.audio import SAMPLE_RATE_HZ, iter_audio_windows, quietest_point
from mediaops.media.probe import probe
from mediaops.transcribe import TranscribeOptions, transcribe
from mediaops.transcribe.speech import SpeechMap, SpeechWindow, find_speech, speech_windows, window_count
from mediaops.types import Segment, Word
from tests.speech_corpus import build_corpus, write_wav

SR = SAMPLE_RATE_HZ


@pytest.fixture(scope="module")
def corpus(testdata: Path, tmp_path_factory: pytest.TempPathFactory):
    """Six real English sentences with 5–30 s of silence, room tone and music between them (~3 min)."""
    wav = tmp_path_factory.mktemp("speech") / "corpus.wav"
    truth = build_corpus(testdata / "speech", wav, "en", 6)
    return wav, truth


def test_the_speech_pass_keeps_every_sentence_and_drops_the_gaps(corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    wav, truth = corpus
    monkeypatch.setattr(speech, "VAD_BLOCK_S", 40.0)  # block seams inside the corpus, some near sentences
    found = find_speech(wav, TranscribeOptions())
    assert found.duration_s == pytest.approx(probe(wav).duration_s, abs=0.05)
    spans = [(a / SR, b / SR) for a, b in found.spans]
    assert all(b1 < a2 for (_a1, b1), (a2, _b2) in itertools.pairwise(spans)), "spans overlap"
    for sentence in truth:  # every sentence's speech is inside one span (its recording may end in a short silence)
        inner = (sentence.start_s + 0.3, sentence.end_s - 0.7)
        assert any(a <= inner[0] and inner[1] <= b for a, b in spans), (sentence, spans)
    said_s = sum(s.end_s - s.start_s for s in truth)
    assert found.speech_s <= said_s + 1.0 * len(truth), (found.speech_s, said_s)  # the gaps are dropped
    for a, b in spans:  # and no span lies in a gap
        assert any(a < s.end_s and s.start_s < b for s in truth), (a, b)


def test_window_count() -> None:
    minute = 60 * SR
    assert window_count(50 * minute, 5 * minute, 2) == 10
    assert window_count(51 * minute, 5 * minute, 2) == 12  # 11 would leave one worker idle at the end
    assert window_count(3 * minute, 5 * minute, 2) == 1
    assert window_count(7 * minute, 5 * minute, 4) == 2  # no more windows than workers: nothing to balance
    assert window_count(100 * SR, 40 * SR, 2) == 3  # 4 would be under Whisper's 30 s chunk
    assert window_count(0, 5 * minute, 2) == 0


def _signal(seconds: float) -> np.ndarray:
    """Noise with a 0.3 s pause every 2.1 s: every sample distinct enough to be traced, pauses to cut at."""
    rng = np.random.default_rng(3)
    audio = rng.uniform(-0.5, 0.5, int(seconds * SR)).astype(np.float32)
    t = np.arange(len(audio)) / SR
    audio[(t % 2.1) > 1.8] *= 0.001
    return audio


def test_windows_hold_every_speech_sample_once_in_equal_shares(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "signal.wav", _signal(300.0))
    whole = next(iter_audio_windows(wav, 1000.0, channels=2))[1]
    # spans across the 10 s read chunks, two that touch (one stretch), one at the very end
    seconds = [(3.0, 40.0), (52.5, 83.7), (83.7, 99.0), (130.0, 172.25), (200.0, 241.0), (260.0, 300.0)]
    spans = tuple((round(a * SR), round(b * SR)) for a, b in seconds)
    speech_map = SpeechMap(spans, len(whole))
    skip = ((150.0, 151.0),)
    windows = list(speech_windows(wav, speech_map, 70.0, 2, 10.0, skip_spans_s=skip))

    total_s = sum(b - a for a, b in seconds)  # 190.45 s: 3 windows of at most 70 s, 4 to keep both workers busy
    assert len(windows) == 4
    lengths = [w.seconds for w in windows]
    assert max(lengths) - min(lengths) <= 10.0, lengths  # each cut within 5 s of an equal share
    assert sum(lengths) == pytest.approx(total_s, abs=1 / SR)
    expected = np.concatenate([whole[a:b] for a, b in spans])
    skip_at = round((150.0 - 130.0 + 37.0 + 46.5) * SR)  # the skipped second, inside the fourth span
    expected[skip_at : skip_at + SR] = 0
    assert np.array_equal(np.concatenate([w.frames for w in windows]), expected)
    pieces = [(round(start_s * SR), round(start_s * SR) + n) for w in windows for start_s, n in w.pieces]
    joined: list[tuple[int, int]] = []
    for a, b in pieces:  # pieces split only where a window ends
        if joined and joined[-1][1] == a:
            joined[-1] = (joined[-1][0], b)
        else:
            joined.append((a, b))
    merged_spans = speech.join_close(spans, 1)
    assert joined == merged_spans
    assert len(pieces) <= len(merged_spans) + len(windows) - 1


def test_times_move_with_the_piece_of_their_middle() -> None:
    # 2 s from 10 s, then 3 s from 30 s: local 0–2 s is 10–12 s, local 2–5 s is 30–33 s
    window = SpeechWindow(((10.0, 2 * SR), (30.0, 3 * SR)), np.zeros(5 * SR, dtype=np.float32))
    first = Segment(0.5, 1.5, "hello", words=(Word(0.5, 1.5, " hello"),))
    across = Segment(1.6, 3.5, "big sale", words=(Word(1.6, 2.2, " big"), Word(2.4, 3.5, " sale")))
    torn = Segment(1.9, 2.3, "now", words=(Word(1.9, 2.3, " now"),))  # middle 2.1 s: the second piece
    bare = Segment(4.0, 4.5, "ok")
    moved = window.to_recording([first, across, torn, bare])
    assert (moved[0].start_s, moved[0].end_s) == (10.5, 11.5)
    assert [(w.start_s, w.end_s) for w in moved[1].words] == [(11.6, 12.2), pytest.approx((30.4, 31.5))]
    assert (moved[1].start_s, moved[1].end_s) == (11.6, pytest.approx(31.5))
    assert (moved[2].words[0].start_s, moved[2].words[0].end_s) == (pytest.approx(29.9), pytest.approx(30.3))
    assert (moved[3].start_s, moved[3].end_s) == (pytest.approx(32.0), pytest.approx(32.5))
    single = SpeechWindow.contiguous(7.25, np.zeros(SR, dtype=np.float32))
    assert single.to_recording([first])[0].words[0].start_s == 0.5 + 7.25


def test_quietest_point_near_a_target() -> None:
    audio = np.full(20 * SR, 0.3, dtype=np.float32)
    audio[2 * SR : int(2.5 * SR)] = 0.0001  # the quietest pause, far from the target
    audio[11 * SR : int(11.5 * SR)] = 0.00015  # nearly as quiet (3.5 dB louder), near it
    audio[int(9.9 * SR) : int(10.1 * SR)] = 0.1  # at the target: speech, only quieter
    assert 2 * SR <= quietest_point(audio, 0, 20 * SR) <= 2.5 * SR
    assert 11 * SR <= quietest_point(audio, 0, 20 * SR, near=10 * SR) <= 11.5 * SR


class _Recorder:
    """An engine that hears one word in the middle of each window and records what it was handed."""

    calls: ClassVar[list[tuple[bool, int]]] = []  # (VAD on, samples handed)

    def __init__(self, options: TranscribeOptions) -> None:
        self.vad = options.vad_filter

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        return "en", 1.0

    def transcribe_window(self, samples, offset_s, language, prompt, hotwords, check_cancelled=lambda: None,
                          max_tokens=None):
        self.calls.append((self.vad, len(samples)))
        middle = offset_s + len(samples) / SR / 2
        return [Segment(middle - 0.2, middle + 0.2, "word", words=(Word(middle - 0.2, middle + 0.2, " word"),))]


def test_only_speech_reaches_the_engine_in_equal_shares(corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    wav, truth = corpus
    monkeypatch.setattr(transcribe_run, "open_engine", _Recorder)
    _Recorder.calls = []
    duration_s = probe(wav).duration_s
    options = TranscribeOptions(language="en", workers=2, window_s=40.0, seam_search_s=4.0, speech_windows=True)
    transcript = transcribe(wav, options, duration_s)
    handed = [n / SR for _vad, n in _Recorder.calls]
    said_s = sum(s.end_s - s.start_s for s in truth)
    assert len(handed) == 2, handed  # ~55 s of speech: two windows, one per worker
    assert abs(handed[0] - handed[1]) <= 4.0, handed
    assert sum(handed) <= said_s + 1.0 * len(truth) < duration_s / 2, (handed, said_s, duration_s)
    assert transcript.duration_s == pytest.approx(duration_s, abs=0.05)
    for segment in transcript.segments:  # each window's middle word lands in a sentence, on the recording's clock
        assert any(s.start_s - 0.5 <= segment.start_s <= s.end_s + 0.5 for s in truth), segment


def test_joined_speech_skips_the_engines_vad_unless_channels_differ(testdata: Path, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    monkeypatch.setattr(transcribe_run, "open_engine", _Recorder)
    for name, vad in (("jfk.flac", False), ("stereo_diarization.wav", True)):
        _Recorder.calls = []
        transcribe(testdata / "speech" / name, TranscribeOptions(language="en", workers=1, speech_windows=True))
        assert _Recorder.calls and {on for on, _n in _Recorder.calls} == {vad}, (name, _Recorder.calls)
