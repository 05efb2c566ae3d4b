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
def load_model(model: str, device: str, compute_type: str, cpu_threads: int, workers: int = 1) -> Any:
    """Load (once per process) a faster-whisper model by name or from a local folder, ready for ``workers``
    windows at once (CTranslate2 keeps the weights once and gives each worker its own decoding state).

    Raises:
        ModelError: not a model folder, unknown name without network, or the device/compute type is unusable.
    """
    from faster_whisper import WhisperModel

    local = Path(model).expanduser()
    if local.exists() and not (local / "model.bin").is_file():
        raise ModelError(f"{local} is not a faster-whisper model folder (no model.bin) — point --model at one")
    try:
        return WhisperModel(
            str(local) if local.exists() else model, device=device, compute_type=compute_type, cpu_threads=cpu_threads,
            num_workers=workers,
        )
    except (OSError, ValueError, RuntimeError) as exc:
        first_line = (str(exc).splitlines() or [exc.__class__.__name__])[0][:160]
        raise ModelError(
            f"cannot load Whisper model {model!r} on {device} ({compute_type}): {first_line} — "
            "give --model a local model folder, connect to the internet once to download it, "
            "or choose another --device/--compute-type"
        ) from exc


class FasterWhisperEngine:
    """faster-whisper behind :class:`mediaops.transcribe.engine.Engine`."""

    def __init__(self, options: TranscribeOptions) -> None:
        self.options = options
        self.model = load_model(options.model, options.device, options.resolved_compute_type(),
                                options.resolved_cpu_threads(), options.resolved_workers())

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        language, probability, _ = self.model.detect_language(
            samples,
            vad_filter=self.options.vad_filter,
            language_detection_segments=self.options.language_detection_segments,
        )
        return language, float(probability)

    def transcribe_window(
        self, samples: np.ndarray, offset_s: float, language: str, prompt: str | None, hotwords: str
    ) -> list[Segment]:
        segments, _info = self.model.transcribe(
            samples,
            language=language,
            beam_size=self.options.beam_size,
            word_timestamps=True,
            vad_filter=self.options.vad_filter,
            vad_parameters={"max_speech_duration_s": self.options.vad_max_speech_s},
            hotwords=hotwords or None,
            initial_prompt=prompt,
            condition_on_previous_text=False,
        )
        result: list[Segment] = []
        for seg in segments:  # consumed here: the generator never leaves the library
            words = tuple(
                Word(offset_s + float(w.start), offset_s + float(w.end), w.word, float(w.probability))
                for w in (seg.words or ())
            )
            result.append(
                Segment(
                    start_s=offset_s + float(seg.start),
                    end_s=offset_s + float(seg.end),
                    text=seg.text.strip(),
                    words=words,
                    avg_logprob=float(seg.avg_logprob),
                    no_speech_prob=float(seg.no_speech_prob),
                )
            )
        return result
