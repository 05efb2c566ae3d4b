"""Bad input gives one clear line on stderr, a non-zero exit, and no half-written output folder."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE
from tests.media import colour_scenes


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mediaops", *args], capture_output=True, text=True, cwd=cwd,
                          check=False, timeout=300)


def _assert_one_line_error(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mediaops: error:")
    assert fragment in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.fixture
def metrics() -> Path:
    return SAMPLE / "metrics.csv"


def test_missing_recording(tmp_path: Path, metrics: Path) -> None:
    proc = _run("process", str(tmp_path / "missing.mp4"), "--metrics", str(metrics), "--out", "out", cwd=tmp_path)
    _assert_one_line_error(proc, "recording not found")
    assert not (tmp_path / "out").exists()


def test_non_media_file(tmp_path: Path, metrics: Path) -> None:
    bogus = tmp_path / "stream.mp4"
    bogus.write_bytes(b"<html>not a video</html>" * 100)
    proc = _run("process", str(bogus), "--metrics", str(metrics), "--out", "out", "--quiet", cwd=tmp_path)
    _assert_one_line_error(proc, "not a readable media file")
    assert list(tmp_path.iterdir()) == [bogus]


def test_no_audio_track(tmp_path: Path, metrics: Path) -> None:
    video = colour_scenes(tmp_path / "silent.mp4", [1.0, 1.0], audio=False)
    proc = _run("process", str(video), "--metrics", str(metrics), "--out", "out", "--quiet", cwd=tmp_path)
    _assert_one_line_error(proc, "no audio track")
    assert list(tmp_path.iterdir()) == [video]


def test_metrics_without_known_columns(tmp_path: Path) -> None:
    video = colour_scenes(tmp_path / "v.mp4", [1.0, 1.0])
    bad = tmp_path / "metrics.csv"
    bad.write_text("foo,bar\n1,2\n3,4\n")
    proc = _run("process", str(video), "--metrics", str(bad), "--out", "out", "--quiet", cwd=tmp_path)
    _assert_one_line_error(proc, "no usable columns")
    assert not (tmp_path / "out").exists()


def test_failed_run_keeps_previous_results(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "timeline.json").write_text('{"finished": true}')
    bogus = tmp_path / "stream.mp4"
    bogus.write_bytes(b"\x00" * 4096)
    proc = _run("process", str(bogus), "--metrics", str(SAMPLE / "metrics.csv"), "--out", str(out), "--quiet",
                cwd=tmp_path)
    assert proc.returncode != 0
    assert (out / "timeline.json").read_text() == '{"finished": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "stream.mp4"]
