"""The faster-whisper engine (CTranslate2): the default."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from mediaops.errors import ModelError
from mediaops.transcribe.options import TranscribeOptions
from mediaops.types import Segment, Word


@functools.lru_cache(maxsize=2)
def load_model(model: str, device: str, compute_type: str, cpu_threads: int, workers: int = 1,
               allow_download: bool = True) -> Any:
    """Load (once per process) a faster-whisper model by name or from a local folder, ready for ``workers``
    windows at once (CTranslate2 keeps the weights once and gives each worker its own decoding state).

    With ``allow_download`` false a name is looked up in the local Hugging Face cache only
    (``local_files_only``): nothing is fetched, whatever the name.

    Raises:
        ModelError: not a model folder, unknown name without network (or not downloaded, with
            ``allow_download`` false), or the device/compute type is unusable.
    """
    from faster_whisper import WhisperModel

    local = Path(model).expanduser()
    if local.exists() and not (local / "model.bin").is_file():
        raise ModelError(f"{local} is not a faster-whisper model folder (no model.bin) — point --model at one")
    try:
        loaded = WhisperModel(
            str(local) if local.exists() else model, device=device, compute_type=compute_type, cpu_threads=cpu_threads,
            num_workers=workers, local_files_only=not allow_download,
        )
    except (OSError, ValueError, RuntimeError) as exc:
        first_line = (str(exc).splitlines() or [exc.__class__.__name__])[0][:160]
        if not allow_download and not local.exists():
            raise ModelError(
                f"Whisper model {model!r} is not on this machine and downloading models is off — "
                "put it in the model cache (or give a local model folder), or allow downloads"
            ) from exc
        raise ModelError(
            f"cannot load Whisper model {model!r} on {device} ({compute_type}): {first_line} — "
            "give --model a local model folder, connect to the internet once to download it, "
            "or choose another --device/--compute-type"
        ) from exc
    loaded.model = _Interruptible(loaded.model)
    return loaded


#: the ``check_cancelled`` of the window each thread is recognising (one model serves several threads).
_current = threading.local()


class _Interruptible:
    """The CTranslate2 model inside faster-whisper, asking the calling thread's ``check_cancelled`` before each
    of its calls (encode a 30 s chunk, decode it, align its words) and, while a decoding runs, every 50 ms.

    faster-whisper yields a segment only after a chunk's decoding and its temperature fallbacks (up to six
    attempts: half a minute on a busy CPU). A cancelled decoding is left to finish in CTranslate2's own thread
    (it cannot be interrupted; at most one chunk's attempt) with its inputs kept alive, and its result dropped.
    """

    _CHECKED = frozenset({"encode", "align", "detect_language"})
    _POLL_S = 0.05

    def __init__(self, model: Any) -> None:
        self._model = model
        self._abandoned: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._model, name)
        if name not in self._CHECKED:
            return value

        def checked(*args: Any, **kwargs: Any) -> Any:
            check = getattr(_current, "check_cancelled", None)
            if check is not None:
                check()
            return value(*args, **kwargs)

        return checked

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        check = getattr(_current, "check_cancelled", None)
        if check is None or kwargs.get("asynchronous"):
            return self._model.generate(*args, **kwargs)
        check()
        pending = self._model.generate(*args, **kwargs, asynchronous=True)
        try:
            while not all(result.done() for result in pending):
                check()
                time.sleep(self._POLL_S)
        except BaseException:
            with self._lock:  # the engine still reads the inputs: keep them until it is done
                self._abandoned = [a for a in self._abandoned if not all(r.done() for r in a[0])]
                self._abandoned.append((pending, args, kwargs))
            raise
        return [result.result() for result in pending]


@contextmanager
def _checking(check_cancelled: Callable[[], None]) -> Iterator[None]:
    previous = getattr(_current, "check_cancelled", None)
    _current.check_cancelled = check_cancelled
    try:
        yield
    finally:
        _current.check_cancelled = previous


class FasterWhisperEngine:
    """faster-whisper behind :class:`mediaops.transcribe.engine.Engine`."""

    def __init__(self, options: TranscribeOptions) -> None:
        self.options = options
        self.model = load_model(options.model, options.device, options.resolved_compute_type(),
                                options.resolved_cpu_threads(), options.resolved_workers(), options.allow_download)

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        language, probability, _ = self.model.detect_language(
            samples,
            vad_filter=self.options.vad_filter,
            language_detection_segments=self.options.language_detection_segments,
        )
        return language, float(probability)

    def transcribe_window(
        self, samples: np.ndarray, offset_s: float, language: str | None, prompt: str | None, hotwords: str,
        check_cancelled: Callable[[], None] = lambda: None, max_tokens: int | None = None,
    ) -> list[Segment]:
        with _checking(check_cancelled):
            return self._transcribe_window(samples, offset_s, language, prompt, hotwords, check_cancelled,
                                           max_tokens)

    def _transcribe_window(
        self, samples: np.ndarray, offset_s: float, language: str | None, prompt: str | None, hotwords: str,
        check_cancelled: Callable[[], None], max_tokens: int | None = None,
    ) -> list[Segment]:
        segments, _info = self.model.transcribe(
            samples,
            language=language,
            beam_size=self.options.beam_size,
            word_timestamps=True,
            vad_filter=self.options.vad_filter,
            vad_parameters=self.options.vad_parameters(),
            hotwords=hotwords or None,
            initial_prompt=prompt,
            condition_on_previous_text=False,
            temperature=list(self.options.temperatures),
            max_new_tokens=max_tokens,
        )
        result: list[Segment] = []
        try:
            for seg in segments:  # consumed here: the generator never leaves the library
                check_cancelled()
                result.append(_segment(seg, offset_s))
            check_cancelled()
        finally:
            segments.close()
        return result


def _segment(seg: Any, offset_s: float) -> Segment:
    """One faster-whisper segment as ours, its times shifted by ``offset_s``."""
    words = tuple(Word(offset_s + float(w.start), offset_s + float(w.end), w.word, float(w.probability))
                  for w in (seg.words or ()))
    return Segment(
        start_s=offset_s + float(seg.start),
        end_s=offset_s + float(seg.end),
        text=seg.text.strip(),
        words=words,
        avg_logprob=float(seg.avg_logprob),
        no_speech_prob=float(seg.no_speech_prob),
    )
