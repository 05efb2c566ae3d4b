from fractions import Fraction
from pathlib import Path

import pytest

from mediaops.errors import InputFileError, InvalidMediaError
from mediaops.media.probe import probe
from tests.media import colour_scenes


def test_probe_generated_video(tmp_path: Path) -> None:
    info = probe(colour_scenes(tmp_path / "v.mp4", [1.0, 1.0], fps=25))
    assert info.has_video and info.has_audio
    assert info.width == 320 and info.height == 180
    assert info.fps == Fraction(25)
    assert info.duration_s == pytest.approx(2.0, abs=0.1)


def test_probe_real_video(testdata: Path) -> None:
    info = probe(testdata / "video" / "testvideo.mp4")
    assert info.fps == Fraction(30000, 1001)
    assert info.duration_s == pytest.approx(24.02, abs=0.05)
    assert not info.has_audio


def test_probe_delayed_start(testdata: Path) -> None:
    assert probe(testdata / "video" / "delayed_start.mp4").start_time_s == pytest.approx(1.075, abs=0.01)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not found"):
        probe(tmp_path / "nope.mp4")


def test_not_media(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("this is not a video\n" * 50)
    with pytest.raises(InvalidMediaError, match="not a readable media file"):
        probe(bogus)


def test_truncated_media(tmp_path: Path) -> None:
    good = colour_scenes(tmp_path / "v.mp4", [1.0, 1.0])
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(InvalidMediaError):
        probe(cut)
