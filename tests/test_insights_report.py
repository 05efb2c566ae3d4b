"""The insight sections in the HTML and Markdown reports: reviewed Markdown snapshots, and the figures in both."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mediaops.report import write_reports
from mediaops.report.html import render_html
from mediaops.report.insights_sections import insight_sections, insights_markdown
from mediaops.report.markdown import render_markdown
from mediaops.retrospective.document import build_retrospective, load_retrospective
from mediaops.retrospective.insights import build_insights
from mediaops.timeline import read_timeline, timeline_from_dict, write_timeline
from mediaops.types import Timeline
from tests import retro_data
from tests.insights_synthetic import (
    DURATION_S,
    TARGETS,
    build_comments,
    build_metrics,
    build_pitches,
    build_plan,
    build_transcript,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _timeline_with_insights(tmp_path: Path) -> Timeline:
    """The report tests' stream carrying the synthetic stream's insights, written and read back as a report does."""
    insights = build_insights(build_transcript(), build_metrics(), build_comments(), build_pitches(), DURATION_S,
                              TARGETS, build_plan())
    timeline = replace(retro_data.build_timeline(), metrics=build_metrics(), insights=insights)
    write_timeline(timeline, tmp_path / "timeline.json")
    return timeline_from_dict(read_timeline(tmp_path))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_sections_match_the_reviewed_snapshot(tmp_path: Path, lang: str) -> None:
    text = "\n".join(insights_markdown(_timeline_with_insights(tmp_path), lang))
    snapshot = SNAPSHOTS / f"insights_{lang}.md"
    if os.environ.get("MEDIAOPS_UPDATE_SNAPSHOTS"):
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8")


def test_markdown_report_shows_the_figures(tmp_path: Path) -> None:
    retro = build_retrospective(_timeline_with_insights(tmp_path), build_transcript().segments)
    md = render_markdown(retro, "en")
    for heading in ("## Targets vs actuals", "## Audience voice", "## Host delivery", "## Script coverage",
                    "## Next time"):
        assert heading in md
    assert "| GMV | 10,000 | 5,500 | 55% | ✗ missed |" in md
    assert "| orders | 100 | 110 | 110% | ✓ met |" in md
    assert "| 转化率 | 2.00 | absent | absent | absent | — |" in md
    assert "| 0:04:58 | 0:05:42 | 44 s | 200 → 150 | −25% |" in md  # dead air
    assert "| Lucky draw | 0:05:00 | — | skipped | 0/1 |" in md
    assert "| Breeze Fan (SKU-B) | 0:06:00 | 0:08:00 | 2.0 min late | 2/3 |" in md
    assert "| coupon/discount | 0:08:20 | 4 | no answer until the end |" in md
    assert "| 0:10:00–0:11:00 | 20 | 40 s | −20% |" in md  # the slow stretch
    assert re.search(r"Median pace 120 words/min", md)
    assert "- Prepare fill-in lines or a co-host cue for pauses — Evidence: dead air 0:04:58–0:05:42 (44 s), " \
           "viewers −25%" in md
    zh = render_markdown(retro, "zh")
    assert "## 下次改进" in zh and "| GMV | 10,000 | 5,500 | 55% | ✗ 未达标 |" in zh


class _Sections(HTMLParser):
    """Collects the text of each insight section of a page by its id."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, str] = {}
        self._current: str | None = None
        self._depth = 0
        self.svg_rects: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and (found.get("id") or "").startswith("insight-"):
            self._current = found["id"]
            self.sections[self._current] = ""
        if tag == "rect" and self._current:
            self.svg_rects.append({k: v or "" for k, v in attrs})

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current:
            self.sections[self._current] += data + " "


def test_html_report_shows_the_sections_and_figures(tmp_path: Path) -> None:
    retro = build_retrospective(_timeline_with_insights(tmp_path), build_transcript().segments)
    page = _Sections()
    page.feed(render_html(retro, "en"))
    assert list(page.sections) == ["insight-targets", "insight-audience", "insight-delivery", "insight-script",
                                   "insight-actions"]
    targets = page.sections["insight-targets"]
    assert "5,500" in targets and "55%" in targets and "✗ missed" in targets and "0:02:00 +30 (27%) · Aurora Lamp" \
        in targets
    audience = page.sections["insight-audience"]
    assert "coupon/discount" in audience and "0:08:20" in audience and "灯光漂亮 ×3" in audience
    delivery = page.sections["insight-delivery"]
    assert "0:04:58" in delivery and "−25%" in delivery and "0:10:00–0:11:00" in delivery
    assert "2 min late" in page.sections["insight-actions"]
    # the delivery chart marks both silences and one pace bar per minute
    dead = [r for r in page.svg_rects if r.get("class") == "dead-air"]
    pace = [r for r in page.svg_rects if r.get("class") == "pace"]
    assert len(dead) == 2 and len(pace) == 20


