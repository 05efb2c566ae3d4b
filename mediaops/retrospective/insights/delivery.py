"""How the host delivered: dead air, speaking pace, and time per product against the plan, each next to the
change in online viewers so the review sees which lulls lost the room."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from mediaops.media.audio import read_audio
from mediaops.retrospective.insights.options import InsightOptions
from mediaops.retrospective.insights.script import planned_spans
from mediaops.retrospective.insights.series import viewer_change
from mediaops.retrospective.insights.text import speech_units
from mediaops.retrospective.insights.types import DeadAir, PacePoint, PlanSegment, ProductTime
from mediaops.types import Metrics, PitchSegment, Transcript

#: languages whose pace is counted in characters (字/分钟) rather than words.
CHARACTER_LANGUAGES = frozenset({"zh", "yue", "ja", "ko"})


def speech_intervals(transcript: Transcript) -> list[tuple[float, float]]:
    """Merged ``(start_s, end_s)`` stretches with speech: word timings where the transcript has them, else the
    sentences' own spans; sentences with no text are ignored."""
    spans: list[tuple[float, float]] = []
    for segment in transcript.segments:
        if not segment.text.strip():
            continue
        if segment.words:
            spans += [(w.start_s, w.end_s) for w in segment.words if w.end_s > w.start_s]
        else:
            spans.append((segment.start_s, segment.end_s))
    merged: list[tuple[float, float]] = []
    for start_s, end_s in sorted(spans):
        if merged and start_s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end_s))
        else:
            merged.append((start_s, end_s))
    return merged


def find_dead_air(
    transcript: Transcript, duration_s: float, metrics: Metrics | None = None,
    options: InsightOptions = InsightOptions(),
) -> list[DeadAir]:
    """Every stretch of at least ``dead_air_gap_s`` without speech (the start and end of the recording included),
    with online viewers before and after it."""
    gaps = []
    cursor = 0.0
    for start_s, end_s in [*speech_intervals(transcript), (duration_s, duration_s)]:
        if start_s - cursor >= options.dead_air_gap_s:
            before, after, change = viewer_change(metrics, cursor, start_s)
            gaps.append(DeadAir(round(cursor, 3), round(start_s, 3), round(start_s - cursor, 3), before, after, change))
        cursor = max(cursor, end_s)
    return gaps


def loudness_dbfs(samples: np.ndarray) -> float:
    """RMS level of float samples in [-1, 1], in dB below full scale (−120 for digital silence)."""
    if samples.size == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(-120.0, 20 * math.log10(rms)) if rms > 0 else -120.0


#: dead-air stretches measured at once.
MEASURE_AT_ONCE = 4


def measure_dead_air(recording: Path, gaps: Sequence[DeadAir], options: InsightOptions = InsightOptions(),
                     audio_track: int = 0) -> list[DeadAir]:
    """``gaps`` with the loudness of their audio measured in ``recording``'s ``audio_track`` (the one transcribed;
    the first ``loudness_probe_s`` of each), so the review tells silence from music or speech the transcription
    missed.

    Raises:
        InvalidMediaError: the recording's audio cannot be decoded.
    """
    def measure(gap: DeadAir) -> DeadAir:
        samples = read_audio(recording, gap.start_s, min(gap.duration_s, options.loudness_probe_s), audio_track)
        level = round(loudness_dbfs(samples), 1)
        return replace(gap, loudness_dbfs=level, quiet=level < options.quiet_dbfs)

    if len(gaps) <= 1:
        return [measure(gap) for gap in gaps]
    # one short ffmpeg read per stretch: mostly starting ffmpeg and seeking, so a few at once (a sparse hour has
    # a hundred stretches: 6.6 s one after the other)
    with ThreadPoolExecutor(max_workers=MEASURE_AT_ONCE, thread_name_prefix="dead-air") as pool:
        return list(pool.map(measure, gaps))


def _overlap(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    return max(0.0, min(a_end, b_end) - max(a_start, b_start))


def speaking_pace(
    transcript: Transcript, duration_s: float, metrics: Metrics | None = None,
    options: InsightOptions = InsightOptions(),
) -> tuple[list[PacePoint], str]:
    """Words (or characters, for Chinese, Japanese and Korean) per minute in each ``pace_window_s`` window, and the
    unit used. A window is slow below ``slow_pace_ratio`` × the median pace of the windows with speech."""
    width = options.pace_window_s
    count = max(1, -int(-duration_s // width))
    units = [0.0] * count
    for segment in transcript.segments:
        pieces = [(w.start_s, w.end_s, w.text) for w in segment.words] or [(segment.start_s, segment.end_s,
                                                                             segment.text)]
        for start_s, end_s, text in pieces:
            index = min(count - 1, max(0, int((start_s + end_s) / 2 // width)))
            units[index] += speech_units(text)
    intervals = speech_intervals(transcript)
    rates = []
    for k in range(count):
        start_s, end_s = k * width, min(duration_s, (k + 1) * width)
        length = max(end_s - start_s, 1e-9)
        speaking_s = sum(_overlap(a, b, start_s, end_s) for a, b in intervals)
        rates.append((start_s, end_s, units[k] / length * 60, speaking_s))
    spoken = [rate for _, _, rate, _ in rates if rate > 0]
    median = statistics.median(spoken) if spoken else 0.0
    points = [
        PacePoint(start_s, end_s, round(rate, 1), round(speaking_s, 1),
                  slow=median > 0 and rate < options.slow_pace_ratio * median,
                  viewer_change_pct=viewer_change(metrics, start_s, end_s)[2])
        for start_s, end_s, rate, speaking_s in rates
    ]
    unit = "chars" if transcript.language in CHARACTER_LANGUAGES else "words"
    return points, unit


def product_time(
    pitches: Sequence[PitchSegment],
    plan: Sequence[PlanSegment] = (),
    duration_s: float = 0.0,
    metrics: Metrics | None = None,
    options: InsightOptions = InsightOptions(),
) -> list[ProductTime]:
    """Time on air per product (the sum of its pitch segments) against the time the run-of-show gave it.

    Products are listed in the order they first went on air, then planned products never pitched (``actual_s``
    0). ``over_s`` is actual − planned; the viewer change runs from the first pitch's start to the last's end.
    """
    planned: dict[str, float] = {}
    names: dict[str, str] = {}
    for segment, start_s, end_s in planned_spans(plan, duration_s):
        if segment.sku:
            planned[segment.sku] = planned.get(segment.sku, 0.0) + end_s - start_s
            names.setdefault(segment.sku, segment.title)
    order = list(dict.fromkeys([p.sku for p in pitches] + list(planned)))
    results = []
    for sku in order:
        own = [p for p in pitches if p.sku == sku]
        actual_s = sum(p.end_s - p.start_s for p in own)
        change = viewer_change(metrics, own[0].start_s, own[-1].end_s)[2] if own else None
        plan_s = planned.get(sku)
        results.append(ProductTime(
            sku=sku, name=own[0].name if own else names.get(sku, sku), actual_s=round(actual_s, 1),
            planned_s=round(plan_s, 1) if plan_s is not None else None,
            over_s=round(actual_s - plan_s, 1) if plan_s is not None else None, viewer_change_pct=change,
        ))
    return results
