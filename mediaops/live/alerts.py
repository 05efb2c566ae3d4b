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

An alert keeps its numbers (``details``) and is worded from them in Chinese or English by :func:`alert_text`: the
session words its ``live.jsonl`` events in the run's ``--lang``, and a page can word them in its own.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
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
        message: one English sentence with the numbers (:func:`alert_text` words it in either language).
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

    def text(self, lang: str) -> str:
        """The alert in words of ``lang`` (``zh`` or ``en``); see :func:`alert_text`."""
        return alert_text(self.kind, self.t_s, self.details, lang)


def _clock(t_s: float) -> str:
    t = max(0.0, t_s)
    return f"{int(t // 3600)}:{int(t // 60 % 60):02d}:{int(t % 60):02d}"


# ---- words ---------------------------------------------------------------------------------------------------------

LANGUAGES = ("zh", "en")
#: kind -> (中文, English): the sentence of an alert, filled from its time (``clock``) and ``details``
_WORDS: dict[str, tuple[str, str]] = {
    "viewers_drop": ("{clock} 在线人数 {window} 秒内下降 {pct}%：{before} → {after}",
                     "{clock} online viewers fell {pct}% within {window} s: {before} → {after}"),
    "dead_air": ("{clock} 起冷场：{silent} 秒没有人说话", "{clock} dead air: no speech for {silent} s"),
    "dead_air_ongoing": ("，现在仍然没有声音", " and still silent"),
    "unanswered_questions": ("{clock} 起观众问了 {count} 次{topic}，主播还没有回答",
                             "{clock} viewers asked {count} times about {topic}; no answer yet"),
    "unanswered_waiting": ("（已等 {waiting} 秒）", " ({waiting} s so far)"),
    "pitch_overrun": ("{clock} 起讲解的“{name}”已讲 {actual} 秒，比流程表多 {over} 秒（计划 {planned} 秒）",
                      "“{name}” (from {clock}) has been on air {actual} s, {over} s over the {planned} s planned"),
    "other": ("{clock} 有一条新提醒", "{clock} a new alert"),
}
#: a question kind of :func:`~mediaops.retrospective.insights.audience.find_question_bursts` -> (中文, English)
_TOPICS: dict[str, tuple[str, str]] = {
    "price": ("价格", "the price"), "how_to_buy": ("怎么买", "how to buy"), "coupon": ("优惠", "discounts"),
    "size": ("尺码", "sizes"), "colour": ("颜色", "colours"), "shipping": ("发货", "shipping"),
    "stock": ("库存", "stock"), "other": ("其他问题", "other things"),
}


def _amount(value: object) -> str:
    """A number of an alert's details for people (``1,234``); a dash where it is none."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    return f"{value:,.0f}"


def alert_text(kind: str, t_s: float, details: Mapping[str, object], lang: str) -> str:
    """An alert of ``kind`` that began at ``t_s`` in words of ``lang`` (``zh`` or ``en``), from its ``details``
    (the numbers kept in ``live.jsonl``): e.g. ``0:16:40 在线人数 60 秒内下降 31%：153 → 105``. A kind this version
    does not know, or details it cannot read (a damaged line), give a general sentence with the time.

    Raises:
        ValueError: an unknown language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    index = LANGUAGES.index(lang)
    clock = _clock(t_s if isinstance(t_s, int | float) and math.isfinite(t_s) else 0.0)
    d = details
    if kind == "viewers_drop":
        change = d.get("change_percent")
        pct = _amount(abs(change)) if isinstance(change, int | float) and not isinstance(change, bool) else "—"
        return _WORDS[kind][index].format(clock=clock, window=_amount(d.get("window_s")), pct=pct,
                                          before=_amount(d.get("viewers_before")),
                                          after=_amount(d.get("viewers_after")))
    if kind == "dead_air":
        text = _WORDS[kind][index].format(clock=clock, silent=_amount(d.get("silent_s")))
        return text + (_WORDS["dead_air_ongoing"][index] if d.get("ongoing") is True else "")
    if kind == "unanswered_questions":
        topic = _TOPICS.get(str(d.get("category")), _TOPICS["other"])[index]
        text = _WORDS[kind][index].format(clock=clock, count=_amount(d.get("count")), topic=topic)
        waiting = _amount(d.get("waiting_s"))  # absent from the events of older versions
        return text + (_WORDS["unanswered_waiting"][index].format(waiting=waiting) if waiting != "—" else "")
    if kind == "pitch_overrun":
        name = str(d.get("name") or d.get("sku") or "—")
        return _WORDS[kind][index].format(clock=clock, name=name, actual=_amount(d.get("actual_s")),
                                          over=_amount(d.get("over_s")), planned=_amount(d.get("planned_s")))
    return _WORDS["other"][index].format(clock=clock)


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
            details: dict[str, object] = {"viewers_before": top, "viewers_after": value,
                                          "change_percent": round(-drop, 1), "window_s": window_s}
            alerts.append(Alert("viewers_drop", t_s, alert_text("viewers_drop", t_s, details, "en"), details=details))
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
            details: dict[str, object] = {"silent_s": round(silent_s, 1), "ongoing": ongoing}
            alerts.append(Alert("dead_air", round(cursor, 1), alert_text("dead_air", round(cursor, 1), details, "en"),
                                details=details))
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
        details: dict[str, object] = {"category": burst.category, "count": burst.count, "examples": examples,
                                      "asked_until_s": burst.end_s, "waiting_s": round(now_s - burst.start_s, 1)}
        t_s = round(burst.start_s, 1)
        alerts.append(Alert("unanswered_questions", t_s, alert_text("unanswered_questions", t_s, details, "en"),
                            key=burst.category, details=details))
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
        details: dict[str, object] = {"sku": product.sku, "name": product.name, "actual_s": product.actual_s,
                                      "planned_s": product.planned_s, "over_s": product.over_s}
        t_s = round(first, 1)
        alerts.append(Alert("pitch_overrun", t_s, alert_text("pitch_overrun", t_s, details, "en"), key=product.sku,
                            details=details))
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
