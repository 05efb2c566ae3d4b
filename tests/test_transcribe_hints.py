"""Product names applied to recognised words (mediaops.transcribe.hints), without a model.

Wrong implementations these tests reject:
- "hotwords passed to the decoder": the window is recognised with the names in the prompt (they cost whole
  sentences on gappy streams); here the first recognition of every window must get no hot words;
- "fuzzy replace without a witness": a near miss (``comfy`` for ``ComfyUI``, ``跑步最`` for ``跑步机``) is written as
  the name without the segment being recognised again with the hint, or although the hinted recognition wrote
  something else there or changed the words around it;
- "the hinted text replaces the segment": punctuation, other words or times taken from the second recognition;
- "the witness read whole": a decoding loop the hinted recognition writes after the speech ("车车车…") outweighs
  it, so a real name is not applied (and an unbounded re-decoding spends 10–20 s on the loop);
- "times dropped or shifted": the name's word must run from the first replaced word's start to the last one's end,
  every other word untouched;
- "an alias in lower case decapitalises a sentence start" and "short names matched loosely".
"""

from __future__ import annotations

import numpy as np
import pytest

from mediaops.transcribe.hints import apply_hints, find_matches, make_hints, sound_key, tokens_of
from mediaops.transcribe.options import TranscribeOptions
from mediaops.types import Segment, Word

HINTS = make_hints(["Turbo Blender", "blender", "Cozy Blanket", "blanket", "ComfyUI", "Countryman", "跑步机",
                    "小米手环", "Ion"])


def segment(words: list[str], start_s: float = 10.0, step_s: float = 0.4) -> Segment:
    timed = tuple(Word(start_s + i * step_s, start_s + (i + 1) * step_s - 0.05, w, 0.9) for i, w in enumerate(words))
    return Segment(start_s, start_s + len(words) * step_s, "".join(words).strip(), timed, -0.2, 0.01)


def witness(*words: str):
    """A stand-in for the second recognition: it returns ``words`` and records what it was asked."""
    calls: list[tuple[float, float, tuple[str, ...]]] = []

    def redecode(original: Segment, names) -> list[Segment]:
        calls.append((original.start_s, original.end_s, tuple(names)))
        return [segment(list(words), original.start_s)]

    redecode.calls = calls  # type: ignore[attr-defined]
    return redecode


def test_sound_key_merges_what_whisper_mixes_up_in_names() -> None:
    assert sound_key("comfyui") == sound_key("confui") == sound_key("confueye") == "knf"
    assert sound_key("turboblender") == "trplntr"
    assert sound_key("country") != sound_key("countryman")


def test_exact_reading_is_written_as_listed_without_a_second_recognition() -> None:
    redecode = witness("unused")
    original = segment([" This", " turbo", " blender", " and", " the", " comfy", " UI", " folder."])
    [result] = apply_hints([original], HINTS, redecode)
    assert result.text == "This Turbo Blender and the ComfyUI folder."
    assert redecode.calls == []
    assert [w.text for w in result.words] == [" This", " Turbo Blender", " and", " the", " ComfyUI", " folder."]
    name = result.words[1]
    assert (name.start_s, name.end_s) == (original.words[1].start_s, original.words[2].end_s)
    assert result.words[0] is original.words[0] and result.words[-1] is original.words[-1]
    assert (result.start_s, result.end_s, result.avg_logprob) == (original.start_s, original.end_s, -0.2)


def test_lower_case_alias_keeps_the_sentence_capital() -> None:
    original = segment([" Blender", " on", " sale,", " a", " blanket", " too."])
    [result] = apply_hints([original], HINTS)
    assert result is original


def test_near_miss_is_written_as_the_name_only_when_the_hinted_recognition_says_so() -> None:
    original = segment([" Then", " go", " into", " your", " confu-eye", " folder,", " again", " the", " Confu", " i."])
    redecode = witness(" Then", " go", " into", " your", " ComfyUI", " folder", " again", " the", " ComfyUI.")
    [result] = apply_hints([original], HINTS, redecode)
    assert result.text == "Then go into your ComfyUI folder, again the ComfyUI."  # punctuation of the first pass
    assert len(redecode.calls) == 1 and redecode.calls[0][2] == ("ComfyUI",)
    assert redecode.calls[0][:2] == (original.start_s, original.end_s)
    last = result.words[-1]
    assert last.text == " ComfyUI." and (last.start_s, last.end_s) == (original.words[-2].start_s,
                                                                       original.words[-1].end_s)


