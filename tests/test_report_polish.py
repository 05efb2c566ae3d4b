"""Reports that read like a 复盘 (issue #18, items 2 and 5): the header, whole orders, consistent scene cuts, round
axis ticks, a PDF with every section, and a page that opens at once, fits 1280 px and plays clips where one looks.

Wrong implementations these tests reject (each was checked by breaking the code once):

- a header with the server path of the recording, the raw UTC ``created_at``, the file name as the title, times in
  the server's zone (UTC here) instead of the stream's, or a ``--timezone``/export zone that is ignored;
- a server path in any file an operator opens (Markdown, HTML, PDF, CSV, the comparison page and its CSV);
- orders rounded per figure (35.435 in the CSV, 35 + 2 in the report, 38 in ``compare``), rounded per window
  (a row's orders lost or counted twice: 0.5 + 0.5 → 0 or 2), or floored;
- a scene list that starts with the recording's start (0:00:00), which the chart does not mark as a cut;
- value axes with Plotly's own ticks (an overlaying axis follows the other's grid: 121/241/362), ticks that stop
  short of the data, or a panel's two axes with different numbers of intervals (grid lines between ticks);
  a delivery chart whose pace bars have no scale;
- a PDF without the insight sections (目标达成 … 下次改进), the scene cuts or the data notes;
- Plotly.js as a plain inline ``<script>`` (the page stays blank for seconds while it compiles);
- table cells squeezed to a character or two per line at 1280 px (得/分), or tables wider than the page;
- a ▶ button that plays the clip in a player scrolled out of view, or a second player.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from mediaops.report import ReportOptions, render_reports, report_settings
from mediaops.report.chart import build_figure
from mediaops.report.chart_data import ROUND_STEPS, round_scales
from mediaops.report.compare import CompareOptions, write_comparison
from mediaops.report.header import choose_zone, in_zone
from mediaops.report.i18n import clock
from mediaops.retrospective.document import load_retrospective
from mediaops.retrospective.insights import build_insights
from mediaops.retrospective.product_table import amount_between, whole_counts
from mediaops.timeline import read_timeline, write_timeline
from mediaops.types import MetricSeries, PitchSegment, Timeline
from tests import retro_data
from tests.insights_synthetic import (
    DURATION_S,
    TARGETS,
    build_comments,
    build_pitches,
    build_plan,
    build_transcript,
)
from tests.insights_synthetic import build_metrics as insight_metrics

SERVER_FOLDER = "/srv/mediaops/storage/jobs/4f2a"
#: pitches that begin and end inside export rows (10 s each): their orders must be shared, in whole numbers
ODD_PITCHES = (("SKU-A", "破壁料理机", 123.4, 297.7), ("SKU-B", "Cozy Blanket", 421.5, 604.4),
               ("SKU-D", "Glow Serum", 838.2, 1016.9))


#: why a clip was chosen, as long as the pipeline writes it: the column that squeezed every other one
LONG_REASONS = ("点赞是平时的 10 倍，评论是 8 倍，求链接的评论明显增多，“666”“哈哈”这类评论是 2.4 倍",
                "在线人数每分钟增加 174 人；画面在观众反应前 8 秒切换，反应前只有这一次画面切换",
                "在“The motor is really powerful, but not too loud.”这句话说完时结束；当时在讲解“破壁料理机”")


def _stream(out: Path, *, insights: bool = False, metrics_zone: str = "", start_time: str | None = None,
            with_clip_files: bool = False, title: str = "") -> Path:
    """The report tests' stream in ``out``, recorded under a server folder, with pitches that cut export rows;
    ``title``: the name the run was given (kept in ``extras.report`` as ``mediaops process`` does)."""
    retro_data.write_output_folder(out, with_clip_files=with_clip_files)
    timeline: Timeline = retro_data.build_timeline()
    pitches = tuple(PitchSegment(sku, name, start, end, 3) for sku, name, start, end in ODD_PITCHES)
    metrics = replace(timeline.metrics, zone=metrics_zone) if timeline.metrics else None
    clips = tuple(replace(c, reasons=LONG_REASONS, reason_records=()) for c in timeline.clips)  # shown as they are
    changes: dict = {"recording": replace(timeline.recording, path=f"{SERVER_FOLDER}/2026-11-20 晚场.mp4"),
                     "pitches": pitches, "metrics": metrics, "clips": clips,
                     "extras": {"report": report_settings(ReportOptions(title=title))}}
    if insights:
        from datetime import datetime

        start = datetime.fromisoformat(start_time) if start_time else None
        changes["insights"] = build_insights(build_transcript(), insight_metrics(), build_comments(),
                                             build_pitches(), DURATION_S, TARGETS, build_plan(), start_time=start)
    write_timeline(replace(timeline, **changes), out / "timeline.json")
    return out


def _products_csv(out: Path) -> dict[str, dict[str, str]]:
    text = (out / "report_products.csv").read_text("utf-8").lstrip("\ufeff")
    return {row["sku"]: row for row in csv.DictReader(io.StringIO(text))}


# ---- 1. the header: the stream's name, its zone, no server path ------------------------------------------------

def test_header_names_the_stream_and_shows_times_in_its_zone(tmp_path: Path) -> None:
    out = _stream(tmp_path / "out", title="双十一晚场")
    render_reports(out, ReportOptions(lang="zh", formats=("html", "md")))
    md = (out / "report.md").read_text("utf-8")
    assert md.startswith("# 直播复盘 · 双十一晚场\n")
    # created_at is 2026-11-20T14:00:00+00:00: Beijing time by default, and the zone is named
    assert "- 生成时间: 2026-11-20 22:00\n" in md and "- 时区: UTC+08:00\n" in md
    assert "- 录像: 2026-11-20 晚场.mp4\n" in md
    html = (out / "report.html").read_text("utf-8")
    header = re.search(r'<p class="meta" id="header">(.*?)</p>', html).group(1)
    assert "双十一晚场" in re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert "2026-11-20 22:00" in header and "UTC+08:00" in header and "14:00:00" not in header
    # `mediaops report --timezone UTC --title …`: another zone, and the header says so; another name
    render_reports(out, ReportOptions(lang="en", formats=("md",), timezone="UTC", title="Singles' Day"))
    md = (out / "report.md").read_text("utf-8")
    assert md.startswith("# Stream review · Singles' Day\n")
    assert "- Generated: 2026-11-20 14:00\n" in md and "- Time zone: UTC\n" in md


def test_zone_of_the_export_and_of_the_start_time(tmp_path: Path) -> None:
    # the export's times were read in Tokyo time: the report follows it
    out = _stream(tmp_path / "tokyo", metrics_zone="Asia/Tokyo")
    render_reports(out, ReportOptions(lang="en", formats=("md",)))
    md = (out / "report.md").read_text("utf-8")
    assert "- Generated: 2026-11-20 23:00\n" in md and "- Time zone: Asia/Tokyo (UTC+09:00)\n" in md
    assert md.startswith("# Stream review · 2026-11-20 晚场\n")  # no name given: the file's, without .mp4
    # a --start-time given in UTC: the insights' wall-clock times are shown in Beijing time like the header
    out = _stream(tmp_path / "utc", insights=True, start_time="2026-11-27T12:00:00+00:00")
    render_reports(out, ReportOptions(lang="en", formats=("md",)))
    md = (out / "report.md").read_text("utf-8")
    assert "- Stream start: 2026-11-27 20:00:00\n" in md and "- Time zone: UTC+08:00\n" in md
    assert "Times are wall-clock (stream start 20:00:00)." in md and "| coupon/discount | 20:08:20 | 4 |" in md


def test_zone_rule_the_pipeline_gives_the_insights() -> None:
    """``mediaops process`` builds the insights' sentences with the start time on the report's wall clock."""
    from datetime import datetime

    utc = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
    assert in_zone(utc, choose_zone("", "", utc)).isoformat() == "2026-11-27T20:00:00+08:00"
    assert in_zone(utc, choose_zone("UTC", "UTC+08:00", utc)).isoformat() == "2026-11-27T12:00:00+00:00"
    assert in_zone(utc, choose_zone("", "Asia/Tokyo", utc)).strftime("%H:%M") == "21:00"
    given = datetime.fromisoformat("2026-11-27T20:00:00-05:00")
    assert in_zone(given, choose_zone("", "", given)) == given  # a start given in its own zone stays in it
    naive = datetime.fromisoformat("2026-11-27T20:00:00")
    assert in_zone(naive, choose_zone("", "", naive)) == naive


def test_no_server_path_in_any_report(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = _stream(tmp_path / "week1", insights=True)
    render_reports(out, ReportOptions(lang="zh", formats=("html", "md", "csv", "pdf")))
    second = _stream(tmp_path / "week2")
    texts = {p.name: p.read_text("utf-8") for p in out.iterdir() if p.suffix in (".md", ".html", ".csv")}
    texts["report.pdf"] = subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True,
                                         text=True, check=True).stdout
    write_comparison([out, second], tmp_path / "cmp", CompareOptions(lang="zh"))
    texts |= {f"cmp/{p.name}": p.read_text("utf-8") for p in (tmp_path / "cmp").iterdir()}
    assert {"report.html", "report.md", "report_clips.csv", "report_products.csv", "report.pdf",
            "cmp/compare.html", "cmp/compare.csv"} <= set(texts)
    for name, text in texts.items():
        assert SERVER_FOLDER not in text and str(tmp_path) not in text, name
    assert "2026-11-20 晚场" in texts["cmp/compare.html"]


# ---- 6. whole orders, the same in the report, the CSV and compare ------------------------------------------------

def _series(values: list[float], step: float = 10.0) -> MetricSeries:
    return MetricSeries("orders", tuple(i * step for i in range(len(values))), tuple(values), step, "count", "orders")


@pytest.mark.parametrize(("values", "windows", "expected"), [
    # one row of 3 orders cut in thirds: one order each, none lost
    pytest.param([3.0], [(0.0, 10 / 3), (10 / 3, 20 / 3), (20 / 3, 10.0)], [1, 1, 1], id="thirds"),
    # one order half in a pitch, half after it: one of them, never both or neither
    pytest.param([1.0], [(0.0, 5.0), (5.0, 10.0)], [1, 0], id="half-half"),
    # 5 orders, 35 % in the window and the rest outside every window: 1.75 → 2, the outside keeps 3
    pytest.param([5.0], [(0.0, 3.5)], [2], id="partly-outside"),
    # whole rows stay whole; a blank row (NaN) has no orders
    pytest.param([4.0, math.nan, 6.0], [(0.0, 20.0), (20.0, 30.0)], [4, 6], id="whole-rows-and-blank"),
    # 7 orders over 3 windows of 0.4/0.35/0.25 (2.8, 2.45, 1.75): largest remainders get the units → 3, 2, 2
    pytest.param([7.0], [(0.0, 4.0), (4.0, 7.5), (7.5, 10.0)], [3, 2, 2], id="largest-remainder"),
])
def test_whole_counts_hand_out_each_row_whole(values, windows, expected) -> None:
    counted = whole_counts(_series(values), windows)
    assert counted == expected and all(isinstance(c, int) for c in counted)


def test_whole_counts_keep_the_total_of_the_rows_they_cover() -> None:
    values = [float((k * 7) % 5) for k in range(60)]
    windows = [(3.3, 57.1), (57.1, 111.9), (123.4, 297.7), (297.7, 421.5), (421.5, 599.0)]
    counted = whole_counts(_series(values), windows)
    exact = [amount_between(_series(values), a, b) for a, b in windows]
    assert all(abs(c - e) < 1 for c, e in zip(counted, exact, strict=True))
    # the windows cover 3.3 s to 599 s: every order of the rows wholly inside is counted exactly once
    assert abs(sum(counted) - sum(exact)) < 1
    assert whole_counts(None, windows) is None


def test_orders_are_whole_and_agree_in_report_csv_and_compare(tmp_path: Path) -> None:
    out = _stream(tmp_path / "week1")
    render_reports(out, ReportOptions(lang="en", formats=("md", "csv")))
    rows = _products_csv(out)
    md = (out / "report.md").read_text("utf-8")
    write_comparison([out, _stream(tmp_path / "week2")], tmp_path / "cmp", CompareOptions(lang="en"))
    compare = (tmp_path / "cmp" / "compare.md").read_text("utf-8")
    retro = load_retrospective(out)
    sold = 0
    for product in retro.products:
        row = rows[product.sku]
        assert re.fullmatch(r"\d+", row["orders_during"]) and re.fullmatch(r"\d+", row["orders_after"]), row
        during, after = int(row["orders_during"]), int(row["orders_after"])
        assert (during, after) == (product.orders_during, product.orders_after)
        # the report's row shows the same two numbers
        line = next(x for x in md.splitlines() if x.startswith(f"| {product.name} ({product.sku})"))
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert (cells[3], cells[5]) == (f"{during:,}", f"{after:,}"), line
        # compare shows their sum, never a separately rounded total
        line = next(x for x in compare.splitlines() if x.startswith(f"| week1 | {product.name} ({product.sku})"))
        assert [c.strip() for c in line.strip("|").split("|")][3] == f"{during + after:,}", line
        sold += during + after
    total = sum(v for v in retro.timeline.metrics.get("orders").values if v == v)
    assert 0 < sold <= total


# ---- 4. scene cuts: the list and the chart agree ----------------------------------------------------------------

def test_scene_list_shows_the_cuts_the_chart_marks(tmp_path: Path) -> None:
    out = _stream(tmp_path / "out")
    render_reports(out, ReportOptions(lang="en", formats=("html", "md")))
    figure = build_figure(load_retrospective(out), "en")
    marked = next(t for t in figure["data"] if t["meta"] == "scenes")["x"]  # "1970-01-01 00:02:00.000"
    charted = [clock(sum(float(part) * unit for part, unit in zip(x.split(" ")[1].split(":"), (3600, 60, 1),
                                                                  strict=True))) for x in marked]
    listed = re.search(r'<p id="scene-cuts">(.*?)</p>', (out / "report.html").read_text("utf-8")).group(1)
    assert listed.split(" · ") == charted == ["0:02:00", "0:07:00", "0:11:40", "0:14:00", "0:18:20"]
    md = (out / "report.md").read_text("utf-8")
    assert "## Scene changes (5)\n\n0:02:00 · 0:07:00 · 0:11:40 · 0:14:00 · 0:18:20\n" in md


# ---- 5. round ticks on every value axis ---------------------------------------------------------------------------

def _is_round(step: float) -> bool:
    power = 10 ** math.floor(math.log10(step))
    return any(math.isclose(step, m * power, rel_tol=1e-9) for m in ROUND_STEPS)


def _assert_round(ticks: list[float], reaches: float) -> None:
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert ticks[0] == 0 and len(steps) == 1 and _is_round(steps.pop()), ticks
    assert ticks[-1] >= reaches, (ticks, reaches)


def test_round_scales_share_their_intervals() -> None:
    viewers, counts = round_scales(361.74, 99.0)
    _assert_round(list(viewers.ticks), 361.74)
    _assert_round(list(counts.ticks), 99.0)
    assert len(viewers.ticks) == len(counts.ticks)
    assert viewers.labels[-1] == "400" and counts.labels[:3] == ("0", "25", "50")


def test_chart_axes_have_round_ticks_that_reach_the_data(tmp_path: Path) -> None:
    out = _stream(tmp_path / "out")
    layout = build_figure(load_retrospective(out), "en")["layout"]
    metrics = load_retrospective(out).timeline.metrics
    tops = {"yaxis": max(metrics.get("online_viewers").values),
            "yaxis2": max(max(metrics.get(n).values) for n in ("comments", "likes")),
            "yaxis3": max(metrics.get("orders").values), "yaxis4": max(metrics.get("gmv").values)}
    for axis, top in tops.items():
        ticks = layout[axis]["tickvals"]
        assert layout[axis]["tickmode"] == "array" and layout[axis]["range"] == [0, ticks[-1]]
        _assert_round(ticks, top)
    for left, right in (("yaxis", "yaxis2"), ("yaxis3", "yaxis4")):  # grid lines meet both axes at ticks
        assert len(layout[left]["tickvals"]) == len(layout[right]["tickvals"])


def test_delivery_chart_has_scales(tmp_path: Path) -> None:
    out = _stream(tmp_path / "out", insights=True)
    render_reports(out, ReportOptions(lang="en", formats=("html",)))
    html = (out / "report.html").read_text("utf-8")
    svg = re.search(r'<svg[^>]*class="insight-chart".*?</svg>', html, re.S).group(0)
    for kind in ("pace-tick", "viewers-tick"):
        labels = [float(v.replace(",", "")) for v in re.findall(rf'class="tick {kind}"[^>]*>([^<]+)<', svg)]
        assert len(labels) >= 3, kind
        _assert_round(labels, 0)
    assert "Pace (words/min)" in svg and "0:10:00" in svg


# ---- 7. the PDF has every section of the HTML report --------------------------------------------------------------

def test_pdf_has_every_section_of_the_html(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = _stream(tmp_path / "out", insights=True)
    doc = read_timeline(out)
    doc["metrics"]["warnings"] = ["the export runs longer than the recording"]
    (out / "timeline.json").write_text(__import__("json").dumps(doc), "utf-8")
    for lang in ("zh", "en"):
        render_reports(out, ReportOptions(lang=lang, formats=("html", "pdf")))
        html = (out / "report.html").read_text("utf-8")
        headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", html)]
        assert len(headings) >= 15, headings
        text = subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        flat = re.sub(r"\s+", "", text)
        missing = [h for h in headings if re.sub(r"\s+", "", h) not in flat]
        assert missing == [], (lang, missing)
    assert "下次改进" not in flat  # the last one read was English
    assert "Next time" in text and "Scene changes (5)" in text


# ---- 8, 3, 2: in a real browser ------------------------------------------------------------------------------------

#: the old page held its header blank for 2–11 s on this machine (2 cores, shared) while Plotly.js compiled
OPEN_BOUND_S = 1.5


def test_page_opens_before_the_chart_library_compiles(tmp_path: Path, browser) -> None:
    out = _stream(tmp_path / "out", insights=True, with_clip_files=True)
    render_reports(out, ReportOptions(lang="zh", formats=("html",)))
    html = (out / "report.html").read_text("utf-8")
    # what runs while the page is parsed is small: the 4 MB library is inert text until the page is shown
    scripts = re.findall(r"<script(?![^>]*type=\"(?:text/plain|application/json)\")[^>]*>(.*?)</script>", html,
                         re.S)
    assert sum(len(s) for s in scripts) < 100_000
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    started = time.monotonic()
    page.goto(out.joinpath("report.html").as_uri(), wait_until="domcontentloaded")
    opened_s = page.evaluate("performance.timing.domContentLoadedEventEnd - performance.timing.navigationStart")
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    assert opened_s / 1000 < OPEN_BOUND_S, (opened_s, time.monotonic() - started)
    assert page.locator("#chart .scatterlayer .trace").count() >= 8  # and the chart still comes
    # with the round ticks it was given (Plotly's own on an overlaying axis follow the other's grid: 121/241/362)
    drawn = page.evaluate("""() => ['yaxis', 'yaxis2', 'yaxis3', 'yaxis4'].map(
        a => document.getElementById('chart')._fullLayout[a]._vals.map(v => v.x))""")
    for ticks in drawn:
        _assert_round(ticks, 0)
    page.close()


#: a cell squeezed to a character or two per line: it wraps and has fewer than this many characters per line
_SQUEEZED = """() => Array.from(document.querySelectorAll('table th, table td')).map(cell => {
    const range = document.createRange(); range.selectNodeContents(cell);
    const mids = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0)
        .map(r => [(r.top + r.bottom) / 2, r.height]).sort((a, b) => a[0] - b[0]);
    let lines = 0, last = -1e9;
    for (const [mid, h] of mids) { if (mid - last > h / 2) { lines += 1; last = mid; } }
    const text = cell.textContent.replace(/\\s+/g, '');
    return {text: text.slice(0, 30), lines, perLine: text.length / Math.max(lines, 1)};
}).filter(c => c.lines > 1 && c.perLine < 6)"""


def test_tables_fit_at_1280_px(tmp_path: Path, browser) -> None:
    out = _stream(tmp_path / "out", insights=True)
    render_reports(out, ReportOptions(lang="zh", formats=("html",)))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(out.joinpath("report.html").as_uri())
    page.wait_for_selector("body[data-shown='1']", timeout=30_000)
    assert page.locator("table").count() >= 8
    assert page.evaluate(_SQUEEZED) == []
    widths = page.evaluate("""() => Array.from(document.querySelectorAll('table'))
        .map(t => [t.getBoundingClientRect().right, t.parentElement.getBoundingClientRect().right])""")
    assert all(right <= room + 1 for right, room in widths), widths
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.close()


def test_play_button_brings_the_one_player_into_view(tmp_path: Path, browser) -> None:
    out = _stream(tmp_path / "out", insights=True, with_clip_files=True)
    render_reports(out, ReportOptions(lang="zh", formats=("html",)))
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(out.joinpath("report.html").as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
    button = page.locator("#clips [data-play='2']")
    button.scroll_into_view_if_needed()
    assert not page.evaluate("""() => { const r = document.getElementById('clip-box').getBoundingClientRect();
        return r.bottom > 0 && r.top < innerHeight; }""")  # the player is out of view when ▶ is pressed
    button.click()
    page.wait_for_function("document.getElementById('clip-player').getAttribute('data-clip') === 'clip-03'")
    box = page.evaluate("""() => { const r = document.getElementById('clip-player').getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, height: innerHeight}; }""")
    assert box["top"] >= 0 and box["bottom"] <= box["height"], box
    assert page.locator("video").count() == 1
    assert page.evaluate("document.getElementById('clip-player').src").endswith("/clips/clip-03.mp4")
    page.close()
