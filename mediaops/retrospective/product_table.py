"""The per-product table of a retrospective: time on air, sales during and after each pitch, conversion,
and the best clip of each product. Pure: timeline parts in, rows out.

Orders are whole: an export row that a pitch covers only partly shares its orders between the pitch, the time
after it and the rest of the row by largest remainder (:func:`whole_counts`), so that every order is counted
once, in one place, and the report, ``report_products.csv`` and ``mediaops compare`` show the same numbers."""

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
    Orders are whole (see :func:`whole_counts`); GMV is shared in proportion to the time covered.
    """

    sku: str
    name: str
    pitches: tuple[PitchSegment, ...]
    on_air_s: float
    orders_during: int | None
    gmv_during: float | None
    orders_after: int | None
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


def whole_counts(series: MetricSeries | None, windows: list[tuple[float, float]]) -> list[int] | None:
    """The whole events of a per-interval count series (orders) within each ``[start_s, end_s)`` window.

    Each row covers ``[t, t + interval)`` and holds a whole number of events (a fractional cell is rounded). A
    row is shared between the windows that overlap it, in proportion to the overlap, and the part of it outside
    every window; the shares are then rounded by largest remainder (ties to the earlier window, the outside
    last), so each row's events are handed out whole and its total is kept: disjoint windows together never hold
    more or fewer events than the rows they cover. ``None`` without the series.
    """
    if series is None:
        return None
    if not windows or not series.t_s:
        return [0] * len(windows)
    t = np.asarray(series.t_s, dtype=float)[:, None]
    counts = np.rint(np.nan_to_num(np.asarray(series.values, dtype=float)))
    step = series.interval_s or 1.0
    starts = np.asarray([w[0] for w in windows], dtype=float)[None, :]
    ends = np.asarray([w[1] for w in windows], dtype=float)[None, :]
    covered = np.clip(np.minimum(t + step, ends) - np.maximum(t, starts), 0.0, step) / step
    shares = counts[:, None] * covered
    outside = np.maximum(counts - shares.sum(axis=1), 0.0)
    parts = np.column_stack([shares, outside])
    floors = np.floor(parts + 1e-9)
    left = np.rint(parts.sum(axis=1)) - floors.sum(axis=1)  # whole events of each row still to hand out
    order = np.argsort(-(parts - floors), axis=1, kind="stable")  # largest remainder first
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(parts.shape[1]), parts.shape), axis=1)
    whole = floors + (rank < left[:, None])
    return [int(v) for v in whole[:, :-1].sum(axis=0)]


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


def _pitch_windows(
    ordered: list[PitchSegment], options: ProductTableOptions
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Each pitch's ``(during, after)`` windows: after runs until ``options.after_s`` past its end or the next
    pitch's start, whichever is sooner."""
    windows = []
    for pitch in ordered:
        next_start = next((p.start_s for p in ordered if p.start_s >= pitch.end_s), float("inf"))
        windows.append(((pitch.start_s, pitch.end_s), (pitch.end_s, min(pitch.end_s + options.after_s, next_start))))
    return windows


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
    windows = _pitch_windows(ordered, options)
    # every pitch's during and after windows share the rows' orders at once, so no order is counted twice
    whole = whole_counts(orders, [w for pair in windows for w in pair])
    rows: list[ProductResult] = []
    for sku in dict.fromkeys(p.sku for p in ordered):
        indexes = [i for i, p in enumerate(ordered) if p.sku == sku]
        mine = [ordered[i] for i in indexes]
        during_g = [amount_between(gmv, *windows[i][0]) for i in indexes]
        after_g = [amount_between(gmv, *windows[i][1]) for i in indexes]
        viewer_means = [level_mean_between(viewers, p.start_s, p.end_s) for p in mine]
        orders_during = sum(whole[2 * i] for i in indexes) if whole is not None else None
        orders_after = sum(whole[2 * i + 1] for i in indexes) if whole is not None else None
        on_air_s = sum(p.end_s - p.start_s for p in mine)
        known_means = [(m, p.end_s - p.start_s) for m, p in zip(viewer_means, mine, strict=True) if m is not None]
        avg_viewers = (sum(m * w for m, w in known_means) / sum(w for _, w in known_means)) if known_means else None
        total_orders = None if orders_during is None or orders_after is None else orders_during + orders_after
        per_1k = total_orders / avg_viewers * 1000 if total_orders is not None and avg_viewers else None
        best = _best_clip(clips, sku, mine)
        rows.append(
            ProductResult(
                sku=sku,
                name=mine[0].name,
                pitches=tuple(mine),
                on_air_s=on_air_s,
                orders_during=orders_during,
                gmv_during=_sum(during_g),
                orders_after=orders_after,
                gmv_after=_sum(after_g),
                avg_viewers=avg_viewers,
                orders_per_1k_viewers=per_1k,
                best_clip_id=best.id if best else None,
                spike_ids=tuple(s.id for s in spikes if s.sku == sku and s.attribution != "unattributed"),
            )
        )
    return rows
