"""The KPI block of a retrospective, computed from the metrics export only.

A KPI whose source column is absent from the export has ``value=None`` and is shown as absent: nothing is
estimated or invented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mediaops.types import Metrics, MetricSeries

#: interaction counts that add up to "interactions", in the order they are listed as the KPI's basis.
INTERACTION_METRICS = ("comments", "likes", "shares", "gifts")

#: the KPI keys in display order.
KPI_KEYS = (
    "duration_min",
    "peak_online_viewers",
    "avg_online_viewers",
    "interactions",
    "interactions_per_min",
    "viewer_inflow",
    "follower_gain",
    "orders",
    "gmv",
    "gmv_per_viewer",
)


@dataclass(frozen=True, slots=True)
class Kpi:
    """One headline figure of a stream.

    Attributes:
        key: one of :data:`KPI_KEYS` (labels come from the report's language).
        value: the figure, or ``None`` where the export lacks what it needs.
        basis: the metric columns it was computed from (empty when absent).
    """

    key: str
    value: float | None
    basis: tuple[str, ...] = ()

    @property
    def present(self) -> bool:
        return self.value is not None


def _finite(series: MetricSeries | None) -> np.ndarray | None:
    if series is None:
        return None
    values = np.asarray(series.values, dtype=float)
    values = values[np.isfinite(values)]
    return values if values.size else None


def _total(metrics: Metrics, name: str) -> float | None:
    values = _finite(metrics.get(name))
    return float(values.sum()) if values is not None else None


def metrics_span_s(metrics: Metrics) -> float:
    """Seconds the export covers: from its first row to the end of its last interval."""
    starts = [s.t_s[0] for s in metrics.series if s.t_s]
    ends = [s.t_s[-1] + metrics.interval_s for s in metrics.series if s.t_s]
    return max(ends) - min(starts) if starts else 0.0


def compute_kpis(metrics: Metrics | None, duration_s: float | None = None) -> tuple[Kpi, ...]:
    """The KPI block, in :data:`KPI_KEYS` order.

    ``duration_s`` (the recording's length) is the time base of per-minute figures; without it the span of the
    export is used. GMV per viewer divides GMV by the viewer inflow (people who entered), the closest to unique
    viewers an export gives; it is absent without an inflow column.
    """
    if metrics is None:
        minutes = duration_s / 60 if duration_s and duration_s > 0 else None
        return (Kpi("duration_min", minutes), *(Kpi(key, None) for key in KPI_KEYS[1:]))
    span_s = duration_s if duration_s and duration_s > 0 else metrics_span_s(metrics)
    minutes = span_s / 60 if span_s > 0 else None
    online = _finite(metrics.get("online_viewers"))
    present = [name for name in INTERACTION_METRICS if _finite(metrics.get(name)) is not None]
    interactions = sum(_total(metrics, name) or 0.0 for name in present) if present else None
    inflow = _total(metrics, "viewers_entered")
    gmv = _total(metrics, "gmv")
    online_basis = ("online_viewers",) if online is not None else ()
    per_viewer = gmv / inflow if gmv is not None and inflow else None
    followers = _total(metrics, "new_followers")
    orders = _total(metrics, "orders")
    return (
        Kpi("duration_min", minutes),
        Kpi("peak_online_viewers", float(online.max()) if online is not None else None, online_basis),
        Kpi("avg_online_viewers", float(online.mean()) if online is not None else None, online_basis),
        Kpi("interactions", interactions, tuple(present)),
        Kpi("interactions_per_min", interactions / minutes if interactions is not None and minutes else None,
            tuple(present)),
        Kpi("viewer_inflow", inflow, ("viewers_entered",) if inflow is not None else ()),
        Kpi("follower_gain", followers, ("new_followers",) if followers is not None else ()),
        Kpi("orders", orders, ("orders",) if orders is not None else ()),
        Kpi("gmv", gmv, ("gmv",) if gmv is not None else ()),
        Kpi("gmv_per_viewer", per_viewer, ("gmv", "viewers_entered") if per_viewer is not None else ()),
    )


def kpi_value(kpis: tuple[Kpi, ...], key: str) -> float | None:
    """The value of KPI ``key`` (``None`` where absent or unknown)."""
    found = next((k for k in kpis if k.key == key), None)
    return found.value if found and found.value is not None and math.isfinite(found.value) else None
