"""Real faster-whisper on real speech."""

import re
from pathlib import Path

import pytest

from mediaops.errors import InvalidMediaError, ModelError
from mediaops.transcribe import TranscribeOptions, transcribe, transcript_to_srt, transcript_to_vtt
from tests.media import colour_scenes


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z ]", "", text.lower())


def test_jfk(testdata: Path, whisper_model: str) -> None:
    transcript = transcribe(testdata / "speech" / "jfk.flac", TranscribeOptions(model=whisper_model))
    text = _normalise(" ".join(s.text for s in transcript.segments))
    assert "ask not what your country can do for you" in text
    assert transcript.language == "en"
    words = [w for s in transcript.segments for w in s.words]
    assert words and all(0 <= w.start_s <= w.end_s <= 11.5 for w in words)
    assert "-->" in transcript_to_srt(transcript)
    assert transcript_to_vtt(transcript).startswith("WEBVTT")


def test_no_audio_track(tmp_path: Path, whisper_model: str) -> None:
    silent = colour_scenes(tmp_path / "v.mp4", [1.0], audio=False)
    with pytest.raises(InvalidMediaError, match="no audio track"):
        transcribe(silent, TranscribeOptions(model=whisper_model))


def test_model_folder_without_model(tmp_path: Path, testdata: Path) -> None:
    with pytest.raises(ModelError, match="not a faster-whisper model folder"):
        transcribe(testdata / "speech" / "jfk.flac", TranscribeOptions(model=str(tmp_path)))
