"""Choosing highlight segments: engagement peaks, bound to the scene cut that started them and the
sentence that ends them. Pure: lists in, lists out; no media is touched here."""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field, replace

import numpy as np

from mediaops.signals import peak_indices, resample_counts, robust_z
from mediaops.types import Comment, Highlight, Metrics, Peak, PitchSegment, Scene, Transcript


def _default_weights() -> dict[str, float]:
    # Comments and likes react fastest and are the densest signals; gifts, shares and follows are rarer but
    # mean more per event; viewer inflow shows the moment travelled (recommendation feed). Orders are not
    # used here: they are the outcome the retrospective attributes to highlights, not a cause of them.
    return {
        "comments": 1.0,
        "comment_log": 1.0,
        "likes": 0.8,
        "gifts": 0.6,
        "shares": 0.6,
        "new_followers": 0.5,
        "viewers_entered": 0.5,
        "online_viewers": 0.4,
    }


@dataclass(frozen=True, slots=True)
class HighlightOptions:
    """How to pick highlights.

    Attributes:
        max_clips: keep at most this many, best first.
        min_duration_s / max_duration_s: clip length bounds.
        target_duration_s: preferred length before snapping the end to a sentence boundary.
        reaction_window_s: how far before a peak the moment that caused it may have started.
        scene_snap_s: how close a cut must be to count as the moment's start.
        peak_height: minimum combined robust z-score of a peak.
        no_cut_penalty: score factor for peaks with no scene change in the reaction window.
        weights: per-signal weights of the combined score.
    """

    max_clips: int = 5
    min_duration_s: float = 15.0
    max_duration_s: float = 60.0
    target_duration_s: float = 30.0
    reaction_window_s: float = 60.0
    peak_height: float = 1.5
    peak_prominence: float = 1.0
    no_cut_penalty: float = 0.5
    weights: dict[str, float] = field(default_factory=_default_weights)


