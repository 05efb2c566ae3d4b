"""The timeline chart of the review reports, described once for every renderer.

:func:`build_chart` reads a :class:`~mediaops.retrospective.document.Retrospective` and returns a
:class:`TimelineChart`: frozen dataclasses of times (float seconds), values and display text, with no Plotly or
Matplotlib in them. :mod:`mediaops.report.chart` turns it into the Plotly figure of the HTML report and
:mod:`mediaops.report.pdf` draws it with Matplotlib, so both reports show the same curves, spikes and spans.

The chart has three stacked panels on one time axis: engagement curves (top; online viewers on the left axis,
counts on the right), orders and GMV with the sales spikes (middle; orders left, GMV right), and a band with a
row each for clips, product pitches and scene cuts (bottom, rows :data:`BAND_CLIPS`, :data:`BAND_PITCHES`,
:data:`BAND_SCENES`). A value the export left blank (NaN) is ``None`` here: a gap in its curve, never a zero.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mediaops.report.i18n import clock, labels
from mediaops.report.tables import cause_text, metric_label, scene_cuts_s
from mediaops.retrospective.document import Retrospective
from mediaops.types import Metrics, MetricSeries, PitchSegment, SalesSpike, Segment

#: engagement curves of the top panel, in drawing order (online viewers on the left axis, the rest right).
ENGAGEMENT_SERIES = ("online_viewers", "viewers_entered", "comments", "likes", "shares", "gifts", "new_followers")
#: one colour per pitched product, in order of first pitch (repeating after the last).
PRODUCT_COLOURS = ("#2ca02c", "#9467bd", "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#7f7f7f", "#1f77b4")
CLIP_COLOUR = "#ff7f0e"
SPIKE_COLOUR = "#d62728"
ORDERS_COLOUR = "#aec7e8"
GMV_COLOUR = "#8c564b"
CUT_COLOUR = "#555"
#: rows of the bottom band, and the band's value range (room for the bars' thickness).
BAND_SCENES, BAND_PITCHES, BAND_CLIPS = 0.0, 1.0, 2.0
BAND_LIMITS = (-0.6, 2.6)
#: a sentence still shows in the hover box this long after it ended (pauses between sentences).
TRANSCRIPT_HOLD_S = 2.0
#: round tick steps of the time axis, and at most this many ticks.
_TICK_STEPS_S = (10, 30, 60, 120, 300, 600, 900, 1800, 3600)
_MAX_TICKS = 12
#: a value axis steps by one of these times a power of ten (0, 25, 50, 75; 0, 80, 160, 240 …), in this many
#: intervals from 0; the two axes of a panel take the same number, so that their grid lines coincide.
ROUND_STEPS = (1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
_INTERVALS = (4, 5, 3)

Side = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class Curve:
    """One metric column: a point per export row at the row's middle, ``None`` where the row is blank.

    Attributes:
        metric: the column's name (``online_viewers``, ``orders`` …).
        label: its display name.
        side: the y axis of its panel it is read on.
        t_s: the middle of each row, to the millisecond.
        values: the row's amount, ``None`` for a blank (non-finite) cell.
        interval_s: the length of a row.
        transcript: what was being said at each point (the first engagement curve only: the hover box is shared).
    """

    metric: str
    label: str
    side: Side
    t_s: tuple[float, ...]
    values: tuple[float | None, ...]
    interval_s: float
    transcript: tuple[str, ...] = ()

    def edges_s(self) -> tuple[float, ...]:
        """The row boundaries (one more than the points), for drawing the rows as steps."""
        half = self.interval_s / 2
        return (*(t - half for t in self.t_s), self.t_s[-1] + half) if self.t_s else ()


@dataclass(frozen=True, slots=True)
class SpikeMarker:
    """One sales spike with the fields its hover box shows."""

    id: str
    t_s: float
    value: float
    metric_label: str
    cause: str
    clip_id: str | None
    confidence: float


@dataclass(frozen=True, slots=True)
class SpikeGroup:
    """The spikes of one sales metric, read on the ``side`` axis of the middle panel (GMV right, others left)."""

    metric: str
    side: Side
    markers: tuple[SpikeMarker, ...]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the recording with the name shown on it."""

    start_s: float
    end_s: float
    name: str

    @property
    def mid_s(self) -> float:
        return (self.start_s + self.end_s) / 2


@dataclass(frozen=True, slots=True)
class PitchGroup:
    """Every pitch of one product, in time order, in the product's colour; ``name`` is its first pitch's."""

    sku: str
    name: str
    colour: str
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class ClipSpan:
    """A clip, in the order of the timeline (its position is the index the report's player uses)."""

    id: str
    start_s: float
    end_s: float
    title: str


