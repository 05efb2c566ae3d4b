"""Splitting overlong segments at their sentence ends, using the word timings.

Whisper now and then stops writing timestamp tokens for a stretch and returns one 30–40 s "segment" that holds
several sentences. Clip ends (sentence ends) and product pitches (where a sentence naming a product starts)
need sentences, so such a segment is cut after each word that ends a sentence.
"""

from __future__ import annotations

from mediaops.analysis.highlights import sentence_pieces
from mediaops.types import Segment

#: segments longer than this are split at sentence ends; Whisper's own segments are rarely longer.
MAX_SEGMENT_S = 15.0


def split_long_segment(segment: Segment, max_s: float = MAX_SEGMENT_S) -> list[Segment]:
    """``segment`` cut after every sentence-ending word if it lasts over ``max_s`` and has word timings; else
    ``[segment]`` unchanged. The pieces keep the segment's scores; their text is their words joined
    (:func:`mediaops.analysis.highlights.sentence_pieces`, which clip ends use on every segment)."""
    if segment.end_s - segment.start_s <= max_s or len(segment.words) < 2:
        return [segment]
    return sentence_pieces([segment])


def split_long_segments(segments: list[Segment], max_s: float = MAX_SEGMENT_S) -> list[Segment]:
    """Every segment of ``segments`` through :func:`split_long_segment`, in order."""
    return [piece for segment in segments for piece in split_long_segment(segment, max_s)]
