"""Transcribing a recording window by window, so memory stays flat however long it is."""

from __future__ import annotations

from pathlib import Path

from mediaops.audio import SAMPLE_RATE_HZ, iter_audio_windows
from mediaops.transcribe import faster
from mediaops.transcribe.options import TranscribeOptions
from mediaops.types import ProgressCallback, Segment, Transcript, no_progress


def transcribe(
    path: Path,
    options: TranscribeOptions = TranscribeOptions(),
    duration_s: float | None = None,
    on_progress: ProgressCallback = no_progress,
) -> Transcript:
    """Transcribe the audio of ``path``.

    Args:
        path: any media file with an audio track.
        options: engine, model, language and decoding settings.
        duration_s: the recording's duration, for progress reports (probe it first).
        on_progress: called with ``("transcribe", fraction, message)`` after each window.

    Raises:
        InvalidMediaError: no audio track.
        ModelError: the model cannot be loaded.
    """
    language = None if options.language == "auto" else options.language
    language_probability = 1.0
    segments: list[Segment] = []
    end_s = 0.0
    for offset_s, samples in iter_audio_windows(path, options.window_s):
        if language is None:
            language, language_probability = faster.detect_language(samples, options)
        segments.extend(faster.transcribe_window(samples, offset_s, language, options))
        end_s = offset_s + len(samples) / SAMPLE_RATE_HZ
        if duration_s:
            on_progress("transcribe", min(1.0, end_s / duration_s), f"{end_s:.0f}/{duration_s:.0f} s")
    return Transcript(
        language=language or "",
        segments=tuple(segments),
        duration_s=end_s,
        engine=options.engine,
        model=options.model,
        language_probability=language_probability,
    )
