"""Writing a transcript as SRT, WebVTT or plain text."""

from __future__ import annotations

from mediaops.types import Segment, Transcript


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
