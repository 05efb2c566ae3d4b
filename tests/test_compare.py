"""`mediaops compare`: several output folders side by side (KPIs, top clips, product results)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mediaops.cli import main
from mediaops.report.compare import CompareOptions, kpi_matrix, load_streams, stream_names, write_comparison
from tests.retro_data import write_output_folder


def test_compare_writes_one_report_side_by_side(tmp_path: Path) -> None:
    week1 = write_output_folder(tmp_path / "week1")
    week2 = write_output_folder(tmp_path / "week2", extra_columns=True)
    out = tmp_path / "cmp"
    assert main(["compare", str(week1), str(week2), "--out", str(out), "--lang", "en", "--top", "2", "--quiet"]) == 0
    md = (out / "compare.md").read_text("utf-8")
    assert "| KPI | week1 | week2 |" in md
    assert "| Viewer inflow | absent | 2,690 |" in md  # absent in one export, present in the other
    assert md.count("../week1/clips/clip-0") == 2 and md.count("../week2/clips/clip-0") == 2
    assert md.count("破壁料理机 (SKU-A)") == 2
    rows = list(csv.DictReader((out / "compare.csv").read_text("utf-8").lstrip("\ufeff").splitlines()))
    assert [r["stream"] for r in rows] == ["week1", "week2"]
    assert rows[0]["viewer_inflow"] == "" and float(rows[1]["viewer_inflow"]) == 2690
    assert float(rows[0]["gmv"]) == float(rows[1]["gmv"]) == 7031.0
    html = (out / "compare.html").read_text("utf-8")
    assert "<script src=" not in html and "Plotly.newPlot" in html


def test_same_folder_names_are_told_apart(tmp_path: Path) -> None:
    assert stream_names([tmp_path / "a" / "out", tmp_path / "b" / "out"]) == ["out (1)", "out (2)"]


def test_kpis_in_chinese(tmp_path: Path) -> None:
    streams = load_streams([write_output_folder(tmp_path / "x"), write_output_folder(tmp_path / "y")])
    table = kpi_matrix(streams, "zh")
    assert table.headers == ("指标", "x", "y")
    assert ("进房人数", "未提供", "未提供") in table.rows
    write_comparison([tmp_path / "x", tmp_path / "y"], tmp_path / "cmp", CompareOptions())
    assert "多场对比" in (tmp_path / "cmp" / "compare.md").read_text("utf-8")


def test_compare_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_output_folder(tmp_path / "good")
    assert main(["compare", str(good), "--out", str(tmp_path / "cmp")]) == 2
    assert "two or more output folders" in capsys.readouterr().err
    assert main(["compare", str(good), str(tmp_path / "nowhere"), "--out", str(tmp_path / "cmp")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mediaops: error: output folder not found") and "\n" not in err
    assert not (tmp_path / "cmp").exists()