@pytest.mark.parametrize(("words", "hinted"), [
    ([" so", " comfy,", " really."], [" so", " comfy,", " really."]),  # the hinted pass heard "comfy"; it changed
    # the word after it, or dropped it
    ([" it", " is", " so", " comfy", " really", " soft."], [" it", " is", " so", " ComfyUI", " truly", " soft."]),
    ([" it", " is", " so", " comfy", " really", " soft."], [" it", " is", " so", " ComfyUI", " soft."]),
    ([" your", " country."], [" your", " Countryman."]),  # … fine, but only with the hint: see the next test
], ids=["hint-not-heard", "context-changed", "context-dropped", "witnessed"])
def test_near_miss_needs_a_clean_witness(words: list[str], hinted: list[str]) -> None:
    original = segment(words)
    [result] = apply_hints([original], HINTS, witness(*hinted))
    changed = result is not original
    assert changed is (hinted[-1] == " Countryman.")


def test_a_decoding_loop_after_the_witness_is_ignored() -> None:
    original = segment([" Open", " your", " confu-eye", " folder", " and", " start."])

    def looping(seg: Segment, _names) -> list[Segment]:
        return [segment([" Open", " your", " ComfyUI", " folder", " and", " start."], seg.start_s),
                segment([" car"] * 60, seg.end_s - 0.2, step_s=0.005)]

    assert apply_hints([original], HINTS, looping)[0].text == "Open your ComfyUI folder and start."


def test_near_miss_without_a_witness_is_left_alone() -> None:
    original = segment([" your", " country."])
    assert apply_hints([original], HINTS)[0] is original


def test_chinese_near_miss_must_be_the_name_not_a_longer_reading() -> None:
    trap = segment(["我", "认为", "跑步", "最", "重要"])
    assert apply_hints([trap], HINTS, witness("我", "认为", "跑步机", "最", "重要"))[0] is trap
    real = segment(["我", "的", "小米", "手还", "很好"])
    [result] = apply_hints([real], HINTS, witness("我的", "小米手环", "很好"))
    assert result.text == "我的小米手环很好"
    assert [w.text for w in result.words] == ["我", "的", "小米手环", "很好"]


def test_short_names_match_exactly_only() -> None:
    tokens = [t.text for t in tokens_of([" an", " eon", " ion"])]
    found = find_matches(tokens, make_hints(["Ion"]))
    assert [(m.start, m.exact) for m in found] == [(2, True)]


def test_segments_without_names_are_untouched() -> None:
    plain = [segment([" Ask", " not", " what", " your", " nation", " can", " do."])]
    assert apply_hints(plain, HINTS, witness("x"))[0] is plain[0]


class RecordingEngine:
    """An engine that hears "confu-eye" without hints and "ComfyUI" with them, and records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, int, str, int | None]] = []

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        return "en", 1.0

    def transcribe_window(self, samples, offset_s, language, prompt, hotwords, check_cancelled=lambda: None,
                          max_tokens=None):
        self.calls.append((offset_s, len(samples), hotwords, max_tokens))
        name = " ComfyUI" if "ComfyUI" in hotwords else " confu-eye"
        if len(samples) < 16_000 * 10:  # the second recognition: only the segment it was given
            return [segment([" Open", " your", name, " folder."], offset_s + 0.4)]
        return [segment([" Open", " your", name, " folder."], offset_s + 2.0),
                segment([" Then", " the", " Turbo", " Blender."], offset_s + 20.0)]


def test_the_window_is_recognised_without_hot_words_and_only_the_near_miss_again() -> None:
    from mediaops.transcribe.run import _recognise

    engine = RecordingEngine()
    frames = np.zeros(30 * 16_000, dtype=np.float32)
    options = TranscribeOptions(hotwords=("ComfyUI", "Turbo Blender"))
    segments = _recognise(engine, frames, 100.0, "en", options)
    assert [s.text for s in segments] == ["Open your ComfyUI folder.", "Then the Turbo Blender."]
    first, *again = engine.calls
    assert first == (100.0, len(frames), "", None)
    assert len(again) == 1
    offset_s, samples, hotwords, max_tokens = again[0]
    assert hotwords == "ComfyUI" and max_tokens is not None and max_tokens <= 200
    assert 101.0 < offset_s <= 102.0 and samples / 16_000 < 3.0  # only that segment's audio, padded a little


def test_faster_whisper_decodes_deterministically_and_caps_the_witness() -> None:
    """"temperature fallback sampling": Whisper's fallback samples at random, so one audio came out two ways."""
    from mediaops.transcribe.faster import FasterWhisperEngine

    seen: dict = {}

    class Model:
        def transcribe(self, samples, **kwargs):
            seen.update(kwargs)
            return (s for s in ()), None

    engine = FasterWhisperEngine.__new__(FasterWhisperEngine)
    engine.options, engine.model = TranscribeOptions(), Model()
    engine.transcribe_window(np.zeros(16_000, dtype=np.float32), 0.0, "en", None, "", max_tokens=40)
    assert seen["temperature"] == [0.0] and seen["max_new_tokens"] == 40
