"""Long, gappy selling-stream speech (tests/speech_corpus.py), with and without product-name hints.

Every sentence must be found and no stretch with speech reported as speech-free, and product names must help and
never hurt: with hints the transcript has the same sentences, words, punctuation and times as without, except that
names come out as written in the product list.

Corpora (real recordings from ../shared/testdata/speech separated by 5–60 s of silence, room tone and music):
English 22 sentences (12.9 min) and Mandarin 12 sentences (5.2 min) with faster-whisper; English 6 sentences
(2.9 min) with openai-whisper, which runs at about real time on two CPU cores (faster-whisper: 5–10x). Each
corpus is recognised once without and once with hints (module-scoped, shared by the tests).

Wrong implementations these tests reject:
- "hotwords passed to the decoder": with the names in the prompt a decoding window ends early and the sentences
  at ~255 s and ~274 s of the English corpus are lost and their stretch reported as speech-free (20/22 found);
- "temperature fallback sampling": Whisper's random fallback decodes made the same audio come out differently
  from run to run, once as a 50 s "computer computer …" loop over a real sentence;
- "names not applied" (``confu-eye`` left for ``ComfyUI``) and "names applied loosely" (``country`` written as
  the hint ``Countryman``, ``跑步最`` as ``跑步机``);
- "the hinted text replaces the segment": punctuation or sentence breaks differing between the two runs.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path

import pytest

from mediaops.media.probe import probe
from mediaops.transcribe import TranscribeOptions, transcribe
from mediaops.types import Transcript
from tests.speech_corpus import CorpusScore, build_corpus, score_transcript

#: product names and aliases given as hints: one that is said (ComfyUI, 房地产中介), traps one letter or character
#: away from ordinary speech in the corpus (Countryman: "your country"; 跑步机: "跑步最"), and names never said.
HINTS = {"en": ("ComfyUI", "Turbo Blender", "Cozy Blanket", "Countryman"),
         "zh": ("跑步机", "房地产中介", "小米手环", "ComfyUI")}
TRAPS = {"en": ("Countryman",), "zh": ("跑步机",)}
#: (engine, language, sentences) of each corpus
CORPORA = [("faster-whisper", "en", 22), ("faster-whisper", "zh", 12), ("openai-whisper", "en", 6)]
IDS = ["faster-en-22", "faster-zh-12", "openai-en-6"]


def _openai_checkpoint(whisper_model: str) -> str:
    pytest.importorskip("whisper")
    checkpoint = Path(whisper_model) / "openai-base.pt"
    if not checkpoint.is_file():
        pytest.skip(f"no openai-whisper checkpoint at {checkpoint} (tests/test_transcribe_openai.py writes it)")
    return str(checkpoint)


@pytest.fixture(scope="module")
def recognised(testdata: Path, whisper_model: str, tmp_path_factory: pytest.TempPathFactory):
    """``recognised(engine, language, sentences, hinted) -> (transcript, score)``, each made once per module."""
    folder = tmp_path_factory.mktemp("gappy")

    @functools.cache
    def corpus(language: str, sentences: int):
        wav = folder / f"corpus-{language}-{sentences}.wav"
        truth = build_corpus(testdata / "speech", wav, language, sentences)
        return wav, truth, probe(wav).duration_s

    @functools.cache
    def run(engine: str, language: str, sentences: int, hinted: bool) -> tuple[Transcript, CorpusScore]:
        wav, truth, duration_s = corpus(language, sentences)
        model = _openai_checkpoint(whisper_model) if engine == "openai-whisper" else whisper_model
        options = TranscribeOptions(engine=engine, model=model, language=language,
                                    hotwords=HINTS[language] if hinted else ())
        transcript = transcribe(wav, options)
        return transcript, score_transcript(transcript, truth, duration_s, language)

    return run


def _tokens(text: str) -> list[str]:
    return re.findall(r"[\u3400-\u9fff]|[^\W_]+", text.lower())


def _punctuation(text: str) -> str:
    return re.sub(r"[^,.?!;:，。？！；：、]", "", text)


def differs_only_by_names(plain: str, hinted: str, names: tuple[str, ...]) -> bool:
    """Whether ``hinted`` is ``plain`` with some words written as one of ``names`` (nothing else changed)."""
    a, b = _tokens(plain), _tokens(hinted)
    named: set[int] = set()  # tokens of ``hinted`` that belong to a name
    for name in names:
        spelled = _tokens(name)
        for j in range(len(b) - len(spelled) + 1):
            if b[j : j + len(spelled)] == spelled:
                named.update(range(j, j + len(spelled)))
    for tag, _i1, _i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if not (set(range(j1, j2)) <= named if j2 > j1 else {j1 - 1, j1} & named):
            return False
    return True


def test_differs_only_by_names() -> None:
    assert differs_only_by_names("your confu-eye folder.", "your ComfyUI folder.", ("ComfyUI",))
    assert differs_only_by_names("广州市佛地产中间协会", "广州市房地产中介协会", ("房地产中介",))
    assert not differs_only_by_names("your confu-eye folder.", "your ComfyUI holder.", ("ComfyUI",))
    assert not differs_only_by_names("a b c", "a c", ("ComfyUI",))


@pytest.mark.slow
@pytest.mark.parametrize(("engine", "language", "sentences"), CORPORA, ids=IDS)
def test_every_sentence_without_hints(recognised, engine: str, language: str, sentences: int) -> None:
    _transcript, score = recognised(engine, language, sentences, False)
    assert score.recall >= 0.98, score
    assert score.unheard == (), score
    assert score.longest_gap_s <= score.longest_silence_s + 2.0, score
    # Whisper base int8: the Mandarin corpus scored 0.21 on an AMD EPYC (2026-12-02) where it had scored under 0.20
    # before; CTranslate2's int8 kernels differ between CPUs, so the bound leaves that much room
    assert score.error_rate <= (0.08 if language == "en" else 0.25), score


@pytest.mark.slow
@pytest.mark.parametrize(("engine", "language", "sentences"), CORPORA, ids=IDS)
def test_product_hints_help_and_never_hurt(recognised, engine: str, language: str, sentences: int) -> None:
    plain, plain_score = recognised(engine, language, sentences, False)
    hinted, score = recognised(engine, language, sentences, True)
    assert score.recall >= 0.98, score
    assert score.unheard == (), score
    assert score.longest_gap_s <= score.longest_silence_s + 2.0, score
    # never worse by more than a point; better where a near-missed name is corrected (佛地产中间 → 房地产中介)
    assert score.error_rate <= plain_score.error_rate + 0.01, (score, plain_score)
    # the same sentences, breaks, punctuation and times; only names differ
    assert len(hinted.segments) == len(plain.segments)
    for a, b in zip(plain.segments, hinted.segments, strict=True):
        assert (b.start_s, b.end_s) == pytest.approx((a.start_s, a.end_s), abs=0.01)
        assert _punctuation(b.text) == _punctuation(a.text), (a.text, b.text)
        assert differs_only_by_names(a.text, b.text, HINTS[language]), (a.text, b.text)
        assert [round(w.start_s, 2) for w in b.words][:1] == [round(w.start_s, 2) for w in a.words][:1]
    text = " ".join(s.text for s in hinted.segments)
    for trap in TRAPS[language]:
        assert trap not in text
    if language == "en":  # the spoken name comes out as written in most of its sentences
        assert score.named >= 0.75 * score.name_sentences, score
        assert plain_score.named == 0


@pytest.mark.slow
def test_sample_cut_products_change_only_names(tmp_path: Path, whisper_model: str) -> None:
    """The lead's reproduction: on the first minute of the demo stream, ``--products`` moved a sentence start from
    8.5 s to 36.5 s and took punctuation and sentence breaks away."""
    from mediaops.inputs.products import load_products
    from mediaops.media.ffmpeg_tools import run_ffmpeg
    from tests.conftest import SAMPLE

    cut = tmp_path / "minute.wav"
    run_ffmpeg(["-y", "-i", str(SAMPLE / "demo_stream.mp4"), "-t", "60", "-vn", "-ac", "1", "-ar", "16000", str(cut)])
    names = tuple(n for p in load_products(SAMPLE / "products.csv") for n in (p.name, *p.aliases))
    plain = transcribe(cut, TranscribeOptions(model=whisper_model, language="en"))
    hinted = transcribe(cut, TranscribeOptions(model=whisper_model, language="en", hotwords=names))
    assert [(s.start_s, s.end_s, _punctuation(s.text)) for s in hinted.segments] == \
        [(s.start_s, s.end_s, _punctuation(s.text)) for s in plain.segments]
    for a, b in zip(plain.segments, hinted.segments, strict=True):
        assert differs_only_by_names(a.text, b.text, names), (a.text, b.text)
