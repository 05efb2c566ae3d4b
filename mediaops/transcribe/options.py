"""Settings for speech recognition; the defaults live here and nowhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENGINES = ("faster-whisper", "openai-whisper")
DEVICES = ("cpu", "cuda")


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    """How to transcribe.

    Attributes:
        engine: ``"faster-whisper"`` (default; CTranslate2) or ``"openai-whisper"`` (PyTorch; the optional
            ``openai-whisper`` extra).
        model: a model name (downloaded by the engine where a network exists) or a local model folder
            (faster-whisper) / ``.pt`` checkpoint file (openai-whisper).
        language: ``"auto"`` to detect once from the first minutes of the recording, or a code such as
            ``"zh"``/``"en"``.
        device: ``"cpu"`` or ``"cuda"``.
        compute_type: ``"auto"`` (int8 on CPU, float16 on CUDA) or a CTranslate2 compute type such as
            ``"int8"``, ``"float32"``, ``"int8_float16"``. openai-whisper computes in float32 on CPU and uses
            float16 on CUDA unless this is ``"float32"``.
        beam_size: decoding beam; 1 (greedy) is ~2x faster than 5 on CPU at a small accuracy cost.
        temperatures: decoding temperatures tried in turn while a decoding looks wrong (repetitive or unlikely).
            Whisper's own default (0.0, 0.2, …, 1.0) samples at random from the second one on, so the same audio
            came out differently from run to run (once as a 50 s loop of "computer computer" that swallowed the
            next sentence of a gappy corpus). With ``(0.0,)`` recognition is deterministic: the same audio always
            gives the same words, which product names and the first clips' captions rely on.
        vad_filter: skip silence with Silero VAD before decoding (faster-whisper).
        speech_windows: with faster-whisper and VAD, find the speech of the whole recording first and recognise
            only that, in windows of equal speech (:mod:`mediaops.transcribe.speech`). Off by default: on recordings
            with long gaps it still loses a sentence now and then where the joined speech is cut into windows
            (``tests/test_transcribe_gappy.py`` with it on); until that is fixed the windows are the recording cut at
            pauses, with faster-whisper's VAD inside each.
        vad_max_speech_s: longest stretch of speech VAD hands to the decoder at once. faster-whisper's default
            (unbounded) lets a long stretch with hot words in the prompt end a 30 s chunk early and skip the
            rest of it (seen on the demo stream: 77–99 s lost); 20 s chunks keep every sentence.
        hotwords: product names and aliases, written as listed where the recognised words read as one of them or
            are a near miss that a second recognition of that segment with the name as a hint confirms
            (:mod:`mediaops.transcribe.hints`). Recognition itself runs without them: in the decoder's prompt they
            cost whole sentences. Earlier names win where two match the same words.
        max_hotword_chars: Whisper's prompt holds ~220 tokens: at most this many characters of names are given to
            the confirming recognition (matching uses every name).
        initial_prompt: text that primes the decoder; ``None`` uses a short Simplified-Chinese prompt for
            ``zh`` (Simplified characters with punctuation) and none for other languages.
        window_s: audio is decoded and recognised in windows of at most this length, so memory does not grow
            with the recording's length.
        seam_search_s: each window is cut at the quietest point of its last this-many seconds, so that no
            word straddles two windows.
        language_detection_s: the language is detected from the speech in this many seconds at the start.
        language_detection_segments: how many 30-second stretches of that speech vote on the language.
        cpu_threads: threads per decoding worker; 0 shares the machine's cores between the workers.
        workers: windows recognised at once by one loaded model (faster-whisper on CPU); 0 picks one per core,
            at most 4. On two cores two single-threaded workers finish ~1.3x sooner than one worker with two
            threads: Whisper's decoder runs small matrix-vector products that do not split well over threads.
        cache_dir: folder of finished transcripts keyed by the recording's content and these options; a
            re-run with the same key reuses the transcript. ``None`` disables the cache.
        audio_track: the audio track to recognise (0-based among the recording's audio tracks); ``None``: the one
            that carries the most speech (measured only where there are several), with a warning when the
            tracks differ.
        skip_spans_s: ``(start_s, end_s)`` stretches already recognised elsewhere (the first clips' spans): they
            are silenced before recognition, so voice activity detection hands them to no decoder and no span is
            recognised twice; :func:`mediaops.transcribe.spans.splice_transcript` puts the other recognition in.
        allow_download: let the engine download a named model it does not have yet (faster-whisper from the
            Hugging Face Hub, openai-whisper from its CDN). ``False``: only local model folders/files and models
            already downloaded are used, and nothing is fetched (a server's workers run so).
    """

    engine: str = "faster-whisper"
    model: str = "base"
    language: str = "auto"
    device: str = "cpu"
    compute_type: str = "auto"
    beam_size: int = 1
    temperatures: tuple[float, ...] = (0.0,)
    vad_filter: bool = True
    vad_max_speech_s: float = 20.0
    speech_windows: bool = False
    hotwords: tuple[str, ...] = ()
    max_hotword_chars: int = 300
    initial_prompt: str | None = None
    window_s: float = 600.0
    seam_search_s: float = 20.0
    language_detection_s: float = 150.0
    language_detection_segments: int = 4
    cpu_threads: int = 0
    workers: int = 0
    cache_dir: Path | None = None
    allow_download: bool = True
    audio_track: int | None = None
    skip_spans_s: tuple[tuple[float, float], ...] = ()

    def resolved_compute_type(self) -> str:
        """The compute type to use: ``compute_type`` unless it is ``"auto"``."""
        if self.compute_type != "auto":
            return self.compute_type
        return "float16" if self.device == "cuda" else "int8"

    def vad_parameters(self) -> dict[str, float]:
        """The Silero VAD settings (faster-whisper's ``VadOptions``) of the engine and of the speech pass before it
        (:func:`mediaops.transcribe.speech.find_speech`): faster-whisper's defaults but ``vad_max_speech_s``."""
        return {"max_speech_duration_s": self.vad_max_speech_s}

    def resolved_workers(self) -> int:
        """How many windows to recognise at once: ``workers``, else one per core (at most 4) with
        faster-whisper on CPU, else 1 (a GPU or PyTorch already uses the hardware with one)."""
        if self.workers > 0:
            return self.workers
        if self.engine != "faster-whisper" or self.device != "cpu":
            return 1
        return max(1, min(4, available_cores()))

    def resolved_cpu_threads(self) -> int:
        """Threads per worker: ``cpu_threads``, else the cores shared between the workers (0 on a GPU: the
        engine's own choice)."""
        if self.cpu_threads > 0 or self.device != "cpu":
            return self.cpu_threads
        return max(1, available_cores() // self.resolved_workers())


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers narrow), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


#: primes Whisper to write Mandarin in Simplified characters with full-width punctuation.
ZH_PROMPT = "以下是普通话的句子。"


def prompt_for(options: TranscribeOptions, language: str | None) -> str | None:
    """The initial prompt for ``language``: the explicit one, else the Chinese default for ``zh``."""
    if options.initial_prompt is not None:
        return options.initial_prompt or None
    return ZH_PROMPT if language == "zh" else None


def hotword_text(options: TranscribeOptions) -> str:
    """The names to give the engine as hot words, deduplicated and cut to ``max_hotword_chars``."""
    kept: list[str] = []
    used = 0
    for word in dict.fromkeys(w.strip() for w in options.hotwords if w.strip()):
        if used + len(word) + 2 > options.max_hotword_chars:
            break
        kept.append(word)
        used += len(word) + 2
    return ", ".join(kept)
