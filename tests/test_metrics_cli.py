"""The highlight options of `mediaops process`, and metrics warnings on stderr."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mediaops.cli.highlight_args import add_highlight_arguments, apply_highlight_arguments, print_metrics_notes
from mediaops.errors import MediaOpsError
from mediaops.inputs.metrics import load_metrics
from mediaops.jobs.pipeline import ProcessOptions


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_highlight_arguments(parser)
    return parser.parse_args(argv)


def test_options_reach_the_stages(tmp_path: Path) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"弹幕条数": "comments"}), encoding="utf-8")
    args = _parse("--mapping", str(mapping), "--min-duration", "20", "--max-duration", "45",
                  "--keywords", "bought=买了,已拍", "--weight", "likes=0.2", "--scenes", "windowed")
    options = apply_highlight_arguments(args, ProcessOptions())
    assert options.metrics.mapping == (("弹幕条数", "comments"),)
    assert (options.highlights.min_duration_s, options.highlights.max_duration_s) == (20, 45)
    assert 20 <= options.highlights.target_duration_s <= 45
    assert options.highlights.weights["likes"] == 0.2
    assert options.highlights.weights["comments"] == 1.0
    assert options.comments.keywords == (("bought", ("买了", "已拍")),)
    assert options.scenes.mode == "windowed"
    assert apply_highlight_arguments(_parse(), ProcessOptions()).scenes.mode == "keyframes"  # the default
    assert apply_highlight_arguments(_parse("--scenes", "full"), ProcessOptions()).scenes.mode == "full"


def test_contradicting_durations() -> None:
    with pytest.raises(MediaOpsError, match="longer than --max-duration"):
        apply_highlight_arguments(_parse("--min-duration", "50", "--max-duration", "20"), ProcessOptions())


def test_warnings_and_alignment_go_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "m.csv"
    f.write_text("时间,评论数,福袋\n00:00:10,1,x\n00:00:00,3,y\n00:00:20,2,z\n", encoding="gbk")
    print_metrics_notes(load_metrics(f), quiet=False)
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith("mediaops: warning:") and "GBK" in line for line in err)
    assert any("'福袋'" in line for line in err)
    assert any("not in time order" in line for line in err)
    assert err[-1] == "metrics alignment: offset times (seconds from the start of the stream)"


def test_bad_mapping_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    recording = tmp_path / "stream.mp4"
    recording.write_bytes(b"\x00" * 64)
    metrics = tmp_path / "m.csv"
    metrics.write_text("time,comments\n0,1\n10,2\n")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"a": "hearts"}))
    proc = subprocess.run(
        [sys.executable, "-m", "mediaops", "process", str(recording), "--metrics", str(metrics), "--mapping",
         str(mapping), "--out", str(tmp_path / "out"), "--quiet"],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "mediaops: error: map.json: 'a' maps to unknown metric 'hearts' — use one of: comments, gifts, gmv, ignore, "
        "likes, new_followers, online_viewers, orders, shares, text, time, user, viewers_entered"
    ]
