"""``mediaops process`` with a bad targets or run-of-show file: one clear line, exit 2, no output folder, and an
earlier run's results kept. The CLI runs in-process (``mediaops.cli.main``) to keep these tests fast; the files
are read before any transcription starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from mediaops.cli import main
from tests.conftest import SAMPLE


@dataclass
class _Result:
    returncode: int
    stderr: str


@pytest.fixture
def _process(capsys: pytest.CaptureFixture[str]):
    def run(tmp_path: Path, *extra: str) -> _Result:
        code = main(["process", str(SAMPLE / "demo_stream.mp4"), "--metrics", str(SAMPLE / "metrics.csv"),
                     "--out", str(tmp_path / "out"), "--quiet", *extra])
        return _Result(code, capsys.readouterr().err)

    return run


@pytest.mark.parametrize(
    ("flag", "name", "text", "fragment"),
    [
        ("--targets", "targets.yaml", "gmv: 5000\nfoo: 3\n", "targets.yaml: unknown KPI 'foo'"),
        ("--targets", "targets.yaml", "gmv: [1, 2\n", "targets file targets.yaml is not valid YAML"),
        ("--targets", "targets.txt", "gmv 5000\n", "give a .yaml, .yml, .json or .csv file"),
        ("--run-of-show", "plan.csv", "start,title,host\n00:00,Opening,Amy\n", "unknown field 'host'"),
        ("--run-of-show", "plan.csv", "start,title\n02:00,B\n01:00,A\n", "list segments in time order"),
    ],
    ids=["unknown-kpi", "bad-yaml", "suffix", "unknown-field", "out-of-order"],
)
def test_bad_planning_files_fail_in_one_line(tmp_path: Path, flag: str, name: str, text: str, fragment: str,
                                             _process) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "timeline.json").write_text("{}")  # an earlier run's result
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    proc = _process(tmp_path, flag, str(bad))
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("mediaops: error:") and fragment in lines[0], proc.stderr
    assert (tmp_path / "out" / "timeline.json").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "out"])


@pytest.mark.parametrize(("flag", "label"), [("--targets", "targets file"), ("--run-of-show", "run-of-show file")])
def test_missing_planning_file(tmp_path: Path, flag: str, label: str, _process) -> None:
    proc = _process(tmp_path, flag, str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"mediaops: error: {label} not found: {tmp_path / 'nope.yaml'} — check the path"


def test_dead_air_gap_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["process", str(SAMPLE / "demo_stream.mp4"), "--metrics", str(SAMPLE / "metrics.csv"),
              "--dead-air-gap", "0"])
    assert info.value.code == 2
    assert "not a positive number of seconds: '0'" in capsys.readouterr().err
