"""Settings for speech recognition; the defaults live here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    """How to transcribe.

    Attributes:
        engine: ``"faster-whisper"`` (default; CTranslate2, int8 on CPU) or ``"openai-whisper"``.
        model: a model name (downloaded by the engine where a network exists) or a local model folder/file.
        language: ``"auto"`` to detect once from the start of the recording, or a code such as ``"zh"``/``"en"``.
        device: ``"cpu"`` or ``"cuda"``.
        compute_type: CTranslate2 compute type; ``"int8"`` is fastest on CPU with no accuracy loss that matters.
        beam_size: decoding beam; 1 (greedy) is ~2x faster than 5 on CPU at a small accuracy cost.
        vad_filter: skip silence with Silero VAD before decoding.
        hotwords: product names and aliases, passed to the engine so they come out spelled right.
        window_s: audio is decoded and recognised in windows of this length, so memory does not grow with
            the recording's length.
        cpu_threads: threads for the engine; 0 lets it choose.
    """

    engine: str = "faster-whisper"
    model: str = "base"
    language: str = "auto"
    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 1
    vad_filter: bool = True
    hotwords: tuple[str, ...] = ()
    window_s: float = 600.0
    cpu_threads: int = 0
