"""Choosing highlight segments: engagement peaks, bound to the scene cut that started them and the
sentence that ends them, each with its reasons; and lowlights, where viewers left fastest.

Pure: series in, dataclasses out; no media is touched here.

How a clip is found:

1. Every signal (metrics export columns, the comment log's rate and keyword counts) is scored against its
   own rolling baseline: a robust z-score (distance from the rolling median in rolling-MAD units) at the
   signal's own resolution, capped so that no single signal can make a peak alone.
2. The capped scores are weighted (:func:`default_weights`) and combined on a 1 s grid; peaks need height and
   prominence (``scipy.signal.find_peaks``).
3. For each peak the audience's *onset* is estimated from the finest signal that rose (the comment log at
   1 s beats a per-minute export); the moment that caused it started a little earlier, so the scene cut
   nearest ``onset - typical_lag_s`` within the reaction window becomes the clip's start.
4. The clip ends at the transcript's sentence end nearest the target length, within the duration bounds.
5. Candidates are taken best first, skipping any that overlap one already taken, up to ``max_clips``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mediaops.analysis.signals import merge_spans, peak_indices, robust_z, rolling_median, rolling_sum
from mediaops.types import Highlight, Metrics, MetricSeries, Peak, PitchSegment, Scene, Transcript


def default_weights() -> dict[str, float]:
    """Default weight of each signal in the combined score (signals not listed are not used).

    Why these numbers: comments react fastest and most densely to what happens on screen, so they carry
    the most (the export's ``comments`` column and the comment log's ``comment_rate`` measure the same thing
    and share one weight when both exist). Likes are as fast but cheap (one viewer can tap dozens of times),
    so they weigh a little less. Gifts, shares and new followers are rarer but each costs the viewer more;
    viewer inflow (entries, online viewers rising) shows that the recommendation feed picked the moment up.
    Hype keywords (666, 哈哈) are a sharper version of the comment rate. Orders, GMV and "bought"
    comments are left out: they are the outcome the retrospective attributes to highlights, and they arrive
    minutes later, so they would pull clips away from the moment that caused them.
    """
    return {
        "comments": 1.0,
        "comment_rate": 1.0,
        "likes": 0.8,
        "keyword_hype": 0.5,
        "keyword_link": 0.5,
        "gifts": 0.6,
        "shares": 0.6,
        "new_followers": 0.5,
        "viewers_entered": 0.5,
        "online_viewers": 0.4,
    }


#: signals that measure the same thing share one weight when several are present.
SHARED_WEIGHT = (("comments", "comment_rate"),)


@dataclass(frozen=True, slots=True)
class HighlightOptions:
    """How to pick highlights (every default is documented here and nowhere else).

    Attributes:
        max_clips: keep at most this many, best first.
        min_duration_s / max_duration_s: clip length bounds (15–60 s suits short-video feeds).
        target_duration_s: preferred length before snapping the end to a sentence boundary.
        reaction_window_s: how long before the audience's onset the moment that caused it may have started.
        typical_lag_s: usual delay from a moment on screen to the first comments and likes.
        baseline_s: length of the rolling baseline each signal is compared with (follows slow drift).
        smooth_s: signals finer than this (comment log at 1 s) are summed over this window first.
        z_cap: per-signal cap on the robust z-score, so one signal alone cannot make a peak.
        peak_height / peak_prominence: minimum combined score and prominence of a peak.
        episode_level: between two peaks the combined score must fall below this for them to count as two
            moments; otherwise the weaker is an aftershock of the stronger (the same audience reaction).
        min_score: minimum score of a highlight after the no-cut penalty.
        no_cut_penalty: score factor for peaks with no scene change in the reaction window.
        rise_z: a signal counts as having risen at a peak when its z-score reaches this.
        weights: per-signal weights of the combined score; see :func:`default_weights`.
        lowlights: how many lowlights to list.
        lowlight_window_s: span over which a fall in online viewers is measured (30 s catches a walk-out
            after a boring stretch without being fooled by one noisy sample).
    """

    max_clips: int = 5
    min_duration_s: float = 15.0
    max_duration_s: float = 60.0
    target_duration_s: float = 30.0
    reaction_window_s: float = 60.0
    typical_lag_s: float = 6.0
    baseline_s: float = 600.0
    smooth_s: float = 10.0
    z_cap: float = 6.0
    peak_height: float = 3.0
    peak_prominence: float = 2.0
    episode_level: float = 1.5
    min_score: float = 3.0
    no_cut_penalty: float = 0.5
    rise_z: float = 2.0
    weights: dict[str, float] = field(default_factory=default_weights)
    lowlights: int = 3
    lowlight_window_s: float = 30.0


@dataclass(frozen=True, slots=True)
class SignalTrack:
    """One signal on the common grid: its z-score, its rate and baseline rate (per second), its resolution."""

    name: str
    z: np.ndarray
    rate: np.ndarray
    baseline: np.ndarray
    interval_s: float
    kind: str


@dataclass(frozen=True, slots=True)
class Engagement:
    """The combined engagement score on an even 1 s grid and the per-signal tracks it was made of."""

    grid_t_s: np.ndarray
    score: np.ndarray
    tracks: tuple[SignalTrack, ...]
    step_s: float = 1.0


def _track(series: MetricSeries, grid: np.ndarray, options: HighlightOptions) -> SignalTrack | None:
    t = np.asarray(series.t_s, dtype=float)
    v = np.asarray(series.values, dtype=float)
    if t.size < 3 or not np.isfinite(v).any():
        return None
    interval = float(series.interval_s)
    window = max(5, round(options.baseline_s / interval))
    k = max(1, round(options.smooth_s / interval))
    if series.kind == "level":
        # a gauge rises when people arrive: score its change over the smoothing span, per minute
        change = np.full(v.size, np.nan)
        change[k:] = v[k:] - v[:-k]
        native = change * 60.0 / (k * interval)
        z = robust_z(native, window, floor=1.0)  # below one viewer a minute is no signal
        base = rolling_median(native, window)
        rate, base_rate = native, base
        # label the change at the middle of the span it covers
        t = t - k * interval / 2
    else:
        sums = rolling_sum(v, k)
        z = robust_z(sums, window)
        base = rolling_median(sums, window)
        rate, base_rate = sums / (k * interval), base / (k * interval)
    z = np.where(np.isnan(v), 0.0, z)
    index = np.floor((grid - t[0]) / interval).astype(int)
    inside = (index >= 0) & (index < t.size)
    held = np.zeros(grid.size)
    held_rate = np.full(grid.size, np.nan)
    held_base = np.full(grid.size, np.nan)
    held[inside] = np.nan_to_num(z[index[inside]])
    held_rate[inside] = rate[index[inside]]
    held_base[inside] = base_rate[index[inside]]
    return SignalTrack(series.name, held, held_rate, held_base, interval, series.kind)


def _effective_weights(names: Sequence[str], weights: dict[str, float]) -> dict[str, float]:
    out = {n: weights[n] for n in names if weights.get(n, 0) > 0}
    for group in SHARED_WEIGHT:
        present = [n for n in group if n in out]
        for n in present:
            out[n] /= len(present)
    return out


def engagement_score(
    metrics: Metrics,
    extra: Sequence[MetricSeries] = (),
    options: HighlightOptions = HighlightOptions(),
    duration_s: float | None = None,
) -> Engagement:
    """The weighted combination of every known signal's capped robust z-score on a 1 s grid from 0 to
    ``duration_s`` (default: the end of the last series)."""
    series = [*metrics.series, *extra]
    end_s = max((s.t_s[-1] + s.interval_s for s in series if s.t_s), default=0.0)
    if duration_s is not None:
        end_s = duration_s
    step = 1.0
    grid = np.arange(0.0, max(end_s, step), step)
    tracks = [
        track for s in series if options.weights.get(s.name, 0) > 0 and (track := _track(s, grid, options)) is not None
    ]
    weights = _effective_weights([t.name for t in tracks], options.weights)
    total = sum(weights.values()) or 1.0
    score = np.zeros(grid.size)
    for track in tracks:
        score += weights[track.name] * np.clip(track.z, -3.0, options.z_cap)
    return Engagement(grid, score / math.sqrt(total), tuple(tracks), step)


#: z-scores up to this are ordinary noise when estimating where a rise began.
_NOISE_Z = 1.0


def _onset(track: SignalTrack, peak: int, window: int, dip_s: float) -> float | None:
    """Grid position where ``track`` started to rise towards its maximum near ``peak``.

    The rise starts where the z-score first exceeds half its maximum (searching back at most three
    ``window`` lengths, stepping over dips shorter than ``dip_s`` in fine signals). For coarse signals (one
    value per interval) the crossing is refined inside the interval: a partly raised interval before the crossing
    moves the onset earlier, a partly raised interval at the crossing moves it later, both in proportion
    to how far short of the maximum they fall (exact for a surge that holds its level).
    """
    z = track.z
    reach = round(track.interval_s)
    lo = max(0, peak - reach)
    top = lo + int(np.argmax(z[lo : min(z.size, peak + reach + 1)]))
    height = z[top]
    if height <= _NOISE_Z:
        return None
    start = top
    floor = max(0, peak - 3 * window)
    # fine signals dip below half height for a few seconds inside one surge; step over such dips
    gap = 1 if track.interval_s > 2 else max(1, round(dip_s))
    while start > floor:
        above = np.flatnonzero(z[max(floor, start - gap) : start] > 0.5 * height)
        if above.size == 0:
            break
        start = max(floor, start - gap) + int(above[0])
    if track.interval_s <= 2:
        return float(start)

    def raised(value: float) -> float:
        # the share of the surge in one interval, ignoring what ordinary noise would explain
        return float(np.clip((value - _NOISE_Z) / (height - _NOISE_Z), 0, 1))

    before = raised(z[start - 1]) if start > 0 else 0.0
    return start - track.interval_s * before + track.interval_s * (1 - raised(z[start]))


def _separate_peaks(score: np.ndarray, options: HighlightOptions, distance: int) -> list[int]:
    """Peak indices, keeping only the strongest of peaks not separated by a fall below ``episode_level``."""
    found = [int(i) for i in peak_indices(score, options.peak_height, options.peak_prominence, distance)]
    kept: list[int] = []
    for index in found:
        if kept and float(score[kept[-1] : index + 1].min()) >= options.episode_level:
            if score[index] > score[kept[-1]]:
                kept[-1] = index
            continue
        kept.append(index)
    return kept


def _label(name: str) -> str:
    return name.replace("keyword_", "keywords: ").replace("_", " ")


def find_peaks_in_engagement(
    metrics: Metrics,
    extra: Sequence[MetricSeries] = (),
    options: HighlightOptions = HighlightOptions(),
    duration_s: float | None = None,
) -> list[Peak]:
    """Moments of unusual engagement, strongest first, each with the signals that rose and the onset of
    the audience's reaction. ``extra`` holds series besides the export's, e.g. from the comment log."""
    engagement = engagement_score(metrics, extra, options, duration_s)
    grid, score = engagement.grid_t_s, engagement.score
    distance = max(1, round(options.min_duration_s / engagement.step_s))
    window = round(options.reaction_window_s / engagement.step_s)
    peaks: list[Peak] = []
    for index in _separate_peaks(score, options, distance):
        signals: dict[str, float] = {}
        rises: dict[str, float] = {}
        onsets: list[tuple[float, float]] = []
        for track in engagement.tracks:
            span = slice(max(0, index - round(track.interval_s)), min(grid.size, index + round(track.interval_s) + 1))
            at = span.start + int(np.argmax(track.z[span]))
            if track.z[at] < options.rise_z:
                continue
            signals[track.name] = round(float(track.z[at]), 2)
            rate, base = track.rate[at], track.baseline[at]
            if track.kind == "level":
                rises[track.name] = round(float(rate), 1)
            elif np.isfinite(rate) and np.isfinite(base) and base > 0:
                rises[track.name] = round(float(rate / base), 2)
            onset = _onset(track, index, window, options.smooth_s)
            if onset is not None:
                onsets.append((track.interval_s, onset))
        finest = min((i for i, _ in onsets), default=None)
        onset_s = None
        if finest is not None:
            chosen = [o for i, o in onsets if i == finest]
            onset_s = float(grid[0] + engagement.step_s * float(np.median(chosen)))
        peaks.append(
            Peak(
                t_s=float(grid[index]),
                score=round(float(score[index]), 3),
                signals=signals,
                onset_s=None if onset_s is None else round(onset_s, 3),
                onset_precision_s=0.0 if finest is None else max(1.0, finest),
                rises=rises,
            )
        )
    return sorted(peaks, key=lambda p: p.score, reverse=True)


def find_lowlights(metrics: Metrics, options: HighlightOptions = HighlightOptions()) -> list[Peak]:
    """Where online viewers fell fastest, worst first (for coaching the host).

    Each lowlight's ``t_s`` is the start of the fall, ``score`` the change in viewers per minute over
    ``lowlight_window_s`` (negative, at least one export interval), and ``signals`` the viewers before and
    after, the change in viewers and percent, and ``end_s``, the end of the fall.
    """
    series = metrics.get("online_viewers")
    if series is None or len(series.values) < 3:
        return []
    t = np.asarray(series.t_s, dtype=float)
    v = np.asarray(series.values, dtype=float)
    k = max(1, round(options.lowlight_window_s / series.interval_s))
    if v.size <= k:
        k = v.size - 1
    change = v[k:] - v[:-k]
    per_minute = change * 60.0 / (k * series.interval_s)
    falling = np.nan_to_num(-per_minute, nan=-np.inf)
    if not np.isfinite(falling).any() or falling.max() <= 0:
        return []
    found = peak_indices(np.where(np.isfinite(falling), falling, -1e18), 1e-9, 0.0, distance=max(1, k))
    lows: list[Peak] = []
    for i in sorted(found, key=lambda i: per_minute[i])[: options.lowlights]:
        before, after = float(v[i]), float(v[i + k])
        lows.append(
            Peak(
                t_s=float(t[i]),
                score=round(float(per_minute[i]), 1),
                signals={
                    "online_viewers_before": before,
                    "online_viewers_after": after,
                    "online_viewers_change": round(after - before, 1),
                    "change_percent": round(100 * (after - before) / before, 1) if before > 0 else 0.0,
                    "window_s": float(k * series.interval_s),
                    "end_s": float(t[i + k]),
                },
            )
        )
    return lows


def _cut_for(cuts: np.ndarray, peak: Peak, options: HighlightOptions) -> float | None:
    """The scene cut that most likely started the moment behind ``peak``: the one nearest
    ``onset - typical_lag_s`` among the cuts from ``reaction_window_s`` before the onset to just after it."""
    onset = peak.onset_s if peak.onset_s is not None else peak.t_s
    target = onset - options.typical_lag_s
    slack = max(2.0, peak.onset_precision_s)
    near = cuts[(cuts >= onset - options.reaction_window_s) & (cuts <= onset + slack)]
    if near.size == 0:
        return None
    return float(near[np.argmin(np.abs(near - target))])


def _sentence_end(
    transcript: Transcript | None, low_s: float, high_s: float, target_s: float
) -> tuple[float, str] | None:
    if transcript is None:
        return None
    ends = [(s.end_s, s.text.strip()) for s in transcript.segments if low_s <= s.end_s <= high_s]
    return min(ends, key=lambda e: abs(e[0] - target_s)) if ends else None


def _pitch_at(pitches: Sequence[PitchSegment], start_s: float, end_s: float) -> PitchSegment | None:
    """The pitch overlapping ``[start_s, end_s)`` the most."""
    best = max(pitches, key=lambda p: min(end_s, p.end_s) - max(start_s, p.start_s), default=None)
    if best is None or min(end_s, best.end_s) - max(start_s, best.start_s) <= 0:
        return None
    return best


def _clock(t_s: float) -> str:
    t = max(0.0, t_s)
    return f"{int(t // 3600)}:{int(t // 60 % 60):02d}:{t % 60:05.2f}"


def _signal_reasons(peak: Peak) -> list[str]:
    reasons = []
    for name, z in sorted(peak.signals.items(), key=lambda item: -item[1]):
        rise = peak.rises.get(name)
        if rise is None:
            reasons.append(f"{_label(name)} rose +{z:.1f}σ above its baseline")
        elif name == "online_viewers":
            reasons.append(f"online viewers {rise:+.0f}/min (+{z:.1f}σ)")
        else:
            reasons.append(f"{_label(name)} ×{rise:.1f} its baseline (+{z:.1f}σ)")
    return reasons or [f"engagement score {peak.score:.1f}"]


def choose_highlights(
    peaks: Sequence[Peak],
    scenes: Sequence[Scene],
    transcript: Transcript | None,
    duration_s: float,
    pitches: Sequence[PitchSegment] = (),
    options: HighlightOptions = HighlightOptions(),
) -> list[Highlight]:
    """Turn peaks into non-overlapping highlight segments (in time order, ids ``clip-01``…), each with its
    reasons: the signals that rose and by how much, the scene cut and sentence that bound it, the product.

    A peak with no scene change in its reaction window starts ``typical_lag_s`` + half the minimum duration
    before its onset and has its score multiplied by ``no_cut_penalty``; it is dropped below ``min_score``.
    """
    cuts = np.array(sorted(s.start_s for s in scenes if s.start_s > 0), dtype=float)
    candidates: list[Highlight] = []
    for peak in peaks:
        onset = peak.onset_s if peak.onset_s is not None else peak.t_s
        cut = _cut_for(cuts, peak, options)
        reasons = _signal_reasons(peak)
        score = peak.score
        if cut is None:
            start_s = max(0.0, onset - options.typical_lag_s - options.min_duration_s / 2)
            score *= options.no_cut_penalty
            reasons.append(
                f"no scene change within {options.reaction_window_s:.0f} s before the audience reacted at "
                f"{_clock(onset)}; starts at {_clock(start_s)} (score ×{options.no_cut_penalty:g})"
            )
        else:
            start_s = cut
            reasons.append(f"starts at the scene cut at {_clock(cut)}, {onset - cut:.1f} s before the audience "
                           f"reacted at {_clock(onset)}")
        if score < options.min_score:
            continue
        high = min(start_s + options.max_duration_s, duration_s)
        if high - start_s < options.min_duration_s:
            start_s = max(0.0, high - options.min_duration_s)
        low = start_s + options.min_duration_s
        sentence = _sentence_end(transcript, low, high, start_s + options.target_duration_s)
        if sentence is not None:
            end_s = sentence[0]
            reasons.append(f"ends after the sentence “{sentence[1]}” at {_clock(end_s)}")
        else:
            end_s = min(start_s + options.target_duration_s, high)
            reasons.append(f"no sentence ends between {_clock(low)} and {_clock(high)}; ends at {_clock(end_s)}")
        pitch = _pitch_at(pitches, start_s, end_s)
        if pitch is not None:
            reasons.append(f"during the pitch of {pitch.name} ({pitch.sku})")
        candidates.append(
            Highlight(
                id="",
                start_s=round(start_s, 3),
                end_s=round(end_s, 3),
                score=round(score, 3),
                peak_t_s=round(peak.t_s, 3),
                reasons=tuple(reasons),
                signals=dict(peak.signals),
                scene_cut_s=cut,
                sentence_end_s=sentence[0] if sentence else None,
                product_sku=pitch.sku if pitch else None,
                title=pitch.name if pitch else "",
                onset_s=peak.onset_s,
                rises=dict(peak.rises),
                end_sentence=sentence[1] if sentence else "",
            )
        )
    chosen: list[Highlight] = []
    for cand in sorted(candidates, key=lambda h: h.score, reverse=True):
        if len(chosen) >= options.max_clips:
            break
        if all(cand.end_s <= h.start_s or cand.start_s >= h.end_s for h in chosen):
            chosen.append(cand)
    chosen.sort(key=lambda h: h.start_s)
    return [replace(h, id=f"clip-{i:02d}") for i, h in enumerate(chosen, start=1)]


def scene_windows(
    peaks: Sequence[Peak], duration_s: float, options: HighlightOptions = HighlightOptions(), margin_s: float = 5.0
) -> list[tuple[float, float]]:
    """The spans a windowed scene detection must analyse so that :func:`choose_highlights` finds the same
    cuts as after a full pass: from ``reaction_window_s`` before each onset to just after it, merged."""
    spans = []
    for peak in peaks:
        onset = peak.onset_s if peak.onset_s is not None else peak.t_s
        spans.append((max(0.0, onset - options.reaction_window_s - margin_s),
                      min(duration_s, onset + max(2.0, peak.onset_precision_s) + margin_s)))
    return merge_spans(spans)
