"""The openai-whisper engine (PyTorch), from the optional ``openai-whisper`` extra.

Nothing here imports torch or whisper until an engine is opened, so importing MediaOps stays light.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mediaops.errors import ModelError
from mediaops.transcribe.options import TranscribeOptions
from mediaops.types import Segment, Word

_CHUNK_SAMPLES = 30 * 16_000


def _downloaded(whisper: Any, name: str) -> bool:
    """Whether openai-whisper has the checkpoint of model ``name`` in its download folder already."""
    import os

    url = whisper._MODELS.get(name)
    if url is None:
        return True  # not a downloadable name: load_model fails without fetching anything
    root = Path(os.getenv("XDG_CACHE_HOME", Path.home() / ".cache")) / "whisper"
    return (root / os.path.basename(url)).is_file()


@functools.lru_cache(maxsize=2)
def load_model(model: str, device: str, allow_download: bool = True) -> Any:
    """Load (once per process) an openai-whisper model by name or from a ``.pt`` checkpoint file; with
    ``allow_download`` false, a name is loaded only if its checkpoint was downloaded before.

    Raises:
        ModelError: openai-whisper is not installed, or the model cannot be found (or is not downloaded, with
            ``allow_download`` false) or loaded.
    """
    try:
        import whisper
    except ImportError as exc:
        raise ModelError(
            "openai-whisper is not installed — pip install 'mediaops[openai-whisper]', or use --asr faster-whisper"
        ) from exc
    local = Path(model).expanduser()
    if local.is_dir():
        raise ModelError(f"{local} is a folder; openai-whisper needs a .pt checkpoint file or a model name")
    if not allow_download and not local.is_file() and not _downloaded(whisper, model):
        raise ModelError(f"Whisper model {model!r} is not on this machine and downloading models is off — "
                         "put its checkpoint in the cache (or give a .pt file), or allow downloads")
    try:
        loaded = whisper.load_model(str(local) if local.is_file() else model, device=device)
    except (OSError, RuntimeError, ValueError, KeyError, AssertionError, pickle.UnpicklingError) as exc:
        first_line = (str(exc).splitlines() or [exc.__class__.__name__])[0][:160]
        raise ModelError(
            f"cannot load openai-whisper model {model!r} on {device}: {first_line} — give --model a .pt "
            "checkpoint, connect to the internet once to download it, or choose another --device"
        ) from exc
    heads = whisper._ALIGNMENT_HEADS.get(local.stem) if local.is_file() else None
    if heads is not None and loaded.dims.n_text_layer * loaded.dims.n_text_head == _head_count(heads):
        # an official checkpoint saved under its own name: use its tuned word-timing heads
        loaded.set_alignment_heads(heads)
    return loaded


def _head_count(encoded_heads: bytes) -> int:
    import base64
    import gzip

    return len(gzip.decompress(base64.b85decode(encoded_heads)))


class OpenAIWhisperEngine:
    """openai-whisper behind :class:`mediaops.transcribe.engine.Engine`."""

    def __init__(self, options: TranscribeOptions) -> None:
        self.options = options
        self.model = load_model(options.model, options.device, options.allow_download)
        self.fp16 = options.device == "cuda" and options.compute_type != "float32"
        if options.cpu_threads > 0:
            import torch

            torch.set_num_threads(options.cpu_threads)

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        """Average the language probabilities of the loudest 30-second stretches at the start."""
        import whisper

        chunks = [samples[i : i + _CHUNK_SAMPLES] for i in range(0, max(1, len(samples)), _CHUNK_SAMPLES)]
        loudness = [float(np.sqrt(np.mean(np.square(c)))) if len(c) else 0.0 for c in chunks]
        threshold = 0.1 * max(loudness, default=0.0)
        voiced = [c for c, level in zip(chunks, loudness, strict=True) if level >= threshold and len(c)]
        voiced = voiced[: max(1, self.options.language_detection_segments)] or chunks[:1]
        totals: dict[str, float] = {}
        for chunk in voiced:
            mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(chunk), n_mels=self.model.dims.n_mels)
            _tokens, probs = self.model.detect_language(mel.to(self.model.device))
            for code, p in probs.items():
                totals[code] = totals.get(code, 0.0) + float(p) / len(voiced)
        language = max(totals, key=totals.__getitem__)
        return language, totals[language]

    def transcribe_window(
        self, samples: np.ndarray, offset_s: float, language: str | None, prompt: str | None, hotwords: str,
        check_cancelled: Callable[[], None] = lambda: None, max_tokens: int | None = None,
    ) -> list[Segment]:
        import whisper

        check_cancelled()  # openai-whisper recognises a window in one call: it can only stop between windows
        # openai-whisper has no hotword list: the names go into the initial prompt
        full_prompt = " ".join(p for p in (prompt, hotwords) if p) or None
        decode: dict[str, Any] = {"beam_size": self.options.beam_size} if self.options.beam_size > 1 else {}
        if max_tokens:
            decode["sample_len"] = max_tokens
        result = whisper.transcribe(
            self.model,
            samples,
            verbose=None,
            language=language,
            task="transcribe",
            word_timestamps=True,
            initial_prompt=full_prompt,
            condition_on_previous_text=False,
            temperature=self.options.temperatures,
            fp16=self.fp16,
            **decode,
        )
        segments: list[Segment] = []
        for seg in result["segments"]:
            words = tuple(
                Word(
                    start_s=offset_s + float(w["start"]),
                    end_s=offset_s + float(w["end"]),
                    text=str(w["word"]),
                    probability=float(w["probability"]),
                )
                for w in seg.get("words", ())
            )
            segments.append(
                Segment(
                    start_s=offset_s + float(seg["start"]),
                    end_s=offset_s + float(seg["end"]),
                    text=str(seg["text"]).strip(),
                    words=words,
                    avg_logprob=float(seg["avg_logprob"]),
                    no_speech_prob=float(seg["no_speech_prob"]),
                )
            )
        return segments
