"""Audience voice: question kinds in Chinese and English, surges answered or not, keywords per product, reactions."""

from __future__ import annotations

import pytest

from mediaops.retrospective.insights.audience import (
    find_question_bursts,
    group_questions,
    question_kind,
    reaction_trend,
    segment_voices,
)
from mediaops.retrospective.insights.options import InsightOptions
from mediaops.types import Comment, PitchSegment, Segment, Transcript
from tests.insights_synthetic import DURATION_S, build_comments, build_pitches, build_transcript


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("这个多少钱", "price"), ("价格多少？", "price"), ("how much?", "price"), ("price?", "price"),
        ("怎么买", "how_to_buy"), ("上链接", "how_to_buy"), ("link please", "how_to_buy"),
        ("how do I buy it", "how_to_buy"),
        ("有没有优惠券", "coupon"), ("is it on sale?", "coupon"), ("any discount code", "coupon"),
        ("尺码怎么选", "size"), ("what size should I get", "size"),
        ("有什么颜色", "colour"), ("other colors?", "colour"),
        ("包邮吗", "shipping"), ("when does it ship", "shipping"),
        ("还有货吗", "stock"), ("sold out?", "stock"),
        ("好用吗", "other"), ("does it work?", "other"),
        ("666", None), ("好漂亮", None), ("love it", None),
    ],
)
def test_question_kinds_in_chinese_and_english(text: str, kind: str | None) -> None:
    assert question_kind(text) == kind


def test_questions_grouped_with_counts_peaks_and_wordings() -> None:
    groups = {g.category: g for g in group_questions(build_comments())}
    assert set(groups) == {"price", "coupon", "size", "other"}
    price, coupon, size = groups["price"], groups["coupon"], groups["size"]
    assert (price.count, price.peak_t_s, price.peak_count) == (4, 100.0, 4)
    assert "how much?" in price.examples and "这个台灯多少钱" in price.examples
    assert (coupon.count, coupon.peak_t_s, coupon.first_t_s, coupon.last_t_s) == (4, 500.0, 500.0, 512.0)
    assert (size.count, size.peak_count) == (2, 1)


def test_planted_surges_one_answered_one_not() -> None:
    bursts = find_question_bursts(build_comments(), build_transcript())
    assert [(b.category, b.start_s, b.count, b.answered) for b in bursts] == [
        ("price", 100.0, 4, True), ("coupon", 500.0, 4, False)]
    price, coupon = bursts
    assert (price.answer_t_s, price.wait_s) == (120.0, 20.0)
    assert "99 dollars" in price.answer_text
    # nothing in the transcript ever speaks of a coupon or discount
    assert (coupon.answer_t_s, coupon.wait_s) == (None, None)


def test_a_late_answer_leaves_the_surge_unanswered() -> None:
    comments = [Comment(t, "u", "多少钱") for t in (10.0, 12.0, 15.0)]
    transcript = Transcript("zh", (Segment(100.0, 104.0, "这款只要九十九块"),), 200.0)
    (burst,) = find_question_bursts(comments, transcript, InsightOptions(answer_window_s=60.0))
    assert (burst.answered, burst.answer_t_s, burst.wait_s) == (False, 100.0, 90.0)
    (burst,) = find_question_bursts(comments, transcript, InsightOptions(answer_window_s=120.0))
    assert burst.answered


def test_a_steady_trickle_in_a_busy_stream_is_no_surge() -> None:
    steady = [Comment(t * 5.0, "u", "多少钱") for t in range(240)]  # one every 5 s for 20 minutes
    assert find_question_bursts(steady, None, duration_s=1200.0) == []
    rush = [Comment(600.0 + k, "u", "how much") for k in range(15)]
    everything = sorted(steady + rush, key=lambda c: c.t_s)
    (burst,) = find_question_bursts(everything, None, duration_s=1200.0)
    # 255 asks in 20 minutes average 6.4 per 30 s: a surge needs 12.75; the first 30 s holding that many opens at
    # 580 s (six steady asks, then the ten rushed ones up to 609 s)
    assert (burst.category, burst.start_s, burst.end_s, burst.count) == ("price", 580.0, 609.0, 16)


def test_too_few_questions_are_no_surge() -> None:
    comments = [Comment(t, "u", "how much?") for t in (10.0, 50.0, 90.0)]
    assert find_question_bursts(comments, None) == []


def test_keywords_and_phrases_per_product_with_jieba() -> None:
    voices = segment_voices(build_comments(), build_pitches(), DURATION_S)
    lamp, fan = voices
    assert (lamp.sku, lamp.comments) == ("SKU-A", 10)
    lamp_terms = {k.term: k.count for k in lamp.keywords}
    assert lamp_terms["灯光"] == 3 and lamp_terms["漂亮"] == 3 and lamp_terms["想要"] == 2
    assert [(p.term, p.count) for p in lamp.phrases] == [("灯光漂亮", 3)]
    fan_terms = {k.term: k.count for k in fan.keywords}
    assert fan_terms["风扇"] == 3 and fan_terms["安静"] == 3 and fan_terms["优惠券"] == 3
    assert "coupon" in fan_terms  # English words are kept beside the Chinese ones
    assert ("风扇安静", 3) in [(p.term, p.count) for p in fan.phrases]


def test_keywords_count_once_per_comment_and_without_pitches_cover_the_stream() -> None:
    comments = [Comment(1.0, "a", "blender blender blender"), Comment(2.0, "b", "nice blender")]
    (voice,) = segment_voices(comments, [], 60.0)
    assert voice.sku is None and voice.comments == 2
    assert {k.term: k.count for k in voice.keywords} == {"blender": 2, "nice": 1}


def test_reaction_trend_turns_negative_where_complaints_were_planted() -> None:
    points = reaction_trend(build_comments(), DURATION_S, InsightOptions(trend_window_s=60.0))
    assert len(points) == 20
    first, complaints = points[0], points[8]
    assert (first.positive, first.negative, first.score) == (2, 0, 1.0)
    assert (complaints.start_s, complaints.negative, complaints.positive, complaints.score) == (480.0, 4, 0, -1.0)
    assert all(p.score == 0.0 for p in points[9:])


def test_pitches_outside_comments_give_empty_keyword_lists() -> None:
    (voice,) = segment_voices([], [PitchSegment("X", "Lamp", 0.0, 10.0)], 10.0)
    assert (voice.comments, voice.keywords, voice.phrases) == (0, (), ())
