"""The "next time" list: fixed, explainable rules over the insights, each point with the evidence behind it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mediaops.retrospective.insights.options import InsightOptions
from mediaops.retrospective.insights.series import clock, signed_pct
from mediaops.retrospective.insights.types import (
    Action,
    DeadAir,
    PacePoint,
    ProductTime,
    QuestionBurst,
    ReactionPoint,
    ScriptSegmentResult,
    TargetResult,
)

#: question kind -> (Chinese, English) label, as the report and the actions name them.
QUESTION_LABELS: dict[str, tuple[str, str]] = {
    "price": ("价格", "price"),
    "how_to_buy": ("怎么买", "how-to-buy"),
    "coupon": ("优惠券/折扣", "coupon/discount"),
    "size": ("尺码", "size"),
    "colour": ("颜色", "colour"),
    "shipping": ("发货/快递", "shipping"),
    "stock": ("库存", "stock"),
    "other": ("其他", "other"),
}
#: the most points one rule may add, so that one kind of problem cannot crowd out the others.
PER_RULE = 2


def _span(seconds: float) -> tuple[str, str]:
    """A duration as Chinese and English text: minutes from 2 min up, else seconds."""
    if abs(seconds) >= 120:
        minutes = abs(seconds) / 60
        return f"{minutes:.0f} 分钟", f"{minutes:.0f} min"
    return f"{abs(seconds):.0f} 秒", f"{abs(seconds):.0f} s"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")


def _target_actions(targets: Sequence[TargetResult], at) -> list[Action]:
    actions = []
    for result in targets:
        if result.met is not False or result.actual is None or result.attainment_pct is None:
            continue
        best = result.moments[0] if result.moments else None
        where_zh = where_en = ""
        if best is not None:
            product = f"，{best.on_air}讲解中" if best.on_air else ""
            where_zh = f"；最有效时刻 {at(best.start_s)}{product}"
            where_en = f"; best moment {at(best.start_s)}" + (f" during {best.on_air}" if best.on_air else "")
        figures = f"{_number(result.actual)} / {_number(result.target)}"
        actions.append(Action(
            kind="target_missed", severity=round(min(1.0, 0.5 + 0.5 * (1 - result.attainment_pct / 100)), 2),
            advice_zh=f"{result.label} 未达标（完成 {result.attainment_pct:.0f}%）：复用最有效时刻的打法",
            advice_en=f"{result.label} missed its target ({result.attainment_pct:.0f}%): repeat what worked best",
            evidence_zh=f"实际 {figures}{where_zh}", evidence_en=f"actual {figures}{where_en}",
            t_s=best.start_s if best else None,
        ))
    return actions


def _question_actions(bursts: Sequence[QuestionBurst], duration_s: float, options: InsightOptions, at) -> list[Action]:
    actions = []
    for burst in bursts:
        if burst.answered:
            continue
        zh, en = QUESTION_LABELS.get(burst.category, (burst.category, burst.category))
        wait_s = burst.wait_s if burst.wait_s is not None else max(0.0, duration_s - burst.start_s)
        wait_zh, wait_en = _span(wait_s)
        if burst.wait_s is None:
            wait_zh, wait_en = f"直到直播结束（{wait_zh}）都", f"{wait_en}, until the stream ended"
        actions.append(Action(
            kind="unanswered_question", severity=round(min(1.0, 0.6 + burst.count / 50), 2),
            advice_zh=f"{zh}问题集中出现时 {options.answer_window_s:.0f} 秒内回应，或置顶说明",
            advice_en=f"Answer {en} questions within {options.answer_window_s:.0f} s when they surge, "
                      "or pin the answer",
            evidence_zh=f"{zh}问题在 {at(burst.start_s)} 集中出现（{burst.count} 条），{wait_zh}无人回应",
            evidence_en=f"{en} question peaked at {at(burst.start_s)} ({burst.count} asks) "
                        f"with no answer for {wait_en}",
            t_s=burst.start_s,
        ))
    return actions


def _dead_air_actions(gaps: Sequence[DeadAir], options: InsightOptions, at) -> list[Action]:
    actions = []
    for gap in gaps:
        drop = gap.viewer_change_pct is not None and gap.viewer_change_pct <= -options.viewer_drop_pct
        if not drop and gap.duration_s < 3 * options.dead_air_gap_s:
            continue
        span_zh, span_en = _span(gap.duration_s)
        change = signed_pct(gap.viewer_change_pct)
        sound_zh, sound_en = ("", "")
        if gap.quiet is False:
            sound_zh, sound_en = "（有声音但未识别到讲话）", " (sound but no recognised words)"
        actions.append(Action(
            kind="dead_air",
            severity=round(min(0.9, 0.5 + -(gap.viewer_change_pct or 0) / 100) if drop else 0.4, 2),
            advice_zh="准备互动话术或副播接话，避免冷场", advice_en="Prepare fill-in lines or a co-host cue for pauses",
            evidence_zh=f"{at(gap.start_s)}–{at(gap.end_s)} 冷场 {span_zh}{sound_zh}，在线人数 {change}",
            evidence_en=f"dead air {at(gap.start_s)}–{at(gap.end_s)} ({span_en}){sound_en}, viewers {change}",
            t_s=gap.start_s,
        ))
    return actions


def _overrun_actions(products: Sequence[ProductTime], options: InsightOptions) -> list[Action]:
    actions = []
    for product in products:
        if product.over_s is None or product.planned_s is None or product.over_s <= options.overrun_tolerance_s:
            continue
        drop = product.viewer_change_pct is not None and product.viewer_change_pct <= -options.viewer_drop_pct
        over_zh, over_en = _span(product.over_s)
        planned_zh, planned_en = _span(product.planned_s)
        change = signed_pct(product.viewer_change_pct)
        actions.append(Action(
            kind="overrun", severity=0.75 if drop else 0.45,
            advice_zh=f"{product.name} 控制在计划的 {planned_zh}内，观众流失时及时切换",
            advice_en=f"Keep {product.name} to its planned {planned_en}; move on when viewers leave",
            evidence_zh=f"{product.sku} 讲解超出计划 {over_zh}，期间在线人数 {change}",
            evidence_en=f"pitch of {product.sku} ran {over_en} over plan, viewers {change} during it",
        ))
    return actions


def _script_actions(segments: Sequence[ScriptSegmentResult], options: InsightOptions, at) -> list[Action]:
    actions = []
    for segment in segments:
        total = len(segment.key_points)
        if segment.status == "skipped":
            actions.append(Action(
                kind="skipped_segment", severity=0.55,
                advice_zh=f"「{segment.title}」要么讲到，要么从脚本中删去",
                advice_en=f"Cover “{segment.title}” or drop it from the run-of-show",
                evidence_zh=f"计划 {at(segment.planned_start_s)} 开始，未听到（关键话术 0/{total}）",
                evidence_en=f"planned at {at(segment.planned_start_s)}, not heard (0/{total} key lines)",
                t_s=segment.planned_start_s,
            ))
        elif segment.status == "late" and segment.delay_s is not None and segment.actual_start_s is not None:
            delay_zh, delay_en = _span(segment.delay_s)
            actions.append(Action(
                kind="late_segment", severity=round(min(0.65, 0.35 + segment.delay_s / 1200), 2),
                advice_zh=f"按计划时间开始「{segment.title}」，提前收尾上一环节",
                advice_en=f"Start “{segment.title}” on time; wrap up the segment before it sooner",
                evidence_zh=f"计划 {at(segment.planned_start_s)}，实际 {at(segment.actual_start_s)}，晚了 {delay_zh}",
                evidence_en=f"planned {at(segment.planned_start_s)}, began {at(segment.actual_start_s)}, "
                            f"{delay_en} late",
                t_s=segment.actual_start_s,
            ))
        if segment.status != "skipped" and total and segment.said_count < total:
            missed = [p.text for p in segment.key_points if not p.said]
            shown = "; ".join(missed[:2]) + ("…" if len(missed) > 2 else "")
            actions.append(Action(
                kind="missed_key_lines", severity=0.3,
                advice_zh=f"「{segment.title}」补上漏讲的卖点",
                advice_en=f"Say every selling point of “{segment.title}”",
                evidence_zh=f"未听到 {len(missed)}/{total} 条：{shown}",
                evidence_en=f"{len(missed)}/{total} key lines not heard: {shown}",
                t_s=segment.actual_start_s,
            ))
    return actions


def _pace_actions(points: Sequence[PacePoint], unit: str, gaps: Sequence[DeadAir], options: InsightOptions,
                  at) -> list[Action]:
    actions = []
    unit_zh = "字" if unit == "chars" else "词"
    for point in points:
        if not point.slow or point.viewer_change_pct is None or point.viewer_change_pct > -options.viewer_drop_pct:
            continue
        if any(g.start_s < point.end_s and g.end_s > point.start_s for g in gaps):
            continue  # the dead air in this window is the point already made
        change = signed_pct(point.viewer_change_pct)
        actions.append(Action(
            kind="slow_pace", severity=0.4,
            advice_zh="语速放缓时加入互动或福利节点", advice_en="Liven slow stretches with an interaction or an offer",
            evidence_zh=f"{at(point.start_s)} 起语速降到 {point.rate_per_min:.0f} {unit_zh}/分钟，在线人数 {change}",
            evidence_en=f"pace fell to {point.rate_per_min:.0f} {unit}/min at {at(point.start_s)}, viewers {change}",
            t_s=point.start_s,
        ))
    return actions


def _reaction_actions(points: Sequence[ReactionPoint], at) -> list[Action]:
    return [
        Action(
            kind="negative_reaction", severity=0.45,
            advice_zh="负面评论集中时正面回应疑虑", advice_en="Address complaints when negative comments pile up",
            evidence_zh=f"{at(p.start_s)}–{at(p.end_s)} 负面评论 {p.negative} 条，正面 {p.positive} 条",
            evidence_en=f"{p.negative} negative vs {p.positive} positive comments {at(p.start_s)}–{at(p.end_s)}",
            t_s=p.start_s,
        )
        for p in points
        if p.negative >= 3 and p.score <= -0.3
    ]


def next_time_actions(
    *,
    targets: Sequence[TargetResult] = (),
    bursts: Sequence[QuestionBurst] = (),
    dead_air: Sequence[DeadAir] = (),
    pace: Sequence[PacePoint] = (),
    pace_unit: str = "words",
    product_time: Sequence[ProductTime] = (),
    script: Sequence[ScriptSegmentResult] = (),
    reactions: Sequence[ReactionPoint] = (),
    duration_s: float = 0.0,
    start_time: datetime | None = None,
    options: InsightOptions = InsightOptions(),
) -> list[Action]:
    """The "next time" list: at most ``PER_RULE`` points per rule and ``max_actions`` in all, most severe first.

    Rules: a missed target; a question surge unanswered within ``answer_window_s``; dead air that lost
    ``viewer_drop_pct`` of viewers or lasted three gaps; a product over its planned time; a skipped or late
    segment; key lines not heard; a slow stretch without dead air that lost viewers; negative comments
    outnumbering positive ones.
    Times in the texts are wall-clock when ``start_time`` is known.
    """

    def at(t_s: float) -> str:
        return clock(t_s, start_time)

    rules = [
        _target_actions(targets, at),
        _question_actions(bursts, duration_s, options, at),
        _overrun_actions(product_time, options),
        _dead_air_actions(dead_air, options, at),
        _script_actions(segments=script, options=options, at=at),
        _pace_actions(pace, pace_unit, dead_air, options, at),
        _reaction_actions(reactions, at),
    ]
    chosen: list[Action] = []
    for found in rules:
        by_kind: dict[str, int] = {}
        for action in sorted(found, key=lambda a: -a.severity):
            if by_kind.get(action.kind, 0) < PER_RULE:
                chosen.append(action)
                by_kind[action.kind] = by_kind.get(action.kind, 0) + 1
    chosen.sort(key=lambda a: (-a.severity, a.t_s if a.t_s is not None else float("inf")))
    return chosen[: options.max_actions]
