"""Recognising speech only: one voice-activity pass over the recording, then windows made of its speech.

The windows used to be stretches of the recording cut at pauses, and each decoding worker ran voice activity
detection (VAD) inside its own. On a selling stream with long pauses and music between the pitches one window held
minutes of speech and the next almost none; windows come back in time order, so the worker given the quiet one
idled until the other had finished. Now Silero VAD (faster-whisper's ``get_speech_timestamps``, with the engine's
own settings) runs first over the streamed audio, block by block so that memory stays flat (:func:`find_speech`).
The speech stretches it finds are joined back to back, as faster-whisper joins them after its own VAD, and cut at
the quietest moment near each target into windows of equal speech, as many as keep every worker busy until the
last one (:func:`speech_windows`): silence is never decoded into a window, so no worker recognises it. The engine
still runs its VAD inside a window (cheap on speech; it keeps the joined stretches whole, and it is what separates
two speakers on separate channels), and every time it reports is mapped back to the recording
(:meth:`SpeechWindow.to_recording`).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mediaops.media.audio import (
    SAMPLE_RATE_HZ,
    iter_audio_windows,
    iter_windows_at_pauses,
    quietest_point,
    speech_tracks,
)
from mediaops.transcribe.options import TranscribeOptions
from mediaops.types import ProgressCallback, Segment, no_progress

#: the VAD pass reads the recording in blocks of at most this length, each cut at the quietest moment of its last
#: ``VAD_SEAM_SEARCH_S`` seconds so that a block seam seldom falls inside speech (memory: about two blocks, as
#: much as the windows in flight afterwards). Inside a block the speech found is exactly what faster-whisper's own
#: VAD finds; at a seam a pause may be kept whole where one pass would have dropped it.
VAD_BLOCK_S = 300.0
VAD_SEAM_SEARCH_S = 10.0
#: windows are made more (and shorter) to keep every worker busy only while they stay at least this long: Whisper
#: decodes 30 s at a time, and a shorter window only loses the context around its words.
MIN_BALANCED_WINDOW_S = 30.0
#: the speech windows are read from one ffmpeg pipe in chunks of this length.
_READ_S = 10.0


@dataclass(frozen=True, slots=True)
class SpeechMap:
    """Where a recording's audio holds speech: ``spans`` are sample ranges ``[start, end)`` at 16 kHz in time
    order, apart from each other; ``samples`` is the length of the whole audio."""

    spans: tuple[tuple[int, int], ...]
    samples: int

    @property
    def speech_s(self) -> float:
        return sum(end - start for start, end in self.spans) / SAMPLE_RATE_HZ

    @property
    def duration_s(self) -> float:
        return self.samples / SAMPLE_RATE_HZ


@dataclass(frozen=True, slots=True)
class SpeechWindow:
    """Stretches of the recording joined back to back, recognised as one window.

    ``frames`` (16 kHz, ``(n,)`` or ``(n, channels)``) holds each of ``pieces`` in order; a piece is
    ``(start_s, samples)``: ``samples`` samples of the recording from ``start_s``. A window cut from the recording
    in one piece is :meth:`contiguous`.
    """

    pieces: tuple[tuple[float, int], ...]
    frames: np.ndarray

    @classmethod
    def contiguous(cls, start_s: float, frames: np.ndarray) -> SpeechWindow:
        return cls(((start_s, len(frames)),), frames)

    @property
    def start_s(self) -> float:
        return self.pieces[0][0] if self.pieces else 0.0

    @property
    def end_s(self) -> float:
        """Where the last piece ends in the recording."""
        return self.pieces[-1][0] + self.pieces[-1][1] / SAMPLE_RATE_HZ if self.pieces else 0.0

    @property
    def seconds(self) -> float:
        """The audio in the window (its speech)."""
        return len(self.frames) / SAMPLE_RATE_HZ

    def to_recording(self, segments: Sequence[Segment]) -> list[Segment]:
        """``segments`` recognised in ``frames`` (their times counted from its first sample) with every time on
        the recording's clock. A word moves with the piece its middle lies in, so it is never torn across a
        join; a segment moves its start with its first word and its end with its last (without words: with its
        middle)."""
        firsts: list[int] = []  # the first sample of each piece in ``frames``
        shifts: list[float] = []
        at = 0
        for start_s, samples in self.pieces:
            firsts.append(at)
            shifts.append(start_s - at / SAMPLE_RATE_HZ)
            at += samples

        def shift(t_s: float) -> float:
            return shifts[max(0, bisect.bisect_right(firsts, t_s * SAMPLE_RATE_HZ) - 1)]

        moved: list[Segment] = []
        for segment in segments:
            if not segment.words:
                by = shift((segment.start_s + segment.end_s) / 2)
                moved.append(replace(segment, start_s=segment.start_s + by, end_s=segment.end_s + by))
                continue
            words = tuple(replace(w, start_s=w.start_s + by, end_s=w.end_s + by)
                          for w, by in ((w, shift((w.start_s + w.end_s) / 2)) for w in segment.words))
            first_by = words[0].start_s - segment.words[0].start_s
            last_by = words[-1].end_s - segment.words[-1].end_s
            moved.append(replace(segment, start_s=segment.start_s + first_by, end_s=segment.end_s + last_by,
                                 words=words))
        return moved


def silence_spans(frames: np.ndarray, offset_s: float, spans: Sequence[tuple[float, float]]) -> np.ndarray:
    """``frames`` (starting at ``offset_s``) with the stretches inside ``spans`` set to silence (a copy; the
    frames themselves when no span touches them)."""
    end_s = offset_s + len(frames) / SAMPLE_RATE_HZ
    touching = [(a, b) for a, b in spans if b > offset_s and a < end_s]
    if not touching:
        return frames
    silenced = frames.copy()
    for start_s, stop_s in touching:
        first = max(0, round((start_s - offset_s) * SAMPLE_RATE_HZ))
        last = min(len(frames), round((stop_s - offset_s) * SAMPLE_RATE_HZ))
        silenced[first:last] = 0
    return silenced


def join_close(spans: Sequence[tuple[int, int]], gap: int) -> list[tuple[int, int]]:
    """``spans`` (sample ranges) sorted, with those that overlap or lie less than ``gap`` apart made one."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if joined and start - joined[-1][1] < gap:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def find_speech(
    path: Path, options: TranscribeOptions, track: int = 0, duration_s: float | None = None,
    on_progress: ProgressCallback = no_progress, check_cancelled: Callable[[], None] = lambda: None,
) -> SpeechMap:
    """Where audio track ``track`` of ``path`` holds speech, by Silero VAD with the engine's settings
    (:meth:`TranscribeOptions.vad_parameters`), read block by block so that memory stays flat. Every distinct
    channel counts (:func:`speech_tracks`); ``options.skip_spans_s`` are silenced first, so they hold none.
    Stretches closer than twice the VAD's padding are one (faster-whisper's VAD joins them so too, and a block
    seam between them then drops nothing). ``check_cancelled`` is called between blocks.

    Raises:
        InvalidMediaError: no audio track, or undecodable media.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(**options.vad_parameters())
    found: list[tuple[int, int]] = []
    samples = 0
    for start_s, frames in iter_windows_at_pauses(path, VAD_BLOCK_S, VAD_SEAM_SEARCH_S, track=track):
        check_cancelled()
        start = round(start_s * SAMPLE_RATE_HZ)
        for mono in speech_tracks(silence_spans(frames, start_s, options.skip_spans_s)):
            found += [(start + s["start"], start + s["end"]) for s in get_speech_timestamps(mono, vad)]
        samples = start + len(frames)
        if duration_s:
            on_progress("transcribe", 0.0, f"finding speech: {samples / SAMPLE_RATE_HZ:.0f}/{duration_s:.0f} s")
    gap = round(2 * vad.speech_pad_ms / 1000 * SAMPLE_RATE_HZ)
    return SpeechMap(tuple(join_close(found, gap)), samples)


def window_count(speech_samples: int, window_samples: int, workers: int) -> int:
    """How many windows of equal speech to make: enough that none is over ``window_samples``; once there are more
    windows than workers, rounded up to a multiple of ``workers`` (so that the last round keeps every worker busy
    as long as the others) unless that makes them shorter than Whisper's 30 s decoding chunk."""
    if speech_samples <= 0:
        return 0
    count = math.ceil(speech_samples / max(1, window_samples))
    balanced = math.ceil(count / workers) * workers
    if count > workers > 1 and speech_samples / balanced >= MIN_BALANCED_WINDOW_S * SAMPLE_RATE_HZ:
        count = balanced
    return count


