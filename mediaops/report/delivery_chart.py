"""The host-delivery chart of the insight sections: speaking pace per window (bars, left axis), online viewers
(line, right axis) and dead air (shaded), on the recording's time axis, each axis with round ticks and its unit.

Described once by :func:`delivery_chart` and drawn twice: as inline SVG for the HTML report (:func:`delivery_svg`)
and with Matplotlib for the PDF (:mod:`mediaops.report.pdf`), so both show the same bars, line and scales.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from mediaops.report.chart_data import Scale, Ticks, round_scales, time_ticks
from mediaops.retrospective.insights.types import Insights
from mediaops.types import Metrics


@dataclass(frozen=True, slots=True)
class PaceBar:
    """One window's speaking pace; ``slow`` below the stream's slow threshold."""

    start_s: float
    end_s: float
    rate_per_min: float
    slow: bool


@dataclass(frozen=True, slots=True)
class DeliveryChart:
    """Everything the delivery chart shows, with its text in one language.

    Attributes:
        title: the chart's caption.
        end_s: the end of the time axis (the recording's length).
        pace / pace_title / pace_scale: the bars, the left axis' title (with its unit) and round ticks.
        viewers_t_s / viewers / viewers_title / viewers_scale: the line (a point per export row, at its middle; no
            blank rows), the right axis' title and round ticks.
        dead_air: ``(start_s, end_s)`` of each stretch without speech.
        ticks: the time axis' round ticks.
    """

    title: str
    end_s: float
    pace: tuple[PaceBar, ...]
    pace_title: str
    pace_scale: Scale
    viewers_t_s: tuple[float, ...]
    viewers: tuple[float, ...]
    viewers_title: str
    viewers_scale: Scale
    dead_air: tuple[tuple[float, float], ...]
    ticks: Ticks


def delivery_chart(ins: Insights, metrics: Metrics | None, duration_s: float, title: str, pace_title: str,
                   viewers_title: str) -> DeliveryChart | None:
    """The delivery chart of ``ins``; ``None`` without a recording length or anything to draw."""
    series = metrics.get("online_viewers") if metrics else None
    points = [(t + series.interval_s / 2, v) for t, v in zip(series.t_s, series.values, strict=True)
              if math.isfinite(v)] if series is not None else []
    if duration_s <= 0 or (not points and not ins.pace):
        return None
    pace = tuple(PaceBar(p.start_s, p.end_s, p.rate_per_min, p.slow) for p in ins.pace)
    pace_scale, viewers_scale = round_scales(max((p.rate_per_min for p in pace), default=None),
                                             max((v for _, v in points), default=None))
    return DeliveryChart(
        title=title, end_s=duration_s, pace=pace, pace_title=pace_title, pace_scale=pace_scale,
        viewers_t_s=tuple(t for t, _ in points), viewers=tuple(v for _, v in points), viewers_title=viewers_title,
        viewers_scale=viewers_scale, dead_air=tuple((d.start_s, d.end_s) for d in ins.dead_air),
        ticks=time_ticks(duration_s),
    )


#: bar colours: a normal window, a slow one.
PACE_COLOUR, SLOW_COLOUR = "#aed6f1", "#f0b27a"
VIEWERS_COLOUR, DEAD_AIR_COLOUR = "#1f77b4", "#e74c3c"


def delivery_svg(chart: DeliveryChart | None) -> str:
    """The chart as an inline SVG element (empty for ``None``): bars, line and shading inside a frame, the pace
    scale on the left, the viewers scale on the right, clock times below."""
    if chart is None:
        return ""
    width, height = 960, 230
    left, right, top, bottom = 64, 64, 28, 34
    inner_w, inner_h = width - left - right, height - top - bottom

    def x(t_s: float) -> float:
        return left + inner_w * min(max(t_s, 0.0), chart.end_s) / chart.end_s

    def y(value: float, scale: Scale) -> float:
        return top + inner_h - inner_h * min(max(value, 0.0), scale.top) / scale.top

    title = escape(chart.title)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="insight-chart" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{title}">',
             f'<rect class="frame" x="{left}" y="{top}" width="{inner_w}" height="{inner_h}" fill="#fbfbfb" '
             'stroke="#ddd"/>']
    for value, label in zip(chart.pace_scale.ticks, chart.pace_scale.labels, strict=True):
        at = y(value, chart.pace_scale)
        parts.append(f'<line x1="{left}" x2="{left + inner_w}" y1="{at:.1f}" y2="{at:.1f}" stroke="#eee"/>'
                     f'<text class="tick pace-tick" x="{left - 6}" y="{at + 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#555">{escape(label)}</text>')
    for bar in chart.pace:
        bar_top = y(bar.rate_per_min, chart.pace_scale)
        parts.append(f'<rect class="pace" x="{x(bar.start_s) + 1:.1f}" y="{bar_top:.1f}" '
                     f'width="{max(0.0, x(bar.end_s) - x(bar.start_s) - 2):.1f}" '
                     f'height="{top + inner_h - bar_top:.1f}" fill="{SLOW_COLOUR if bar.slow else PACE_COLOUR}">'
                     f'<title>{bar.rate_per_min:.0f}</title></rect>')
    for start_s, end_s in chart.dead_air:
        parts.append(f'<rect class="dead-air" x="{x(start_s):.1f}" y="{top}" width="{x(end_s) - x(start_s):.1f}" '
                     f'height="{inner_h}" fill="{DEAD_AIR_COLOUR}" fill-opacity="0.3">'
                     f'<title>{end_s - start_s:.0f} s</title></rect>')
    if chart.viewers:
        path = " ".join(f"{x(t):.1f},{y(v, chart.viewers_scale):.1f}"
                        for t, v in zip(chart.viewers_t_s, chart.viewers, strict=True))
        parts.append(f'<polyline class="viewers" points="{path}" fill="none" stroke="{VIEWERS_COLOUR}" '
                     'stroke-width="2"/>')
        for value, label in zip(chart.viewers_scale.ticks, chart.viewers_scale.labels, strict=True):
            parts.append(f'<text class="tick viewers-tick" x="{left + inner_w + 6}" '
                         f'y="{y(value, chart.viewers_scale) + 4:.1f}" font-size="11" fill="{VIEWERS_COLOUR}">'
                         f'{escape(label)}</text>')
        parts.append(f'<text x="{left + inner_w}" y="{top - 10}" font-size="12" text-anchor="end" '
                     f'fill="{VIEWERS_COLOUR}">{escape(chart.viewers_title)} —</text>')
    for value, label in zip(chart.ticks.values_s, chart.ticks.labels, strict=True):
        parts.append(f'<text class="tick time-tick" x="{x(value):.1f}" y="{top + inner_h + 16}" font-size="11" '
                     f'text-anchor="middle" fill="#555">{escape(label)}</text>')
    parts.append(f'<text x="{left}" y="{top - 10}" font-size="12" fill="#555">▮ {escape(chart.pace_title)}</text>')
    parts.append(f'<text x="{left + inner_w / 2:.0f}" y="{top - 10}" font-size="12" text-anchor="middle" '
                 f'fill="#666">{title}</text></svg>')
    return "".join(parts)
