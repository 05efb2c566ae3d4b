"""Choosing highlight segments: engagement peaks, bound to the scene cut that started them and the
sentence that ends them, each with its reasons; and lowlights, where viewers left fastest.

Pure: series in, dataclasses out; no media is touched here.

How a clip is found:

1. Every signal (metrics export columns, the comment log's rate and keyword counts) is scored against its
   own rolling baseline: a robust z-score (distance from the rolling median in rolling-MAD units) at the
   signal's own resolution, capped so that no single signal can make a peak alone.
2. The capped scores are weighted (:func:`default_weights`) and combined on a 1 s grid; peaks need height and
   prominence (``scipy.signal.find_peaks``). Peaks of one episode (the score never fell below
   ``episode_level`` between them) are one moment: the strongest gives the score, the first the onset.
3. For each peak the audience's *onset* is estimated from the finest signal that rose (the comment log at
   1 s beats a per-minute export), with the span it surely lies in from that signal's row structure.
4. The start is chosen among the scene cuts of the reaction window by all the evidence there is
   (:func:`locate_start`): the reaction timing (the cut ``typical_lag_s`` before the onset is likeliest),
   the row structure (a reaction whose first raised row follows a flat one began inside that row, so its
   cause lies at most ``max_lag_s`` before the row), the transcript (a call to action, a product name or a
   presenting phrase said at the cut) and, where the scene detector reports it, the size of the visual
   change. The reasons say which evidence decided.
5. The clip ends at a sentence end (terminal punctuation, or a pause; never a comma or a sentence the
   recogniser split) nearest the target length, within the duration bounds.
6. Candidates are taken best first, skipping any that overlap one already taken, up to ``max_clips``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mediaops.analysis import reasons as why
from mediaops.analysis.pitches import call_to_action, pitch_on_air, presentation
from mediaops.analysis.signals import merge_spans, peak_indices, robust_z, rolling_median, rolling_sum
from mediaops.types import (
    Highlight,
    Metrics,
    MetricSeries,
    Peak,
    PitchSegment,
    Reason,
    Scene,
    Segment,
    Transcript,
)


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


def default_cue_weights() -> dict[str, float]:
    """How strongly words said at a scene cut mark it as the start of a moment (log-likelihood units, added
    to the timing evidence of :func:`locate_start`).

    Why these numbers: a call to action (上链接, 秒杀, 三二一, 福袋, "link number 2", "flash sale") is what hosts
    say exactly when the moment they want the audience to react to begins, so it counts as much as the reaction
    timing being about 2.5 standard deviations off. The start of a product's pitch (its first mention after
    another product's) and a presenting phrase ("here it is", "look at this", 来看) mark a reveal, but hosts
    also say them when nothing happens, so they count half as much. A product's name alone is said all
    through its pitch (in about every third sentence), so a cut often coincides with one by chance: it counts
    little. Fine timing (a comment log) still beats every cue; coarse timing (a per-minute export) rarely does.
    """
    return {"call_to_action": 3.0, "pitch_start": 1.5, "presentation": 1.5, "product": 0.5}


@dataclass(frozen=True, slots=True)
class HighlightOptions:
    """How to pick highlights (every default is documented here and nowhere else).

    Attributes:
        max_clips: keep at most this many, best first.
        spare_candidates: how many peaks beyond ``max_clips`` are considered (some are dropped for overlap or
            a low score); the first clips and the full analysis consider the same ones.
        min_duration_s / max_duration_s: clip length bounds (15–60 s suits short-video feeds).
        target_duration_s: preferred length before snapping the end to a sentence boundary.
        reaction_window_s: how long before the audience's onset the moment that caused it may have started.
        typical_lag_s: usual delay from a moment on screen to the first comments and likes.
        lag_spread_s: how much that delay varies (one standard deviation).
        max_lag_s: the longest usual delay: a cause more than this before the first raised row of a reaction
            whose previous row was flat is unlikely (the row-structure evidence).
        cue_weights: weight of each kind of words said at a cut; see :func:`default_cue_weights`.
        cue_lead_s / cue_after_s: a sentence counts for the cut it starts up to ``cue_lead_s`` before or
            ``cue_after_s`` after (and for no later cut).
        visual_weight: weight of the size of the visual change at a cut, where the scene detector reports it.
        sentence_pause_s: a pause at least this long after a sentence without terminal punctuation ends it.
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
    spare_candidates: int = 3
    min_duration_s: float = 15.0
    max_duration_s: float = 60.0
    target_duration_s: float = 30.0
    reaction_window_s: float = 60.0
    typical_lag_s: float = 6.0
    lag_spread_s: float = 3.0
    max_lag_s: float = 20.0
    cue_weights: dict[str, float] = field(default_factory=default_cue_weights)
    cue_lead_s: float = 1.5
    cue_after_s: float = 6.0
    visual_weight: float = 0.5
    sentence_pause_s: float = 0.6
    baseline_s: float = 600.0
    smooth_s: float = 10.0
    z_cap: float = 6.0
    peak_height: float = 3.0
    peak_prominence: float = 2.0
    episode_level: float = 1.5
    min_score: float = 3.0
    no_cut_penalty: float = 0.4
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
#: a z-score above this is part of a surge (a coarse row above it holds part of one: the row structure).
_RAISED_Z = 2.0
#: half the span a 1 s signal's onset is known to: the smoothing and the steps over short dips.
_FINE_SPAN_S = 5.0


