"""``mediaops inspect`` and the checks a job makes before its long stages: an operator sees how an export or a
comment log will be read (columns → metrics with units, the time alignment against the recording, first and last
rows, totals, warnings) and a job stops at its metrics stage when the files do not line up with the recording.

Wrong implementations rejected here:

- ``inspect`` that raises (or prints a traceback) for a file it cannot read instead of reporting the one-line
  error, or that exits 0 for a refused file;
- ``inspect --recording`` that ignores the recording's creation time and length (alignment not checked);
- the metrics stage that reads the export without the recording's length (a misaligned export published, a
  wider export's whole GMV in the KPIs), or reads comments without the reading options (``--mapping`` ignored);
- reading options (``--timezone``, ``--day-first``, ``--times``, ``--counts``) parsed but not passed on.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from mediaops.cli import main
from mediaops.cli.highlight_args import add_highlight_arguments, apply_highlight_arguments
from mediaops.errors import MetricsFormatError
from mediaops.inputs.inspect import inspect_input
from mediaops.inputs.metrics import MetricsOptions
from mediaops.jobs import stages
from mediaops.jobs.pipeline import ProcessOptions, StreamInputs
from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.retrospective.kpis import compute_kpis, kpi_value

CORPUS = Path(__file__).resolve().parent / "data" / "exports"
START = "2026-11-20T20:00:00+08:00"
GMV_TOTAL = 7475.5


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 600 s recording whose creation time is the corpus stream's start (20:00 Beijing time, in UTC)."""
    out = tmp_path_factory.mktemp("rec") / "stream.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=gray:s=32x32:r=1:d=600", "-f", "lavfi", "-i",
                "sine=frequency=300:duration=600:sample_rate=8000", "-c:v", "libx264", "-preset", "ultrafast",
                "-c:a", "aac", "-b:a", "16k", "-metadata", "creation_time=2026-11-20T12:00:00.000000Z", str(out)])
    return out


def test_inspect_shows_columns_units_alignment_and_totals(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(CORPUS / "gmv_wan_yuan.csv"), "--start-time", START]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith("alignment") and "times of day aligned with --start-time" in line for line in out)
    assert any("'成交金额(万元)' → gmv [万元 ×10000 CNY] (per interval)  total 7,475.5" in line for line in out)
    assert any("'实时在线人数' → online_viewers (level)  peak 180" in line for line in out)
    assert any(line.startswith("first row") and "'20:00' = 00:00:00 on the recording" in line for line in out)
    assert any(line.startswith("last row") and "'20:09' = 00:09:00" in line for line in out)
    assert out[-1] == "result       reads right"


def test_inspect_reports_a_refusal_as_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(CORPUS / "clock_hhmmss.csv"), "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False and doc["kind"] == "metrics"
    assert "start time is unknown — pass --start-time" in doc["error"] and "\n" not in doc["error"]
    assert doc["first_row"]["time"] == "20:00:00" and doc["first_row"]["t_s"] is None  # shown as written
    assert [c["name"] for c in doc["columns"]] == ["online_viewers", "comments", "orders", "gmv"]


def test_inspect_against_a_recording_uses_its_length_and_creation_time(
    recording: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["inspect", str(CORPUS / "clock_hhmmss.csv"), "--recording", str(recording), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "the recording's creation time" in doc["alignment"]
    assert doc["range_s"] == [0.0, 600.0] and abs(doc["recording_s"] - 600) < 1
    assert any("Beijing time" in w for w in doc["warnings"])

    report = inspect_input(CORPUS / "wider_export.csv", recording=recording)
    assert report.ok and report.rows == 30 and report.range_s == (0.0, 600.0)
    assert next(c for c in report.columns if c.name == "gmv").total == pytest.approx(GMV_TOTAL)
    assert any("dropped 10 row(s) before and 10 after" in w for w in report.warnings)

    misaligned = inspect_input(CORPUS / "misaligned_export.csv", recording=recording)
    assert not misaligned.ok and "does not line up with the recording" in misaligned.error
    assert misaligned.first_row is not None and misaligned.first_row.time == "18:00"


def test_inspect_finds_a_comment_log_on_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(CORPUS / "bilibili_danmaku.xml")]) == 0
    out = capsys.readouterr().out
    assert "(comment log, Bilibili danmaku XML" in out and "text '来了'" in out
    report = inspect_input(CORPUS / "bilibili_danmaku.xml", kind="metrics")
    assert not report.ok and "pass it with --comments" in report.error