@dataclass(frozen=True, slots=True)
class Ticks:
    """Round tick positions of the time axis and their ``H:MM:SS`` labels."""

    values_s: tuple[float, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AxisTitles:
    viewers: str
    engagement: str
    orders: str
    gmv: str


@dataclass(frozen=True, slots=True)
class Scale:
    """Round ticks of a value axis, from 0 up to the axis' top (the last tick), and their labels."""

    ticks: tuple[float, ...]
    labels: tuple[str, ...]

    @property
    def top(self) -> float:
        return self.ticks[-1]


@dataclass(frozen=True, slots=True)
class AxisScales:
    """The value axes of the two upper panels: viewers (left) and engagement counts (right) on top, orders
    (left) and GMV (right) in the middle."""

    viewers: Scale
    engagement: Scale
    orders: Scale
    gmv: Scale


@dataclass(frozen=True, slots=True)
class TimelineChart:
    """Everything the timeline chart shows, in one language.

    Attributes:
        lang: the language of every text here (renderers take their own captions from the same catalogue).
        end_s: the end of the time axis (the recording's duration, at least 1 s).
        engagement: the top panel's curves, in :data:`ENGAGEMENT_SERIES` order; absent columns have none.
        orders / gmv: the middle panel's curves, ``None`` where the export lacks the column.
        spikes: one group per sales metric, in order of first spike.
        pitches: one group per product, in order of first pitch.
        clips: the clips in the order of the timeline.
        scene_cuts_s: every scene change after the start.
        band_labels: the names of the band's rows, bottom up (scene cuts, pitches, clips).
        ticks: the time axis' round ticks.
        scales: the value axes' round ticks.
    """

    lang: str
    end_s: float
    engagement: tuple[Curve, ...]
    orders: Curve | None
    gmv: Curve | None
    spikes: tuple[SpikeGroup, ...]
    pitches: tuple[PitchGroup, ...]
    clips: tuple[ClipSpan, ...]
    scene_cuts_s: tuple[float, ...]
    band_labels: tuple[str, str, str]
    ticks: Ticks
    axis_titles: AxisTitles
    scales: AxisScales

    def pitch_spans(self) -> tuple[tuple[Span, str], ...]:
        """Every pitch with its colour, in time order."""
        spans = [(span, group.colour) for group in self.pitches for span in group.spans]
        return tuple(sorted(spans, key=lambda item: item[0].start_s))


def transcript_at(segments: Sequence[Segment], t_s: float, starts: Sequence[float] | None = None) -> str:
    """The text being said at ``t_s``: the last segment begun by then, if it ended at most
    :data:`TRANSCRIPT_HOLD_S` before; else ``""``. ``starts`` are the segments' start times, if already known."""
    starts = starts if starts is not None else [s.start_s for s in segments]
    index = bisect_right(starts, t_s) - 1
    if index < 0:
        return ""
    segment = segments[index]
    return segment.text if t_s <= segment.end_s + TRANSCRIPT_HOLD_S else ""


def time_ticks(end_s: float) -> Ticks:
    """Ticks every round step (10 s … 1 h) from 0 to ``end_s``, the smallest step giving at most 12 of them
    (hourly beyond 12 hours)."""
    step = next((s for s in _TICK_STEPS_S if end_s / s <= _MAX_TICKS), _TICK_STEPS_S[-1])
    values = tuple(float(v) for v in range(0, int(end_s) + 1, step))
    return Ticks(values, tuple(clock(v) for v in values))


def _round_step(raw: float) -> float:
    """The smallest step of :data:`ROUND_STEPS` times a power of ten that is at least ``raw`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next((m * power for m in ROUND_STEPS if m * power >= raw * (1 - 1e-9)), 10 * power)


def _scale(top: float, step: float) -> Scale:
    decimals = next(d for d in range(12) if abs(round(step, d) - step) <= 1e-9 * step)  # 25 → 0, 2.5 → 1
    ticks = tuple(round(k * step, decimals) for k in range(round(top / step) + 1))
    return Scale(ticks, tuple(f"{v:,.{decimals}f}" for v in ticks))


def round_scales(*maxima: float | None) -> tuple[Scale, ...]:
    """One round scale from 0 per axis of a panel, each reaching the largest value its axis shows (``None``:
    nothing on it). All take the same number of intervals (3 to 5), the one that leaves the least space unused
    on the emptiest axis, so that the panel's grid lines meet both axes at round values."""
    tops = [m if m is not None and math.isfinite(m) and m > 0 else 4.0 for m in maxima]  # empty: 0 … 4

    def unused(count: int) -> float:
        return max(1 - top / (_round_step(top / count) * count) for top in tops)

    count = min(_INTERVALS, key=unused)  # ties keep the order of _INTERVALS
    return tuple(_scale(_round_step(top / count) * count, _round_step(top / count)) for top in tops)


def _largest(curves: Sequence[Curve | None]) -> float | None:
    values = [v for c in curves if c is not None for v in c.values if v is not None and math.isfinite(v)]
    return max(values, default=None)


def axis_scales(engagement: Sequence[Curve], orders: Curve | None, gmv: Curve | None) -> AxisScales:
    """Round scales for the curves of the two upper panels (a spike is a point of its curve, so it fits too)."""
    viewers, counts = round_scales(_largest([c for c in engagement if c.side == "left"]),
                                   _largest([c for c in engagement if c.side == "right"]))
    order_scale, gmv_scale = round_scales(_largest([orders]), _largest([gmv]))
    return AxisScales(viewers, counts, order_scale, gmv_scale)


def _curve(series: MetricSeries, side: Side, lang: str, segments: Sequence[Segment] = ()) -> Curve:
    # a row covers [t, t + interval): plot it at its middle so it lines up with spikes and cuts
    points = tuple(round(t + series.interval_s / 2, 3) for t in series.t_s)
    starts = [s.start_s for s in segments]
    return Curve(
        metric=series.name,
        label=metric_label(series.name, lang),
        side=side,
        t_s=points,
        values=tuple(v if math.isfinite(v) else None for v in series.values),
        interval_s=series.interval_s,
        transcript=tuple(transcript_at(segments, t, starts) for t in points) if segments else (),
    )


def engagement_curves(metrics: Metrics | None, lang: str, segments: Sequence[Segment] = ()) -> tuple[Curve, ...]:
    """The top panel's curves; the first carries the transcript at each of its points."""
    present = [s for s in (metrics.get(n) for n in ENGAGEMENT_SERIES) if s is not None] if metrics else []
    return tuple(
        _curve(series, "left" if series.name == "online_viewers" else "right", lang, segments if i == 0 else ())
        for i, series in enumerate(present)
    )


def _sales_curve(metrics: Metrics | None, name: str, side: Side, lang: str) -> Curve | None:
    series = metrics.get(name) if metrics else None
    return _curve(series, side, lang) if series is not None else None


def spike_groups(retro: Retrospective, lang: str) -> tuple[SpikeGroup, ...]:
    """The sales spikes, one group per metric in order of first spike, each with its hover fields."""
    spikes = retro.timeline.sales_spikes

    def marker(spike: SalesSpike) -> SpikeMarker:
        return SpikeMarker(spike.id, spike.t_s, spike.value, metric_label(spike.metric, lang),
                           cause_text(retro, spike, lang), spike.clip_id, spike.confidence)

    return tuple(
        SpikeGroup(metric, "right" if metric == "gmv" else "left",
                   tuple(marker(s) for s in spikes if s.metric == metric))
        for metric in dict.fromkeys(s.metric for s in spikes)
    )


def pitch_groups(pitches: Sequence[PitchSegment]) -> tuple[PitchGroup, ...]:
    """One group per product (a span per pitch, never per mention), coloured in order of first pitch."""
    groups = []
    for index, sku in enumerate(dict.fromkeys(p.sku for p in pitches)):
        mine = [p for p in pitches if p.sku == sku]
        groups.append(PitchGroup(sku, mine[0].name, PRODUCT_COLOURS[index % len(PRODUCT_COLOURS)],
                                 tuple(Span(p.start_s, p.end_s, p.name) for p in mine)))
    return tuple(groups)


def build_chart(retro: Retrospective, lang: str) -> TimelineChart:
    """The timeline chart of ``retro`` with its text in ``lang`` (``zh`` or ``en``).

    Raises:
        ValueError: an unknown language.
    """
    t = labels(lang)
    timeline = retro.timeline
    metrics = timeline.metrics
    end_s = max(timeline.recording.duration_s, 1.0)
    engagement = engagement_curves(metrics, lang, retro.transcript)
    orders = _sales_curve(metrics, "orders", "left", lang)
    gmv = _sales_curve(metrics, "gmv", "right", lang)
    return TimelineChart(
        lang=lang,
        end_s=end_s,
        engagement=engagement,
        orders=orders,
        gmv=gmv,
        spikes=spike_groups(retro, lang),
        pitches=pitch_groups(timeline.pitches),
        clips=tuple(ClipSpan(c.id, c.start_s, c.end_s, c.title or "") for c in timeline.clips),
        scene_cuts_s=scene_cuts_s(timeline),
        band_labels=(t["scene_cut"], t["pitch"], t["clips"]),
        ticks=time_ticks(end_s),
        axis_titles=AxisTitles(metric_label("online_viewers", lang), t["engagement"], metric_label("orders", lang),
                               "GMV"),
        scales=axis_scales(engagement, orders, gmv),
    )
