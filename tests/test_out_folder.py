"""The output folder: every bad ``--out`` is one line before any work, a file is never replaced, ``--clips``
is at least 1, and what killed runs leave beside the folder is removed by the next run.

Wrong implementations rejected: ``mkdir`` of ``--out`` over an existing file (the file silently becomes a
folder); a traceback or an "internal error" for an ``--out`` under a file; ``--clips -1`` accepted; every hidden
``.partial`` folder removed (a running job's scratch deleted) or none (killed runs' scratch kept forever).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mediaops.jobs.outdir import OutputFolderError, check_out_dir, remove_stale_scratch
from tests.conftest import SAMPLE


def _process(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mediaops", "process", str(SAMPLE / "demo_stream.mp4"), "--metrics",
                           str(SAMPLE / "metrics.csv"), "--out", str(out), "--quiet", *extra],
                          capture_output=True, text=True, timeout=120)


def test_out_that_is_a_file_is_refused_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-1.4 the operator's file")
    result = _process(target)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "is a file" in result.stderr and "Traceback" not in result.stderr
    assert target.read_bytes() == b"%PDF-1.4 the operator's file"


def test_out_under_a_file_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x")
    result = _process(blocker / "out")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "lies under a file" in result.stderr


def test_out_where_nothing_can_be_written() -> None:
    with pytest.raises(OutputFolderError, match="choose a folder you can write to"):
        check_out_dir(Path("/proc/mediaops-cannot-write-here/out"))


def test_missing_parents_are_created(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "out"
    assert check_out_dir(out) == out and out.parent.is_dir() and not out.exists()
    assert not [p for p in out.parent.iterdir()]  # the write check leaves nothing behind


@pytest.mark.parametrize("clips", ["0", "-1", "two"])
def test_clips_must_be_at_least_one(tmp_path: Path, clips: str) -> None:
    result = _process(tmp_path / "out", "--clips", clips)
    assert result.returncode == 2 and "--clips" in result.stderr
    assert not (tmp_path / "out").exists()


def test_stale_scratch_of_dead_runs_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = 2**22 + 12345  # above the kernel's default pid_max: no such process
    stale = [tmp_path / f".out.partial-job-{dead}-abc", tmp_path / f".out.partial-{dead}-def",
             tmp_path / f".out.old-{dead}-swap"]
    running = tmp_path / f".out.partial-job-{os.getpid()}-ghi"
    other = tmp_path / f".other.partial-job-{dead}-jkl"  # another output folder's: not ours to judge
    temp_root = tmp_path / "tmp"
    reel_dead, reel_running = temp_root / f"mediaops-reel-{dead}-x", temp_root / f"mediaops-reel-{os.getpid()}-y"
    for folder in (*stale, running, other, reel_dead, reel_running):
        folder.mkdir(parents=True)
        (folder / "half.mp4").write_bytes(b"x")
    removed = remove_stale_scratch(out, temp_root)
    assert sorted(removed) == sorted([*stale, reel_dead])
    assert running.is_dir() and other.is_dir() and reel_running.is_dir()
