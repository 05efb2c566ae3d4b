"""A synthetic 20-minute stream for the insight tests, every answer planted by construction.

- Speech: one sentence every 6 s (4 s long), except two planted silences, 300–340 s and 800–815 s, and a slow
  stretch 600–660 s (two-word sentences). Viewers fall from 200 to 150 across the first silence, stay level across
  the second, and fall from 150 to 120 across the slow stretch.
- Script: opening (0 s), Aurora Lamp (planned 60 s, on time), lucky draw (planned 300 s, never said), Breeze Fan
  (planned 360 s, begins 480 s: 120 s late, one key line never said), closing (planned 1100 s, on time).
- Comments: a Chinese price surge at 100–115 s answered at 120 s ("only 99 dollars"); a Chinese and English coupon
  surge at 500–515 s that nobody answers; two size questions (no surge); praise early, complaints ("太贵了")
  at 480–540 s.
- Orders: 30 at 120 s and 20 at 500 s plus 1 every other interval; GMV = 50 per order.
"""

from __future__ import annotations

from mediaops.retrospective.insights.types import PlanSegment, Target
from mediaops.types import Comment, Metrics, MetricSeries, PitchSegment, Segment, Transcript

DURATION_S = 1200.0
STEP_S = 10.0
SILENCES = ((300.0, 340.0), (800.0, 815.0))
SLOW = (600.0, 660.0)
NORMAL = "this lamp is bright and the light is warm and very soft"  # 12 words

#: (time, text) of the script's key lines as the host says them.
SAID = {
    0.0: "Welcome everyone to the show tonight",
    60.0: "Here is the Aurora Lamp for your desk",
    120.0: "The Aurora Lamp is only 99 dollars today",
    126.0: "It has three brightness levels for reading",
    480.0: "Now the Breeze Fan, the quietest fan we sell",
    486.0: "It has a quiet motor so you can sleep",
    492.0: "The Breeze Fan is only 49 dollars",
    1098.0: "Thank you for watching, see you next week",
}


def build_transcript() -> Transcript:
    segments = []
    for k in range(int(DURATION_S // 6)):
        start = k * 6.0
        end = start + 4.0
        if any(a - 4.0 < start < b for a, b in SILENCES) or end > DURATION_S:
            continue
        text = SAID.get(start) or ("okay so" if SLOW[0] <= start < SLOW[1] else NORMAL)
        segments.append(Segment(start, end, text))
    return Transcript("en", tuple(segments), DURATION_S)


def build_metrics() -> Metrics:
    times = tuple(i * STEP_S for i in range(int(DURATION_S / STEP_S)))
    viewers = tuple(200.0 if t < 340 else 150.0 if t < 600 else 120.0 if t >= 660 else 150.0 - (t - 600) / 2
                    for t in times)
    orders = tuple(30.0 if t == 120 else 20.0 if t == 500 else float(i % 2) for i, t in enumerate(times))
    comments = tuple(5.0 for _ in times)
    return Metrics((
        MetricSeries("online_viewers", times, viewers, STEP_S, "level", "online_viewers"),
        MetricSeries("comments", times, comments, STEP_S, "count", "comments"),
        MetricSeries("orders", times, orders, STEP_S, "count", "orders"),
        MetricSeries("gmv", times, tuple(o * 50 for o in orders), STEP_S, "count", "gmv"),
    ), STEP_S, 0.0, "metrics.csv")


def build_comments() -> list[Comment]:
    planted = [
        (10.0, "主播晚上好"), (12.0, "好漂亮"), (15.0, "love it"), (20.0, "666"),
        (100.0, "这个台灯多少钱"), (105.0, "多少钱？"), (110.0, "how much?"), (115.0, "价格多少"),
        (130.0, "灯光好漂亮"), (135.0, "灯光好漂亮"), (140.0, "灯光好漂亮"), (150.0, "想要"), (155.0, "想要"),
        (200.0, "what size is it?"), (700.0, "尺码多大"),
        (482.0, "太贵了"), (488.0, "太贵了吧"), (495.0, "too expensive"), (505.0, "好贵"),
        (500.0, "有没有优惠券"), (503.0, "有没有优惠券？"), (508.0, "any coupon?"), (512.0, "有优惠券吗"),
        (520.0, "风扇很安静"), (525.0, "风扇很安静"), (530.0, "风扇 安静 吗"),
    ]
    return [Comment(t, f"user{i}", text) for i, (t, text) in enumerate(sorted(planted))]


def build_pitches() -> list[PitchSegment]:
    return [PitchSegment("SKU-A", "Aurora Lamp", 60.0, 300.0, 3), PitchSegment("SKU-B", "Breeze Fan", 480.0, 1000.0, 3)]


def build_plan() -> list[PlanSegment]:
    return [
        PlanSegment("Opening", 0.0, None, ("welcome everyone to the show",)),
        PlanSegment("Aurora Lamp", 60.0, "SKU-A", ("only 99 dollars", "three brightness levels")),
        PlanSegment("Lucky draw", 300.0, None, ("follow us to join the lucky draw",)),
        PlanSegment("Breeze Fan", 360.0, "SKU-B", ("quiet motor", "only 49 dollars", "two year warranty")),
        PlanSegment("Closing", 1100.0, None, ("thank you for watching",)),
    ]


#: orders total 30 + 20 + 60 = 110 (met, 110 %); GMV 5,500 of 10,000 (missed, 55 %); conversion rate needs a
#: viewers_entered column the metrics lack (absent).
TARGETS = [Target("orders", 100.0, "orders"), Target("gmv", 10000.0, "GMV"),
           Target("conversion_rate", 2.0, "转化率")]
