"""Transcribing a recording window by window, so memory stays flat however long it is."""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from mediaops.analysis.signals import merge_spans
from mediaops.media.audio import SAMPLE_RATE_HZ, channel_layout, iter_windows_at_pauses, speech_tracks
from mediaops.media.probe import check_input_file
from mediaops.transcribe.cache import cache_key, load_cached, store_cached
from mediaops.transcribe.chinese import tidy_segment
from mediaops.transcribe.engine import Engine, open_engine
from mediaops.transcribe.hallucination import drop_hallucinations
from mediaops.transcribe.hints import TrackRedecoder, apply_hints, make_hints
from mediaops.transcribe.merge import merge_channels
from mediaops.transcribe.options import TranscribeOptions, prompt_for
from mediaops.transcribe.parallel import ordered_map
from mediaops.transcribe.sentences import split_long_segments
from mediaops.transcribe.spans import span_windows
from mediaops.transcribe.speech import SpeechWindow, find_speech, silence_spans, speech_windows
from mediaops.transcribe.tracks import choose_audio_track
from mediaops.types import ProgressCallback, Segment, Transcript, no_progress


def _clamped(start_s: float, end_s: float, lower_s: float, upper_s: float) -> tuple[float, float]:
    start = min(max(lower_s, start_s), upper_s)
    return start, min(upper_s, max(start, end_s))


def clamp_segments(segments: list[Segment], start_s: float, end_s: float) -> list[Segment]:
    """``segments`` with every time inside ``[start_s, end_s]``: a model may place timestamps past the audio it
    was given (hallucinated tails); what starts at or after ``end_s`` is dropped, the rest is clipped."""
    kept: list[Segment] = []
    for segment in segments:
        if segment.start_s >= end_s:
            continue
        words = []
        for w in segment.words:
            if w.start_s < end_s:
                first, last = _clamped(w.start_s, w.end_s, start_s, end_s)
                words.append(replace(w, start_s=first, end_s=last))
        first, last = _clamped(segment.start_s, segment.end_s, start_s, end_s)
        kept.append(replace(segment, words=tuple(words), start_s=first, end_s=last))
    return kept


def _not_cancelled() -> None:
    """Default ``check_cancelled``: nothing ever cancels the transcription."""


class _Cancellation:
    """A ``check_cancelled`` shared by the decoding workers: once one of them has seen the cancellation, every
    later check raises at once, without asking the (possibly slow) callback again."""

    def __init__(self, check: Callable[[], None]) -> None:
        self._check = check
        self._raised: BaseException | None = None
        self._lock = threading.Lock()

    def __call__(self) -> None:
        if self._raised is not None:
            raise self._raised
        try:
            self._check()
        except BaseException as exc:
            with self._lock:
                self._raised = self._raised or exc
            raise


def _detect_language(engine: Engine, frames: np.ndarray, options: TranscribeOptions) -> tuple[str, float]:
    head = [t[: int(options.language_detection_s * SAMPLE_RATE_HZ)] for t in speech_tracks(frames)]
    mixed = head[0] if len(head) == 1 else np.asarray(np.mean(head, axis=0, dtype=np.float32))
    return engine.detect_language(mixed)


def _recognise(engine: Engine, frames: np.ndarray, offset_s: float, language: str | None,
               options: TranscribeOptions, check_cancelled: Callable[[], None] = _not_cancelled) -> list[Segment]:
    """Segments of one window of audio frames starting at ``offset_s``, channels merged, Mandarin tidied,
    overlong segments split into sentences. ``check_cancelled`` is called between segments."""
    end_s = offset_s + len(frames) / SAMPLE_RATE_HZ
    prompt = prompt_for(options, language)
    hints = make_hints(options.hotwords)
    found = []
    for track in speech_tracks(frames):
        check_cancelled()
        # no hot words for the decoder: they cost whole sentences; the names are applied afterwards (hints.py)
        segments = engine.transcribe_window(track, offset_s, language, prompt, "", check_cancelled=check_cancelled)
        segments = drop_hallucinations(clamp_segments(segments, offset_s, end_s))
        if language == "zh":
            segments = [tidy_segment(s) for s in segments]
        redecode = TrackRedecoder(engine, track, offset_s, language, prompt, check_cancelled, options)
        found.append(apply_hints(segments, hints, redecode))
    window_segments = found[0] if len(found) == 1 else merge_channels(found)
    return split_long_segments(window_segments)


