"""Benchmark of the retrospective insights on a synthetic long stream (no media: the figures measure the insight
code, not decoding).

    python bench/insights_bench.py [--hours 6] [--comments-per-min 300]

Builds a Chinese stream of ``--hours`` hours: a sentence every 6 s with word timings, a pitch every ~7 minutes,
``--comments-per-min`` comments a minute (questions, praise, complaints, chatter in Chinese and English), metrics
every 10 s, eight KPI targets and a run-of-show with three key lines per pitch. Prints the time of each insight
step, of the whole ``build_insights`` call and of the report sections, and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mediaops.retrospective.insights import InsightOptions, build_insights
from mediaops.retrospective.insights.actions import next_time_actions
from mediaops.retrospective.insights.audience import (
    find_question_bursts,
    group_questions,
    reaction_trend,
    segment_voices,
)
from mediaops.retrospective.insights.delivery import find_dead_air, product_time, speaking_pace
from mediaops.retrospective.insights.script import compare_script
from mediaops.retrospective.insights.targets import evaluate_targets
from mediaops.retrospective.insights.text import words
from mediaops.retrospective.insights.types import PlanSegment, Target
from mediaops.types import Comment, MediaInfo, Metrics, MetricSeries, PitchSegment, Segment, Timeline, Transcript, Word

LINES = ("宝宝们这款破壁机今天只要三百九十九元", "五秒钟就能打碎冰块，声音还很小", "点击下方小黄车链接马上下单",
         "今天直播间下单还送一个杯子", "库存只有两百件，喜欢的抓紧拍")
CHATTER = ("多少钱", "怎么买", "有没有优惠券", "尺码怎么选", "什么颜色", "包邮吗", "好漂亮", "666", "已下单", "太贵了",
           "主播好美", "how much?", "link please", "love it", "too expensive", "哈哈哈", "想要", "发货快吗")


def synthetic(hours: float, comments_per_min: float):
    rng = random.Random(7)
    duration_s = hours * 3600
    segments = []
    t = 0.0
    while t < duration_s - 6:
        if rng.random() < 0.01:  # an occasional lull
            t += rng.uniform(12, 40)
            continue
        text = rng.choice(LINES)
        chars = list(text)
        step = 4.0 / len(chars)
        words_ = tuple(Word(t + i * step, t + (i + 1) * step, ch) for i, ch in enumerate(chars))
        segments.append(Segment(t, t + 4.0, text, words_))
        t += 6.0
    transcript = Transcript("zh", tuple(segments), duration_s)
    n_comments = int(comments_per_min * duration_s / 60)
    comments = sorted((Comment(rng.uniform(0, duration_s), f"u{rng.randint(0, 9999)}", rng.choice(CHATTER))
                       for _ in range(n_comments)), key=lambda c: c.t_s)
    times = tuple(i * 10.0 for i in range(int(duration_s / 10)))

    def series(name: str, kind: str, make) -> MetricSeries:
        return MetricSeries(name, times, tuple(make() for _ in times), 10.0, kind, name)

    metrics = Metrics((
        series("online_viewers", "level", lambda: float(rng.randint(800, 1500))),
        series("comments", "count", lambda: float(rng.randint(20, 80))),
        series("likes", "count", lambda: float(rng.randint(100, 900))),
        series("viewers_entered", "count", lambda: float(rng.randint(30, 90))),
        series("orders", "count", lambda: float(rng.randint(0, 12))),
        series("gmv", "count", lambda: float(rng.randint(0, 12) * 399)),
    ), 10.0)
    pitches, plan = [], [PlanSegment("开场", 0.0, None, ("欢迎来到直播间",))]
    t = 120.0
    while t < duration_s - 600:
        length = rng.uniform(240, 480)
        sku = f"SKU-{len(pitches):03d}"
        pitches.append(PitchSegment(sku, f"商品{len(pitches)}", t, t + length, 4))
        plan.append(PlanSegment(f"商品{len(pitches)}", t - rng.uniform(-60, 60) if t > 60 else t, sku,
                                ("今天只要三百九十九元", "五秒钟打碎冰块", "送一个杯子")))
        t += length + rng.uniform(20, 90)
    plan.sort(key=lambda p: p.planned_start_s)
    targets = [Target(k, v) for k, v in (("peak_online_viewers", 1400), ("avg_online_viewers", 1200),
                                         ("comments", 300_000), ("likes", 5_000_000), ("orders", 20_000),
                                         ("gmv", 9_000_000), ("conversion_rate", 12), ("avg_order_value", 400))]
    return transcript, metrics, comments, pitches, plan, targets, duration_s


def timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"  {label:<28} {time.perf_counter() - started:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--comments-per-min", type=float, default=300.0)
    args = parser.parse_args()
    transcript, metrics, comments, pitches, plan, targets, duration_s = synthetic(args.hours, args.comments_per_min)
    print(f"{args.hours:g} h stream: {len(transcript.segments)} sentences, {len(comments)} comments, "
          f"{len(pitches)} pitches, {len(plan)} planned segments")
    options = InsightOptions()
    timed("jieba dictionary (once)", words, "预热分词词典")
    timed("targets", evaluate_targets, targets, metrics, pitches, transcript, duration_s)
    timed("question groups", group_questions, comments, options)
    bursts = timed("question surges + answers", find_question_bursts, comments, transcript, options)
    timed("keywords per product", segment_voices, comments, pitches, duration_s, options)
    timed("reaction trend", reaction_trend, comments, duration_s, options)
    timed("dead air", find_dead_air, transcript, duration_s, metrics, options)
    timed("speaking pace", speaking_pace, transcript, duration_s, metrics, options)
    timed("time per product", product_time, pitches, plan, duration_s, metrics, options)
    timed("script coverage", compare_script, plan, transcript, pitches, duration_s, metrics, comments, options)
    timed("actions", next_time_actions, bursts=bursts, duration_s=duration_s, options=options)
    insights = timed("build_insights (all)", build_insights, transcript, metrics, comments, pitches, duration_s,
                     targets, plan, None, options)
    from mediaops.report.insights_sections import insight_sections, insights_markdown

    info = MediaInfo("bench.mp4", duration_s, 1, "mp4", True, True)
    timeline = Timeline(info, (), (), (), metrics=metrics, insights=insights)
    timed("report sections (zh)", insight_sections, timeline, "zh")
    markdown = timed("markdown (en)", insights_markdown, timeline, "en")
    print(f"  {len(insights.actions)} actions, {len(insights.bursts)} surges, {len(insights.dead_air)} dead-air "
          f"stretches, {len(markdown)} Markdown lines")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS) {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