def engagement_score(
    metrics: Metrics, comments: list[Comment] | tuple[Comment, ...] = (), options: HighlightOptions = HighlightOptions()
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """The combined engagement score on an even grid: ``(grid_t_s, score, per_signal_z)``."""
    step_s = metrics.interval_s
    start_s = min((s.t_s[0] for s in metrics.series if s.t_s), default=0.0)
    end_s = max((s.t_s[-1] + step_s for s in metrics.series if s.t_s), default=start_s)
    n = max(1, math.ceil((end_s - start_s) / step_s))
    grid = start_s + step_s * np.arange(n)
    window = max(5, round(600 / step_s))  # a 10-minute baseline follows the stream's slow drift
    per_signal: dict[str, np.ndarray] = {}
    for series in metrics.series:
        if series.name not in options.weights:
            continue
        t = np.asarray(series.t_s)
        v = np.asarray(series.values, dtype=float)
        if series.kind == "level":
            level = np.interp(grid, t, np.nan_to_num(v, nan=float(np.nanmedian(v)) if np.isfinite(v).any() else 0.0))
            per_signal[series.name] = robust_z(np.diff(level, prepend=level[0]), window)
        else:
            per_signal[series.name] = robust_z(resample_counts(t, v, start_s, step_s, n), window)
    if comments:
        times = np.array([c.t_s for c in comments])
        counts = np.histogram(times, bins=n, range=(start_s, start_s + n * step_s))[0].astype(float)
        if "comments" not in per_signal:
            per_signal["comment_log"] = robust_z(counts, window)
    total_weight = sum(options.weights[name] for name in per_signal) or 1.0
    score = sum((options.weights[name] * np.clip(z, -3, None) for name, z in per_signal.items()), np.zeros(n))
    return grid, score / math.sqrt(total_weight), per_signal


def find_peaks_in_engagement(
    metrics: Metrics, comments: list[Comment] | tuple[Comment, ...] = (), options: HighlightOptions = HighlightOptions()
) -> list[Peak]:
    """Moments of unusual engagement, strongest first."""
    grid, score, per_signal = engagement_score(metrics, comments, options)
    distance = max(1, round(options.min_duration_s / metrics.interval_s))
    peaks = [
        Peak(
            t_s=float(grid[i] + metrics.interval_s / 2),
            score=float(score[i]),
            signals={name: round(float(z[i]), 2) for name, z in per_signal.items() if z[i] >= 1.0},
        )
        for i in peak_indices(score, options.peak_height, options.peak_prominence, distance)
    ]
    return sorted(peaks, key=lambda p: p.score, reverse=True)


def find_lowlights(metrics: Metrics, limit: int = 3) -> list[Peak]:
    """Where online viewers fell fastest (for coaching), worst first."""
    series = metrics.get("online_viewers")
    if series is None or len(series.values) < 3:
        return []
    v = np.asarray(series.values, dtype=float)
    drops = np.diff(v)
    order = np.argsort(drops)[:limit]
    return [
        Peak(t_s=float(series.t_s[i + 1]), score=float(drops[i]), signals={"online_viewers_change": float(drops[i])})
        for i in order
        if drops[i] < 0
    ]


def _cut_before(cuts: list[float], peak_t_s: float, window_s: float) -> float | None:
    index = bisect_right(cuts, peak_t_s)
    candidates = [c for c in cuts[:index] if c >= peak_t_s - window_s]
    return candidates[-1] if candidates else None


def _sentence_end(transcript: Transcript | None, low_s: float, high_s: float, target_s: float) -> float | None:
    if transcript is None:
        return None
    ends = [s.end_s for s in transcript.segments if low_s <= s.end_s <= high_s]
    return min(ends, key=lambda e: abs(e - target_s)) if ends else None


def _pitch_at(pitches: list[PitchSegment] | tuple[PitchSegment, ...], t_s: float) -> PitchSegment | None:
    return next((p for p in pitches if p.start_s - 5 <= t_s <= p.end_s + 5), None)


def choose_highlights(
    peaks: list[Peak],
    scenes: list[Scene] | tuple[Scene, ...],
    transcript: Transcript | None,
    duration_s: float,
    pitches: list[PitchSegment] | tuple[PitchSegment, ...] = (),
    options: HighlightOptions = HighlightOptions(),
) -> list[Highlight]:
    """Turn peaks into non-overlapping highlight segments, best first, each with its reasons.

    The start is the last scene cut within ``reaction_window_s`` before the peak (audiences react late);
    the end is the sentence end nearest ``start + target_duration_s`` within the duration bounds.
    """
    cuts = sorted(s.start_s for s in scenes if s.start_s > 0)
    candidates: list[Highlight] = []
    for peak in peaks:
        cut = _cut_before(cuts, peak.t_s, options.reaction_window_s)
        reasons = [
            f"{name} +{z:.1f}σ" for name, z in sorted(peak.signals.items(), key=lambda item: -item[1])
        ] or [f"engagement score {peak.score:.1f}"]
        score = peak.score
        if cut is None:
            start_s = max(0.0, peak.t_s - options.target_duration_s / 2)
            score *= options.no_cut_penalty
            reasons.append("no scene change before the peak")
        else:
            start_s = cut
            reasons.append(f"starts at scene cut {cut:.2f} s")
        low = start_s + options.min_duration_s
        high = min(start_s + options.max_duration_s, duration_s)
        if high - start_s < options.min_duration_s:
            start_s = max(0.0, high - options.min_duration_s)
            low = start_s + options.min_duration_s
        sentence_end = _sentence_end(transcript, low, high, start_s + options.target_duration_s)
        end_s = sentence_end if sentence_end is not None else min(start_s + options.target_duration_s, high)
        if sentence_end is not None:
            reasons.append(f"ends with the sentence at {sentence_end:.2f} s")
        pitch = _pitch_at(pitches, peak.t_s)
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
                sentence_end_s=sentence_end,
                product_sku=pitch.sku if pitch else None,
                title=pitch.name if pitch else "",
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
