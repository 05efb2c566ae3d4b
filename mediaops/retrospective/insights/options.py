"""Every setting of the insights stage, with its default, in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InsightOptions:
    """How the retrospective insights are computed.

    Attributes:
        dead_air_gap_s: a stretch with no speech at least this long is dead air (``--dead-air-gap``).
        quiet_dbfs: dead air whose audio RMS level is below this is silence; above it, sound without words.
        loudness_probe_s: at most this much of each dead-air stretch is decoded to measure its level.
        pace_window_s: speaking pace is measured over windows of this length.
        slow_pace_ratio: a pace window below this fraction of the stream's median pace counts as slow.
        question_window_s: questions of one kind this close together form a burst; also the width in which
            a question's peak time is counted.
        burst_min_questions: questions of one kind needed inside ``question_window_s`` to call it a surge.
        surge_ratio: a surge also needs this many times the questions that kind averages per window.
        answer_window_s: a surge with no answering sentence within this many seconds of its start is unanswered.
        trend_window_s: width of one point of the positive/negative reaction trend.
        top_keywords: keywords and phrases kept per product segment.
        top_moments: moments listed under each KPI target as those that moved it most.
        late_tolerance_s: a run-of-show segment starting later than planned by more than this is late.
        key_point_match: fraction of a key line's words that must be heard in one stretch of speech for it to
            count as said.
        overrun_tolerance_s: time on a product beyond the plan by more than this is an overrun.
        viewer_drop_pct: a viewer change at or below minus this percentage counts as losing viewers.
        max_actions: most points in the "next time" list.
    """

    dead_air_gap_s: float = 10.0
    quiet_dbfs: float = -45.0
    loudness_probe_s: float = 30.0
    pace_window_s: float = 60.0
    slow_pace_ratio: float = 0.6
    question_window_s: float = 30.0
    burst_min_questions: int = 3
    surge_ratio: float = 2.0
    answer_window_s: float = 60.0
    trend_window_s: float = 60.0
    top_keywords: int = 8
    top_moments: int = 3
    late_tolerance_s: float = 30.0
    key_point_match: float = 0.6
    overrun_tolerance_s: float = 60.0
    viewer_drop_pct: float = 10.0
    max_actions: int = 8

    def __post_init__(self) -> None:
        windows = ("dead_air_gap_s", "pace_window_s", "question_window_s", "answer_window_s", "trend_window_s",
                   "loudness_probe_s")
        bad = [name for name in windows if not getattr(self, name) > 0]
        if bad:
            raise ValueError(f"insight options must be positive seconds: {', '.join(bad)}")
