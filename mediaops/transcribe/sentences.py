"""Splitting overlong segments at their sentence ends, using the word timings.

Whisper now and then stops writing timestamp tokens for a stretch and returns one 30–40 s "segment" that holds
several sentences. Clip ends (sentence ends) and product pitches (where a sentence naming a product starts)
need sentences, so such a segment is cut after each word that ends a sentence.
"""

from __future__ import annotations

from mediaops.types import Segment, Word

#: segments longer than this are split at sentence ends; Whisper's own segments are rarely longer.
MAX_SEGMENT_S = 15.0
_SENTENCE_END = (".", "?", "!", "。", "？", "！", "…")


def _joined(words: list[Word], chinese: bool) -> str:
    return ("" if chinese else " ").join(w.text.strip() for w in words).strip()


def split_long_segment(segment: Segment, max_s: float = MAX_SEGMENT_S) -> list[Segment]:
    """``segment`` cut after every sentence-ending word if it lasts over ``max_s`` and has word timings; else
    ``[segment]`` unchanged. The pieces keep the segment's scores; their text is their words joined."""
    if segment.end_s - segment.start_s <= max_s or len(segment.words) < 2:
        return [segment]
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in segment.text)
    pieces: list[list[Word]] = [[]]
    for word in segment.words:
        pieces[-1].append(word)
        if word.text.strip().endswith(_SENTENCE_END):
            pieces.append([])
    pieces = [p for p in pieces if p]
    if len(pieces) < 2:
        return [segment]
    return [
        Segment(
            start_s=segment.start_s if i == 0 else p[0].start_s,
            end_s=segment.end_s if i == len(pieces) - 1 else p[-1].end_s,
            text=_joined(p, chinese),
            words=tuple(p),
            avg_logprob=segment.avg_logprob,
            no_speech_prob=segment.no_speech_prob,
        )
        for i, p in enumerate(pieces)
    ]


def split_long_segments(segments: list[Segment], max_s: float = MAX_SEGMENT_S) -> list[Segment]:
    """Every segment of ``segments`` through :func:`split_long_segment`, in order."""
    return [piece for segment in segments for piece in split_long_segment(segment, max_s)]
