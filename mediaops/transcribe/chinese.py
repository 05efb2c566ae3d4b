"""Mandarin text: Simplified characters, full-width punctuation, no stray spaces between characters.

Latin words inside Chinese text (product names such as "ComfyUI", "iPhone 15 Pro") are left as they are.
"""

from __future__ import annotations

import functools
import re

from mediaops.types import Segment, Transcript, Word

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FULL_WIDTH = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；"}
# half-width punctuation touching a Chinese character (Whisper often writes "就是,给我")
_HALF_AFTER_CJK = re.compile(rf"(?<=[{_CJK}])\s*([,?!:;])\s*|\s*([,?!:;])\s*(?=[{_CJK}])")
# a full stop after a Chinese character, not part of a number or an abbreviation
_PERIOD_AFTER_CJK = re.compile(rf"(?<=[{_CJK}])\s*\.(?!\d)\s*")
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}，。？！：；、])\s+(?=[{_CJK}，。？！：；、])")


@functools.cache
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` with Traditional Chinese characters converted to Simplified (other scripts untouched)."""
    return _converter().convert(text) if text else text


def tidy_chinese(text: str) -> str:
    """Simplified characters, full-width punctuation after Chinese, no spaces between Chinese characters."""
    text = to_simplified(text)
    text = _HALF_AFTER_CJK.sub(lambda m: _FULL_WIDTH[m.group(1) or m.group(2)], text)
    text = _PERIOD_AFTER_CJK.sub("。", text)
    return _SPACE_BETWEEN_CJK.sub("", text).strip()


def _tidy_word(word: Word) -> Word:
    text = to_simplified(word.text)
    stripped = text.strip()
    if stripped in _FULL_WIDTH:
        text = text.replace(stripped, _FULL_WIDTH[stripped])
    return Word(word.start_s, word.end_s, text, word.probability)


def tidy_segment(segment: Segment) -> Segment:
    """A Mandarin segment with :func:`tidy_chinese` text and Simplified words."""
    return Segment(
        start_s=segment.start_s,
        end_s=segment.end_s,
        text=tidy_chinese(segment.text),
        words=tuple(_tidy_word(w) for w in segment.words),
        avg_logprob=segment.avg_logprob,
        no_speech_prob=segment.no_speech_prob,
    )


def tidy_transcript(transcript: Transcript) -> Transcript:
    """The transcript with every segment tidied when its language is Chinese; unchanged otherwise."""
    if transcript.language != "zh":
        return transcript
    from dataclasses import replace

    return replace(transcript, segments=tuple(tidy_segment(s) for s in transcript.segments))
