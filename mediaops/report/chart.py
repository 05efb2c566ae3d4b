"""The interactive timeline chart of the HTML report, as a Plotly figure (plain JSON-ready dicts).

Times are placed on a date axis that starts at the epoch (Plotly then labels them ``H:MM:SS``).

Three stacked panels share the time axis: engagement curves (top), orders and GMV with the sales spikes
(middle), and a band with the clips, product pitches and scene cuts (bottom). Scene cuts are also drawn as
dotted lines across every panel.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Any

from mediaops.report.i18n import clock, labels
from mediaops.report.tables import cause_text, metric_label
from mediaops.retrospective.document import Retrospective
from mediaops.types import MetricSeries, Segment

#: engagement curves drawn on the top panel (online viewers on the left axis, counts on the right).
ENGAGEMENT_SERIES = ("online_viewers", "viewers_entered", "comments", "likes", "shares", "gifts", "new_followers")
PRODUCT_COLOURS = ("#2ca02c", "#9467bd", "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#7f7f7f", "#1f77b4")
CLIP_COLOUR = "#ff7f0e"
SPIKE_COLOUR = "#d62728"

_BAND_CLIPS, _BAND_PITCHES, _BAND_SCENES = 2.0, 1.0, 0.0


def transcript_at(segments: tuple[Segment, ...] | list[Segment], t_s: float, starts: list[float] | None = None) -> str:
    """The text being said at ``t_s`` (the segment that contains it, else the last one begun before it)."""
    starts = starts if starts is not None else [s.start_s for s in segments]
    index = bisect_right(starts, t_s) - 1
    if index < 0:
        return ""
    segment = segments[index]
    return segment.text if t_s <= segment.end_s + 2.0 else ""


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ticks(end_s: float) -> tuple[list[float], list[str]]:
    """Round tick positions (seconds) and their clock labels for a time axis of ``end_s`` seconds."""
    steps = (10, 30, 60, 120, 300, 600, 900, 1800, 3600)
    step = next((s for s in steps if end_s / s <= 12), 3600)
    values = [float(v) for v in range(0, int(end_s) + 1, step)]
    return values, [clock(v) for v in values]


def _values(series: MetricSeries) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in series.values]


def _mid_times(series: MetricSeries) -> list[float]:
    # a row covers [t, t + interval): plot it at its middle so it lines up with spikes and cuts
    return [round(t + series.interval_s / 2, 3) for t in series.t_s]


def build_figure(retro: Retrospective, lang: str) -> dict[str, Any]:
    """The Plotly figure (``{"data": [...], "layout": {...}}``) of the report's timeline chart."""
    t = labels(lang)
    timeline = retro.timeline
    metrics = timeline.metrics
    end_s = max(timeline.recording.duration_s, 1.0)
    segments = retro.transcript
    starts = [s.start_s for s in segments]
    traces: list[dict[str, Any]] = []

    first_engagement = True
    for name in ENGAGEMENT_SERIES:
        series = metrics.get(name) if metrics else None
        if series is None:
            continue
        x = _mid_times(series)
        trace: dict[str, Any] = {
            "type": "scatter", "mode": "lines", "name": metric_label(name, lang), "x": x, "y": _values(series),
            "xaxis": "x", "yaxis": "y" if name == "online_viewers" else "y2", "meta": "metric",
            "hovertemplate": f"{metric_label(name, lang)}: %{{y:,.0f}}<extra></extra>",
        }
        if first_engagement and segments:
            # the first curve carries the transcript at each sample into the shared hover box
            trace["customdata"] = [_short(transcript_at(segments, v, starts)) for v in x]
            trace["hovertemplate"] = (f"{metric_label(name, lang)}: %{{y:,.0f}}<br>"
                                      f"<i>{t['transcript_at']}: %{{customdata}}</i><extra></extra>")
        first_engagement = False
        traces.append(trace)

    for name, yaxis, kind in (("orders", "y3", "bar"), ("gmv", "y4", "scatter")):
        series = metrics.get(name) if metrics else None
        if series is None:
            continue
        trace = {"type": kind, "name": metric_label(name, lang), "x": _mid_times(series), "y": _values(series),
                 "xaxis": "x", "yaxis": yaxis, "meta": "metric",
                 "hovertemplate": f"{metric_label(name, lang)}: %{{y:,.{2 if name == 'gmv' else 0}f}}<extra></extra>"}
        if kind == "bar":
            trace.update(marker={"color": "#aec7e8"}, width=series.interval_s * 0.9)
        else:
            trace.update(mode="lines", line={"color": "#8c564b"})
        traces.append(trace)

    spike_axes = {"gmv": "y4"}
    for number, metric in enumerate(dict.fromkeys(s.metric for s in timeline.sales_spikes)):
        spikes = [s for s in timeline.sales_spikes if s.metric == metric]
        traces.append({
            "type": "scatter", "mode": "markers", "name": t["spike"], "meta": "spikes", "legendgroup": "spikes",
            "showlegend": number == 0, "x": [s.t_s for s in spikes], "y": [s.value for s in spikes],
            "xaxis": "x", "yaxis": spike_axes.get(metric, "y3"),
            "marker": {"symbol": "triangle-up", "size": 14, "color": SPIKE_COLOUR,
                       "line": {"width": 1, "color": "#fff"}},
            "customdata": [[s.id, metric_label(s.metric, lang), cause_text(retro, s, lang), s.clip_id or "—",
                            f"{s.confidence:.2f}"] for s in spikes],
            "hovertemplate": ("<b>%{customdata[0]}</b> %{customdata[1]} %{y:,}<br>"
                              f"{t['cause']}: %{{customdata[2]}}<br>{t['clip']}: %{{customdata[3]}} · "
                              f"{t['confidence']} %{{customdata[4]}}<extra></extra>"),
        })

    clips = timeline.clips
    if clips:
        x: list[float | None] = []
        custom: list[list[Any] | None] = []
        for index, clip in enumerate(clips):
            mid = (clip.start_s + clip.end_s) / 2
            for point in (clip.start_s, mid, clip.end_s):
                x.append(point)
                custom.append([index, clip.id, clock(clip.start_s), clock(clip.end_s), clip.title or ""])
            x.append(None)
            custom.append(None)
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": t["clips"], "meta": "clips",
            "x": x, "y": [None if v is None else _BAND_CLIPS for v in x], "xaxis": "x", "yaxis": "y5",
            "line": {"color": CLIP_COLOUR, "width": 14}, "marker": {"size": 10, "color": CLIP_COLOUR},
            "customdata": custom,
            "hovertemplate": (f"<b>%{{customdata[1]}}</b> %{{customdata[2]}}–%{{customdata[3]}} %{{customdata[4]}}"
                              f"<br>{t['play']} ▶<extra></extra>"),
        })

    colours = {sku: PRODUCT_COLOURS[i % len(PRODUCT_COLOURS)]
               for i, sku in enumerate(dict.fromkeys(p.sku for p in timeline.pitches))}
    for sku, colour in colours.items():
        mine = [p for p in timeline.pitches if p.sku == sku]
        x, custom = [], []
        for pitch in mine:
            x += [pitch.start_s, (pitch.start_s + pitch.end_s) / 2, pitch.end_s, None]
            custom += [[pitch.name, clock(pitch.start_s), clock(pitch.end_s)]] * 3 + [None]
        traces.append({
            "type": "scatter", "mode": "lines", "name": f"{t['pitch']}: {mine[0].name}", "meta": "pitches",
            "x": x, "y": [None if v is None else _BAND_PITCHES for v in x], "xaxis": "x", "yaxis": "y5",
            "line": {"color": colour, "width": 14}, "customdata": custom,
            "hovertemplate": "%{customdata[0]} %{customdata[1]}–%{customdata[2]}<extra></extra>",
        })

    cuts = [s.start_s for s in timeline.scenes if s.start_s > 0]
    if cuts:
        traces.append({
            "type": "scatter", "mode": "markers", "name": t["scene_cut"], "meta": "scenes",
            "x": cuts, "y": [_BAND_SCENES] * len(cuts), "xaxis": "x", "yaxis": "y5",
            "marker": {"symbol": "line-ns-open", "size": 16, "color": "#555", "line": {"width": 2}},
            "customdata": [clock(c) for c in cuts],
            "hovertemplate": f"{t['scene_cut']} %{{customdata}}<extra></extra>",
        })

    shapes = [
        {"type": "line", "xref": "x", "yref": "paper", "x0": c, "x1": c, "y0": 0, "y1": 1,
         "line": {"color": "#999", "width": 1, "dash": "dot"}, "layer": "below"}
        for c in cuts
    ]
    shapes += [
        {"type": "rect", "xref": "x", "yref": "paper", "x0": p.start_s, "x1": p.end_s, "y0": 0.2, "y1": 1,
         "fillcolor": colours[p.sku], "opacity": 0.07, "line": {"width": 0}, "layer": "below"}
        for p in timeline.pitches
    ]
    tick_values, tick_text = ticks(end_s)
    band_labels = [t["scene_cut"], t["pitch"], t["clips"]]
    layout: dict[str, Any] = {
        "height": 620,
        "margin": {"l": 70, "r": 70, "t": 30, "b": 50},
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.12},
        "font": {"family": "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"},
        "xaxis": {"range": [0, end_s], "tickvals": tick_values, "ticktext": tick_text, "anchor": "y5",
                  "showspikes": True, "spikemode": "across", "spikethickness": 1},
        "yaxis": {"domain": [0.62, 1.0], "title": {"text": metric_label("online_viewers", lang)},
                  "rangemode": "tozero"},
        "yaxis2": {"domain": [0.62, 1.0], "overlaying": "y", "side": "right", "rangemode": "tozero",
                   "title": {"text": t["engagement"]}, "showgrid": False},
        "yaxis3": {"domain": [0.22, 0.58], "title": {"text": metric_label("orders", lang)}, "rangemode": "tozero"},
        "yaxis4": {"domain": [0.22, 0.58], "overlaying": "y3", "side": "right", "rangemode": "tozero",
                   "title": {"text": "GMV"}, "showgrid": False},
        "yaxis5": {"domain": [0.0, 0.16], "range": [-0.6, 2.6], "tickvals": [0, 1, 2], "ticktext": band_labels,
                   "fixedrange": True, "showgrid": False, "zeroline": False},
        "shapes": shapes,
    }
    return _on_clock_axis({"data": traces, "layout": layout})


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
