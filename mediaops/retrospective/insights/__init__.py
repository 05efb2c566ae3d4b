"""Retrospective insights an operator acts on: KPI targets, the audience's voice, host delivery, script coverage
and a "next time" list. Pure functions over the pipeline's typed results; :func:`build_insights` runs them all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from mediaops.retrospective.insights.actions import next_time_actions
from mediaops.retrospective.insights.audience import (
    find_question_bursts,
    group_questions,
    reaction_trend,
    segment_voices,
)
from mediaops.retrospective.insights.delivery import find_dead_air, measure_dead_air, product_time, speaking_pace
from mediaops.retrospective.insights.options import InsightOptions
from mediaops.retrospective.insights.script import compare_script, load_run_of_show
from mediaops.retrospective.insights.targets import evaluate_targets, load_targets
from mediaops.retrospective.insights.types import Insights, PlanSegment, Target
from mediaops.types import Comment, Metrics, PitchSegment, Transcript

__all__ = ["InsightOptions", "Insights", "build_insights", "load_run_of_show", "load_targets"]


def build_insights(
    transcript: Transcript,
    metrics: Metrics | None,
    comments: Sequence[Comment] = (),
    pitches: Sequence[PitchSegment] = (),
    duration_s: float = 0.0,
    targets: Sequence[Target] = (),
    plan: Sequence[PlanSegment] = (),
    start_time: datetime | None = None,
    options: InsightOptions = InsightOptions(),
    recording: Path | None = None,
) -> Insights:
    """Every insight of one stream. Without targets, comments or a plan, those sections are simply empty.

    With ``recording``, the audio of each dead-air stretch is measured to tell silence from sound without words;
    everything else is computed from the arguments alone.

    Raises:
        InvalidMediaError: ``recording`` is given and its audio cannot be decoded.
    """
    duration_s = duration_s or transcript.duration_s
    target_results = evaluate_targets(targets, metrics, pitches, transcript, duration_s, options.top_moments)
    bursts = find_question_bursts(comments, transcript, options, duration_s)
    reactions = reaction_trend(comments, duration_s, options) if comments else []
    dead_air = find_dead_air(transcript, duration_s, metrics, options)
    if recording is not None:
        dead_air = measure_dead_air(recording, dead_air, options, transcript.audio_track)
    pace, unit = speaking_pace(transcript, duration_s, metrics, options)
    products = product_time(pitches, plan, duration_s, metrics, options)
    script = compare_script(plan, transcript, pitches, duration_s, metrics, comments, options) if plan else []
    actions = next_time_actions(
        targets=target_results, bursts=bursts, dead_air=dead_air, pace=pace, pace_unit=unit, product_time=products,
        script=script, reactions=reactions, duration_s=duration_s, start_time=start_time, options=options,
    )
    return Insights(
        targets=tuple(target_results),
        questions=tuple(group_questions(comments, options)),
        unanswered=tuple(b for b in bursts if not b.answered),
        bursts=tuple(bursts),
        voices=tuple(segment_voices(comments, pitches, duration_s, options)) if comments else (),
        reactions=tuple(reactions),
        dead_air=tuple(dead_air),
        pace=tuple(pace),
        pace_unit=unit,
        product_time=tuple(products),
        script=tuple(script),
        actions=tuple(actions),
        dead_air_gap_s=options.dead_air_gap_s,
        answer_window_s=options.answer_window_s,
        start_time=start_time.isoformat() if start_time else None,
    )
