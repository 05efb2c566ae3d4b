"""The timeline chart described once (``report/chart_data.py``) and drawn from that description by the Plotly
(HTML) and Matplotlib (PDF) renderers, on the deterministic report stream of ``tests/retro_data.py``. Pure: no
media, no browser, nothing saved.

Wrong implementations these tests reject:
- a clip, pitch, spike or scene cut dropped, repeated or moved: a pitch drawn once per mention instead of once per
  span (every planted pitch has 3 mentions), the scene "cut" at 0 s drawn, a clip's player index not its position;
- GMV spikes read on the orders axis (or the reverse), or a spike's hover fields taken from another spike;
- products coloured per pitch instead of per product, a product's second pitch given a second legend entry, or
  colours running out after eight products;
- a blank (NaN) cell drawn as 0, or dropped so that the line bridges the gap (in the description, the Plotly trace
  and the PDF's stepped area alike);
- a missing metric column drawn as a zero line (a curve, a trace or a PDF axis where the export had no column);
- curve points at the row starts instead of the row middles (half a row early against spikes and cuts);
- the transcript on every curve (the shared hover box would repeat it), or a sentence shown long after it ended;
- ticks at arbitrary fractions of the duration, more than twelve of them, or stopping short of the end;
- the two renderers drawing different spans (each computing its own instead of drawing the description).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from mediaops.report.chart import build_figure, figure_traces
from mediaops.report.chart_data import (
    PRODUCT_COLOURS,
    TimelineChart,
    build_chart,
    time_ticks,
    transcript_at,
)
from mediaops.report.i18n import clock
from mediaops.report.tables import cause_text
from mediaops.retrospective.document import Retrospective, build_retrospective
from mediaops.types import PitchSegment, Segment, Timeline
from tests.retro_data import DURATION_S, PITCHES, SCENE_CUTS, STEP_S, build_timeline, build_transcript


def _retro(timeline: Timeline | None = None, transcript: bool = True) -> Retrospective:
    return build_retrospective(timeline or build_timeline(), build_transcript().segments if transcript else ())


def _without(timeline: Timeline, *names: str) -> Timeline:
    assert timeline.metrics is not None
    series = tuple(s for s in timeline.metrics.series if s.name not in names)
    return replace(timeline, metrics=replace(timeline.metrics, series=series))


def _blanked(timeline: Timeline, blanks: dict[str, tuple[int, ...]]) -> Timeline:
    assert timeline.metrics is not None
    series = tuple(
        replace(s, values=tuple(math.nan if i in blanks.get(s.name, ()) else v for i, v in enumerate(s.values)))
        for s in timeline.metrics.series
    )
    return replace(timeline, metrics=replace(timeline.metrics, series=series))


def _figure_subplots():
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure().subplots(3, 1, sharex=True)


@pytest.fixture(scope="module")
def chart() -> TimelineChart:
    return build_chart(_retro(), "en")


def test_every_clip_pitch_spike_and_cut_appears_once(chart: TimelineChart) -> None:
    timeline = build_timeline()
    assert [(c.id, c.start_s, c.end_s, c.title) for c in chart.clips] == [
        (c.id, c.start_s, c.end_s, c.title) for c in timeline.clips]
    # one span per pitch (each has 3 mentions), one group per product, in order of first pitch
    assert [g.sku for g in chart.pitches] == [p[0] for p in PITCHES]
    assert [(s.start_s, s.end_s, s.name) for s, _ in chart.pitch_spans()] == [(p[2], p[3], p[1]) for p in PITCHES]
    assert chart.scene_cuts_s == SCENE_CUTS
    markers = {m.id: (group, m) for group in chart.spikes for m in group.markers}
    assert sum(len(g.markers) for g in chart.spikes) == len(timeline.sales_spikes) == len(markers) == 6
    retro = _retro()
    for spike in timeline.sales_spikes:
        group, marker = markers[spike.id]
        assert (group.metric, marker.t_s, marker.value, marker.clip_id) == (spike.metric, spike.t_s, spike.value,
                                                                             spike.clip_id)
        assert marker.cause == cause_text(retro, spike, "en") and "pitch + clip" in marker.cause
        assert group.side == ("right" if spike.metric == "gmv" else "left")


def test_the_html_figure_draws_the_description(chart: TimelineChart) -> None:
    traces = figure_traces(chart)
    by_meta = {meta: [t for t in traces if t["meta"] == meta] for meta in ("metric", "spikes", "clips", "pitches",
                                                                           "scenes")}
    assert [t["name"] for t in by_meta["metric"]] == ["Online viewers", "Comments", "Likes", "Orders", "GMV"]
    assert sum(len(t["x"]) for t in by_meta["spikes"]) == 6
    assert [t["showlegend"] for t in by_meta["spikes"]] == [True, False]  # one legend entry for all spikes
    assert {t["yaxis"] for t in by_meta["spikes"]} == {"y3", "y4"}
    # the page's script plays customdata[0] of a clip point: it must be the clip's position
    (clips,) = by_meta["clips"]
    played = {(c[0], c[1]) for c in clips["customdata"] if c is not None}
    assert played == {(i, c.id) for i, c in enumerate(chart.clips)}
    assert [t["name"] for t in by_meta["pitches"]] == [f"Product pitch: {p[1]}" for p in PITCHES]
    assert by_meta["scenes"][0]["x"] == list(SCENE_CUTS)
    # the finished figure has every time on the clock axis, pitches shaded and cuts drawn once each
    figure = build_figure(_retro(), "en")
    assert figure["data"][0]["x"][0] == "1970-01-01 00:00:05.000"
    assert len(figure["layout"]["shapes"]) == len(SCENE_CUTS) + len(PITCHES)


def test_products_keep_one_colour_and_one_legend_entry() -> None:
    names = [f"P{i}" for i in range(10)]
    pitches = (PitchSegment("S0", "P0", 10.0, 60.0, 5), PitchSegment("S1", "P1", 70.0, 100.0, 1),
               PitchSegment("S0", "P0 again", 110.0, 150.0, 2),
               *(PitchSegment(f"S{i}", names[i], 100.0 * i, 100.0 * i + 50, 1) for i in range(2, 10)))
    chart = build_chart(_retro(replace(build_timeline(), pitches=pitches)), "en")
    assert [g.sku for g in chart.pitches] == [f"S{i}" for i in range(10)]
    first = chart.pitches[0]
    assert (first.name, [s.name for s in first.spans]) == ("P0", ["P0", "P0 again"])
    assert [g.colour for g in chart.pitches] == [PRODUCT_COLOURS[i % len(PRODUCT_COLOURS)] for i in range(10)]
    starts = [s.start_s for s, _ in chart.pitch_spans()]
    assert starts == sorted(starts) and len(starts) == len(pitches)
    assert [t["name"] for t in figure_traces(chart) if t["meta"] == "pitches"] == [
        f"Product pitch: {n}" for n in names]


def test_blank_cells_are_gaps_not_zeros() -> None:
    from mediaops.report.chart import orders_trace
    from mediaops.report.pdf import _draw_engagement, _draw_sales

    blanks = {"orders": (4, 50), "online_viewers": (10,), "gmv": (20,)}
    timeline = _blanked(build_timeline(), blanks)
    chart = build_chart(_retro(timeline), "zh")
    assert timeline.metrics is not None
    for curve in (*chart.engagement, chart.orders, chart.gmv):
        assert curve is not None
        source = timeline.metrics.get(curve.metric)
        assert source is not None and len(curve.values) == len(curve.t_s) == len(source.values)
        assert [i for i, v in enumerate(curve.values) if v is None] == list(blanks.get(curve.metric, ()))
    # the rows either side really sold nothing: a zero stays a zero, a blank stays a blank
    assert chart.orders is not None and chart.orders.values[3:6] == (0.0, None, 0.0)
    assert orders_trace(chart.orders)["y"][3:6] == [0.0, None, 0.0]  # Plotly leaves a gap at null
    top, middle, _band = _figure_subplots()
    _draw_engagement(top, chart)
    _draw_sales(middle, chart)
    viewers = top.get_lines()[0].get_ydata()
    assert math.isnan(viewers[10]) and len(viewers) == len(chart.engagement[0].values)
    (area,) = middle.patches  # the orders' stepped area
    heights = area.get_data().values
    assert math.isnan(heights[4]) and math.isnan(heights[50]) and heights[3] == heights[5] == 0.0


def test_missing_columns_give_no_curve_and_no_axis() -> None:
    from mediaops.report.pdf import _draw_engagement, _draw_sales

    chart = build_chart(_retro(_without(build_timeline(), "gmv", "likes")), "en")
    assert chart.gmv is None and chart.orders is not None
    assert [c.metric for c in chart.engagement] == ["online_viewers", "comments"]
    names = [t["name"] for t in figure_traces(chart) if t["meta"] == "metric"]
    assert names == ["Online viewers", "Comments", "Orders"]
    top, middle, _band = _figure_subplots()
    _draw_engagement(top, chart)
    _draw_sales(middle, chart)
    assert len(top.figure.axes) == 4  # three panels and the engagement counts' right axis; no GMV axis
    assert [line.get_label() for line in top.figure.axes[3].get_lines()] == ["Comments"]
    # without a GMV axis every spike is drawn, and named, on the orders axis
    assert sorted(a.get_text() for a in middle.texts) == sorted(s.id for s in build_timeline().sales_spikes)

    bare = build_chart(_retro(replace(build_timeline(), metrics=None)), "en")
    assert (bare.engagement, bare.orders, bare.gmv) == ((), None, None)
    assert not [t for t in figure_traces(bare) if t["meta"] == "metric"]


def test_points_sit_at_row_middles(chart: TimelineChart) -> None:
    for curve in (*chart.engagement, chart.orders, chart.gmv):
        assert curve is not None
        assert curve.t_s[:3] == (STEP_S / 2, STEP_S * 1.5, STEP_S * 2.5)
        edges = curve.edges_s()
        assert (edges[0], edges[-1], len(edges)) == (0.0, DURATION_S, len(curve.t_s) + 1)


def test_transcript_rides_on_the_first_curve_only(chart: TimelineChart) -> None:
    first, *others = chart.engagement
    assert len(first.transcript) == len(first.t_s)
    assert all(not c.transcript for c in others)
    at_blender = first.transcript[first.t_s.index(205.0)]
    assert "破壁料理机" in at_blender
    assert not build_chart(_retro(transcript=False), "en").engagement[0].transcript


@pytest.mark.parametrize(("t_s", "expected"), [
    (-1.0, ""), (0.0, "a"), (5.5, "a"), (6.5, ""), (10.0, "b"), (13.9, "b"), (30.0, ""),
], ids=["before-first", "at-start", "within-hold", "after-hold", "next-starts", "end-hold", "long-after"])
def test_transcript_at_holds_a_sentence_two_seconds(t_s: float, expected: str) -> None:
    segments = [Segment(0.0, 4.0, "a"), Segment(10.0, 12.0, "b")]
    assert transcript_at(segments, t_s) == expected


@pytest.mark.parametrize("end_s", [1.0, 45.0, 1200.0, 3601.0, 6 * 3600.0, 13 * 3600.0],
                         ids=["1s", "45s", "20min", "1h", "6h", "13h"])
def test_ticks_are_round_and_cover_the_duration(end_s: float) -> None:
    ticks = time_ticks(end_s)
    values = ticks.values_s
    step = values[1] - values[0] if len(values) > 1 else 10.0
    assert values[0] == 0.0 and step in (10, 30, 60, 120, 300, 600, 900, 1800, 3600)
    assert all(v == i * step for i, v in enumerate(values))  # evenly spaced on round steps
    assert values[-1] <= end_s < values[-1] + step  # the last tick is within one step of the end
    assert len(values) <= 13 or step == 3600  # hourly ticks only beyond 12 hours
    assert ticks.labels == tuple(clock(v) for v in values)


def test_twenty_minutes_tick_every_two_minutes(chart: TimelineChart) -> None:
    assert chart.end_s == DURATION_S
    assert chart.ticks.labels[:3] == ("0:00:00", "0:02:00", "0:04:00") and chart.ticks.labels[-1] == "0:20:00"


def test_both_renderers_draw_the_same_spans_and_cuts(chart: TimelineChart) -> None:
    from mediaops.report.pdf import _draw_clips, _draw_cuts, _draw_pitches

    traces = figure_traces(chart)

    def plotly_spans(meta: str) -> list[tuple[float, float]]:
        xs = [x for t in traces if t["meta"] == meta for x in t["x"]]
        return sorted((xs[i], xs[i + 2]) for i in range(0, len(xs), 4))  # start, middle, end, gap

    top, middle, band = _figure_subplots()
    _draw_pitches(band, (top, middle), chart)
    _draw_clips(band, chart)
    _draw_cuts(band, (top, middle, band), chart)
    bars: dict[float, list[tuple[float, float]]] = {}
    for path in (path for collection in band.collections for path in collection.get_paths()):
        xs, ys = path.vertices[:, 0], path.vertices[:, 1]
        bars.setdefault(round(float(ys.min() + ys.max()) / 2, 3), []).append((float(xs.min()), float(xs.max())))
    assert sorted(bars[1.0]) == plotly_spans("pitches") == [(p[2], p[3]) for p in PITCHES]
    assert sorted(bars[2.0]) == plotly_spans("clips") == sorted((c.start_s, c.end_s) for c in chart.clips)
    # one shading artist per product colour on each upper panel, and a dotted line per cut on every panel
    assert len(top.collections) == len(middle.collections) == len(PITCHES) + 1
    assert list(band.get_lines()[0].get_xdata()) == list(SCENE_CUTS)
