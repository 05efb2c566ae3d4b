"""Sales spikes and what caused them: robust peak finding on orders and GMV, the spikes of several metrics at
one moment grouped into one sales moment, then attribution of each moment to the product pitch and the clip
that preceded it within a lag window.

How a spike is credited: orders follow a call to action (a price, a link going live, a countdown), often after
the host has moved on to the next product; a passing mention of another product moves nothing. So a pitch's
claim on a spike rests on its latest call to action before the orders began to rise (a pitch without one
claims much less), grows over the first ``ramp_s`` after it (buyers need time), and fades once the pitch has
ended (after ``call_hold_s`` for a call to action: the link stays live a little). The confidence is the winning
claim's share of all claims *and* of an ``unexplained_claim`` (orders that no pitch on air explains: an earlier
product, a coupon, regulars), times how clearly the spike stands out: a lone candidate that ended long ago is
no sure cause.

Pure: series, clips and pitches in, :class:`~mediaops.types.SalesSpike` out; no media is touched here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

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
        same_moment_s: spikes of different metrics closer than this (or than one export row) are one sales
            moment, attributed once.
        lag_min_s / lag_max_s: the window before a spike in which its cause was on air: a pitch or clip is a
            candidate only if some part of it lies between ``lag_max_s`` and ``lag_min_s`` before the spike.
        call_weight: the claim of a pitch with a call to action before the rise.
        plain_weight: the claim of a pitch without one (talk about a product sells a little; 0.3 of a call).
        ramp_s: a claim grows over the first ``ramp_s`` after its call to action (or, without one, after the
            pitch began) until the rise: orders that rise right after it were mostly caused earlier.
        call_hold_s: orders follow a call to action this long at full strength (the link stays live while the
            host moves on).
        decay_s: how fast a claim fades after that, or after a pitch without a call ended (e-folding time).
        unexplained_claim: the claim of causes outside the pitches, which every confidence is shared with.
        min_share: an attribution needs at least this share of the candidate pitches' total claim.
    """

    metrics: tuple[str, ...] = ("orders", "gmv")
    height: float = 2.0
    prominence: float = 3.0
    baseline_s: float = 600.0
    min_separation_s: float = 30.0
    same_moment_s: float = 30.0
    lag_min_s: float = 0.0
    lag_max_s: float = 180.0
    call_weight: float = 1.0
    plain_weight: float = 0.3
    ramp_s: float = 30.0
    call_hold_s: float = 90.0
    decay_s: float = 60.0
    unexplained_claim: float = 0.15
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
    #: the start of the first raised row before the spike, and the row length.
    rise_s: float = 0.0
    interval_s: float = 0.0


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


def _noise_floor(series: MetricSeries, values: np.ndarray, baseline: np.ndarray, metrics: Metrics,
                 options: SpikeOptions) -> np.ndarray:
    """The smallest noise level believable for each row of ``series``, from its local baseline.

    Orders arrive roughly as a Poisson process, whose spread is the square root of the typical count (plus one,
    so that a near-empty series still needs a burst of several orders); the typical count is the rolling
    median, so a stretch of paid traffic that doubles the orders for twenty minutes needs bigger bursts. GMV
    spreads like its orders times the average order value.
    """
    if series.name == "orders":
        return np.sqrt(np.maximum(baseline, 0.0) + 1.0)
    orders = metrics.get("orders")
    if series.name == "gmv" and orders is not None and len(orders.values) == values.size:
        order_values = np.nan_to_num(np.asarray(orders.values, dtype=float))
        total_orders = float(order_values.sum())
        if total_orders > 0:
            typical = rolling_median(order_values, max(3, round(options.baseline_s / (orders.interval_s or 1.0))))
            return float(np.nansum(values)) / total_orders * np.sqrt(np.maximum(typical, 0.0) + 1.0)
    positive = values[values > 0]
    return np.full(values.size, float(np.median(positive)) if positive.size else 1.0)