@dataclass(frozen=True, slots=True)
class _Onset:
    """Where a track started to rise (grid positions): the estimate and the span it surely lies in."""

    at: float
    low: float
    high: float


def _onset(track: SignalTrack, peak: int, window: int, dip_s: float) -> _Onset | None:
    """Where ``track`` started to rise towards its maximum near ``peak``.

    The rise is the run of raised values (z above :data:`_RAISED_Z` and above a third of the maximum) that
    leads to the maximum, searching back at most three ``window`` lengths and stepping over dips shorter than
    ``dip_s`` in fine signals. Its level is the run's median (a surge's plateau, not a taller burst on top of
    it). A fine signal began where it first reached half that level; the span it surely began in is a few
    seconds around that. A coarse signal (one value per interval) began inside the first raised row: the
    more of the level that row holds, the earlier in the row; a partly raised row before it moves the onset
    earlier in proportion. That row, widened by the share the row before holds, is the span (the row
    structure: a surge that fills a row and not the one before began inside that row).
    """
    z = track.z
    reach = round(track.interval_s)
    lo = max(0, peak - reach)
    top = lo + int(np.argmax(z[lo : min(z.size, peak + reach + 1)]))
    height = z[top]
    if height <= _NOISE_Z:
        return None
    if height <= _RAISED_Z:
        threshold = 0.5 * height
    elif track.interval_s <= 2:  # a fine signal's plateau is noisy: only a third of the maximum is part of it
        threshold = max(_RAISED_Z, height / 3)
    else:  # a coarse row a quarter filled by the surge is still part of it
        threshold = _RAISED_Z
    start = top
    floor = max(0, peak - 3 * window)
    # fine signals dip for a few seconds inside one surge; step over such dips
    gap = 1 if track.interval_s > 2 else max(1, round(dip_s))
    while start > floor:
        above = np.flatnonzero(z[max(floor, start - gap) : start] > threshold)
        if above.size == 0:
            break
        start = max(floor, start - gap) + int(above[0])
    if track.interval_s <= 2:
        level = max(float(np.median(z[start : top + 1])), threshold)
        at = start + int(np.argmax(z[start : top + 1] >= 0.5 * level))
        return _Onset(float(at), at - _FINE_SPAN_S, at + _FINE_SPAN_S)
    # the walk stops at a row boundary: every grid position of a row holds the row's value
    step = max(1, round(track.interval_s))
    end = top
    while end + step < z.size and z[end + step] > threshold:
        end += step
    rows = z[start : end + 1 : step]
    # the rows after the first hold the surge's full level (the first only a part of it)
    level = max(float(np.median(rows[1:])) if rows.size >= 3 else float(rows.max()), threshold)

    def raised(value: float) -> float:
        # the share of the surge in one interval, ignoring what ordinary noise would explain
        return float(np.clip((value - _NOISE_Z) / (level - _NOISE_Z), 0, 1)) if level > _NOISE_Z else 1.0

    before = raised(z[start - 1]) if start > 0 else 0.0
    if rows.size >= 3:
        # a surge over three rows or more: the rows inside it hold its full level, the first a fraction
        filled = raised(z[start])
    else:
        # a surge over a row or two holds no full row: the first row's share of the whole surge places the
        # onset, as for a surge that lasts about one row
        excess = np.clip(rows - _NOISE_Z, 0, None)
        filled = float(excess[0] / excess.sum()) if excess.sum() > 0 else 1.0
    estimate = start + track.interval_s * (1 - filled) - track.interval_s * before
    low, high = start - track.interval_s * before, start + track.interval_s
    return _Onset(min(max(estimate, low), high), low, high)


