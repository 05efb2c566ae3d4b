"""The insight sections of the review report (targets, audience voice, host delivery, script coverage, next
time) as titled tables and bullet points, shared by the HTML and Markdown writers so they always agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from mediaops.report.delivery_chart import DeliveryChart, delivery_chart, delivery_svg
from mediaops.report.i18n import number
from mediaops.report.markdown_text import markdown_table, md_text
from mediaops.report.tables import Table
from mediaops.retrospective.insights.actions import QUESTION_LABELS
from mediaops.retrospective.insights.series import clock, signed_pct
from mediaops.retrospective.insights.types import DeadAir, Insights, KpiMoment
from mediaops.types import Timeline

_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "sec": "秒", "min": "分钟",
        "targets": "目标达成", "kpi": "指标", "target": "目标", "actual": "实际", "attainment": "完成率",
        "met": "达标", "yes": "✓ 达标", "no": "✗ 未达标", "absent": "未提供", "moments": "贡献最大的时刻",
        "no_targets": "未提供目标：提供各项指标的目标后，这里会显示目标达成情况。",
        "audience": "观众声音", "questions": "高频问题", "kind": "问题类型", "count": "次数", "peak": "高峰时间",
        "peak_count": "高峰次数", "examples": "典型说法", "no_questions": "评论中没有发现提问。",
        "unanswered": "未及时回应的提问", "time": "时间", "asks": "提问数", "answer": "回应",
        "no_answer_for": "{wait} 内无回应", "answered_at": "{at} 回应（等待 {wait}）", "never": "直到结束无回应",
        "all_answered": "所有集中提问都在 {n} 秒内得到回应。",
        "keywords": "各商品讲解期间的关键词", "product": "商品", "span": "时段", "comments": "评论数",
        "words": "关键词", "phrases": "常见短语", "whole_stream": "全场",
        "reactions": "负面评论较多的时段", "window": "时段", "positive": "正面", "negative": "负面", "score": "倾向",
        "reaction_summary": "全场正面评论 {p} 条，负面 {n} 条（每 {w} 秒的趋势见 timeline.json）。",
        "no_negative": "没有负面评论多于正面的时段。",
        "no_comments": "未提供评论记录：提供直播的评论记录后，这里会显示观众的提问和反应。",
        "delivery": "主播表现", "dead_air": "冷场（超过 {gap} 秒无人说话）", "start": "开始", "end": "结束",
        "duration": "时长", "viewers": "在线人数", "audio": "声音", "quiet": "安静",
        "sound": "有声音，未识别到讲话", "change": "在线变化", "no_dead_air": "没有超过 {gap} 秒的冷场。",
        "pace": "语速偏慢的时段", "rate": "语速（{unit}/分钟）", "speaking": "说话时长", "slow": "偏慢",
        "median_pace": "中位语速 {rate} {unit}/分钟（每 {w} 秒一段）。", "no_slow": "没有语速明显偏慢的时段。",
        "chars": "字", "words_unit": "词",
        "product_time": "各商品讲解时长与计划", "on_air": "实际时长", "planned": "计划时长", "over": "超出",
        "script": "脚本执行", "segment": "环节", "planned_start": "计划开始", "actual_start": "实际开始",
        "status": "状态", "key_lines": "关键话术", "comments_per_min": "每分钟评论", "orders": "订单",
        "status_on_time": "准时", "status_late": "晚了 {delay}", "status_early": "早了 {delay}",
        "status_skipped": "未讲", "status_not_checked": "未检查", "missed": "漏讲：",
        "no_script": "未提供直播脚本：提供各环节的计划（流程表）后，这里会核对每个环节是否按计划进行。",
        "actions": "下次改进", "evidence": "依据", "no_actions": "没有需要改进的明显问题。",
        "chart": "在线人数（线）、语速（柱）与冷场（红色）", "wall_clock": "时间为开播后的实际时刻（开播 {start}）。",
    },
    "en": {
        "sec": "s", "min": "min",
        "targets": "Targets vs actuals", "kpi": "KPI", "target": "Target", "actual": "Actual",
        "attainment": "Attainment", "met": "Met", "yes": "✓ met", "no": "✗ missed", "absent": "absent",
        "moments": "Moments that moved it most",
        "no_targets": "No targets were given: provide a target for each KPI to see them against the actuals.",
        "audience": "Audience voice", "questions": "Most asked questions", "kind": "Question", "count": "Count",
        "peak": "Peak", "peak_count": "At peak", "examples": "Typical wording",
        "no_questions": "No questions found in the comments.",
        "unanswered": "Question surges without a timely answer", "time": "Time", "asks": "Asks", "answer": "Answer",
        "no_answer_for": "no answer for {wait}", "answered_at": "answered {at} (after {wait})",
        "never": "no answer until the end", "all_answered": "Every question surge was answered within {n} s.",
        "keywords": "Keywords while each product was on air", "product": "Product", "span": "Span",
        "comments": "Comments", "words": "Keywords", "phrases": "Phrases", "whole_stream": "whole stream",
        "reactions": "Windows where complaints matched or outnumbered praise", "window": "Window",
        "positive": "Positive", "negative": "Negative", "score": "Balance",
        "no_comments": "No comment log was given: provide the stream's comments to see the audience's questions and "
                       "reactions.",
        "reaction_summary": "{p} positive and {n} negative comments in all (the trend per {w} s is in timeline.json).",
        "no_negative": "No window where complaints matched or outnumbered praise.",
        "delivery": "Host delivery", "dead_air": "Dead air (no speech for {gap} s or more)", "start": "Start",
        "end": "End", "duration": "Length", "viewers": "Viewers", "change": "Viewer change", "audio": "Audio",
        "quiet": "quiet", "sound": "sound, no words recognised",
        "no_dead_air": "No silence of {gap} s or more.", "pace": "Slow stretches", "rate": "Pace ({unit}/min)",
        "median_pace": "Median pace {rate} {unit}/min (per {w} s window).", "no_slow": "No markedly slow stretch.",
        "speaking": "Speaking", "slow": "slow", "chars": "chars", "words_unit": "words",
        "product_time": "Time per product vs plan", "on_air": "On air", "planned": "Planned", "over": "Over plan",
        "script": "Script coverage", "segment": "Segment", "planned_start": "Planned", "actual_start": "Began",
        "status": "Status", "key_lines": "Key lines", "comments_per_min": "Comments/min", "orders": "Orders",
        "status_on_time": "on time", "status_late": "{delay} late", "status_early": "{delay} early",
        "status_skipped": "skipped", "status_not_checked": "not checked", "missed": "not heard: ",
        "no_script": "No run-of-show was given: provide the planned segments to check each against the stream.",
        "actions": "Next time", "evidence": "Evidence", "no_actions": "Nothing stood out to change.",
        "chart": "Online viewers (line), speaking pace (bars) and dead air (red)",
        "wall_clock": "Times are wall-clock (stream start {start}).",
    },
}


#: most rows a per-window table shows; the full series stay in timeline.json and the chart.
_MAX_ROWS = 12


@dataclass(frozen=True, slots=True)
class InsightSection:
    """One titled section: tables with captions, bullet points, a note, and a chart (``svg`` drawn for the HTML
    report, ``chart`` for the PDF's Matplotlib)."""

    key: str
    title: str
    tables: tuple[tuple[str, Table], ...] = ()
    notes: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    svg: str = ""
    chart: DeliveryChart | None = None


def insight_labels(lang: str) -> dict[str, str]:
    """The insight sections' labels in ``lang`` (``zh`` or ``en``)."""
    return _LABELS.get(lang, _LABELS["zh"])


def _duration(seconds: float | None, t: dict[str, str]) -> str:
    if seconds is None:
        return "—"
    sign = "−" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds / 60:.1f} {t['min']}" if seconds >= 120 else f"{sign}{seconds:.0f} {t['sec']}"


