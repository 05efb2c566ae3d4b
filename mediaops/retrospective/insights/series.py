"""Small pure helpers over metric series, pitches and clock times shared by the insight modules."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from mediaops.types import Metrics, MetricSeries, PitchSegment


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def level_at(series: MetricSeries, t_s: float) -> float | None:
    """The reading of a gauge whose interval covers ``t_s`` (the first reading before the series starts)."""
    if not series.t_s:
        return None
    index = max(0, bisect.bisect_right(series.t_s, t_s) - 1)
    return _finite(float(series.values[index]))


def level_after(series: MetricSeries, t_s: float) -> float | None:
    """The first reading of a gauge taken at or after ``t_s`` (the last reading after the series ends)."""
    if not series.t_s:
        return None
    index = min(len(series.t_s) - 1, bisect.bisect_left(series.t_s, t_s))
    return _finite(float(series.values[index]))


def viewer_change(metrics: Metrics | None, start_s: float, end_s: float) -> tuple[float | None, float | None,
                                                                                  float | None]:
    """Online viewers when a stretch began, at the first reading after it ended, and the change in percent.

    Every value is ``None`` without an online-viewer series; the percentage is ``None`` when nobody was online.
    """
    series = metrics.get("online_viewers") if metrics else None
    if series is None:
        return None, None, None
    before, after = level_at(series, start_s), level_after(series, end_s)
    if before is None or after is None or before <= 0:
        return before, after, None
    return before, after, round((after - before) / before * 100, 1)


def total_between(series: MetricSeries | None, start_s: float, end_s: float) -> float | None:
    """Events of a count series in ``[start_s, end_s)``, sharing each interval by its overlap."""
    if series is None:
        return None
    total = 0.0
    for t_s, value in zip(series.t_s, series.values, strict=True):
        overlap = min(end_s, t_s + series.interval_s) - max(start_s, t_s)
        if overlap > 0 and math.isfinite(value):
            total += value * overlap / series.interval_s
    return total


def on_air(pitches: Sequence[PitchSegment], t_s: float) -> PitchSegment | None:
    """The pitch segment running at ``t_s``, if any."""
    return next((p for p in pitches if p.start_s <= t_s < p.end_s), None)


def clock(t_s: float, start_time: datetime | None = None) -> str:
    """``t_s`` as a wall-clock ``HH:MM`` (``HH:MM:SS`` when seconds matter) given the stream's start, else
    as ``H:MM:SS`` from the start of the recording."""
    if start_time is not None:
        moment = start_time + timedelta(seconds=round(t_s))
        return moment.strftime("%H:%M:%S")
    total = round(t_s)
    return f"{total // 3600:d}:{total // 60 % 60:02d}:{total % 60:02d}"


def signed_pct(value: float | None) -> str:
    """A percentage with its sign and a real minus (``−18%``, ``+4%``); ``n/a`` when unknown."""
    if value is None:
        return "n/a"
    return f"{'+' if value >= 0 else '−'}{abs(value):.0f}%"
