"""openai-whisper through our interface, with real weights (Whisper base rebuilt in openai-whisper's layout)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mediaops.errors import ModelError
from mediaops.transcribe import TranscribeOptions, transcribe
from tests.test_transcribe_accuracy import word_error_rate

JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."


@pytest.fixture(scope="module")
def openai_checkpoint(testdata: Path, whisper_model: str) -> str:
    """``openai-base.pt`` beside the CTranslate2 model, written by the shared tool (needs torch)."""
    checkpoint = Path(whisper_model) / "openai-base.pt"
    if not checkpoint.is_file():
        tool = testdata.parent / "tools" / "fetch_whisper_base.sh"
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        subprocess.run(["bash", str(tool), whisper_model, "--openai"], check=True, capture_output=True, env=env)
    return str(checkpoint)


@pytest.mark.slow
def test_openai_whisper_transcribes_real_speech(testdata: Path, openai_checkpoint: str) -> None:
    transcript = transcribe(testdata / "speech" / "jfk.flac",
                            TranscribeOptions(engine="openai-whisper", model=openai_checkpoint))
    assert transcript.engine == "openai-whisper"
    assert transcript.language == "en"
    assert 0.5 < transcript.language_probability <= 1.0
    text = " ".join(s.text for s in transcript.segments)
    assert word_error_rate(text, JFK) <= 0.05, text
    words = [w for s in transcript.segments for w in s.words]
    assert len(words) >= 20
    assert all(0.0 <= w.start_s <= w.end_s <= 11.5 for w in words)
    assert [w.start_s for w in words] == sorted(w.start_s for w in words)
    for segment in transcript.segments:
        assert segment.start_s <= segment.words[0].start_s + 0.5
        assert segment.words[-1].end_s <= segment.end_s + 0.5
        assert segment.avg_logprob < 0.0


@pytest.mark.slow
def test_openai_whisper_product_names_via_prompt(testdata: Path, openai_checkpoint: str) -> None:
    transcript = transcribe(testdata / "speech" / "hotwords.mp3",
                            TranscribeOptions(engine="openai-whisper", model=openai_checkpoint,
                                              hotwords=("ComfyUI",)))
    assert "ComfyUI" in " ".join(s.text for s in transcript.segments)


def test_openai_whisper_folder_is_not_a_checkpoint(testdata: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"\.pt checkpoint"):
        transcribe(testdata / "speech" / "jfk.flac", TranscribeOptions(engine="openai-whisper", model=str(tmp_path)))


def test_openai_whisper_corrupt_checkpoint(testdata: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "broken.pt"
    bogus.write_bytes(b"not a checkpoint" * 64)
    with pytest.raises(ModelError, match="cannot load openai-whisper model"):
        transcribe(testdata / "speech" / "jfk.flac", TranscribeOptions(engine="openai-whisper", model=str(bogus)))


def test_importing_mediaops_does_not_import_torch() -> None:
    code = ("import sys, mediaops, mediaops.transcribe, mediaops.transcribe.openai_engine, mediaops.cli.transcribe; "
            "heavy = [m for m in ('torch', 'whisper', 'faster_whisper', 'ctranslate2') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def random_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A tiny randomly initialised Whisper in the file format ``whisper.load_model(path)`` reads.

    Its 40-token text context caps each decoding at 20 tokens, so random output cannot run for minutes.
    """
    import dataclasses

    import torch
    import whisper
    from whisper.model import ModelDimensions, Whisper

    dims = ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
                           n_vocab=51865, n_text_ctx=40, n_text_state=64, n_text_head=2, n_text_layer=1)
    torch.manual_seed(0)
    model = Whisper(dims)
    with torch.no_grad():  # some of Whisper's parameters start as uninitialised memory
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.02)
    path = tmp_path_factory.mktemp("tiny") / "tiny-random.pt"
    torch.save({"dims": dataclasses.asdict(dims), "model_state_dict": model.state_dict()}, path)
    assert whisper.load_model(str(path), device="cpu").dims == dims
    return str(path)


def test_openai_whisper_random_checkpoint_structure(testdata: Path, random_checkpoint: str) -> None:
    """Real loading and decoding code on random weights: the text is noise, the structure must hold."""
    from whisper.tokenizer import LANGUAGES

    from mediaops.media.probe import probe

    clip = testdata / "speech" / "hotwords.mp3"
    transcript = transcribe(clip, TranscribeOptions(engine="openai-whisper", model=random_checkpoint))
    assert transcript.engine == "openai-whisper"
    assert transcript.language in LANGUAGES
    assert 0.0 < transcript.language_probability <= 1.0
    assert transcript.duration_s == pytest.approx(probe(clip).duration_s, abs=0.1)
    for segment in transcript.segments:
        assert 0.0 <= segment.start_s <= segment.end_s <= 30.0
        assert isinstance(segment.text, str)
        for word in segment.words:
            assert segment.start_s - 0.5 <= word.start_s <= word.end_s <= segment.end_s + 0.5
            assert 0.0 <= word.probability <= 1.0
