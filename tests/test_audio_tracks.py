"""Choosing the audio track to transcribe (mediaops.transcribe.tracks) on recordings with several tracks.

A recording is made from real speech (``../shared/testdata/speech``) and background music, muxed as separate
tracks the way OBS writes a microphone and a music track.

Wrong implementations these tests reject:
- "first audio track always": the voice on track 1 gives an empty transcript (and dead air for the whole stream);
- "the track with the most sound": the music track is louder than the voice track;
- "no warning": tracks that differ are chosen between silently; and "warning on copies": identical tracks warn;
- "explicit track ignored" or "an explicit track without speech accepted while another has it";
- "dead air measured on track 0": a pause on the voice track is measured on the music track.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mediaops.errors import InvalidMediaError
from mediaops.retrospective.insights.delivery import measure_dead_air
from mediaops.retrospective.insights.options import InsightOptions
from mediaops.retrospective.insights.types import DeadAir
from mediaops.transcribe import TranscribeOptions
from mediaops.transcribe import tracks as track_module
from mediaops.transcribe.tracks import choose_audio_track
from tests.speech_corpus import gap, mux_recording, speech, write_wav


@pytest.fixture(scope="module")
def voice_on_second_track(testdata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 s: track 0 background music (louder than the voice), track 1 two real sentences with pauses."""
    folder = tmp_path_factory.mktemp("tracks")
    jfk = speech("jfk.flac", testdata / "speech")
    voice = np.concatenate([gap("room", 4.0), jfk, gap("silence", 12.0), jfk[: 16_000 * 4], gap("room", 9.0)])
    music = 6.0 * gap("music", len(voice) / 16_000)
    assert np.sqrt(np.mean(music**2)) > np.sqrt(np.mean(voice**2))
    return mux_recording(folder / "two-tracks.mp4", [write_wav(folder / "music.wav", music),
                                                      write_wav(folder / "voice.wav", voice)])


def test_the_track_with_speech_is_chosen_with_a_warning(voice_on_second_track: Path) -> None:
    choice = choose_audio_track(voice_on_second_track)
    assert choice.track == 1
    assert choice.speech_s[1] > 10.0 and choice.speech_s[0] < 1.0, choice.speech_s
    [warning] = choice.warnings
    assert "transcribing track 1" in warning and "--audio-track" in warning


def test_an_explicit_track_is_used_and_a_track_without_speech_refused(voice_on_second_track: Path) -> None:
    assert choose_audio_track(voice_on_second_track, 1).track == 1
    with pytest.raises(InvalidMediaError, match=r"carries no speech .* choose --audio-track 1"):
        choose_audio_track(voice_on_second_track, 0)
    with pytest.raises(InvalidMediaError, match="no track 2"):
        choose_audio_track(voice_on_second_track, 2)


def test_copies_of_one_track_do_not_warn(testdata: Path, tmp_path: Path) -> None:
    voice = write_wav(tmp_path / "v.wav", np.concatenate([gap("room", 2.0), speech("jfk.flac", testdata / "speech")]))
    choice = choose_audio_track(mux_recording(tmp_path / "copies.mp4", [voice, voice]))
    assert choice.track == 0 and choice.warnings == ()


def test_one_track_is_not_measured(testdata: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(_samples: np.ndarray) -> float:
        raise AssertionError("a recording with one audio track needs no measuring")

    monkeypatch.setattr(track_module, "speech_seconds", fail)
    assert choose_audio_track(testdata / "speech" / "jfk.flac") == track_module.TrackChoice(0)


@pytest.mark.slow
def test_transcript_of_a_recording_whose_voice_is_on_track_1(voice_on_second_track: Path, whisper_model: str,
                                                             tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from mediaops.cli import main
    from mediaops.transcribe import transcript_from_jsonable

    monkeypatch.setenv("MEDIAOPS_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "t.json"
    assert main(["transcribe", str(voice_on_second_track), "--model", whisper_model, "--language", "en",
                 "--out", str(out), "--quiet"]) == 0
    assert "mediaops: warning: the recording has 2 different audio tracks" in capsys.readouterr().err
    transcript = transcript_from_jsonable(json.loads(out.read_text("utf-8")))
    assert transcript.audio_track == 1 and "transcribing track 1" in transcript.warnings[0]
    text = " ".join(s.text for s in transcript.segments).lower()
    assert "fellow americans" in text and "country" in text
    assert not any(s.start_s > 30.0 for s in transcript.segments)
    # the music track asked for by name: refused in one line, not an empty transcript
    assert main(["transcribe", str(voice_on_second_track), "--model", whisper_model, "--audio-track", "0",
                 "--quiet"]) != 0
    assert "choose --audio-track 1" in capsys.readouterr().err


def test_dead_air_is_measured_on_the_transcribed_track(voice_on_second_track: Path) -> None:
    pause = DeadAir(start_s=16.0, end_s=27.0, duration_s=11.0)
    options = InsightOptions()
    [on_voice] = measure_dead_air(voice_on_second_track, [pause], options, audio_track=1)
    [on_music] = measure_dead_air(voice_on_second_track, [pause], options, audio_track=0)
    assert on_voice.quiet and not on_music.quiet


def test_cli_flag_reaches_the_options() -> None:
    from mediaops.cli import build_parser

    args = build_parser().parse_args(["transcribe", "x.mp4", "--audio-track", "1"])
    assert args.audio_track == 1
    args = build_parser().parse_args(["process", "x.mp4", "--metrics", "m.csv", "--audio-track", "2"])
    assert args.audio_track == 2
    from mediaops.cli.transcribe import asr_options_from

    assert asr_options_from(args, TranscribeOptions()).audio_track == 2
