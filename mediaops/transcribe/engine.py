"""The interface every speech-recognition engine implements, and the choice between them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from mediaops.errors import ModelError
from mediaops.transcribe.options import DEVICES, ENGINES, TranscribeOptions
from mediaops.types import Segment


class Engine(Protocol):
    """A loaded model that recognises 16 kHz mono float32 samples."""

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        """The language spoken in ``samples`` (the first minutes of a recording) and its probability."""
        ...

    def transcribe_window(
        self, samples: np.ndarray, offset_s: float, language: str | None, prompt: str | None, hotwords: str,
        check_cancelled: Callable[[], None] = ..., max_tokens: int | None = None,
    ) -> list[Segment]:
        """Recognise one window; every time is shifted by ``offset_s``; text is as the model wrote it.
        ``check_cancelled`` is called between segments where the engine yields them one by one (whatever
        it raises stops the window). ``max_tokens`` caps the tokens decoded per 30 s chunk (a short stretch
        recognised again with hints: Whisper can loop on the padding after its speech)."""
        ...


def open_engine(options: TranscribeOptions) -> Engine:
    """The engine ``options.engine`` names, with its model loaded (once per process and settings).

    Raises:
        ModelError: unknown engine or device, engine not installed, or the model cannot be loaded.
    """
    if options.engine not in ENGINES:
        raise ModelError(f"unknown speech engine {options.engine!r} — use one of {', '.join(ENGINES)}")
    if options.device not in DEVICES:
        raise ModelError(f"unknown device {options.device!r} — use one of {', '.join(DEVICES)}")
    if options.engine == "openai-whisper":
        from mediaops.transcribe.openai_engine import OpenAIWhisperEngine

        return OpenAIWhisperEngine(options)
    from mediaops.transcribe.faster import FasterWhisperEngine

    return FasterWhisperEngine(options)