def _pct(value: float | None, absent: str) -> str:
    return absent if value is None else f"{value:.0f}%"


def _moment(m: KpiMoment, at) -> str:
    share = f" ({m.share_pct:.0f}%)" if m.share_pct is not None else ""
    where = f" · {m.on_air}" if m.on_air else ""
    return f"{at(m.start_s)} +{number(m.value, 0 if m.value >= 10 else 1)}{share}{where}"


def _targets_section(ins: Insights, t: dict[str, str], at) -> InsightSection:
    if not ins.targets:
        return InsightSection("insight-targets", t["targets"], notes=(t["no_targets"],))
    rows = []
    for r in ins.targets:
        decimals = 0 if r.target >= 100 and (r.actual is None or r.actual >= 100) else 2
        rows.append((
            r.label, number(r.target, decimals), number(r.actual, decimals, t["absent"]),
            _pct(r.attainment_pct, t["absent"]),
            t["absent"] if r.met is None else t["yes"] if r.met else t["no"],
            "; ".join(_moment(m, at) for m in r.moments) or "—",
        ))
    table = Table((t["kpi"], t["target"], t["actual"], t["attainment"], t["met"], t["moments"]), tuple(rows))
    return InsightSection("insight-targets", t["targets"], tables=(("", table),))


def _audience_section(ins: Insights, t: dict[str, str], lang: str, at) -> InsightSection:
    if not ins.questions and not ins.voices and not ins.reactions:
        return InsightSection("insight-audience", t["audience"], notes=(t["no_comments"],))
    side = 0 if lang == "zh" else 1

    def kind(category: str) -> str:
        return QUESTION_LABELS.get(category, (category, category))[side]

    tables: list[tuple[str, Table]] = []
    notes: list[str] = []
    if ins.questions:
        rows = tuple((kind(q.category), str(q.count), at(q.peak_t_s), str(q.peak_count), " / ".join(q.examples))
                     for q in ins.questions)
        tables.append((t["questions"], Table((t["kind"], t["count"], t["peak"], t["peak_count"], t["examples"]),
                                             rows)))
    else:
        notes.append(t["no_questions"])
    if ins.unanswered:
        waits: list[tuple[str, ...]] = []
        for b in ins.unanswered:
            if b.answer_t_s is None:
                answer = t["never"]
            else:
                answer = t["answered_at"].format(at=at(b.answer_t_s), wait=_duration(b.wait_s, t))
            waits.append((kind(b.category), at(b.start_s), str(b.count), answer))
        tables.append((t["unanswered"], Table((t["kind"], t["time"], t["asks"], t["answer"]), tuple(waits))))
    elif ins.bursts:
        notes.append(t["all_answered"].format(n=f"{ins.answer_window_s:.0f}"))
    if ins.voices:
        rows = tuple((
            f"{v.name} ({v.sku})" if v.sku else t["whole_stream"], f"{at(v.start_s)}–{at(v.end_s)}", str(v.comments),
            ", ".join(f"{k.term} ×{k.count}" for k in v.keywords) or "—",
            ", ".join(f"{k.term} ×{k.count}" for k in v.phrases) or "—",
        ) for v in ins.voices)
        tables.append((t["keywords"], Table((t["product"], t["span"], t["comments"], t["words"], t["phrases"]), rows)))
    if ins.reactions:
        width = ins.reactions[0].end_s - ins.reactions[0].start_s
        notes.append(t["reaction_summary"].format(p=sum(r.positive for r in ins.reactions),
                                                  n=sum(r.negative for r in ins.reactions), w=f"{width:.0f}"))
        sour = [r for r in ins.reactions if r.negative and r.negative >= r.positive][:_MAX_ROWS]
        rows = tuple((f"{at(r.start_s)}–{at(r.end_s)}", str(r.comments), str(r.positive), str(r.negative),
                      f"{r.score:+.2f}".replace("-", "−")) for r in sour)
        if rows:
            tables.append((t["reactions"], Table((t["window"], t["comments"], t["positive"], t["negative"],
                                                  t["score"]), rows)))
        else:
            notes.append(t["no_negative"])
    return InsightSection("insight-audience", t["audience"], tables=tuple(tables), notes=tuple(notes))


