"""Segments Whisper made up: text over silence or noise that nobody said.

Whisper, given a short tail of breath or room tone after the last sentence (with greedy decoding and no
temperature fallback), may write a plausible sentence there: on a 4 s AISHELL clip, "这次的发生了很多问题" at
3.5–4.2 s, every word under 0.21 probability, no-speech probability 0.63. faster-whisper keeps such a segment
because its average log-probability (-0.92) is above its -1.0 cut. Both signs together mark it: the model thinks
the audio is probably not speech, and it is unsure of every word it wrote. Either sign alone is not enough: real
speech after music can get a high no-speech probability with confident words, and a mumbled real sentence can have
unsure words while the model is sure someone is speaking.
"""

from __future__ import annotations

from collections.abc import Sequence

from mediaops.types import Segment

#: the model's probability that the audio holds no speech at or above which a segment may be made up.
NO_SPEECH_AT_LEAST = 0.5
#: the mean probability of a segment's words under which, with :data:`NO_SPEECH_AT_LEAST`, it is made up.
WORDS_BELOW = 0.25
#: without word timings: the average log-probability of its tokens under which it is made up.
LOGPROB_BELOW = -0.7


def is_hallucination(segment: Segment) -> bool:
    """Whether ``segment`` is text the model made up over non-speech (see the module's notes)."""
    if segment.no_speech_prob < NO_SPEECH_AT_LEAST:
        return False
    if segment.words:
        return sum(w.probability for w in segment.words) / len(segment.words) < WORDS_BELOW
    return segment.avg_logprob < LOGPROB_BELOW


def drop_hallucinations(segments: Sequence[Segment]) -> list[Segment]:
    """``segments`` without those :func:`is_hallucination` finds made up."""
    return [s for s in segments if not is_hallucination(s)]