def _recognise_in_order(
    engine: Engine, windows: Iterator[SpeechWindow], options: TranscribeOptions, workers: int,
    check_cancelled: Callable[[], None] = _not_cancelled, speech_engine: Engine | None = None,
) -> tuple[str | None, float, Generator[tuple[SpeechWindow, list[Segment]], None, None]]:
    """The language (detected from the first window unless ``options`` gives it), its probability, and
    ``(window, segments)`` for every window in time order, ``workers`` at once, every time on the recording's
    clock. Every worker calls ``check_cancelled`` between segments, so all of them stop soon after it raises.

    ``speech_engine`` (VAD off) recognises the windows that are all speech already (:func:`speech_windows`) and
    carry one signal: it decodes them as they are, which is what faster-whisper decodes after its own VAD; a
    window whose channels carry different speakers goes to ``engine``, whose VAD finds each one's speech."""
    language = None if options.language == "auto" else options.language
    probability = 1.0
    first = next(windows, None)
    if first is not None and language is None:
        check_cancelled()
        language, probability = _detect_language(engine, first.frames, options)

    def recognise(window: SpeechWindow) -> tuple[SpeechWindow, list[Segment]]:
        # recognised on the window's own clock (its pieces back to back), then moved onto the recording's
        chosen = engine
        if speech_engine is not None and channel_layout(window.frames).kind != "separate":
            chosen = speech_engine
        found = _recognise(chosen, window.frames, 0.0, language, options, check_cancelled)
        return window, window.to_recording(found)

    chained = itertools.chain([first] if first is not None else [], windows)
    return language, probability, ordered_map(recognise, chained, workers)


def speech_only(options: TranscribeOptions) -> bool:
    """Whether the full pass finds the speech first and recognises only that (:mod:`mediaops.transcribe.speech`):
    with ``options.speech_windows`` and faster-whisper with its VAD on. Otherwise the windows are the recording cut
    at pauses."""
    return options.speech_windows and options.engine == "faster-whisper" and options.vad_filter


def window_length_s(options: TranscribeOptions, duration_s: float | None, workers: int) -> float:
    """The length of the windows to recognise at once. With several workers each window is
    ``options.window_s / workers`` (never under a minute), so the audio in flight, and with it memory, stays
    what one worker would hold; a recording shorter than that is cut so that every worker gets a window."""
    if workers <= 1:
        return options.window_s
    length = min(options.window_s, max(60.0, options.window_s / workers))
    if duration_s:
        length = min(length, max(60.0, math.ceil(duration_s / workers) + options.seam_search_s))
    return length


def transcribe_spans(
    path: Path,
    spans: Sequence[tuple[float, float]],
    options: TranscribeOptions = TranscribeOptions(),
    on_progress: ProgressCallback = no_progress,
    check_cancelled: Callable[[], None] = _not_cancelled,
) -> Transcript:
    """Transcribe only the ``(start_s, end_s)`` spans of ``path`` (merged where they overlap), in time order.

    This is what the first clips need from a long recording: sentence ends and captions inside their spans,
    minutes after the job starts instead of after the whole recording is recognised. Each span is widened to
    the nearest pause just outside it; the stretches recognised are the transcript's ``spans_s``, which
    :func:`mediaops.transcribe.spans.splice_transcript` puts into the full transcript. The language is
    detected once, from the first span, unless ``options.language`` gives it. No cache: spans are cheap.
    ``check_cancelled`` is called between segments and windows (see :func:`transcribe`).

    Raises:
        InvalidMediaError: no audio track (or no track ``options.audio_track``, or it carries no speech while
            another does), or the media cannot be decoded.
        ModelError: the engine or model cannot be loaded.
    """
    check_input_file(path, "recording")
    check = _Cancellation(check_cancelled)
    merged = merge_spans(spans)
    check()
    choice = choose_audio_track(path, options.audio_track)
    engine = open_engine(options)
    covered: list[tuple[float, float]] = []
    windows = (SpeechWindow.contiguous(start_s, silence_spans(frames, start_s, options.skip_spans_s))
               for start_s, frames in span_windows(path, merged, choice.track, covered))
    language, language_probability, results = _recognise_in_order(engine, windows, options,
                                                                  options.resolved_workers(), check)
    segments: list[Segment] = []
    total_s = sum(b - a for a, b in merged) or 1.0
    done_s = 0.0
    try:
        for window, found in results:
            segments.extend(found)
            done_s += window.seconds
            on_progress("transcribe", min(1.0, done_s / total_s), f"{done_s:.0f}/{total_s:.0f} s of clip spans")
            check()
    finally:
        results.close()  # a cancelled or failed run leaves no decoding worker behind
    return Transcript(
        language=language or "",
        segments=tuple(segments),
        duration_s=max((b for _a, b in merged), default=0.0),
        engine=options.engine,
        model=options.model,
        language_probability=language_probability,
        audio_track=choice.track,
        warnings=choice.warnings,
        spans_s=tuple(covered),
    )