def _viewers(before: float | None, after: float | None) -> str:
    return "—" if before is None or after is None else f"{before:,.0f} → {after:,.0f}"


def _audio(gap: DeadAir, t: dict[str, str]) -> str:
    if gap.loudness_dbfs is None:
        return "—"
    return f"{t['quiet'] if gap.quiet else t['sound']} ({gap.loudness_dbfs:.0f} dBFS)".replace("-", "−")


def _delivery_section(ins: Insights, t: dict[str, str], at, chart: DeliveryChart | None) -> InsightSection:
    gap = f"{ins.dead_air_gap_s:g}"
    tables: list[tuple[str, Table]] = []
    notes: list[str] = []
    if ins.dead_air:
        rows = tuple((at(d.start_s), at(d.end_s), _duration(d.duration_s, t),
                      _viewers(d.viewers_before, d.viewers_after), signed_pct(d.viewer_change_pct), _audio(d, t))
                     for d in ins.dead_air)
        tables.append((t["dead_air"].format(gap=gap),
                       Table((t["start"], t["end"], t["duration"], t["viewers"], t["change"], t["audio"]), rows)))
    else:
        notes.append(t["no_dead_air"].format(gap=gap))
    if ins.pace:
        unit = t["chars"] if ins.pace_unit == "chars" else t["words_unit"]
        spoken = sorted(p.rate_per_min for p in ins.pace if p.rate_per_min > 0)
        median = spoken[len(spoken) // 2] if spoken else 0.0
        width = ins.pace[0].end_s - ins.pace[0].start_s
        notes.append(t["median_pace"].format(rate=f"{median:.0f}", unit=unit, w=f"{width:.0f}"))
        slow = tuple((f"{at(p.start_s)}–{at(p.end_s)}", f"{p.rate_per_min:.0f}", _duration(p.speaking_s, t),
                      signed_pct(p.viewer_change_pct)) for p in ins.pace if p.slow)[:_MAX_ROWS]
        if slow:
            tables.append((t["pace"], Table((t["window"], t["rate"].format(unit=unit), t["speaking"], t["change"]),
                                            slow)))
        else:
            notes.append(t["no_slow"])
    if ins.product_time:
        product_rows = tuple((f"{p.name} ({p.sku})", _duration(p.actual_s, t), _duration(p.planned_s, t),
                              _duration(p.over_s, t) if p.over_s is not None else "—", signed_pct(p.viewer_change_pct))
                             for p in ins.product_time)
        tables.append((t["product_time"], Table((t["product"], t["on_air"], t["planned"], t["over"], t["change"]),
                                                product_rows)))
    return InsightSection("insight-delivery", t["delivery"], tables=tuple(tables), notes=tuple(notes),
                          svg=delivery_svg(chart), chart=chart)


def _script_section(ins: Insights, t: dict[str, str], at) -> InsightSection:
    if not ins.script:
        return InsightSection("insight-script", t["script"], notes=(t["no_script"],))
    rows = []
    bullets = []
    for s in ins.script:
        status = t[f"status_{s.status}"].format(delay=_duration(abs(s.delay_s or 0), t))
        said = f"{s.said_count}/{len(s.key_points)}" if s.key_points else "—"
        response = s.response
        rows.append((
            s.title + (f" ({s.sku})" if s.sku else ""), at(s.planned_start_s),
            at(s.actual_start_s) if s.actual_start_s is not None else "—", status, said,
            signed_pct(response.viewer_change_pct) if response else "—",
            number(response.comments_per_min, 1) if response else "—",
            number(response.orders, 0) if response else "—",
        ))
        missed = [p.text for p in s.key_points if not p.said]
        if missed and s.status != "skipped":
            bullets.append(f"{s.title}: {t['missed']}{'; '.join(missed)}")
    table = Table((t["segment"], t["planned_start"], t["actual_start"], t["status"], t["key_lines"], t["change"],
                   t["comments_per_min"], t["orders"]), tuple(rows))
    return InsightSection("insight-script", t["script"], tables=(("", table),), bullets=tuple(bullets))


def _actions_section(ins: Insights, t: dict[str, str], lang: str) -> InsightSection:
    if not ins.actions:
        return InsightSection("insight-actions", t["actions"], notes=(t["no_actions"],))
    bullets = tuple(
        f"{a.advice_zh} —— {t['evidence']}：{a.evidence_zh}" if lang == "zh"
        else f"{a.advice_en} — {t['evidence']}: {a.evidence_en}"
        for a in ins.actions
    )
    return InsightSection("insight-actions", t["actions"], bullets=bullets)


def _delivery_chart(ins: Insights, timeline: Timeline, t: dict[str, str]) -> DeliveryChart | None:
    unit = t["chars"] if ins.pace_unit == "chars" else t["words_unit"]
    return delivery_chart(ins, timeline.metrics, timeline.recording.duration_s, t["chart"],
                          t["rate"].format(unit=unit), t["viewers"])


def insight_sections(timeline: Timeline, lang: str = "zh", zone: tzinfo | None = None) -> tuple[InsightSection, ...]:
    """The insight sections of a timeline, in report order; empty when the timeline carries no insights.
    Wall-clock times (with ``--start-time``) are shown in ``zone`` (default: the start time's own)."""
    ins = timeline.insights
    if ins is None:
        return ()
    t = insight_labels(lang)
    start = datetime.fromisoformat(ins.start_time) if ins.start_time else None
    if start is not None and start.tzinfo is not None and zone is not None:
        start = start.astimezone(zone)

    def at(t_s: float) -> str:
        return clock(t_s, start)

    chart = _delivery_chart(ins, timeline, t)
    sections = (
        _targets_section(ins, t, at),
        _audience_section(ins, t, lang, at),
        _delivery_section(ins, t, at, chart),
        _script_section(ins, t, at),
        _actions_section(ins, t, lang),
    )
    if start is not None:
        first = sections[0]
        sections = (InsightSection(first.key, first.title, first.tables,
                                   (t["wall_clock"].format(start=start.strftime("%H:%M:%S")), *first.notes),
                                   first.bullets, first.svg, first.chart), *sections[1:])
    return sections


def insights_markdown(timeline: Timeline, lang: str = "zh", zone: tzinfo | None = None) -> list[str]:
    """Markdown lines of the insight sections (none when the timeline carries no insights)."""
    lines: list[str] = []
    for section in insight_sections(timeline, lang, zone):
        lines += [f"## {md_text(section.title)}", ""]
        for note in section.notes:
            lines += [md_text(note), ""]
        for caption, table in section.tables:
            if caption:
                lines += [f"### {md_text(caption)}", ""]
            lines += [markdown_table(table), ""]
        if section.bullets:
            lines += [*(f"- {md_text(b)}" for b in section.bullets), ""]
    return lines
