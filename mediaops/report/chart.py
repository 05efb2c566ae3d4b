"""The interactive timeline chart of the HTML report: the :class:`~mediaops.report.chart_data.TimelineChart` as a
Plotly figure (plain JSON-ready dicts), one small builder per kind of trace.

Times are placed on a date axis that starts at the epoch (Plotly then labels them ``H:MM:SS``). Scene cuts are
drawn in the band and as dotted lines across every panel; pitches as bars in the band and as a faint shade
behind the curves.
"""

from __future__ import annotations

from typing import Any

from mediaops.report.chart_data import (
    BAND_CLIPS,
    BAND_LIMITS,
    BAND_PITCHES,
    BAND_SCENES,
    CLIP_COLOUR,
    CUT_COLOUR,
    GMV_COLOUR,
    ORDERS_COLOUR,
    SPIKE_COLOUR,
    ClipSpan,
    Curve,
    PitchGroup,
    Scale,
    SpikeGroup,
    TimelineChart,
    build_chart,
)
from mediaops.report.i18n import clock, labels
from mediaops.retrospective.document import Retrospective

Trace = dict[str, Any]
_FONTS = "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def engagement_trace(curve: Curve, t: dict[str, str]) -> Trace:
    """A top-panel curve; one carrying the transcript shows it in the shared hover box."""
    trace: Trace = {
        "type": "scatter", "mode": "lines", "name": curve.label, "x": list(curve.t_s), "y": list(curve.values),
        "xaxis": "x", "yaxis": "y" if curve.side == "left" else "y2", "meta": "metric",
        "hovertemplate": f"{curve.label}: %{{y:,.0f}}<extra></extra>",
    }
    if curve.transcript:
        trace["customdata"] = [_short(text) for text in curve.transcript]
        trace["hovertemplate"] = (f"{curve.label}: %{{y:,.0f}}<br>"
                                  f"<i>{t['transcript_at']}: %{{customdata}}</i><extra></extra>")
    return trace


def orders_trace(curve: Curve) -> Trace:
    """Orders per row as bars on the middle panel's left axis."""
    return {"type": "bar", "name": curve.label, "x": list(curve.t_s), "y": list(curve.values), "xaxis": "x",
            "yaxis": "y3", "meta": "metric", "hovertemplate": f"{curve.label}: %{{y:,.0f}}<extra></extra>",
            "marker": {"color": ORDERS_COLOUR}, "width": curve.interval_s * 0.9}


def gmv_trace(curve: Curve) -> Trace:
    """GMV per row as a line on the middle panel's right axis."""
    return {"type": "scatter", "name": curve.label, "x": list(curve.t_s), "y": list(curve.values), "xaxis": "x",
            "yaxis": "y4", "meta": "metric", "hovertemplate": f"{curve.label}: %{{y:,.2f}}<extra></extra>",
            "mode": "lines", "line": {"color": GMV_COLOUR}}


def spike_trace(group: SpikeGroup, t: dict[str, str], show_legend: bool) -> Trace:
    """The spikes of one metric as triangles; every group shares one legend entry."""
    markers = group.markers
    return {
        "type": "scatter", "mode": "markers", "name": t["spike"], "meta": "spikes", "legendgroup": "spikes",
        "showlegend": show_legend, "x": [m.t_s for m in markers], "y": [m.value for m in markers],
        "xaxis": "x", "yaxis": "y4" if group.side == "right" else "y3", "cliponaxis": False,
        "marker": {"symbol": "triangle-up", "size": 14, "color": SPIKE_COLOUR, "line": {"width": 1, "color": "#fff"}},
        "customdata": [[m.id, m.metric_label, m.cause, m.clip_id or "—", f"{m.confidence:.2f}"] for m in markers],
        "hovertemplate": ("<b>%{customdata[0]}</b> %{customdata[1]} %{y:,}<br>"
                          f"{t['cause']}: %{{customdata[2]}}<br>{t['clip']}: %{{customdata[3]}} · "
                          f"{t['confidence']} %{{customdata[4]}}<extra></extra>"),
    }