def test_inspect_applies_the_mapping_to_comment_logs(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "comments_custom_headers.csv"
    assert main(["inspect", str(path), "--kind", "comments"]) == 2
    assert "--mapping" in capsys.readouterr().out
    assert main(["inspect", str(path), "--mapping", str(CORPUS / "comments_custom_mapping.json")]) == 0
    assert "user '小王', text '来了'" in capsys.readouterr().out


def test_reading_options_reach_the_pipeline() -> None:
    parser = argparse.ArgumentParser()
    add_highlight_arguments(parser)
    args = parser.parse_args(["--timezone", "Asia/Shanghai", "--day-first", "--times", "clock", "--counts",
                              "per-interval"])
    metrics = apply_highlight_arguments(args, ProcessOptions()).metrics
    assert (metrics.timezone, metrics.date_order, metrics.times, metrics.counts) == (
        "Asia/Shanghai", "day-first", "clock", "per-interval")
    assert apply_highlight_arguments(parser.parse_args([]), ProcessOptions()).metrics == MetricsOptions()
    with pytest.raises(SystemExit):
        parser.parse_args(["--timezone", "Mars/Olympus"])
    with pytest.raises(SystemExit):
        parser.parse_args(["--day-first", "--month-first"])


def _job(tmp_path: Path, recording: Path, metrics: Path, comments: Path | None = None,
         options: ProcessOptions = ProcessOptions()) -> stages.JobFolder:
    folder = tmp_path / "in"
    folder.mkdir(parents=True, exist_ok=True)
    local = folder / recording.name
    shutil.copyfile(recording, local)
    return stages.prepare_job(tmp_path / "job", local, StreamInputs(metrics, comments), options, tmp_path / "out")


def test_the_metrics_stage_refuses_exports_that_do_not_line_up(recording: Path, tmp_path: Path) -> None:
    job = _job(tmp_path, recording, CORPUS / "misaligned_export.csv")
    with pytest.raises(MetricsFormatError, match=r"does not line up with the recording: its rows run -02:00:00"):
        stages.metrics(job)


def test_the_metrics_stage_trims_a_wider_export_and_kpis_count_the_recording_only(
    recording: Path, tmp_path: Path
) -> None:
    job = _job(tmp_path, recording, CORPUS / "wider_export.csv")
    data = stages.metrics(job)
    assert data.metrics.get("gmv").t_s == tuple(60.0 * k for k in range(10))
    assert kpi_value(compute_kpis(data.metrics, 600.0), "gmv") == pytest.approx(GMV_TOTAL)


def test_the_metrics_stage_reads_comments_with_the_mapping(recording: Path, tmp_path: Path) -> None:
    mapping = (("发送时刻(秒)", "time"), ("观众", "user"), ("说了什么", "text"))
    options = ProcessOptions(metrics=MetricsOptions(mapping=mapping))
    job = _job(tmp_path, recording, CORPUS / "clock_hhmmss.csv", CORPUS / "comments_custom_headers.csv", options)
    data = stages.metrics(job)
    assert [c.t_s for c in data.comments][:2] == [5.0, 33.0]
    late = _job(tmp_path / "late", recording, CORPUS / "clock_hhmmss.csv", CORPUS / "comments_late.jsonl")
    with pytest.raises(MetricsFormatError, match="7 of 7 comments fall outside it"):
        stages.metrics(late)
