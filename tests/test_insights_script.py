"""Script coverage: run-of-show files and what was said, late, early or skipped, with the audience's response."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediaops.errors import PlanFormatError
from mediaops.retrospective.insights.script import compare_script, load_run_of_show, planned_spans
from mediaops.retrospective.insights.types import PlanSegment
from mediaops.types import Comment, PitchSegment, Segment, Transcript
from tests.insights_synthetic import (
    DURATION_S,
    build_comments,
    build_metrics,
    build_pitches,
    build_plan,
    build_transcript,
)

SAMPLE = Path(__file__).resolve().parents[1] / "sample_media"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("r.csv", "start,title,sku,key_points\n00:00,开场,,欢迎来到直播间\n"
                  "01:30,Lamp,SKU-A,only 99 dollars|three levels\n"),
        ("r.yaml", "segments:\n  - start: '00:00'\n    title: 开场\n    key_points: [欢迎来到直播间]\n"
                   "  - {start: 90, title: Lamp, sku: SKU-A, key_points: [only 99 dollars, three levels]}\n"),
        ("r.json", '[{"开始时间": "0", "环节": "开场", "话术": "欢迎来到直播间"},'
                   ' {"start": "0:01:30", "title": "Lamp", "sku": "SKU-A",'
                   ' "selling_points": "only 99 dollars|three levels"}]'),
    ],
    ids=["csv", "yaml", "json-chinese-keys"],
)
def test_run_of_show_in_every_format(tmp_path: Path, name: str, text: str) -> None:
    plan = load_run_of_show(_write(tmp_path, name, text))
    assert plan == [PlanSegment("开场", 0.0, None, ("欢迎来到直播间",)),
                    PlanSegment("Lamp", 90.0, "SKU-A", ("only 99 dollars", "three levels"))]


def test_sample_run_of_show_reads() -> None:
    plan = load_run_of_show(SAMPLE / "run_of_show.csv")
    assert [s.title for s in plan] == ["Opening", "Turbo Blender", "Cozy Blanket", "Glow Serum", "Lucky draw",
                                       "Closing"]
    assert plan[1].sku == "SKU-BLENDER-01" and len(plan[1].key_points) == 4


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("r.csv", "start,title,host\n00:00,Opening,Amy\n", "unknown field 'host'"),
        ("r.csv", "start,title\n,Opening\n", "needs a planned start time"),
        ("r.csv", "start,title\nsoon,Opening\n", "'soon' is not a time"),
        ("r.csv", "start,title\n02:00,B\n01:00,A\n", "segment 2 starts before the one above it"),
        ("r.yaml", "title: Opening\n", "expected a list of segments"),
        ("r.yaml", "- start: 0\n  key_points: 5\n", "key_points must be a list"),
        ("r.yaml", "- start: -5\n", "negative"),
        ("r.yaml", "- [start, 0]\n", "expected a segment"),
    ],
    ids=["unknown-field", "no-start", "bad-time", "out-of-order", "not-a-list", "bad-points", "negative", "not-dict"],
)
def test_bad_run_of_show_files_give_one_line_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(PlanFormatError) as info:
        load_run_of_show(_write(tmp_path, name, text))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_planned_spans_end_at_the_next_start_or_their_own_duration() -> None:
    plan = [PlanSegment("a", 0.0), PlanSegment("b", 60.0, planned_duration_s=30.0), PlanSegment("c", 200.0)]
    assert [(s.title, a, b) for s, a, b in planned_spans(plan, 300.0)] == [("a", 0.0, 60.0), ("b", 60.0, 90.0),
                                                                           ("c", 200.0, 300.0)]


def test_one_segment_skipped_one_late_and_a_key_line_missed() -> None:
    results = compare_script(build_plan(), build_transcript(), build_pitches(), DURATION_S, build_metrics(),
                             build_comments())
    assert [(r.title, r.status, r.actual_start_s, r.delay_s) for r in results] == [
        ("Opening", "on_time", 0.0, 0.0),
        ("Aurora Lamp", "on_time", 60.0, 0.0),
        ("Lucky draw", "skipped", None, None),
        ("Breeze Fan", "late", 480.0, 120.0),
        ("Closing", "on_time", 1098.0, -2.0),
    ]
    lamp, draw, fan = results[1], results[2], results[3]
    assert [(p.text, p.t_s) for p in lamp.key_points] == [("only 99 dollars", 120.0), ("three brightness levels",
                                                                                        126.0)]
    assert (draw.said_count, draw.response) == (0, None)
    assert [(p.text, p.said) for p in fan.key_points] == [("quiet motor", True), ("only 49 dollars", True),
                                                          ("two year warranty", False)]
    assert fan.said_count == 2
    # the lamp segment runs until the fan segment begins (the lucky draw between was skipped)
    assert (lamp.actual_end_s, lamp.response.viewer_change_pct, lamp.response.orders) == (480.0, -25.0, 51.0)
    assert lamp.response.comments_per_min == pytest.approx(30.0)


def test_a_price_line_needs_its_figure() -> None:
    transcript = Transcript("en", (Segment(0.0, 4.0, "the lamp is only 39 dollars today"),), 60.0)
    (result,) = compare_script([PlanSegment("Lamp", 0.0, None, ("only 25 dollars today",))], transcript,
                               duration_s=60.0)
    assert result.status == "skipped" and not result.key_points[0].said


def test_early_segment_and_chinese_key_lines() -> None:
    transcript = Transcript("zh", (
        Segment(10.0, 14.0, "欢迎来到直播间，宝宝们晚上好"),
        Segment(200.0, 205.0, "这款破壁机今天只要三百九十九元"),
        Segment(206.0, 210.0, "五秒钟就能打碎冰块"),
    ), 400.0)
    plan = [PlanSegment("开场", 0.0, None, ("欢迎来到直播间",)),
            PlanSegment("破壁机", 300.0, "P1", ("今天只要三百九十九元", "五秒打碎冰块", "一年质保"))]
    pitches = [PitchSegment("P1", "破壁机", 200.0, 260.0)]
    comments = [Comment(201.0, "u", "多少钱"), Comment(230.0, "u", "想要")]
    opening, blender = compare_script(plan, transcript, pitches, 400.0, None, comments)
    assert (opening.status, opening.actual_start_s) == ("on_time", 10.0)
    assert (blender.status, blender.actual_start_s, blender.delay_s) == ("early", 200.0, -100.0)
    assert [p.said for p in blender.key_points] == [True, True, False]
    # without a metrics export the comment log gives the comment count
    assert blender.response.comments == 2.0 and blender.response.viewer_change_pct is None


def test_segment_with_nothing_to_check() -> None:
    (result,) = compare_script([PlanSegment("Break", 0.0)], Transcript("en", (), 60.0), duration_s=60.0)
    assert result.status == "not_checked"