def clip_trace(clips: tuple[ClipSpan, ...], t: dict[str, str]) -> Trace:
    """Every clip as a thick bar in the band (start, middle and end points, a gap between clips); each point
    carries the clip's index, which the page's script plays on click."""
    x: list[float | None] = []
    custom: list[list[Any] | None] = []
    for index, clip in enumerate(clips):
        fields = [index, clip.id, clock(clip.start_s), clock(clip.end_s), clip.title]
        x += [clip.start_s, (clip.start_s + clip.end_s) / 2, clip.end_s, None]
        custom += [fields] * 3 + [None]
    return {
        "type": "scatter", "mode": "lines+markers", "name": t["clips"], "meta": "clips",
        "x": x, "y": [None if v is None else BAND_CLIPS for v in x], "xaxis": "x", "yaxis": "y5",
        "line": {"color": CLIP_COLOUR, "width": 14}, "marker": {"size": 10, "color": CLIP_COLOUR},
        "customdata": custom,
        "hovertemplate": ("<b>%{customdata[1]}</b> %{customdata[2]}–%{customdata[3]} %{customdata[4]}"
                          f"<br>{t['play']} ▶<extra></extra>"),
    }


def pitch_trace(group: PitchGroup, t: dict[str, str]) -> Trace:
    """One product's pitches as bars in its colour in the band."""
    x: list[float | None] = []
    custom: list[list[str] | None] = []
    for span in group.spans:
        x += [span.start_s, span.mid_s, span.end_s, None]
        custom += [[span.name, clock(span.start_s), clock(span.end_s)]] * 3 + [None]
    return {
        "type": "scatter", "mode": "lines", "name": f"{t['pitch']}: {group.name}", "meta": "pitches",
        "x": x, "y": [None if v is None else BAND_PITCHES for v in x], "xaxis": "x", "yaxis": "y5",
        "line": {"color": group.colour, "width": 14}, "customdata": custom,
        "hovertemplate": "%{customdata[0]} %{customdata[1]}–%{customdata[2]}<extra></extra>",
    }


def scene_trace(cuts_s: tuple[float, ...], t: dict[str, str]) -> Trace:
    """Scene cuts as ticks in the band."""
    return {
        "type": "scatter", "mode": "markers", "name": t["scene_cut"], "meta": "scenes",
        "x": list(cuts_s), "y": [BAND_SCENES] * len(cuts_s), "xaxis": "x", "yaxis": "y5",
        "marker": {"symbol": "line-ns-open", "size": 16, "color": CUT_COLOUR, "line": {"width": 2}},
        "customdata": [clock(c) for c in cuts_s],
        "hovertemplate": f"{t['scene_cut']} %{{customdata}}<extra></extra>",
    }


def figure_traces(chart: TimelineChart) -> list[Trace]:
    """Every trace of the chart, in drawing order; kinds with nothing to show get no trace."""
    t = labels(chart.lang)
    traces = [engagement_trace(curve, t) for curve in chart.engagement]
    traces += [orders_trace(chart.orders)] if chart.orders else []
    traces += [gmv_trace(chart.gmv)] if chart.gmv else []
    traces += [spike_trace(group, t, show_legend=i == 0) for i, group in enumerate(chart.spikes)]
    traces += [clip_trace(chart.clips, t)] if chart.clips else []
    traces += [pitch_trace(group, t) for group in chart.pitches]
    traces += [scene_trace(chart.scene_cuts_s, t)] if chart.scene_cuts_s else []
    return traces