def test_reports_written_from_an_output_folder_include_the_sections(tmp_path: Path) -> None:
    retro_data.write_output_folder(tmp_path)
    timeline = _timeline_with_insights(tmp_path)
    assert timeline.insights is not None and timeline.insights.actions
    doc = read_timeline(tmp_path)
    written = write_reports(doc, tmp_path)
    assert {p.name for p in written} >= {"report.html", "report.md"}
    md = (tmp_path / "report.md").read_text("utf-8")
    assert "## 目标达成" in md and "## 下次改进" in md and "| GMV | 10,000 | 5,500 | 55% | ✗ 未达标 |" in md
    # re-rendering from the folder (``mediaops report``) keeps them
    assert insight_sections(load_retrospective(tmp_path).timeline, "zh")[0].title == "目标达成"


def test_insights_have_their_own_key_and_old_timelines_read_back(tmp_path: Path) -> None:
    """``insights`` is a typed field published under its own key; a timeline.json written before that (insights
    in ``extras.insights``) reads back to the same insights.

    Wrong implementations this rejects: still writing them into ``extras``; reading only the new key (old output
    folders would lose their insight sections); leaving the old copy in ``extras`` (written again beside the new).
    """
    import json

    timeline = _timeline_with_insights(tmp_path)
    doc = read_timeline(tmp_path)
    assert doc["insights"]["actions"] and "insights" not in doc["extras"]
    assert timeline.insights is not None
    old = {**doc, "extras": {**doc["extras"], "insights": doc["insights"]}}
    del old["insights"]
    (tmp_path / "timeline.json").write_text(json.dumps(old, ensure_ascii=False), "utf-8")
    back = timeline_from_dict(read_timeline(tmp_path))
    assert back.insights == timeline.insights and "insights" not in back.extras
    assert insight_sections(back, "en") == insight_sections(timeline, "en")


def test_a_timeline_without_insights_renders_no_sections(tmp_path: Path) -> None:
    retro_data.write_output_folder(tmp_path)
    retro = load_retrospective(tmp_path)
    assert insight_sections(retro.timeline) == ()
    assert "insight-" not in render_html(retro)
    assert "## 下次改进" not in render_markdown(retro)


def test_wall_clock_note_and_times_with_a_start_time(tmp_path: Path) -> None:
    from datetime import datetime

    insights = build_insights(build_transcript(), build_metrics(), build_comments(), build_pitches(), DURATION_S,
                              TARGETS, build_plan(), start_time=datetime.fromisoformat("2026-11-27T20:00:00+08:00"))
    timeline = replace(retro_data.build_timeline(), insights=insights)
    write_timeline(timeline, tmp_path / "timeline.json")
    md = "\n".join(insights_markdown(timeline_from_dict(read_timeline(tmp_path)), "en"))
    assert "Times are wall-clock (stream start 20:00:00)." in md
    assert "dead air 20:04:58–20:05:42 (44 s)" in md


CHROMIUM = os.environ.get("MEDIAOPS_CHROMIUM", "/usr/bin/chromium")


def test_insight_sections_in_headless_chromium(tmp_path: Path) -> None:
    """The page with the insight sections loads offline without console errors and draws the delivery chart; the
    screenshot stays in the test's tmp folder for a person to look at."""
    import shutil

    executable = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium missing: .ci/run must apt-get install chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    retro = build_retrospective(_timeline_with_insights(tmp_path), build_transcript().segments)
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(retro, "zh"), encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        problems: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        chart = page.locator("#insight-delivery svg.insight-chart")
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        page.locator("#insight-delivery").screenshot(path=str(tmp_path / "delivery.png"))
        browser.close()
    assert requests == [page_file.as_uri()], requests
    assert problems == []
    assert box is not None and box["width"] > 600 and box["height"] > 100
    assert (tmp_path / "delivery.png").stat().st_size > 5_000
