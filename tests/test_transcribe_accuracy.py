"""Accuracy gates for real Whisper base (int8, CPU) on real speech with known transcripts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mediaops.transcribe import TranscribeOptions, transcribe
from mediaops.transcribe.chinese import to_simplified

MANDARIN = (
    "speech/aishell-BAC009S0724W0121.wav",
    "speech/aishell-BAC009S0764W0121.wav",
    "speech/aishell-BAC009S0764W0122.wav",
    "speech/paddlespeech-zh.wav",
)


def edit_distance(hypothesis: list[str] | str, reference: list[str] | str) -> int:
    """Levenshtein distance between two token sequences (words or characters)."""
    previous = list(range(len(reference) + 1))
    for i, h in enumerate(hypothesis, start=1):
        current = [i]
        for j, r in enumerate(reference, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (h != r)))
        previous = current
    return previous[-1]


def english_words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]+", " ", text.lower()).split()


def word_error_rate(hypothesis: str, reference: str) -> float:
    ref = english_words(reference)
    return edit_distance(english_words(hypothesis), ref) / len(ref)


def chinese_characters(text: str) -> str:
    return re.sub(r"[\W_]+", "", to_simplified(text))


def character_error_rate(hypothesis: str, reference: str) -> float:
    ref = chinese_characters(reference)
    return edit_distance(chinese_characters(hypothesis), ref) / len(ref)


def test_error_rates_count_errors() -> None:
    assert word_error_rate("And so, my fellow Americans!", "and so my fellow americans") == 0.0
    assert word_error_rate("and so my americans", "and so my fellow americans") == pytest.approx(0.2)
    assert character_error_rate("廣州市，房地產", "广州市房地产") == 0.0
    assert character_error_rate("广州市佛地产", "广州市房地产") == pytest.approx(1 / 6)


@pytest.fixture(scope="module")
def truth(testdata: Path) -> dict:
    return json.loads((testdata / "truth.json").read_text(encoding="utf-8"))["speech"]


def _text(path: Path, model: str, **options) -> tuple[str, str]:
    transcript = transcribe(path, TranscribeOptions(model=model, **options))
    return transcript.language, " ".join(s.text for s in transcript.segments)


@pytest.mark.parametrize(("name", "max_wer"), [("speech/jfk.flac", 0.05),
                                               ("speech/librispeech-1995-1837-0001.wav", 0.10)],
                         ids=["jfk", "librispeech"])
@pytest.mark.slow
def test_english_word_error_rate(testdata: Path, whisper_model: str, truth: dict, name: str, max_wer: float) -> None:
    language, text = _text(testdata / name, whisper_model)
    assert language == "en"
    wer = word_error_rate(text, truth[name]["text"])
    assert wer <= max_wer, f"WER {wer:.1%} on {name}: {text!r}"


@pytest.mark.slow
def test_mandarin_character_error_rate(testdata: Path, whisper_model: str, truth: dict) -> None:
    rates = []
    for name in MANDARIN:
        language, text = _text(testdata / name, whisper_model)
        assert language == "zh", name
        assert to_simplified(text) == text, f"Traditional characters left in {text!r}"
        assert not re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", text), f"spaces between characters: {text!r}"
        # Whisper's own punctuation (whether a segment ends with one) differs between CPUs; ours is the width
        assert not re.search(r"[\u4e00-\u9fff]\s*[,.?!:;]", text), f"half-width punctuation after Chinese: {text!r}"
        rates.append(character_error_rate(text, truth[name]["text"]))
    mean = sum(rates) / len(rates)
    assert mean <= 0.15, f"mean CER {mean:.1%} ({', '.join(f'{r:.0%}' for r in rates)})"


@pytest.mark.slow
def test_stereo_keeps_both_channels(testdata: Path, whisper_model: str) -> None:
    _language, text = _text(testdata / "speech/stereo_diarization.wav", whisper_model)
    words = set(english_words(text))
    assert {"horizon", "distant"} <= words, f"right channel lost: {text!r}"
    assert {"wizard", "curtain"} <= words, f"left channel lost: {text!r}"


@pytest.mark.slow
def test_product_names_as_hotwords(testdata: Path, whisper_model: str) -> None:
    _language, text = _text(testdata / "speech/hotwords.mp3", whisper_model, hotwords=("Turbo Blender", "ComfyUI"))
    assert "ComfyUI" in text