def figure_shapes(chart: TimelineChart) -> list[dict[str, Any]]:
    """Dotted scene-cut lines across every panel and a faint shade behind the curves during each pitch."""
    shapes = [
        {"type": "line", "xref": "x", "yref": "paper", "x0": c, "x1": c, "y0": 0, "y1": 1,
         "line": {"color": "#999", "width": 1, "dash": "dot"}, "layer": "below"}
        for c in chart.scene_cuts_s
    ]
    return shapes + [
        {"type": "rect", "xref": "x", "yref": "paper", "x0": span.start_s, "x1": span.end_s, "y0": 0.2, "y1": 1,
         "fillcolor": colour, "opacity": 0.07, "line": {"width": 0}, "layer": "below"}
        for span, colour in chart.pitch_spans()
    ]


def _value_axis(scale: Scale) -> dict[str, Any]:
    # fixed round ticks: Plotly's own ticks on an overlaying axis follow the other axis' grid (121/241/362)
    return {"range": [0, scale.top], "tickmode": "array", "tickvals": list(scale.ticks),
            "ticktext": list(scale.labels)}


def figure_layout(chart: TimelineChart) -> dict[str, Any]:
    """The three panels' axes (times in seconds; :func:`build_figure` moves them onto the clock axis)."""
    titles = chart.axis_titles
    scales = chart.scales
    return {
        "height": 620,
        "margin": {"l": 70, "r": 70, "t": 30, "b": 50},
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.12},
        "font": {"family": _FONTS},
        "xaxis": {"range": [0, chart.end_s], "tickvals": list(chart.ticks.values_s),
                  "ticktext": list(chart.ticks.labels), "anchor": "y5",
                  "showspikes": True, "spikemode": "across", "spikethickness": 1},
        "yaxis": {"domain": [0.62, 1.0], "title": {"text": titles.viewers}, **_value_axis(scales.viewers)},
        "yaxis2": {"domain": [0.62, 1.0], "overlaying": "y", "side": "right", "title": {"text": titles.engagement},
                   "showgrid": False, **_value_axis(scales.engagement)},
        "yaxis3": {"domain": [0.22, 0.58], "title": {"text": titles.orders}, **_value_axis(scales.orders)},
        "yaxis4": {"domain": [0.22, 0.58], "overlaying": "y3", "side": "right", "title": {"text": titles.gmv},
                   "showgrid": False, **_value_axis(scales.gmv)},
        "yaxis5": {"domain": [0.0, 0.16], "range": list(BAND_LIMITS),
                   "tickvals": [BAND_SCENES, BAND_PITCHES, BAND_CLIPS], "ticktext": list(chart.band_labels),
                   "fixedrange": True, "showgrid": False, "zeroline": False},
        "shapes": figure_shapes(chart),
    }


def build_figure(retro: Retrospective, lang: str) -> dict[str, Any]:
    """The Plotly figure (``{"data": [...], "layout": {...}}``) of the report's timeline chart."""
    chart = build_chart(retro, lang)
    return _on_clock_axis({"data": figure_traces(chart), "layout": figure_layout(chart)})


def _ms(value: float | None) -> str | None:
    # date strings, not numbers: Plotly reads a small number on a date axis as a year
    if value is None:
        return None
    ms = max(0, round(value * 1000))
    days, ms = divmod(ms, 86_400_000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    return f"1970-01-{1 + days:02d} {hours:02d}:{minutes:02d}:{ms // 1000:02d}.{ms % 1000:03d}"


def _on_clock_axis(figure: dict[str, Any]) -> dict[str, Any]:
    """Move every time from seconds onto a date axis starting at the epoch, so that Plotly shows ``H:MM:SS`` in
    hover labels too (a numeric axis can only print the seconds)."""
    for trace in figure["data"]:
        trace["x"] = [_ms(v) for v in trace["x"]]
        if "width" in trace:
            trace["width"] = trace["width"] * 1000
    for shape in figure["layout"]["shapes"]:
        shape["x0"], shape["x1"] = _ms(shape["x0"]), _ms(shape["x1"])
    axis = figure["layout"]["xaxis"]
    axis.update(type="date", range=[_ms(v) for v in axis["range"]], tickvals=[_ms(v) for v in axis["tickvals"]],
                hoverformat="%H:%M:%S")
    return figure
