"""The faster-whisper engine (CTranslate2): the default."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

from mediaops.errors import ModelError
from mediaops.transcribe.options import TranscribeOptions
from mediaops.types import Segment, Word


@functools.lru_cache(maxsize=2)
def load_model(model: str, device: str, compute_type: str, cpu_threads: int) -> Any:
    """Load (once per process) a faster-whisper model by name or from a local folder."""
    from faster_whisper import WhisperModel

    local = Path(model).expanduser()
    if local.exists() and not (local / "model.bin").is_file():
        raise ModelError(f"{local} is not a faster-whisper model folder (no model.bin) — point --model at one")
    try:
        return WhisperModel(
            str(local) if local.exists() else model, device=device, compute_type=compute_type, cpu_threads=cpu_threads
        )
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelError(
            f"cannot load Whisper model {model!r}: {str(exc).splitlines()[0][:160]} — "
            "give --model a local model folder, or connect to the internet once to download it"
        ) from exc


def detect_language(samples: np.ndarray, options: TranscribeOptions) -> tuple[str, float]:
    """Detect the spoken language from ``samples`` (the first minutes are enough)."""
    model = load_model(options.model, options.device, options.compute_type, options.cpu_threads)
    language, probability, _ = model.detect_language(samples)
    return language, float(probability)


def transcribe_window(
    samples: np.ndarray, offset_s: float, language: str | None, options: TranscribeOptions, prompt: str | None = None
) -> list[Segment]:
    """Recognise one window of 16 kHz mono samples; times are shifted by ``offset_s``."""
    model = load_model(options.model, options.device, options.compute_type, options.cpu_threads)
    segments, _info = model.transcribe(
        samples,
        language=language,
        beam_size=options.beam_size,
        word_timestamps=True,
        vad_filter=options.vad_filter,
        hotwords=" ".join(options.hotwords) or None,
        initial_prompt=prompt,
        condition_on_previous_text=False,
    )
    result: list[Segment] = []
    for seg in segments:  # consumed here: the generator never leaves the library
        words = tuple(
            Word(start_s=offset_s + w.start, end_s=offset_s + w.end, text=w.word, probability=float(w.probability))
            for w in (seg.words or ())
        )
        result.append(
            Segment(
                start_s=offset_s + seg.start,
                end_s=offset_s + seg.end,
                text=seg.text.strip(),
                words=words,
                avg_logprob=float(seg.avg_logprob),
                no_speech_prob=float(seg.no_speech_prob),
            )
        )
    return result
