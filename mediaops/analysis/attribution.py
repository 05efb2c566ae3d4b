"""Sales spikes and what caused them: robust peak finding on orders and GMV, then attribution of each spike
to the product pitch and the clip that preceded it within a lag window.

Pure: series, clips and pitches in, :class:`~mediaops.types.SalesSpike` out; no media is touched here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from mediaops.errors import MediaOpsError
from mediaops.types import Clip, Metrics, MetricSeries, PitchSegment, SalesSpike

#: the values of :attr:`SalesSpike.attribution`.
ATTRIBUTIONS = ("pitch_and_clip", "pitch", "clip", "unattributed")


@dataclass(frozen=True, slots=True)
class SpikeOptions:
    """How to find sales spikes and what caused them.

    Attributes:
        metrics: the sales metrics searched for spikes.
        height: minimum height of a spike above its rolling median, in units of the series' noise.
        prominence: minimum prominence of a spike over its neighbouring dips, in units of the noise.
        baseline_s: length of the centred rolling-median baseline.
        min_separation_s: spikes of one metric closer than this are one spike (the higher is kept).
        lag_min_s / lag_max_s: the window before a spike in which its cause was on air: a pitch or clip is a
            candidate only if some part of it lies between ``lag_max_s`` and ``lag_min_s`` before the spike.
        on_air_weight: how much more a pitch still on air at the spike counts than one that has ended.
        ramp_s: a pitch's claim grows over its first ``ramp_s`` on air: buyers need time to react, so a pitch
            that has only just begun rarely caused the orders arriving now.
        decay_s: how fast an ended pitch's claim on later orders fades (e-folding time after its end).
        min_share: an attribution needs at least this share of the candidate pitches' total weight.
    """

    metrics: tuple[str, ...] = ("orders", "gmv")
    height: float = 2.0
    prominence: float = 3.0
    baseline_s: float = 600.0
    min_separation_s: float = 30.0
    lag_min_s: float = 0.0
    lag_max_s: float = 180.0
    on_air_weight: float = 2.0
    ramp_s: float = 30.0
    decay_s: float = 60.0
    min_share: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.lag_min_s <= self.lag_max_s:
            raise MediaOpsError(f"sales-spike lag window {self.lag_min_s:g}–{self.lag_max_s:g} s is empty or negative "
                                "— give a minimum lag of 0 or more and a maximum lag not below it")


@dataclass(frozen=True, slots=True)
class _Detection:
    index: int
    t_s: float
    value: float
    baseline: float
    significance: float


def noise_scale(values: np.ndarray, floor: float) -> float:
    """Robust noise level of a series: the MAD of its first differences (scaled to a standard deviation).

    Differences ignore slow drift, and the MAD ignores the spikes themselves. ``floor`` keeps sparse series
    (mostly zeros, whose MAD is 0) from turning every single event into a spike.
    """
    if values.size < 2:
        return max(floor, 1e-9)
    diffs = np.diff(values)
    mad = float(np.median(np.abs(diffs - np.median(diffs))))
    return max(1.4826 * mad / math.sqrt(2), floor, 1e-9)


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling median whose window shrinks at the ends (no padding that would bias the baseline)."""
    n = values.size
    half = max(1, window // 2)
    if n <= 2 * half + 1:
        return np.full(n, float(np.median(values)) if n else 0.0)
    out = np.empty(n)
    out[half : n - half] = np.median(np.lib.stride_tricks.sliding_window_view(values, 2 * half + 1), axis=1)
    for i in (*range(half), *range(n - half, n)):
        out[i] = np.median(values[max(0, i - half) : i + half + 1])
    return out


def _noise_floor(series: MetricSeries, values: np.ndarray, metrics: Metrics) -> float:
    """The smallest noise level believable for ``series``.

    Orders arrive roughly as a Poisson process, whose spread is the square root of the typical count (plus one,
    so that a near-empty series still needs a burst of several orders); GMV spreads like its orders times the
    average order value.
    """
    if series.name == "orders":
        return math.sqrt(float(np.median(values)) + 1.0)
    orders = metrics.get("orders")
    if series.name == "gmv" and orders is not None:
        order_values = np.nan_to_num(np.asarray(orders.values, dtype=float))
        total_orders = float(order_values.sum())
        if total_orders > 0:
            return float(np.nansum(values)) / total_orders * math.sqrt(float(np.median(order_values)) + 1.0)
    positive = values[values > 0]
    return float(np.median(positive)) if positive.size else 1.0


def detect_spikes(series: MetricSeries, metrics: Metrics, options: SpikeOptions = SpikeOptions()) -> list[_Detection]:
    """Local maxima of ``series`` that stand out from both its rolling median and its neighbouring dips."""
    values = np.nan_to_num(np.asarray(series.values, dtype=float))
    if values.size < 3 or not np.any(values > 0):
        return []
    interval_s = series.interval_s or metrics.interval_s or 1.0
    noise = noise_scale(values, _noise_floor(series, values, metrics))
    baseline = rolling_median(values, max(3, round(options.baseline_s / interval_s)))
    padded = np.concatenate(([-np.inf], values, [-np.inf]))
    found, props = find_peaks(
        padded,
        prominence=options.prominence * noise,
        distance=max(1, math.ceil(options.min_separation_s / interval_s)),
    )
    detections = []
    for index, prominence in zip(found - 1, props["prominences"], strict=True):
        height = (values[index] - baseline[index]) / noise
        if height < options.height:
            continue
        detections.append(
            _Detection(
                index=int(index),
                t_s=float(series.t_s[index] + interval_s / 2),
                value=float(values[index]),
                baseline=float(baseline[index]),
                significance=float(min(height, prominence / noise)),
            )
        )
    return detections


def in_window(start_s: float, end_s: float, t_s: float, options: SpikeOptions = SpikeOptions()) -> bool:
    """Whether a span ``[start_s, end_s]`` reaches into the lag window ``[t_s - lag_max_s, t_s - lag_min_s]``."""
    return start_s <= t_s - options.lag_min_s and end_s >= t_s - options.lag_max_s


def pitch_weight(pitch: PitchSegment, t_s: float, options: SpikeOptions = SpikeOptions()) -> float:
    """How strongly ``pitch`` may claim a spike at ``t_s``: 0 outside the lag window, highest while on air."""
    if not in_window(pitch.start_s, pitch.end_s, t_s, options):
        return 0.0
    lag_s = t_s - pitch.start_s
    ramp = min(1.0, lag_s / options.ramp_s) if options.ramp_s > 0 else 1.0
    if t_s <= pitch.end_s:
        return options.on_air_weight * max(ramp, 0.05)
    return math.exp(-(t_s - pitch.end_s) / max(options.decay_s, 1e-9))


def _clip_candidates(clips: list[Clip] | tuple[Clip, ...], t_s: float, options: SpikeOptions) -> list[Clip]:
    return [c for c in clips if in_window(c.start_s, c.end_s, t_s, options)]


def attribute(
    t_s: float,
    clips: list[Clip] | tuple[Clip, ...],
    pitches: list[PitchSegment] | tuple[PitchSegment, ...],
    options: SpikeOptions = SpikeOptions(),
) -> tuple[PitchSegment | None, float, list[Clip], Clip | None, list[PitchSegment]]:
    """The pitch and clips behind a spike at ``t_s``.

    Returns ``(pitch, share, candidate_clips, best_clip, candidate_pitches)``: the pitch with the largest claim
    and its share of all claims (0 when no pitch fits), every clip within the lag window, the one most likely
    seen by the buyers (a clip overlapping the chosen pitch, else the latest one that started), and every pitch
    with a claim, strongest first.
    """
    weights = [(pitch_weight(p, t_s, options), p) for p in pitches]
    weights = sorted(((w, p) for w, p in weights if w > 0), key=lambda item: (-item[0], -item[1].start_s))
    total = sum(w for w, _ in weights)
    pitch, share = None, 0.0
    if weights:
        best_w, best = weights[0]
        if best_w / total >= options.min_share:
            pitch, share = best, best_w / total
    candidates = _clip_candidates(clips, t_s, options)
    best_clip = None
    if candidates:
        on_pitch = [c for c in candidates if pitch and (c.product_sku == pitch.sku or
                                                          (c.start_s < pitch.end_s and c.end_s > pitch.start_s))]
        best_clip = max(on_pitch or candidates, key=lambda c: c.start_s)
    return pitch, share, candidates, best_clip, [p for _, p in weights]


def find_sales_spikes(
    metrics: Metrics,
    clips: list[Clip] | tuple[Clip, ...] = (),
    pitches: list[PitchSegment] | tuple[PitchSegment, ...] = (),
    options: SpikeOptions = SpikeOptions(),
) -> list[SalesSpike]:
    """Spikes in the sales metrics of ``options.metrics``, in time order, each with its likely cause.

    A spike is attributed to the pitch with the largest claim (on air at the spike, or ended shortly before,
    and reaching into the window ``lag_min_s``–``lag_max_s`` before it) and to the clips within that window;
    ``attribution`` is ``"unattributed"`` and ``confidence`` 0 where nothing fits. ``confidence`` is the chosen
    pitch's share of the claims times how clearly the spike stands out.
    """
    spikes: list[SalesSpike] = []
    for name in options.metrics:
        series = metrics.get(name)
        if series is None:
            continue
        for number, found in enumerate(detect_spikes(series, metrics, options), start=1):
            pitch, share, candidates, best_clip, claimants = attribute(found.t_s, clips, pitches, options)
            strength = min(1.0, found.significance / (2 * options.prominence))
            if pitch is not None:
                confidence = share * strength
                attribution = "pitch_and_clip" if best_clip else "pitch"
            elif best_clip is not None:
                # a clip alone is weak evidence: it marks engagement, not a product on air
                confidence = 0.5 * strength / len(candidates)
                attribution = "clip"
            else:
                confidence, attribution = 0.0, "unattributed"
            spikes.append(
                SalesSpike(
                    id=f"{name}-{number:02d}",
                    t_s=round(found.t_s, 3),
                    metric=name,
                    value=found.value,
                    clip_id=best_clip.id if best_clip else None,
                    sku=pitch.sku if pitch else (best_clip.product_sku if best_clip else None),
                    confidence=round(confidence, 2),
                    attribution=attribution,
                    baseline=round(found.baseline, 3),
                    significance=round(found.significance, 2),
                    clip_ids=tuple(c.id for c in sorted(candidates, key=lambda c: c.start_s)),
                    pitch_start_s=pitch.start_s if pitch else None,
                    lag_s=round(found.t_s - pitch.start_s, 3) if pitch else None,
                    candidate_skus=tuple(dict.fromkeys(p.sku for p in claimants)),
                )
            )
    return sorted(spikes, key=lambda s: (s.t_s, s.metric))
