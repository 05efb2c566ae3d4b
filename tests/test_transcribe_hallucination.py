"""Made-up segments are dropped, real ones kept (the real case: the AISHELL clip in test_transcribe_accuracy.py,
whose tail of breath Whisper wrote as "这次的发生了很多问题").

Wrong implementations rejected: dropping by the no-speech probability alone (loses confident speech after music);
dropping by unsure words alone (loses a mumbled real sentence); dropping a segment without words by its
no-speech probability alone; keeping the measured made-up segment.
"""

from __future__ import annotations

from mediaops.transcribe.hallucination import drop_hallucinations, is_hallucination
from mediaops.types import Segment, Word


def _segment(text: str, probabilities: list[float], no_speech: float, logprob: float = -0.3) -> Segment:
    pairs = enumerate(zip(text, probabilities, strict=False))
    words = tuple(Word(i * 0.3, i * 0.3 + 0.3, ch, p) for i, (ch, p) in pairs)
    return Segment(0.0, 3.0, text, words, avg_logprob=logprob, no_speech_prob=no_speech)


def test_made_up_segments_go_and_real_ones_stay() -> None:
    # measured (Whisper base int8, AMD EPYC): 3.48-4.16 s of an AISHELL clip, after its only sentence
    made_up = _segment("这次的发生了很多问题", [0.020, 0.036, 0.025, 0.011, 0.088, 0.20, 0.045, 0.022], 0.63, -0.92)
    sure_after_music = _segment("欢迎来到直播间", [0.9, 0.95, 0.88, 0.97, 0.9, 0.93, 0.91], 0.72)
    mumbled_but_speech = _segment("那个这个呃", [0.15, 0.2, 0.1, 0.18, 0.12], 0.05, -0.95)
    assert is_hallucination(made_up)
    assert not is_hallucination(sure_after_music)
    assert not is_hallucination(mumbled_but_speech)
    wordless_sure = Segment(0.0, 2.0, "好的", (), avg_logprob=-0.2, no_speech_prob=0.8)
    wordless_unsure = Segment(0.0, 2.0, "谢谢观看", (), avg_logprob=-0.9, no_speech_prob=0.8)
    assert not is_hallucination(wordless_sure) and is_hallucination(wordless_unsure)
    kept = drop_hallucinations([sure_after_music, made_up, mumbled_but_speech, wordless_unsure])
    assert kept == [sure_after_music, mumbled_but_speech]