def _separate_peaks(score: np.ndarray, options: HighlightOptions, distance: int) -> list[tuple[int, int]]:
    """``(peak, first)`` index pairs: the strongest of peaks not separated by a fall below ``episode_level``,
    and the first peak of its episode (where the audience's reaction to the moment began)."""
    found = [int(i) for i in peak_indices(score, options.peak_height, options.peak_prominence, distance)]
    kept: list[tuple[int, int]] = []
    for index in found:
        if kept and float(score[kept[-1][0] : index + 1].min()) >= options.episode_level:
            if score[index] > score[kept[-1][0]]:
                kept[-1] = (index, kept[-1][1])
            continue
        kept.append((index, index))
    return kept


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
    for index, first in _separate_peaks(score, options, distance):
        signals: dict[str, float] = {}
        rises: dict[str, float] = {}
        onsets: list[tuple[float, _Onset]] = []
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
            # the reaction began with the episode's first peak, not with an aftershock
            onset = _onset(track, first, window, options.smooth_s)
            if onset is None and first != index:
                onset = _onset(track, index, window, options.smooth_s)
            if onset is not None:
                onsets.append((track.interval_s, onset))
        finest = min((i for i, _ in onsets), default=None)
        onset_s = low_s = high_s = None
        if finest is not None:
            # the audience reacted when its quickest signal rose (viewer inflow and the online count follow)
            first_rise = min((o for i, o in onsets if i == finest), key=lambda o: (o.at, o.low))
            to_s = engagement.step_s
            onset_s = float(grid[0] + to_s * first_rise.at)
            low_s = float(grid[0] + to_s * first_rise.low)
            high_s = float(grid[0] + to_s * first_rise.high)
        peaks.append(
            Peak(
                t_s=float(grid[index]),
                score=round(float(score[index]), 3),
                signals=signals,
                onset_s=None if onset_s is None else round(onset_s, 3),
                onset_precision_s=0.0 if finest is None else max(1.0, finest),
                rises=rises,
                onset_low_s=None if low_s is None else round(low_s, 3),
                onset_high_s=None if high_s is None else round(high_s, 3),
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


def _window(peak: Peak, options: HighlightOptions) -> tuple[float, float]:
    """The span a peak's cause may lie in: from ``reaction_window_s`` before the onset (or before the start of
    the span the onset surely lies in, if earlier) to just after the onset (or the end of that span)."""
    onset = peak.onset_s if peak.onset_s is not None else peak.t_s
    low = min(onset, peak.onset_low_s if peak.onset_low_s is not None else onset)
    # a peak stored before the span existed: as far after the onset as its precision reaches
    high = peak.onset_high_s if peak.onset_high_s is not None else onset + max(2.0, peak.onset_precision_s)
    return low - options.reaction_window_s, max(onset + 2.0, high)


@dataclass(frozen=True, slots=True)
class Cue:
    """Words said at a scene cut that mark a moment: a call to action, a product name, a presenting phrase."""

    kind: str
    text: str
    t_s: float
    sku: str | None = None


def _cues_at(
    cands: np.ndarray, cuts: np.ndarray, transcript: Transcript | None, pitches: Sequence[PitchSegment],
    options: HighlightOptions,
) -> dict[float, Cue]:
    """The strongest cue said at each candidate cut: in a sentence starting from ``cue_lead_s`` before the cut to
    ``cue_after_s`` after it, with no later cut (of all ``cuts``) before the sentence starts."""
    if transcript is None or cands.size == 0:
        return {}
    weights = options.cue_weights
    lo, hi = float(cands[0]) - options.cue_lead_s, float(cands[-1]) + options.cue_after_s
    found: dict[float, Cue] = {}

    def offer(t_s: float, cue: Cue) -> None:
        # the latest cut the words at t_s may belong to
        index = int(np.searchsorted(cuts, t_s + options.cue_lead_s, side="right")) - 1
        if index < 0 or t_s - cuts[index] > options.cue_after_s or weights.get(cue.kind, 0.0) <= 0:
            return
        cut = float(cuts[index])
        held = found.get(cut)
        if held is None or weights[cue.kind] > weights.get(held.kind, 0.0):
            found[cut] = cue

    said = [s for s in transcript.segments if lo <= s.start_s <= hi]
    for segment in said:
        on_air = pitch_on_air(pitches, segment.start_s + 0.01)
        sku = on_air.sku if on_air else None
        if call_to_action(segment.text) is not None:
            offer(segment.start_s, Cue("call_to_action", segment.text.strip(), segment.start_s, sku))
        if presentation(segment.text) is not None:
            offer(segment.start_s, Cue("presentation", segment.text.strip(), segment.start_s, sku))
    texts = {s.start_s: s.text.strip() for s in said}
    for pitch in pitches:
        for t_s in pitch.mentions_s or (pitch.start_s,):
            if lo <= t_s <= hi:
                kind = "pitch_start" if t_s == pitch.start_s else "product"
                offer(t_s, Cue(kind, texts.get(t_s, pitch.name), t_s, pitch.sku))
    return {c: cue for c, cue in found.items() if c in set(cands.tolist())}


@dataclass(frozen=True, slots=True)
class StartChoice:
    """Where a clip starts and why.

    Attributes:
        start_s: the chosen start (a scene cut, or a fallback before the onset where no cut is in the window).
        cut_s: the scene cut chosen (None: no cut in the window).
        candidates: every cut in the window.
        evidence: the evidence that decided (each alone would have changed the choice), or where none did
            alone, the evidence that favoured the choice over the runner-up; ``("only_cut",)`` for a single cut.
        cue: the words said at the chosen cut, if any.
        scores: each kind of evidence's log-likelihood for each candidate (for the reasons and the tests).
    """

    start_s: float
    cut_s: float | None
    candidates: tuple[float, ...]
    evidence: tuple[str, ...]
    cue: Cue | None
    scores: dict[str, tuple[float, ...]]


#: the row-structure log-likelihood below which a cut is no plausible cause (three standard deviations).
_IMPLAUSIBLE = -4.5

#: the kinds of evidence :func:`locate_start` weighs, in the order the reasons name them.
EVIDENCE = ("transcript", "timing", "row_structure", "visual")


def _timing_scores(cands: np.ndarray, peak: Peak, options: HighlightOptions) -> tuple[np.ndarray, np.ndarray]:
    """Log-likelihoods of the reaction timing and of the row structure for each candidate cut."""
    onset = peak.onset_s if peak.onset_s is not None else peak.t_s
    precision = peak.onset_precision_s
    low = peak.onset_low_s if peak.onset_low_s is not None else onset - precision
    high = peak.onset_high_s if peak.onset_high_s is not None else onset + precision
    # a fine signal places the onset within a couple of seconds; a coarse one anywhere in its span
    onset_sd = 2.0 if precision <= 2 else max(2.0, (high - low) / math.sqrt(12))
    spread = max(options.lag_spread_s, 1e-6)
    sd = math.hypot(onset_sd, spread)
    timing = -0.5 * ((cands + options.typical_lag_s - onset) / sd) ** 2
    # the cause's reaction begins between 0 and max_lag_s after it, and inside [low, high)
    gap = np.maximum(0.0, np.maximum(low - (cands + options.max_lag_s), cands - high))
    return timing, -0.5 * (gap / spread) ** 2


def _visual_scores(cands: np.ndarray, changes: dict[float, float], options: HighlightOptions) -> np.ndarray:
    """The size of each candidate's visual change against the others', in ``[-visual_weight, visual_weight]``."""
    values = np.array([changes.get(float(c), np.nan) for c in cands])
    if cands.size < 2 or not np.isfinite(values).all():
        return np.zeros(cands.size)  # not reported for every candidate: no evidence
    spread = float(np.ptp(values)) or 1.0
    return options.visual_weight * np.clip(2 * (values - np.median(values)) / spread, -1, 1)


def locate_start(
    peak: Peak,
    cuts: Sequence[float] | np.ndarray,
    transcript: Transcript | None = None,
    pitches: Sequence[PitchSegment] = (),
    options: HighlightOptions = HighlightOptions(),
    changes: dict[float, float] | None = None,
) -> StartChoice:
    """Choose the scene cut that started the moment behind ``peak`` from all the evidence there is.

    The candidates are the cuts in the reaction window (``reaction_window_s`` before the onset to the end
    of the span the onset surely lies in) whose reaction could have begun in that span, give or take three
    spreads of the delay (at most ``max_lag_s`` after the cut). Each gets the sum of log-likelihoods of:

    - timing: the cut ``typical_lag_s`` before the estimated onset is likeliest, with a spread from the
      delay's variation (``lag_spread_s``) and the onset's precision (2 s for a comment log, a third of a
      coarse row);
    - row structure: the reaction began in ``[onset_low_s, onset_high_s)`` and at most ``max_lag_s`` after its
      cause, so cuts further before (or after the span) are unlikely;
    - transcript: a call to action, product name or presenting phrase said at the cut
      (:func:`default_cue_weights`);
    - visual: the size of the visual change at the cut against the other candidates', where ``changes`` (cut
      time → score) has one for every candidate; skipped otherwise.

    Returns a :class:`StartChoice`; with no cut in the window its ``cut_s`` is None and the start lies
    ``typical_lag_s`` + half the minimum duration before the onset.
    """
    all_cuts = np.array(sorted(float(c) for c in cuts), dtype=float)
    onset = peak.onset_s if peak.onset_s is not None else peak.t_s
    low, high = _window(peak, options)
    cands = all_cuts[(all_cuts >= low) & (all_cuts <= high)]
    if cands.size == 0:
        start = max(0.0, onset - options.typical_lag_s - options.min_duration_s / 2)
        return StartChoice(start, None, (), (), None, {})
    timing, rows = _timing_scores(cands, peak, options)
    # a cut more than three spreads beyond where the row structure allows its reaction to begin is no cause,
    # whatever is said at it (a reaction 40 s after a cut, on a comment log, is not a reaction to that cut)
    plausible = rows >= _IMPLAUSIBLE
    cands, timing, rows = cands[plausible], timing[plausible], rows[plausible]
    if cands.size == 0:
        start = max(0.0, onset - options.typical_lag_s - options.min_duration_s / 2)
        return StartChoice(start, None, (), (), None, {})
    cues = _cues_at(cands, all_cuts, transcript, pitches, options)
    said = [cues.get(float(c)) for c in cands]
    scores = {
        "transcript": np.array([options.cue_weights.get(c.kind, 0.0) if c else 0.0 for c in said]),
        "timing": timing,
        "row_structure": rows,
        "visual": _visual_scores(cands, changes or {}, options),
    }
    total = sum(scores.values())
    best = int(np.argmax(total))
    if cands.size == 1:
        evidence: tuple[str, ...] = ("only_cut",)
    else:
        evidence = tuple(k for k in EVIDENCE if int(np.argmax(total - scores[k])) != best)
        if not evidence:
            runner_up = int(np.argsort(total)[-2])
            evidence = tuple(k for k in EVIDENCE if scores[k][best] > scores[k][runner_up] + 1e-9)
    return StartChoice(
        start_s=float(cands[best]),
        cut_s=float(cands[best]),
        candidates=tuple(float(c) for c in cands),
        evidence=evidence,
        cue=said[best],
        scores={k: tuple(round(float(x), 3) for x in v) for k, v in scores.items()},
    )


#: punctuation that ends a sentence (Chinese and Latin, closing quotes after it allowed).
_SENTENCE_END = re.compile(r"[。！？!?.…~～][\"'”’」』)）]*$")
#: punctuation after which a sentence goes on.
_GOES_ON = re.compile(r"[,，、:：;；\-—–]$")


def _is_sentence_end(segments: Sequence[Segment], index: int, pause_s: float) -> bool:
    """Whether segment ``index`` ends a sentence: terminal punctuation, or no punctuation and a pause of at
    least ``pause_s`` before the next segment. A trailing comma never ends one, nor does a segment the next
    follows without a pause (the recogniser split a sentence), nor the last segment of the transcript
    without terminal punctuation (its sentence may go on beyond what was recognised)."""
    text = segments[index].text.strip()
    if not text or _GOES_ON.search(text):
        return False
    if _SENTENCE_END.search(text):
        return True
    if index + 1 >= len(segments):
        return False
    return segments[index + 1].start_s - segments[index].end_s >= pause_s


def sentence_pieces(segments: Sequence[Segment]) -> list[Segment]:
    """``segments`` split after every word that ends a sentence inside one (Whisper puts two or three sentences in
    one segment as often as not, and which ones depends on where its window began: a stream recognised in other
    stretches groups them otherwise). Each piece is timed by its words; a segment without words stays whole."""
    pieces: list[Segment] = []
    for segment in segments:
        words = segment.words
        cuts = [i for i, w in enumerate(words[:-1]) if _SENTENCE_END.search(w.text.strip())]
        if not cuts:
            pieces.append(segment)
            continue
        first = 0
        for last in [*cuts, len(words) - 1]:
            part = words[first : last + 1]
            start_s = segment.start_s if first == 0 else part[0].start_s
            end_s = segment.end_s if last == len(words) - 1 else part[-1].end_s
            text = "".join(w.text for w in part).strip()
            pieces.append(replace(segment, start_s=start_s, end_s=end_s, text=text, words=part))
            first = last + 1
    return pieces


def _sentence_end(
    transcript: Transcript | None, low_s: float, high_s: float, target_s: float, pause_s: float = 0.6
) -> tuple[float, str] | None:
    """The end of a sentence in ``[low_s, high_s]`` nearest ``target_s``: a real sentence end if there is
    one, else any segment end that does not end on a comma; None if neither."""
    if transcript is None:
        return None
    segments = sentence_pieces(sorted(transcript.segments, key=lambda s: s.start_s))
    inside = [i for i, s in enumerate(segments) if low_s <= s.end_s <= high_s]
    ends = [i for i in inside if _is_sentence_end(segments, i, pause_s)]
    ends = ends or [i for i in inside if not _GOES_ON.search(segments[i].text.strip())]
    if not ends:
        return None
    best = min(ends, key=lambda i: (abs(segments[i].end_s - target_s), segments[i].end_s))
    return segments[best].end_s, segments[best].text.strip()


def _pitch_at(pitches: Sequence[PitchSegment], start_s: float, end_s: float) -> PitchSegment | None:
    """The pitch overlapping ``[start_s, end_s)`` the most."""
    best = max(pitches, key=lambda p: min(end_s, p.end_s) - max(start_s, p.start_s), default=None)
    if best is None or min(end_s, best.end_s) - max(start_s, best.start_s) <= 0:
        return None
    return best


def _clip_pitch(pitches: Sequence[PitchSegment], start_s: float, end_s: float, cue: Cue | None
                ) -> PitchSegment | None:
    """The product a clip shows: the one its opening words are about, else the one on air when it starts,
    else the one it overlaps the most."""
    if cue is not None and cue.sku is not None:
        named = [p for p in pitches if p.sku == cue.sku and p.start_s - 1 <= cue.t_s < p.end_s]
        if named:
            return named[0]
    return pitch_on_air(pitches, start_s + 0.01) or _pitch_at(pitches, start_s, end_s)


def _signal_reasons(peak: Peak) -> list[Reason]:
    """The signals that rose, most significant first, with how much (a ratio to the usual level, or for online
    viewers the gain per minute); the combined score where none is recorded."""
    reasons = []
    for name, z in sorted(peak.signals.items(), key=lambda item: -item[1]):
        rise = peak.rises.get(name)
        if name == "online_viewers" and rise is not None:
            reasons.append(why.viewers_rising(rise, z))
        else:
            reasons.append(why.engagement_surge(name, z, rise))
    return reasons or [why.engagement_score(peak.score)]


def _start_reasons(choice: StartChoice, peak: Peak) -> list[Reason]:
    """The start: the cut and when the audience reacted, the cuts it was chosen over and the evidence that decided,
    and the words said at the cut."""
    assert choice.cut_s is not None
    onset = peak.onset_s if peak.onset_s is not None else peak.t_s
    if peak.onset_precision_s > 2 and peak.onset_low_s is not None and peak.onset_high_s is not None:
        # a row of the export: the reaction is known only to lie in it
        row_s = peak.onset_high_s - peak.onset_low_s
        reasons = [why.scene_cut_before_row(choice.cut_s, peak.onset_low_s, peak.onset_high_s, row_s)]
    else:
        reasons = [why.scene_cut_before(choice.cut_s, onset)]
    if choice.evidence == ("only_cut",):
        return [*reasons, why.only_cut()]
    reasons.append(why.chosen_over([c for c in choice.candidates if c != choice.cut_s], choice.evidence))
    if choice.cue is not None:
        reasons.append(why.start_cue(choice.cue.kind, choice.cue.text, choice.cue.t_s))
    return reasons


def _overlaps(a: Highlight, b: Highlight) -> bool:
    """Whether two highlights share any time."""
    return a.start_s < b.end_s and b.start_s < a.end_s


def candidate_peaks(peaks: Sequence[Peak], options: HighlightOptions = HighlightOptions()) -> list[Peak]:
    """The peaks clips are chosen from: the ``max_clips + spare_candidates`` strongest. The first clips and
    the full analysis choose from the same ones, so they pick the same clips."""
    return sorted(peaks, key=lambda p: p.score, reverse=True)[: options.max_clips + options.spare_candidates]


def choose_highlights(
    peaks: Sequence[Peak],
    scenes: Sequence[Scene],
    transcript: Transcript | None,
    duration_s: float,
    pitches: Sequence[PitchSegment] = (),
    options: HighlightOptions = HighlightOptions(),
) -> list[Highlight]:
    """Turn peaks into non-overlapping highlight segments (in time order, ids ``clip-01``…), each with its
    reasons: the signals that rose and by how much, the scene cut and the evidence that chose it
    (:func:`locate_start`), the sentence that ends it and the product.

    A peak with no scene change in its reaction window starts ``typical_lag_s`` + half the minimum duration
    before its onset and has its score multiplied by ``no_cut_penalty``; it is dropped below ``min_score``.
    """
    cuts = np.array(sorted(s.start_s for s in scenes if s.start_s > 0), dtype=float)
    changes = {s.start_s: s.change for s in scenes if s.change is not None}
    candidates: list[Highlight] = []
    for peak in peaks:
        onset = peak.onset_s if peak.onset_s is not None else peak.t_s
        choice = locate_start(peak, cuts, transcript, pitches, options, changes)
        reasons = _signal_reasons(peak)
        score = peak.score
        start_s = choice.start_s
        if choice.cut_s is None:
            score *= options.no_cut_penalty
            reasons.append(why.no_scene_cut(options.reaction_window_s, onset, start_s, options.no_cut_penalty))
        else:
            reasons += _start_reasons(choice, peak)
        if score < options.min_score:
            continue
        high = min(start_s + options.max_duration_s, duration_s)
        if high - start_s < options.min_duration_s:
            start_s = max(0.0, high - options.min_duration_s)
        low = start_s + options.min_duration_s
        sentence = _sentence_end(transcript, low, high, start_s + options.target_duration_s,
                                 options.sentence_pause_s)
        if sentence is not None:
            end_s = sentence[0]
            reasons.append(why.sentence_end(end_s, sentence[1]))
        else:
            end_s = min(start_s + options.target_duration_s, high)
            reasons.append(why.no_sentence_end(low, high, end_s))
        pitch = _clip_pitch(pitches, start_s, end_s, choice.cue)
        if pitch is not None:
            reasons.append(why.product_pitch(pitch.sku, pitch.name))
        candidates.append(
            Highlight(
                id="",
                start_s=round(start_s, 3),
                end_s=round(end_s, 3),
                score=round(score, 3),
                peak_t_s=round(peak.t_s, 3),
                reasons=why.describe_reasons(reasons, "en"),
                reason_records=tuple(reasons),
                signals=dict(peak.signals),
                scene_cut_s=choice.cut_s,
                sentence_end_s=sentence[0] if sentence else None,
                product_sku=pitch.sku if pitch else None,
                title=pitch.name if pitch else "",
                onset_s=peak.onset_s,
                rises=dict(peak.rises),
                end_sentence=sentence[1] if sentence else "",
                start_candidates=choice.candidates,
                start_evidence=choice.evidence,
                start_cue=choice.cue.text if choice.cue else "",
            )
        )
    chosen = select_best(candidates, options.max_clips)
    return [replace(h, id=f"clip-{i:02d}") for i, h in enumerate(chosen, start=1)]


def select_best(candidates: Sequence[Highlight], max_clips: int) -> list[Highlight]:
    """The clips kept of ``candidates``: best score first (the earlier start on a tie), skipping any that shares
    time with one already kept, at most ``max_clips``; returned in time order. The one rule by which both the
    pipeline and live mode (over the clips made so far, :func:`mediaops.live.incremental.rank_clip`) choose."""
    chosen: list[Highlight] = []
    for cand in sorted(candidates, key=lambda h: (-h.score, h.start_s)):
        if len(chosen) >= max_clips:
            break
        if not any(_overlaps(cand, h) for h in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda h: h.start_s)


def scene_windows(
    peaks: Sequence[Peak], duration_s: float, options: HighlightOptions = HighlightOptions(), margin_s: float = 5.0
) -> list[tuple[float, float]]:
    """The spans a windowed scene detection must analyse so that :func:`choose_highlights` finds the same
    cuts as after a full pass: each peak's reaction window (see :func:`locate_start`) with a margin, merged."""
    spans = []
    for peak in peaks:
        low, high = _window(peak, options)
        spans.append((max(0.0, low - margin_s), min(duration_s, high + margin_s)))
    return merge_spans(spans)


def transcript_spans(
    peaks: Sequence[Peak], scenes: Sequence[Scene], duration_s: float, options: HighlightOptions = HighlightOptions()
) -> list[tuple[float, float]]:
    """The spans whose transcript :func:`choose_highlights` reads for ``peaks``: from just before the earliest
    cut of each reaction window (for the words said at the cuts) to the longest clip after the latest possible
    start (for the sentence that ends it), merged. Transcribing exactly these in both the first-clips and the
    full analysis makes both choose identical starts and ends."""
    cuts = np.array(sorted(s.start_s for s in scenes if s.start_s > 0), dtype=float)
    spans = []
    for peak in peaks:
        low, high = _window(peak, options)
        inside = cuts[(cuts >= low) & (cuts <= high)]
        onset = peak.onset_s if peak.onset_s is not None else peak.t_s
        fallback = max(0.0, onset - options.typical_lag_s - options.min_duration_s / 2)
        first = float(inside[0]) if inside.size else fallback
        last = float(inside[-1]) if inside.size else fallback
        spans.append((max(0.0, first - options.cue_lead_s - 1.0),
                      min(duration_s, last + options.max_duration_s + 2.0)))
    return merge_spans(spans)