def _rise_start(values: np.ndarray, baseline: np.ndarray, noise: np.ndarray, index: int, step_over: bool,
                reach: int = 30) -> int:
    """The first row of the rise that leads to the spike at ``index``: going back over rows a noise unit above
    the baseline (with ``step_over``, over single rows that fall short: sparse orders come unevenly in short
    rows), at most ``reach`` rows."""
    # a row holds part of the rise when it stands a noise unit and a quarter of the spike above the baseline
    raised = values - baseline > np.maximum(noise, 0.25 * (values[index] - baseline[index]))
    first = index
    while first > 0 and index - first < reach:
        if raised[first - 1]:
            first -= 1
        elif step_over and first > 1 and raised[first - 2]:
            first -= 2
        else:
            break
    return first


def detect_spikes(series: MetricSeries, metrics: Metrics, options: SpikeOptions = SpikeOptions()) -> list[_Detection]:
    """Local maxima of ``series`` that stand out from both its rolling median and its neighbouring dips."""
    values = np.nan_to_num(np.asarray(series.values, dtype=float))
    if values.size < 3 or not np.any(values > 0):
        return []
    interval_s = series.interval_s or metrics.interval_s or 1.0
    window = max(3, round(options.baseline_s / interval_s))
    baseline = rolling_median(values, window)
    # the series' own noise (first differences), but never below what its local level makes believable
    noise = np.maximum(noise_scale(values, 0.0), _noise_floor(series, values, baseline, metrics, options))
    padded = np.concatenate(([-np.inf], values, [-np.inf]))
    from scipy.signal import find_peaks  # loads on first use: the CLI starts fast

    found, props = find_peaks(
        padded,
        prominence=options.prominence * float(noise.min()),
        distance=max(1, math.ceil(options.min_separation_s / interval_s)),
    )
    detections = []
    for index, prominence in zip(found - 1, props["prominences"], strict=True):
        height = (values[index] - baseline[index]) / noise[index]
        if height < options.height or prominence < options.prominence * noise[index]:
            continue
        first = _rise_start(values, baseline, noise, int(index), step_over=interval_s <= 15)
        detections.append(
            _Detection(
                index=int(index),
                t_s=float(series.t_s[index] + interval_s / 2),
                value=float(values[index]),
                baseline=float(baseline[index]),
                significance=float(min(height, prominence / noise[index])),
                rise_s=float(series.t_s[first]),
                interval_s=float(interval_s),
            )
        )
    return _one_per_surge(detections, values - baseline > noise)


def _one_per_surge(detections: list[_Detection], raised: np.ndarray) -> list[_Detection]:
    """Spikes of one surge (the series never fell back to a noise unit above its baseline between them) are one
    spike: the highest, with the surge's first rise."""
    kept: list[_Detection] = []
    for detection in detections:
        last = kept[-1] if kept else None
        if last is not None and raised[last.index : detection.index + 1].all():
            best = detection if detection.value > last.value else last
            kept[-1] = replace(best, rise_s=min(last.rise_s, detection.rise_s))
        else:
            kept.append(detection)
    return kept


def in_window(start_s: float, end_s: float, t_s: float, options: SpikeOptions = SpikeOptions()) -> bool:
    """Whether a span ``[start_s, end_s]`` reaches into the lag window ``[t_s - lag_max_s, t_s - lag_min_s]``."""
    return start_s <= t_s - options.lag_min_s and end_s >= t_s - options.lag_max_s


@dataclass(frozen=True, slots=True)
class Claim:
    """A pitch's claim on a spike: how strong, and what it rests on (the call to action, or None)."""

    pitch: PitchSegment
    weight: float
    call_s: float | None