def transcribe(
    path: Path,
    options: TranscribeOptions = TranscribeOptions(),
    duration_s: float | None = None,
    on_progress: ProgressCallback = no_progress,
    check_cancelled: Callable[[], None] = _not_cancelled,
) -> Transcript:
    """Transcribe the audio of ``path`` with the engine, model and settings of ``options``.

    With faster-whisper and VAD (the default) a voice-activity pass over the whole recording comes first and only
    its speech is recognised, in windows of equal speech (about ``options.window_s`` over the workers) cut at
    pauses, so that every worker stays busy on speech (:mod:`mediaops.transcribe.speech`); otherwise the windows
    are stretches of the recording of at most that length cut at pauses. Either way the audio is streamed from
    ffmpeg, so memory does not grow with the recording. Of several audio tracks the one with the most speech is
    recognised (or ``options.audio_track``), with a warning in the transcript when they differ. Stereo whose channels
    carry different speech is recognised per channel. The language is detected once from the first window
    unless given (``""`` when the recording holds no speech outside ``options.skip_spans_s``). Mandarin comes out
    in Simplified characters with full-width punctuation. Product names (``options.hotwords``) are written as
    listed after recognition (:mod:`mediaops.transcribe.hints`). With
    ``options.cache_dir`` an earlier transcript of the same content and options is returned instead of
    recognising again.

    Args:
        path: any media file with an audio track.
        options: engine, model, language and decoding settings.
        duration_s: the recording's duration, for progress reports (probe it first).
        on_progress: called with ``("transcribe", fraction, message)`` after each window.
        check_cancelled: called between recognised segments (a few seconds of work) and windows, in every
            decoding worker; whatever it raises (e.g. ``JobCancelledError``) stops all of them and is raised
            here once they have stopped.

    Raises:
        InputFileError: ``path`` is missing or empty.
        InvalidMediaError: no audio track (or no track ``options.audio_track``, or it carries no speech while
            another does), or the media cannot be decoded.
        ModelError: the engine or model cannot be loaded.
    """
    check_input_file(path, "recording")
    check = _Cancellation(check_cancelled)
    key = cache_key(path, options) if options.cache_dir else None
    if options.cache_dir and key:
        cached = load_cached(options.cache_dir, key)
        if cached is not None:
            on_progress("transcribe", 1.0, "reused the cached transcript")
            return cached
    check()
    choice = choose_audio_track(path, options.audio_track, duration_s)
    engine = open_engine(options)
    workers = options.resolved_workers()
    windows: Iterator[SpeechWindow]
    speech_engine = None
    if speech_only(options):
        speech_engine = open_engine(replace(options, vad_filter=False))  # the same loaded model
        speech = find_speech(path, options, choice.track, duration_s, on_progress, check)
        windows = speech_windows(path, speech, window_length_s(options, speech.speech_s, workers), workers,
                                 options.seam_search_s, choice.track, options.skip_spans_s)
        total_s, audio_s = speech.speech_s, speech.duration_s
    else:
        windows = (SpeechWindow.contiguous(start_s, silence_spans(frames, start_s, options.skip_spans_s))
                   for start_s, frames in iter_windows_at_pauses(
                       path, window_length_s(options, duration_s, workers), options.seam_search_s, track=choice.track))
        total_s, audio_s = duration_s or 0.0, 0.0
    language, language_probability, results = _recognise_in_order(engine, windows, options, workers, check,
                                                                  speech_engine)
    segments: list[Segment] = []
    done_s = end_s = 0.0
    try:
        for window, found in results:
            done_s += window.seconds
            end_s = max(end_s, window.end_s)
            segments.extend(found)
            if duration_s:
                on_progress("transcribe", min(1.0, done_s / (total_s or 1.0)), f"{end_s:.0f}/{duration_s:.0f} s")
            check()
    finally:
        results.close()  # a cancelled or failed run leaves no decoding worker behind
    transcript = Transcript(
        language=language or "",
        segments=tuple(segments),
        duration_s=max(end_s, audio_s),
        engine=options.engine,
        model=options.model,
        language_probability=language_probability,
        audio_track=choice.track,
        warnings=choice.warnings,
    )
    if options.cache_dir and key:
        store_cached(options.cache_dir, key, transcript)
    return transcript
