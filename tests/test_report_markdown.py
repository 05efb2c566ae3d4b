"""The Markdown report of a deterministic stream matches its reviewed snapshot (tests/snapshots/).

After a deliberate change to the report, regenerate with
``MEDIAOPS_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_report_markdown.py`` and review the diff of the snapshot
files before committing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mediaops.report import ReportOptions, render_reports
from tests.retro_data import write_output_folder

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_matches_snapshot(tmp_path: Path, lang: str) -> None:
    out = write_output_folder(tmp_path / "out")
    render_reports(out, ReportOptions(lang=lang, formats=("md",)))
    text = (out / "report.md").read_text("utf-8")
    snapshot = SNAPSHOTS / f"report_{lang}.md"
    if os.environ.get("MEDIAOPS_UPDATE_SNAPSHOTS"):
        snapshot.write_text(text, "utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot.name}; create it with MEDIAOPS_UPDATE_SNAPSHOTS=1"
    assert text == snapshot.read_text("utf-8")


def test_markdown_shows_absent_kpis_and_attribution(tmp_path: Path) -> None:
    out = write_output_folder(tmp_path / "out")
    render_reports(out, ReportOptions(lang="en", formats=("md",)))
    text = (out / "report.md").read_text("utf-8")
    assert "| Viewer inflow | absent | not in the metrics export; not estimated |" in text
    # the decoy product 精华液 sold nothing: no spike names it; each sales moment is one row, orders and GMV
    # side by side
    spike_rows = [line for line in text.splitlines() if line.startswith("| sale-")]
    assert len(spike_rows) == 3 and not any("精华液" in row for row in spike_rows)
    assert all("| Orders + GMV |" in row for row in spike_rows)
    with_extras = write_output_folder(tmp_path / "full", extra_columns=True)
    render_reports(with_extras, ReportOptions(lang="en", formats=("md",)))
    full = (with_extras / "report.md").read_text("utf-8")
    assert "absent" not in full.split("## Sales spikes")[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reports_show_the_metrics_alignment(tmp_path: Path, lang: str) -> None:
    out = write_output_folder(tmp_path / "out")
    render_reports(out, ReportOptions(lang=lang, formats=("md", "html")))
    # the library's English line in English; its data in Chinese words in Chinese
    expected = ("指标对齐: 导出的时间从开播算起；偏移 +12.0 秒" if lang == "zh" else
                "Metrics alignment: offset times (seconds from the start of the stream); offset +12.0 s")
    for name in ("report.md", "report.html"):
        text = (out / name).read_text("utf-8")
        assert expected in text, name
