"""Putting the segments of separately recognised channels into one time-ordered list."""

from __future__ import annotations

import difflib
import re

from mediaops.types import Segment

#: two segments from different channels that overlap this much in time and read this alike are one utterance
#: heard on both channels (e.g. a centred voice over wide stereo music): only the more confident is kept.
_SAME_OVERLAP = 0.5
_SAME_TEXT = 0.6


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _overlap_fraction(a: Segment, b: Segment) -> float:
    overlap = min(a.end_s, b.end_s) - max(a.start_s, b.start_s)
    shorter = min(a.end_s - a.start_s, b.end_s - b.start_s)
    return overlap / shorter if shorter > 0 else 0.0


def _same_utterance(a: Segment, b: Segment) -> bool:
    if _overlap_fraction(a, b) < _SAME_OVERLAP:
        return False
    return difflib.SequenceMatcher(None, _letters(a.text), _letters(b.text)).ratio() >= _SAME_TEXT


def merge_channels(tracks: list[list[Segment]]) -> list[Segment]:
    """All segments of every track in start order; an utterance recognised on two tracks appears once."""
    merged: list[Segment] = []
    for segment in sorted((s for track in tracks for s in track), key=lambda s: (s.start_s, s.end_s)):
        twin = next((i for i, kept in enumerate(merged) if _same_utterance(kept, segment)), None)
        if twin is None:
            merged.append(segment)
        elif segment.avg_logprob > merged[twin].avg_logprob:
            merged[twin] = segment
    return merged
