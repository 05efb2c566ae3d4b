"""The per-product table of a retrospective: time on air, sales during and after each pitch, conversion,
and the best clip of each product. Pure: timeline parts in, rows out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mediaops.types import Clip, Metrics, MetricSeries, PitchSegment, SalesSpike


@dataclass(frozen=True, slots=True)
class ProductTableOptions:
    """How sales are assigned to a pitch.

    Attributes:
        after_s: sales up to this long after a pitch ends count as "after" it, unless the next pitch starts
            sooner (then only until that start).
    """

    after_s: float = 180.0


@dataclass(frozen=True, slots=True)
class ProductResult:
    """One product's row. Sales figures are ``None`` where the export has no such column.

    ``orders_per_1k_viewers`` is (orders during + after) per 1 000 average online viewers during its pitches.
    """

    sku: str
    name: str
    pitches: tuple[PitchSegment, ...]
    on_air_s: float
    orders_during: float | None
    gmv_during: float | None
    orders_after: float | None
    gmv_after: float | None
    avg_viewers: float | None
    orders_per_1k_viewers: float | None
    best_clip_id: str | None
    spike_ids: tuple[str, ...] = ()


def amount_between(series: MetricSeries | None, start_s: float, end_s: float) -> float | None:
    """The events of a per-interval count series within ``[start_s, end_s)``, sharing partly covered rows
    in proportion to the overlap (each row covers ``[t, t + interval)``)."""
    if series is None:
        return None
    if end_s <= start_s or not series.t_s:
        return 0.0
    t = np.asarray(series.t_s, dtype=float)
    v = np.nan_to_num(np.asarray(series.values, dtype=float))
    step = series.interval_s or 1.0
    overlap = np.clip(np.minimum(t + step, end_s) - np.maximum(t, start_s), 0.0, step) / step
    return float((v * overlap).sum())


def level_mean_between(series: MetricSeries | None, start_s: float, end_s: float) -> float | None:
    """The mean of a level series (online viewers) over the rows overlapping ``[start_s, end_s)``."""
    if series is None or not series.t_s:
        return None
    t = np.asarray(series.t_s, dtype=float)
    v = np.asarray(series.values, dtype=float)
    step = series.interval_s or 1.0
    mask = (t + step > start_s) & (t < end_s) & np.isfinite(v)
    return float(v[mask].mean()) if mask.any() else None


def _sum(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _best_clip(clips: tuple[Clip, ...] | list[Clip], sku: str, pitches: list[PitchSegment]) -> Clip | None:
    """The best clip that shows the product, else the best one made during its pitches that shows no other
    product (a clip naming another product is never a product's best clip: the report would contradict itself)."""
    def on_air(c: Clip) -> bool:
        return c.product_sku is None and any(c.start_s < p.end_s and c.end_s > p.start_s for p in pitches)

    mine = [c for c in clips if c.product_sku == sku] or [c for c in clips if on_air(c)]
    return max(mine, key=lambda c: (c.score, -c.start_s), default=None)


def product_results(
    pitches: tuple[PitchSegment, ...] | list[PitchSegment],
    metrics: Metrics | None,
    clips: tuple[Clip, ...] | list[Clip] = (),
    spikes: tuple[SalesSpike, ...] | list[SalesSpike] = (),
    options: ProductTableOptions = ProductTableOptions(),
) -> list[ProductResult]:
    """One row per product that was pitched, in order of its first pitch."""
    ordered = sorted(pitches, key=lambda p: p.start_s)
    orders = metrics.get("orders") if metrics else None
    gmv = metrics.get("gmv") if metrics else None
    viewers = metrics.get("online_viewers") if metrics else None
    rows: list[ProductResult] = []
    for sku in dict.fromkeys(p.sku for p in ordered):
        mine = [p for p in ordered if p.sku == sku]
        during_o, during_g, after_o, after_g, viewer_means = [], [], [], [], []
        for pitch in mine:
            next_start = next((p.start_s for p in ordered if p.start_s >= pitch.end_s), float("inf"))
            after_end = min(pitch.end_s + options.after_s, next_start)
            during_o.append(amount_between(orders, pitch.start_s, pitch.end_s))
            during_g.append(amount_between(gmv, pitch.start_s, pitch.end_s))
            after_o.append(amount_between(orders, pitch.end_s, after_end))
            after_g.append(amount_between(gmv, pitch.end_s, after_end))
            viewer_means.append(level_mean_between(viewers, pitch.start_s, pitch.end_s))
        on_air_s = sum(p.end_s - p.start_s for p in mine)
        known_means = [(m, p.end_s - p.start_s) for m, p in zip(viewer_means, mine, strict=True) if m is not None]
        avg_viewers = (sum(m * w for m, w in known_means) / sum(w for _, w in known_means)) if known_means else None
        total_orders = _sum([_sum(during_o), _sum(after_o)])
        per_1k = total_orders / avg_viewers * 1000 if total_orders is not None and avg_viewers else None
        best = _best_clip(clips, sku, mine)
        rows.append(
            ProductResult(
                sku=sku,
                name=mine[0].name,
                pitches=tuple(mine),
                on_air_s=on_air_s,
                orders_during=_sum(during_o),
                gmv_during=_sum(during_g),
                orders_after=_sum(after_o),
                gmv_after=_sum(after_g),
                avg_viewers=avg_viewers,
                orders_per_1k_viewers=per_1k,
                best_clip_id=best.id if best else None,
                spike_ids=tuple(s.id for s in spikes if s.sku == sku and s.attribution != "unattributed"),
            )
        )
    return rows
