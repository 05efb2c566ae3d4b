"""Overlong segments are cut into sentences at their word timings."""

from __future__ import annotations

import itertools

from mediaops.transcribe.sentences import split_long_segment, split_long_segments
from mediaops.types import Segment, Word


def _segment(text: str, start_s: float, step_s: float) -> Segment:
    words = tuple(Word(start_s + i * step_s, start_s + (i + 1) * step_s - 0.1, f" {w}")
                  for i, w in enumerate(text.split()))
    return Segment(start_s, words[-1].end_s, text, words, avg_logprob=-0.3)


def test_a_long_segment_is_cut_after_each_sentence_end() -> None:
    text = "Stay with us. And now, the Glow Serum This is the Glow Serum, only 19 dollars. It glows"
    long = _segment(text, 146.0, 2.5)
    pieces = split_long_segment(long)
    assert [p.text for p in pieces] == [
        "Stay with us.", "And now, the Glow Serum This is the Glow Serum, only 19 dollars.", "It glows"]
    assert pieces[0].start_s == long.start_s and pieces[-1].end_s == long.end_s
    assert pieces[1].start_s == long.words[3].start_s  # "And" — where the product is first named
    assert all(a.end_s <= b.start_s for a, b in itertools.pairwise(pieces))
    assert sum(len(p.words) for p in pieces) == len(long.words)
    assert {p.avg_logprob for p in pieces} == {-0.3}


def test_short_segments_and_segments_without_words_stay_whole() -> None:
    short = _segment("One. Two. Three.", 0.0, 1.0)
    assert split_long_segment(short) == [short]
    bare = Segment(0.0, 40.0, "A long one. Without word timings.")
    assert split_long_segment(bare) == [bare]
    no_end = _segment("a b c d e f g h i j k l m n o p q r s t", 0.0, 1.0)
    assert split_long_segment(no_end) == [no_end]
    assert split_long_segments([short, bare]) == [short, bare]


def test_chinese_pieces_join_without_spaces() -> None:
    chars = "今天的价格很便宜。大家快来买吧！"
    words = tuple(Word(i * 1.2, i * 1.2 + 1.0, ch) for i, ch in enumerate(chars))
    pieces = split_long_segment(Segment(0.0, words[-1].end_s, chars, words))
    assert [p.text for p in pieces] == ["今天的价格很便宜。", "大家快来买吧！"]
