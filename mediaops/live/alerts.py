"""Alerts for the people running a stream, decided from what is known so far. Pure: data in, alerts out.

Each detector looks at everything known up to ``now_s`` (the end of what has been recognised or read) and
returns every alert that holds; the session announces the ones not announced yet (:func:`new_alerts`), so a
detector never needs to remember anything and a restarted session decides exactly as the first one did.

- ``viewers_drop``: online viewers fell at least ``viewers_drop_pct`` below the highest count of the last
  ``viewers_window_s`` seconds (one alert per fall: the rows that stay below make no new one);
- ``dead_air``: no speech for ``dead_air_gap_s`` while on air, announced while the silence still lasts;
- ``unanswered_questions``: a surge of one kind of question (price, size, shipping …) in the comments that the
  host has not answered within ``answer_window_s``
  (:func:`mediaops.retrospective.insights.audience.find_question_bursts`);
- ``pitch_overrun``: a product has been on air longer than the run-of-show gives it, by more than
  ``overrun_tolerance_s``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from mediaops.retrospective.insights.audience import find_question_bursts
from mediaops.retrospective.insights.delivery import product_time, speech_intervals
from mediaops.retrospective.insights.options import InsightOptions
from mediaops.retrospective.insights.types import PlanSegment
from mediaops.types import Comment, Metrics, PitchSegment, Transcript

ALERT_KINDS = ("viewers_drop", "dead_air", "unanswered_questions", "pitch_overrun")


@dataclass(frozen=True, slots=True)
class Alert:
    """Something the people running the stream should know now.

    Attributes:
        kind: one of :data:`ALERT_KINDS`.
        t_s: when the condition began, in recording seconds.
        message: one English sentence with the numbers.
        key: what the alert is about where that is more than its time (a question kind, a product's SKU): alerts of
            one kind and key are one condition.
        details: the numbers behind the message.
    """

    kind: str
    t_s: float
    message: str
    key: str = ""
    details: dict[str, object] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.key + '-' if self.key else ''}{self.t_s:07.1f}"


def _clock(t_s: float) -> str:
    t = max(0.0, t_s)
    return f"{int(t // 3600)}:{int(t // 60 % 60):02d}:{int(t % 60):02d}"


def viewers_drops(metrics: Metrics | None, drop_pct: float, window_s: float) -> list[Alert]:
    """A ``viewers_drop`` alert at each row where online viewers first fall ``drop_pct`` percent below the highest
    count of the ``window_s`` seconds before it; the rows after it that stay that low are the same fall."""
    series = metrics.get("online_viewers") if metrics is not None else None
    if series is None:
        return []
    alerts: list[Alert] = []
    falling = False
    for i, (t_s, value) in enumerate(zip(series.t_s, series.values, strict=True)):
        first = bisect.bisect_left(series.t_s, t_s - window_s, 0, i)
        earlier = [v for v in series.values[first:i] if math.isfinite(v)]
        if not math.isfinite(value) or not earlier:
            continue
        top = max(earlier)
        drop = 100.0 * (top - value) / top if top > 0 else 0.0
        if drop >= drop_pct and not falling:
            alerts.append(Alert(
                "viewers_drop", t_s,
                f"online viewers fell {drop:.0f}% in {window_s:.0f} s: {top:.0f} → {value:.0f} at {_clock(t_s)}",
                details={"viewers_before": top, "viewers_after": value, "change_percent": round(-drop, 1),
                         "window_s": window_s}))
        falling = drop >= drop_pct / 2  # still well below: the same fall
    return alerts


def dead_air(transcript: Transcript | None, now_s: float, gap_s: float) -> list[Alert]:
    """A ``dead_air`` alert for each stretch of at least ``gap_s`` seconds without recognised speech up to
    ``now_s`` (the end of what has been recognised), the one still going on included."""
    if transcript is None or now_s <= 0:
        return []
    alerts = []
    cursor = 0.0
    for start_s, end_s in [*speech_intervals(transcript), (now_s, now_s)]:
        start_s = min(start_s, now_s)
        if start_s - cursor >= gap_s:
            ongoing = start_s >= now_s
            silent_s = start_s - cursor
            alerts.append(Alert(
                "dead_air", round(cursor, 1),
                f"no speech for {silent_s:.0f} s since {_clock(cursor)}" + (" and still silent" if ongoing else ""),
                details={"silent_s": round(silent_s, 1), "ongoing": ongoing}))
        cursor = max(cursor, end_s)
    return alerts


def unanswered_questions(comments: Sequence[Comment], transcript: Transcript | None, now_s: float,
                         options: InsightOptions = InsightOptions()) -> list[Alert]:
    """An ``unanswered_questions`` alert for each surge of one kind of question whose answer window has passed
    by ``now_s`` without the host answering it."""
    asked = [c for c in comments if c.t_s <= now_s]
    if not asked or now_s <= 0:
        return []
    alerts = []
    for burst in find_question_bursts(asked, transcript, options, now_s):
        if burst.answered or burst.start_s + options.answer_window_s > now_s:
            continue
        examples = [c.text for c in asked if burst.start_s <= c.t_s <= burst.end_s][:3]
        kind = burst.category.replace("_", " ")
        alerts.append(Alert(
            "unanswered_questions", round(burst.start_s, 1),
            f"{burst.count} {kind} questions since {_clock(burst.start_s)}, no answer for "
            f"{now_s - burst.start_s:.0f} s",
            key=burst.category,
            details={"category": burst.category, "count": burst.count, "examples": examples,
                     "asked_until_s": burst.end_s}))
    return alerts


def pitch_overruns(pitches: Sequence[PitchSegment], plan: Sequence[PlanSegment], now_s: float,
                   options: InsightOptions = InsightOptions()) -> list[Alert]:
    """A ``pitch_overrun`` alert for each product on air longer than the run-of-show gives it by more than
    ``overrun_tolerance_s`` (the last planned segment runs to ``now_s``, so it never overruns)."""
    if not plan or not pitches:
        return []
    alerts = []
    for product in product_time(pitches, plan, now_s, None, options):
        if product.over_s is None or product.planned_s is None or product.over_s <= options.overrun_tolerance_s:
            continue
        first = min(p.start_s for p in pitches if p.sku == product.sku)
        alerts.append(Alert(
            "pitch_overrun", round(first, 1),
            f"{product.name} has been on air {product.actual_s:.0f} s, {product.over_s:.0f} s over the "
            f"{product.planned_s:.0f} s the run-of-show gives it",
            key=product.sku,
            details={"sku": product.sku, "name": product.name, "actual_s": product.actual_s,
                     "planned_s": product.planned_s, "over_s": product.over_s}))
    return alerts


def new_alerts(found: Sequence[Alert], announced: Sequence[Alert], cooldown_s: float) -> list[Alert]:
    """The alerts of ``found`` that repeat none already ``announced`` (nor each other), in time order.

    An alert with a key repeats any announced one of its kind and key (a product overruns once; a question kind
    surges again only after its last surge was announced ``cooldown_s`` ago); one without a key repeats any of
    its kind that began within ``cooldown_s`` of it (a silence whose start moved a little as more audio was
    recognised is the same silence).
    """
    kept: list[Alert] = []
    seen = list(announced)
    for alert in sorted(found, key=lambda a: (a.t_s, a.kind)):
        same = [a for a in seen if a.kind == alert.kind and a.key == alert.key]
        if alert.kind == "pitch_overrun" and same:
            continue
        if any(abs(a.t_s - alert.t_s) <= cooldown_s for a in same):
            continue
        kept.append(alert)
        seen.append(alert)
    return kept
