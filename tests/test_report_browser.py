"""The HTML report in a real headless Chromium (Debian's ``chromium``, driven by Playwright): it loads offline
with no console errors and no network requests, draws the chart with its markers, shows the transcript on hover
and plays a clip on click. The screenshots stay in the test's tmp folder for a person to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from mediaops.report import ReportOptions, render_reports
from mediaops.report.compare import CompareOptions, write_comparison
from tests.retro_data import write_output_folder

CHROMIUM = os.environ.get("MEDIAOPS_CHROMIUM", "/usr/bin/chromium")
#: viewport pixel of chart time ``x`` (seconds; the axis counts milliseconds) at value ``y`` of ``axis``
#: (the middle of the axis when null)
JS_POINT = """({x, axis, y}) => {
    const c = document.getElementById('chart'), L = c._fullLayout, r = c.getBoundingClientRect();
    const ax = L[axis], value = y === null ? (ax.range[0] + ax.range[1]) / 2 : y;
    return {x: r.left + L.xaxis._offset + L.xaxis.l2p(x * 1000), y: r.top + ax._offset + ax.l2p(value)};
}"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file() and shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("chromium missing: .ci/run must apt-get install chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).is_file()
                                             else shutil.which("chromium"), args=["--no-sandbox"])
        yield browser
        browser.close()


def _open(browser, page_file: Path):
    page = browser.new_page(viewport={"width": 1400, "height": 1500})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return page, problems, requests


def test_report_loads_offline_with_chart_and_markers(browser, tmp_path: Path) -> None:
    out = write_output_folder(tmp_path / "out", with_clip_files=True)
    render_reports(out, ReportOptions(lang="zh", formats=("html",)))
    page, problems, requests = _open(browser, out / "report.html")
    page.screenshot(path=str(tmp_path / "report.png"))
    # only the page itself was requested: no CDN, no network
    assert requests == [(out / "report.html").as_uri()], requests
    assert problems == []
    # the chart drew every kind of marker: curves, spikes, clip spans, pitches, scene cuts
    metas = page.evaluate("Array.from(document.getElementById('chart').data, d => d.meta)")
    assert {"metric", "spikes", "clips", "pitches", "scenes"} <= set(metas)
    assert page.locator("#chart .scatterlayer .trace").count() >= 8
    assert page.locator("#chart .scatterlayer .point").count() >= 6 + 4 * 3 + 5
    assert page.locator("#chart .shapelayer path").count() >= 5  # scene-cut lines and pitch shading
    shown_spikes = page.evaluate(
        "document.getElementById('chart').data.filter(d => d.meta === 'spikes').reduce((n, d) => n + d.x.length, 0)")
    assert shown_spikes == 6
    # every plotted time lies on the stream's 20 minutes (Plotly reads some numbers on a date axis as years)
    span = page.evaluate("""() => { const xs = document.getElementById('chart').calcdata.flat()
        .map(d => d.x).filter(x => typeof x === 'number' && isFinite(x));
        return [Math.min(...xs), Math.max(...xs)]; }""")
    assert span[0] >= 0 and span[1] <= 1200 * 1000, span

    # hover over the chart at the blender pitch: the transcript of that moment appears
    box = page.evaluate(JS_POINT, {"x": 200, "axis": "yaxis", "y": None})
    page.mouse.move(box["x"], box["y"])
    page.wait_for_function("document.getElementById('transcript-now').textContent.includes('破壁料理机')",
                           timeout=15_000)

    # click clip-02's span in the band: the player loads that clip file
    point = page.evaluate(JS_POINT, {"x": 435, "axis": "yaxis5", "y": 2})
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("document.getElementById('clip-player').getAttribute('data-clip') === 'clip-02'",
                           timeout=15_000)
    assert page.evaluate("document.getElementById('clip-player').src").endswith("/clips/clip-02.mp4")
    assert not page.evaluate("document.getElementById('clip-player').hidden")
    page.screenshot(path=str(tmp_path / "report-after-click.png"))
    assert not [p for p in problems if "error" in p], problems
    assert all(u.startswith("file://") for u in requests), requests


def test_comparison_page_loads_offline(browser, tmp_path: Path) -> None:
    first = write_output_folder(tmp_path / "week1")
    second = write_output_folder(tmp_path / "week2", extra_columns=True)
    write_comparison([first, second], tmp_path / "cmp", CompareOptions(lang="en"))
    page, problems, requests = _open(browser, tmp_path / "cmp" / "compare.html")
    page.screenshot(path=str(tmp_path / "compare.png"))
    assert problems == [] and requests == [(tmp_path / "cmp" / "compare.html").as_uri()]
    assert page.locator("#chart .barlayer .point").count() == 6
