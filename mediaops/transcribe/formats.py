"""Writing a transcript as JSON, SRT, WebVTT or plain text, and reading its JSON back."""

from __future__ import annotations

import json
from typing import Any

from mediaops.serialize import to_jsonable
from mediaops.types import Segment, Transcript, Word

FORMATS = ("json", "srt", "vtt", "txt")


def _timestamp(t_s: float, separator: str) -> str:
    ms = max(0, round(t_s * 1000))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def segments_to_srt(segments: list[Segment] | tuple[Segment, ...], shift_s: float = 0.0) -> str:
    """SubRip text for ``segments``, with every time moved by ``-shift_s``."""
    blocks = []
    for index, seg in enumerate(segments, start=1):
        start = _timestamp(seg.start_s - shift_s, ",")
        end = _timestamp(seg.end_s - shift_s, ",")
        blocks.append(f"{index}\n{start} --> {end}\n{seg.text.strip()}\n")
    return "\n".join(blocks)


def transcript_to_srt(transcript: Transcript) -> str:
    return segments_to_srt(transcript.segments)


def transcript_to_vtt(transcript: Transcript) -> str:
    cues = [
        f"{_timestamp(s.start_s, '.')} --> {_timestamp(s.end_s, '.')}\n{s.text.strip()}\n" for s in transcript.segments
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def transcript_to_txt(transcript: Transcript) -> str:
    return "\n".join(s.text.strip() for s in transcript.segments) + "\n"


def transcript_to_json(transcript: Transcript) -> str:
    """The transcript as JSON (language, segments with words and confidences), as in ``transcript.json``."""
    return json.dumps(to_jsonable(transcript), ensure_ascii=False, indent=2) + "\n"


def render_transcript(transcript: Transcript, fmt: str) -> str:
    """The transcript in ``fmt``: one of :data:`FORMATS`."""
    renderers = {"json": transcript_to_json, "srt": transcript_to_srt, "vtt": transcript_to_vtt,
                 "txt": transcript_to_txt}
    if fmt not in renderers:
        raise ValueError(f"unknown transcript format {fmt!r}; use one of {', '.join(FORMATS)}")
    return renderers[fmt](transcript)


def transcript_from_jsonable(data: dict[str, Any]) -> Transcript:
    """The :class:`Transcript` that ``to_jsonable`` turned into ``data``.

    Raises:
        KeyError, TypeError, ValueError: ``data`` is not a transcript.
    """
    segments = tuple(
        Segment(
            start_s=float(s["start_s"]),
            end_s=float(s["end_s"]),
            text=str(s["text"]),
            words=tuple(
                Word(float(w["start_s"]), float(w["end_s"]), str(w["text"]), float(w.get("probability", 1.0)))
                for w in s.get("words", ())
            ),
            avg_logprob=float(s.get("avg_logprob", 0.0)),
            no_speech_prob=float(s.get("no_speech_prob", 0.0)),
        )
        for s in data["segments"]
    )
    return Transcript(
        language=str(data["language"]),
        segments=segments,
        duration_s=float(data["duration_s"]),
        engine=str(data.get("engine", "faster-whisper")),
        model=str(data.get("model", "")),
        language_probability=float(data.get("language_probability", 1.0)),
        audio_track=int(data.get("audio_track", 0)),
        warnings=tuple(str(w) for w in data.get("warnings", ())),
        spans_s=tuple((float(a), float(b)) for a, b in data.get("spans_s", ())),
    )