def _take(fragments: list[tuple[int, np.ndarray]], count: int,
          joined: np.ndarray) -> tuple[SpeechWindow, list[tuple[int, np.ndarray]]]:
    """The first ``count`` samples of ``fragments`` (``(recording sample, frames)`` in order; ``joined``: their
    frames back to back) as one window, and the fragments left; fragments that follow each other in the recording
    become one piece."""
    pieces: list[tuple[int, int]] = []
    left: list[tuple[int, np.ndarray]] = []
    at = 0
    for start, frames in fragments:
        used = min(len(frames), count - at)
        if used > 0:
            if pieces and pieces[-1][0] + pieces[-1][1] == start:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + used)
            else:
                pieces.append((start, used))
        if used < len(frames):
            left.append((start + max(0, used), frames[max(0, used):]))
        at += len(frames)
    window = SpeechWindow(tuple((start / SAMPLE_RATE_HZ, n) for start, n in pieces), joined[:count])
    return window, left


def speech_windows(
    path: Path, speech: SpeechMap, window_s: float, workers: int, search_s: float, track: int = 0,
    skip_spans_s: Sequence[tuple[float, float]] = (),
) -> Iterator[SpeechWindow]:
    """Yield the speech of ``speech.spans`` (stereo, read from one ffmpeg pipe) in windows of equal length
    (:func:`window_count`), each cut in a pause of the ``search_s`` seconds centred on its target (the quietest
    moment, or one nearly as quiet nearer the target) so that no word is split, and the next target set so that
    the windows left share the speech left equally; every speech sample is in exactly one window. Stretches
    inside ``skip_spans_s`` are silence. Memory: about one window beyond those in flight.

    Raises:
        InvalidMediaError: no audio track, or undecodable media.
    """
    spans = speech.spans
    total = sum(end - start for start, end in spans)
    windows_left = window_count(total, round(window_s * SAMPLE_RATE_HZ), workers)
    if not windows_left:
        return
    half = min(round(search_s * SAMPLE_RATE_HZ), math.ceil(total / windows_left)) // 2
    fragments: list[tuple[int, np.ndarray]] = []
    buffered = 0
    index = 0  # the first span not yet read whole

    def cuts(final: bool) -> Iterator[SpeechWindow]:
        nonlocal fragments, buffered, total, windows_left
        while fragments:
            target = math.ceil(total / windows_left)
            if windows_left > 1 and buffered >= target + half:
                joined = np.concatenate([frames for _start, frames in fragments])
                cut = quietest_point(joined, target - half, target + half, near=target)
            elif final or (windows_left == 1 and buffered >= total):
                joined = np.concatenate([frames for _start, frames in fragments])
                cut = buffered
            else:
                return
            window, fragments = _take(fragments, cut, joined)
            buffered -= len(window.frames)
            total -= len(window.frames)
            windows_left = max(1, windows_left - 1)
            yield window

    for offset_s, block in iter_audio_windows(path, _READ_S, channels=2, track=track):
        start = round(offset_s * SAMPLE_RATE_HZ)
        end = start + len(block)
        while index < len(spans) and spans[index][0] < end:
            first, last = max(start, spans[index][0]), min(end, spans[index][1])
            if last > first:
                fragments.append((first, silence_spans(block[first - start : last - start], first / SAMPLE_RATE_HZ,
                                                       skip_spans_s)))
                buffered += last - first
            if spans[index][1] > end:
                break
            index += 1
        yield from cuts(final=False)
    yield from cuts(final=True)
