"""Recognising parts of a recording, and putting that recognition into the full transcript.

The first clips are captioned from a transcript of only their spans, minutes after a job starts; the full
transcript for the report follows. Recognised separately, the two disagreed on the same stretch: Whisper's
output for a sentence depends on what else lands in its 30 s decoding window (VAD packs neighbouring speech
into it), so a span cut out of the recording and the same stretch inside a 10-minute window came out with other
words and other times, and a clip's captions said something the report did not.

So the full transcript takes the spans' recognition over the spans (:func:`splice_transcript`): the captions
and the report say the same thing by construction, and the spans are not recognised twice in meaning. For that
to leave no broken word at a seam, each span is widened to the quietest moment just before its start and just
after its end (:func:`span_windows`): the seams lie in pauses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from mediaops.analysis.signals import merge_spans
from mediaops.media.audio import SAMPLE_RATE_HZ, iter_audio_windows, quietest_point
from mediaops.types import Segment, Transcript, Word

#: a span starts at the quietest moment of the this-many seconds before it and ends at the quietest moment of
#: the this-many seconds after it, so that its seams lie in pauses, not inside words.
SPAN_EDGE_SEARCH_S = 5.0


def span_windows(path: Path, spans: Sequence[tuple[float, float]], track: int = 0,
                 covered: list[tuple[float, float]] | None = None,
                 search_s: float = SPAN_EDGE_SEARCH_S) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(start_s, frames)`` (stereo, 16 kHz) for each of ``spans`` (merged where they overlap or lie within
    ``2 * search_s`` of each other), widened to start and end in the quietest moment of the ``search_s`` seconds
    around each end; each stretch yielded is appended to ``covered`` as ``(start_s, end_s)``.

    Raises:
        InvalidMediaError: no audio track, or undecodable media.
    """
    groups: list[list[float]] = []
    for start_s, end_s in merge_spans(spans):
        if groups and start_s - search_s <= groups[-1][1] + search_s:
            groups[-1][1] = max(groups[-1][1], end_s)
        else:
            groups.append([start_s, end_s])
    for start_s, end_s in groups:
        low_s = max(0.0, start_s - search_s)
        parts = [frames for _offset, frames in iter_audio_windows(path, end_s + search_s - low_s, low_s,
                                                                  end_s + search_s, channels=2, track=track)]
        if not parts:
            continue
        frames = np.concatenate(parts)
        inner_start = min(len(frames), round((start_s - low_s) * SAMPLE_RATE_HZ))
        inner_end = min(len(frames), round((end_s - low_s) * SAMPLE_RATE_HZ))
        first = quietest_point(frames, 0, inner_start) if inner_start > 0 else 0
        last = quietest_point(frames, inner_end, len(frames))
        if last <= first:
            continue
        begin_s = low_s + first / SAMPLE_RATE_HZ
        if covered is not None:
            covered.append((round(begin_s, 3), round(low_s + last / SAMPLE_RATE_HZ, 3)))
        yield begin_s, frames[first:last]


def _inside(t_s: float, spans: Sequence[tuple[float, float]]) -> bool:
    return any(start_s <= t_s < end_s for start_s, end_s in spans)


def _with_words(segment: Segment, words: list[Word]) -> Segment:
    """``segment`` cut down to ``words`` (its text is theirs joined: Whisper's words carry their own spaces)."""
    return replace(segment, start_s=max(segment.start_s, words[0].start_s), end_s=min(segment.end_s, words[-1].end_s),
                   text="".join(w.text for w in words).strip(), words=tuple(words))


def splice_transcript(full: Transcript, part: Transcript) -> Transcript:
    """``full`` with ``part``'s recognition in place of its own over ``part.spans_s`` (the stretches ``part``
    recognised): inside them every word and time is ``part``'s, outside them ``full``'s. A word belongs to the
    stretch its middle lies in; a segment of ``full`` that straddles a seam keeps its words outside. ``full`` is
    returned as it is when ``part`` covers nothing."""
    spans = part.spans_s
    if not spans:
        return full
    kept: list[Segment] = []
    for segment in full.segments:
        if not segment.words:
            if not _inside((segment.start_s + segment.end_s) / 2, spans):
                kept.append(segment)
            continue
        words = [w for w in segment.words if not _inside((w.start_s + w.end_s) / 2, spans)]
        if len(words) == len(segment.words):
            kept.append(segment)
        elif words:
            kept.append(_with_words(segment, words))
    inside = [s for s in part.segments if _inside((s.start_s + s.end_s) / 2, spans)]
    merged = sorted([*kept, *inside], key=lambda s: (s.start_s, s.end_s))
    return replace(full, segments=tuple(merged))