def pitch_claim(pitch: PitchSegment, t_s: float, rise_s: float | None = None,
                options: SpikeOptions = SpikeOptions(), rise_end_s: float | None = None) -> Claim:
    """How strongly ``pitch`` may claim a spike at ``t_s`` whose orders began to rise at about ``rise_s``
    (default: ``t_s``) and surely before ``rise_end_s`` (default: ``rise_s``): 0 outside the lag window or for
    a pitch that began after the rise.

    The stronger of two claims:

    - its latest call to action before the rise: ``call_weight``, growing over ``ramp_s`` from the call to
      the rise (buyers need time) and fading with ``decay_s`` once the rise comes more than ``call_hold_s``
      after the call (orders follow a call for a minute or two, whether the host stays on the product or not);
    - the pitch itself: ``plain_weight``, growing over ``ramp_s`` from its start and fading with ``decay_s``
      from its end (talk about a product sells a little while it lasts).
    """
    rise = t_s if rise_s is None else rise_s
    cutoff = max(rise, rise_end_s if rise_end_s is not None else rise)
    if not in_window(pitch.start_s, pitch.end_s, t_s, options) or pitch.start_s > cutoff:
        return Claim(pitch, 0.0, None)

    def ramp(since_s: float) -> float:
        return max(0.05, min(1.0, since_s / options.ramp_s)) if options.ramp_s > 0 else 1.0

    decay = max(options.decay_s, 1e-9)
    plain = options.plain_weight * ramp(rise - pitch.start_s) * math.exp(-max(0.0, rise - pitch.end_s) / decay)
    calls = [c for c in pitch.calls_s if c <= cutoff]
    if not calls:
        return Claim(pitch, plain, None)
    call = max(calls)
    since = rise - call
    called = options.call_weight * ramp(since) * math.exp(-max(0.0, since - options.call_hold_s) / decay)
    return Claim(pitch, called, call) if called >= plain else Claim(pitch, plain, None)


def pitch_weight(pitch: PitchSegment, t_s: float, options: SpikeOptions = SpikeOptions()) -> float:
    """How strongly ``pitch`` may claim a spike at ``t_s`` (see :func:`pitch_claim`, rise at ``t_s``)."""
    return pitch_claim(pitch, t_s, None, options).weight


def _clip_candidates(clips: list[Clip] | tuple[Clip, ...], t_s: float, options: SpikeOptions) -> list[Clip]:
    return [c for c in clips if in_window(c.start_s, c.end_s, t_s, options)]


@dataclass(frozen=True, slots=True)
class Attribution:
    """What caused a spike: the credited pitch and its claim, every claim, the clips in the lag window, the one
    linked (one showing the credited product, or no product), and those not linked because they show another."""

    pitch: PitchSegment | None
    share: float
    confidence_share: float
    call_s: float | None
    claims: tuple[Claim, ...]
    candidate_clips: tuple[Clip, ...]
    clip: Clip | None
    other_product_clips: tuple[Clip, ...]


def rank_claims(claims: list[Claim]) -> list[Claim]:
    """Claims strongest first (ties: the later pitch first)."""
    return sorted((c for c in claims if c.weight > 0), key=lambda c: (-c.weight, -c.pitch.start_s))


def attribute(
    t_s: float,
    clips: list[Clip] | tuple[Clip, ...],
    pitches: list[PitchSegment] | tuple[PitchSegment, ...],
    options: SpikeOptions = SpikeOptions(),
    rise_s: float | None = None,
    rise_end_s: float | None = None,
) -> Attribution:
    """The pitch and clip behind a spike at ``t_s`` whose rise began at about ``rise_s`` and surely before
    ``rise_end_s``.

    The pitch with the largest claim (:func:`pitch_claim`) is credited; ``share`` is its share of all claims,
    ``confidence_share`` its share of all claims plus ``unexplained_claim``. The clip linked is the latest of
    the clips in the lag window that shows the credited product, else of those that show no product (or, with
    no pitch credited, of all); clips that show another product are never linked and are listed apart.
    """
    claims = tuple(rank_claims([pitch_claim(p, t_s, rise_s, options, rise_end_s) for p in pitches]))
    total = sum(c.weight for c in claims)
    pitch, share, confidence_share, call_s = None, 0.0, 0.0, None
    if claims and claims[0].weight / total >= options.min_share:
        best = claims[0]
        pitch, share, call_s = best.pitch, best.weight / total, best.call_s
        confidence_share = best.weight / (total + options.unexplained_claim)
    candidates = tuple(_clip_candidates(clips, t_s, options))
    others: tuple[Clip, ...] = ()
    linkable = list(candidates)
    if pitch is not None:
        same = [c for c in candidates if c.product_sku == pitch.sku]
        unknown = [c for c in candidates if c.product_sku is None]
        others = tuple(c for c in candidates if c.product_sku not in (None, pitch.sku))
        linkable = same or unknown
    clip = max(linkable, key=lambda c: c.start_s, default=None)
    return Attribution(pitch, share, confidence_share, call_s, claims, candidates, clip, others)


