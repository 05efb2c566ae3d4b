"""A re-render (``mediaops render``) writes the reports in the language and formats the run chose.

Wrong implementations rejected: re-rendering with default options (an English run's report comes back in
Chinese; a ``report.pdf`` is left stale because the PDF is not rewritten).
"""

from __future__ import annotations

import json
from pathlib import Path

from mediaops.report import ReportOptions, report_options_for, report_settings
from tests.retro_data import timeline_doc, write_output_folder


def test_recorded_settings_win(tmp_path: Path) -> None:
    out = write_output_folder(tmp_path / "out")
    doc = timeline_doc(out)
    doc["extras"] = {"report": report_settings(ReportOptions(lang="en", formats=("html", "md", "csv", "pdf")))}
    options = report_options_for(doc, out)
    assert options.lang == "en" and "pdf" in options.formats


def test_older_folders_are_read_from_their_files(tmp_path: Path) -> None:
    out = write_output_folder(tmp_path / "out")
    (out / "report.md").write_text("# Stream review · demo\n", "utf-8")
    (out / "report.pdf").write_bytes(b"%PDF-1.4\n")
    options = report_options_for(json.loads((out / "timeline.json").read_text("utf-8")), out)
    assert options.lang == "en" and "pdf" in options.formats and "html" not in options.formats
    (out / "report.md").write_text("# 直播复盘 · demo\n", "utf-8")
    assert report_options_for({}, out).lang == "zh"
