"""CSV and PDF reports, and `mediaops report` re-rendering an output folder without re-running the pipeline."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from mediaops.cli import main
from mediaops.report import ReportOptions, render_reports
from tests.retro_data import build_timeline, write_output_folder


def _rows(path: Path) -> list[dict[str, str]]:
    text = path.read_text("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8 product names
    return list(csv.DictReader(text.lstrip("\ufeff").splitlines()))


def test_csv_files(tmp_path: Path) -> None:
    out = write_output_folder(tmp_path / "out")
    render_reports(out, ReportOptions(formats=("csv",)))
    timeline = build_timeline()
    clips = _rows(out / "report_clips.csv")
    assert [r["id"] for r in clips] == [c.id for c in timeline.clips]
    assert float(clips[0]["duration_s"]) == pytest.approx(30.0)
    spikes = _rows(out / "report_spikes.csv")
    assert [(r["id"], float(r["t_s"]), r["sku"]) for r in spikes] == [
        (s.id, s.t_s, s.sku) for s in timeline.sales_spikes]
    assert {r["attribution"] for r in spikes} == {"pitch_and_clip"}
    products = _rows(out / "report_products.csv")
    assert [r["name"] for r in products] == ["破壁料理机", "Cozy Blanket", "精华液", "Glow Serum"]
    decoy = products[2]
    assert decoy["spike_ids"] == "" and decoy["best_clip_id"] == ""


@pytest.fixture(scope="module")
def pdf_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = write_output_folder(tmp_path_factory.mktemp("pdf") / "out")
    render_reports(out, ReportOptions(lang="zh", formats=("pdf",)))
    return out / "report.pdf"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: apt-get install poppler-utils (CI's .ci/run installs it)")
    return path


def test_pdf_has_chart_and_tables(pdf_report: Path, tmp_path: Path) -> None:
    assert pdf_report.read_bytes().startswith(b"%PDF")
    text = subprocess.run([_tool("pdftotext"), "-layout", str(pdf_report), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("直播复盘", "核心指标", "成交高峰", "商品表现", "高光片段", "破壁料理机", "sale-01", "clip-03",
                     "未提供"):
        assert expected in text, expected
    images = subprocess.run([_tool("pdfimages"), "-list", str(pdf_report)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert images and images[0].split()[0] == "1", "the chart image is on page 1"
    width, height = int(images[0].split()[3]), int(images[0].split()[4])
    assert width >= 1200 and height >= 600
    fonts = subprocess.run([_tool("pdffonts"), str(pdf_report)], capture_output=True, text=True,
                           check=True).stdout
    assert "CJK" in fonts and " yes " in fonts  # the Chinese font is embedded
    # rendered pages for a person to look at (kept in the test's tmp folder)
    subprocess.run([_tool("pdftoppm"), "-r", "60", "-png", str(pdf_report), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 10_000


def test_report_command_rerenders_without_pipeline(tmp_path: Path) -> None:
    out = write_output_folder(tmp_path / "out")
    timeline_before = (out / "timeline.json").read_bytes()
    assert main(["report", str(out), "--lang", "en", "--formats", "html,md,csv", "--quiet"]) == 0
    assert "Stream review" in (out / "report.md").read_text("utf-8")
    assert (out / "report.html").stat().st_size > 1_000_000  # Plotly is inlined
    assert (out / "timeline.json").read_bytes() == timeline_before
    assert not (out / "report.pdf").exists()
    assert main(["report", str(out), "--formats", "md", "--quiet"]) == 0
    assert "直播复盘" in (out / "report.md").read_text("utf-8")


def test_report_command_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mediaops: error: output folder not found") and "\n" not in err
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err.strip()
    assert "no timeline.json" in err and "\n" not in err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "timeline.json").write_text("{\"schema_version\": 1", "utf-8")
    assert main(["report", str(broken)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", str(broken), "--formats", "docx"])


def test_failed_pdf_keeps_the_earlier_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = write_output_folder(tmp_path / "out")
    (out / "report.pdf").write_bytes(b"%PDF earlier")
    assert main(["report", str(out), "--formats", "pdf", "--font", str(tmp_path / "nope.ttf")]) == 2
    assert "cannot read font file" in capsys.readouterr().err
    assert (out / "report.pdf").read_bytes() == b"%PDF earlier"


def test_bare_timeline_renders_every_format(tmp_path: Path) -> None:
    """No metrics, clips, pitches or spikes (e.g. an export without sales): every report still renders."""
    from dataclasses import replace

    from mediaops.timeline import write_timeline

    out = tmp_path / "bare"
    out.mkdir()
    write_timeline(replace(build_timeline(), clips=(), sales_spikes=(), pitches=(), metrics=None),
                   out / "timeline.json")
    written = render_reports(out, ReportOptions(lang="en", formats=("html", "md", "csv", "pdf")))
    assert {p.name for p in written} == {"report.html", "report.md", "report_clips.csv", "report_spikes.csv",
                                         "report_products.csv", "report.pdf"}
    md = (out / "report.md").read_text("utf-8")
    assert "No sales spikes found." in md and "No clips were made." in md and "No product pitches found" in md
    assert md.count("| absent |") == 9  # every KPI but the duration


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    from dataclasses import replace

    from mediaops.analysis.reasons import sentence_end
    from mediaops.timeline import write_timeline

    out = tmp_path / "hostile"
    out.mkdir()
    timeline = build_timeline()
    evil = "<img src=x onerror=alert(1)></script>"
    timeline = replace(timeline, pitches=tuple(replace(p, name=evil) for p in timeline.pitches),
                       clips=tuple(replace(c, title=evil, reasons=(evil,),
                                           reason_records=(*c.reason_records, sentence_end(c.end_s, evil)))
                                   for c in timeline.clips))
    write_timeline(timeline, out / "timeline.json")
    render_reports(out, ReportOptions(formats=("html",)))
    html = (out / "report.html").read_text("utf-8")
    assert "<img src=x" not in html and "&lt;img src=x" in html