def _moments(found: list[tuple[str, _Detection]], options: SpikeOptions) -> list[list[tuple[str, _Detection]]]:
    """Spikes grouped into sales moments: a spike joins the moment before it when that moment has no spike of
    its metric yet and began less than ``same_moment_s`` (or one row) before it."""
    moments: list[list[tuple[str, _Detection]]] = []
    for name, detection in sorted(found, key=lambda item: (item[1].t_s, item[0])):
        reach = max(options.same_moment_s, detection.interval_s)
        last = moments[-1] if moments else None
        if last and all(n != name for n, _ in last) and detection.t_s - last[0][1].t_s <= reach:
            last.append((name, detection))
        else:
            moments.append([(name, detection)])
    return moments


def find_sales_spikes(
    metrics: Metrics,
    clips: list[Clip] | tuple[Clip, ...] = (),
    pitches: list[PitchSegment] | tuple[PitchSegment, ...] = (),
    options: SpikeOptions = SpikeOptions(),
) -> list[SalesSpike]:
    """Spikes in the sales metrics of ``options.metrics``, in time order, each with its likely cause.

    Spikes of several metrics at one moment (an orders spike and a GMV spike) share an ``event_id`` and one
    attribution, made at the moment's first spike with the earliest rise among them. A moment is credited to
    the pitch with the largest claim (:func:`pitch_claim`) and linked to a clip within the lag window (see
    :func:`attribute`); ``attribution`` is ``"unattributed"`` and ``confidence`` 0 where nothing fits.
    ``confidence`` is the credited pitch's share of the claims and of ``unexplained_claim``, times how clearly
    the spike stands out.
    """
    found: list[tuple[str, _Detection]] = []
    for name in options.metrics:
        series = metrics.get(name)
        if series is not None:
            found += [(name, d) for d in detect_spikes(series, metrics, options)]
    numbers = {name: 0 for name in options.metrics}
    spikes: list[SalesSpike] = []
    for moment_number, moment in enumerate(_moments(found, options), start=1):
        t_s = moment[0][1].t_s
        # the rise began inside the first raised row of the moment's first metric in ``options.metrics`` (orders
        # before GMV: counts are steadier than money): about its middle, surely before its end
        first = min(moment, key=lambda item: options.metrics.index(item[0]))[1]
        rise_s = min(first.rise_s + first.interval_s / 2, t_s)
        cause = attribute(t_s, clips, pitches, options, rise_s, first.rise_s + first.interval_s)
        for name, found_spike in moment:
            numbers[name] += 1
            strength = min(1.0, found_spike.significance / (2 * options.prominence))
            if cause.pitch is not None:
                confidence = cause.confidence_share * strength
                attribution = "pitch_and_clip" if cause.clip else "pitch"
            elif cause.clip is not None:
                # a clip alone is weak evidence: it marks engagement, not a product on air
                confidence = 0.5 * strength / len(cause.candidate_clips)
                attribution = "clip"
            else:
                confidence, attribution = 0.0, "unattributed"
            pitch = cause.pitch
            spikes.append(
                SalesSpike(
                    id=f"{name}-{numbers[name]:02d}",
                    t_s=round(found_spike.t_s, 3),
                    metric=name,
                    value=found_spike.value,
                    clip_id=cause.clip.id if cause.clip else None,
                    sku=pitch.sku if pitch else (cause.clip.product_sku if cause.clip else None),
                    confidence=round(confidence, 2),
                    attribution=attribution,
                    baseline=round(found_spike.baseline, 3),
                    significance=round(found_spike.significance, 2),
                    clip_ids=tuple(c.id for c in sorted(cause.candidate_clips, key=lambda c: c.start_s)),
                    pitch_start_s=pitch.start_s if pitch else None,
                    lag_s=round(found_spike.t_s - pitch.start_s, 3) if pitch else None,
                    candidate_skus=tuple(dict.fromkeys(c.pitch.sku for c in cause.claims)),
                    event_id=f"sale-{moment_number:02d}",
                    rise_s=round(found_spike.rise_s, 3),
                    call_s=cause.call_s,
                    other_product_clip_ids=tuple(c.id for c in cause.other_product_clips),
                )
            )
    return sorted(spikes, key=lambda s: (s.t_s, s.metric))
