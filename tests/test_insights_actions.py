"""The "next time" list: each rule fires on its planted cause, with the evidence, and nothing fires without one."""

from __future__ import annotations

import itertools
import json

from mediaops.retrospective.insights import build_insights
from mediaops.retrospective.insights.actions import next_time_actions
from mediaops.retrospective.insights.options import InsightOptions
from mediaops.retrospective.insights.types import ProductTime, QuestionBurst
from mediaops.serialize import to_jsonable
from mediaops.timeline import insights_from_dict
from tests.insights_synthetic import (
    DURATION_S,
    TARGETS,
    build_comments,
    build_metrics,
    build_pitches,
    build_plan,
    build_transcript,
)


def _insights(**options):
    return build_insights(build_transcript(), build_metrics(), build_comments(), build_pitches(), DURATION_S, TARGETS,
                          build_plan(), options=InsightOptions(**options))


def test_every_planted_problem_becomes_an_action_with_its_evidence() -> None:
    actions = {a.kind: a for a in _insights(max_actions=20).actions}
    assert set(actions) == {"dead_air", "target_missed", "unanswered_question", "skipped_segment", "late_segment",
                            "negative_reaction", "slow_pace", "missed_key_lines"}
    assert actions["dead_air"].evidence_en == "dead air 0:04:58–0:05:42 (44 s), viewers −25%"
    assert actions["target_missed"].evidence_en == "actual 5,500 / 10,000; best moment 0:02:00 during Aurora Lamp"
    assert "GMV" in actions["target_missed"].advice_en and "55%" in actions["target_missed"].advice_zh
    assert actions["unanswered_question"].evidence_en.startswith("coupon/discount question peaked at 0:08:20 (4 asks)")
    assert "直到直播结束" in actions["unanswered_question"].evidence_zh
    assert actions["skipped_segment"].evidence_en == "planned at 0:05:00, not heard (0/1 key lines)"
    assert "Lucky draw" in actions["skipped_segment"].advice_en
    assert actions["late_segment"].evidence_en == "planned 0:06:00, began 0:08:00, 2 min late"
    assert actions["slow_pace"].evidence_en == "pace fell to 20 words/min at 0:10:00, viewers −20%"
    assert actions["missed_key_lines"].evidence_en == "1/3 key lines not heard: two year warranty"
    # the second silence lost nobody and was short: no action for it
    assert sum(1 for a in _insights(max_actions=20).actions if a.kind == "dead_air") == 1


def test_actions_are_ordered_by_severity_and_capped() -> None:
    actions = _insights(max_actions=3).actions
    assert len(actions) == 3
    assert [a.kind for a in actions] == ["dead_air", "target_missed", "unanswered_question"]
    assert all(a.severity >= b.severity for a, b in itertools.pairwise(actions))


def test_options_reject_windows_that_are_not_positive() -> None:
    import pytest

    with pytest.raises(ValueError, match="dead_air_gap_s, pace_window_s"):
        InsightOptions(dead_air_gap_s=0, pace_window_s=-1)


def test_a_clean_stream_gets_no_actions() -> None:
    assert next_time_actions(duration_s=600.0) == []
    answered = QuestionBurst("price", 10.0, 20.0, 5, True, 25.0, 15.0, "only 39 dollars")
    on_plan = ProductTime("A", "Lamp", 300.0, 290.0, 10.0, -30.0)
    assert next_time_actions(bursts=[answered], product_time=[on_plan], duration_s=600.0) == []


def test_overrun_with_lost_viewers() -> None:
    over = ProductTime("B202", "Breeze Fan", 600.0, 360.0, 240.0, -18.0)
    (action,) = next_time_actions(product_time=[over], duration_s=900.0)
    assert action.kind == "overrun"
    assert action.evidence_en == "pitch of B202 ran 4 min over plan, viewers −18% during it"
    assert action.evidence_zh == "B202 讲解超出计划 4 分钟，期间在线人数 −18%"


def test_wall_clock_times_when_the_start_is_known() -> None:
    from datetime import datetime

    burst = QuestionBurst("price", 1860.0, 1880.0, 12, False, 1950.0, 90.0, "")
    (action,) = next_time_actions(bursts=[burst], duration_s=3600.0,
                                  start_time=datetime.fromisoformat("2026-11-27T20:00:00+08:00"))
    assert action.evidence_en == "price question peaked at 20:31:00 (12 asks) with no answer for 90 s"


def test_insights_are_json_ready_and_read_back() -> None:
    insights = _insights()
    doc = json.loads(json.dumps(to_jsonable(insights), ensure_ascii=False))
    assert doc["targets"][1]["attainment_pct"] == 55.0
    assert doc["dead_air"][0] == {"start_s": 298.0, "end_s": 342.0, "duration_s": 44.0, "viewers_before": 200.0,
                                  "viewers_after": 150.0, "viewer_change_pct": -25.0, "loudness_dbfs": None,
                                  "quiet": None}
    back = insights_from_dict(doc)
    assert back == insights_from_dict(json.loads(json.dumps(to_jsonable(back))))
    assert back.script[3].key_points[2].said is False
    assert back.voices[0].keywords[0].term == insights.voices[0].keywords[0].term


def test_without_comments_targets_or_plan_those_sections_stay_empty() -> None:
    insights = build_insights(build_transcript(), None, duration_s=DURATION_S)
    assert (insights.targets, insights.questions, insights.voices, insights.reactions, insights.script) == (
        (), (), (), (), ())
    assert len(insights.dead_air) == 2 and insights.pace
