"""The bundled demo stream with its targets and run-of-show: first on the known transcript in truth.json (fast),
then through the real pipeline (real Whisper) into timeline.json and both reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mediaops.analysis.pitches import find_pitches
from mediaops.inputs.comments import load_comments
from mediaops.inputs.metrics import load_metrics
from mediaops.inputs.products import load_products
from mediaops.retrospective.insights import build_insights, load_run_of_show, load_targets
from mediaops.timeline import read_timeline, timeline_from_dict
from mediaops.types import Segment, Transcript
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLE / "truth.json").read_text("utf-8"))


def test_sample_insights_on_the_known_transcript(truth: dict) -> None:
    lines = tuple(Segment(line["start_s"], line["end_s"], line["text"]) for scene in truth["scenes"]
                  for line in scene["lines"])
    transcript = Transcript("en", lines, truth["duration_s"])
    pitches = find_pitches(transcript, load_products(SAMPLE / "products.csv"))
    insights = build_insights(transcript, load_metrics(SAMPLE / "metrics.csv"), load_comments(SAMPLE /
                              "comments.jsonl"), pitches, truth["duration_s"], load_targets(SAMPLE / "targets.yaml"),
                              load_run_of_show(SAMPLE / "run_of_show.csv"))
    # as the comments in targets.yaml say
    assert [(t.label, t.met) for t in insights.targets] == [
        ("peak_viewers", True), ("average_viewers", False), ("comments", True), ("likes", False), ("orders", True),
        ("GMV", False), ("客单价", True), ("conversion_rate", None)]
    # the serum is revealed at 175 s, planned at 140 s; the lucky draw is never said; every other line is said
    reveals = {r["sku"]: r["t_s"] for r in truth["reveals"]}
    script = {s.title: s for s in insights.script}
    assert {t: s.status for t, s in script.items()} == {
        "Opening": "on_time", "Turbo Blender": "on_time", "Cozy Blanket": "on_time", "Glow Serum": "late",
        "Lucky draw": "skipped", "Closing": "on_time"}
    assert script["Glow Serum"].actual_start_s == pytest.approx(reveals["SKU-SERUM-03"], abs=1.0)
    assert all(p.said for s in insights.script if s.title != "Lucky draw" for p in s.key_points)
    # the host speaks every few seconds: no dead air; viewers ask about price, the link and discounts
    assert insights.dead_air == ()
    assert [(q.category, q.count) for q in insights.questions] == [("price", 59), ("how_to_buy", 30), ("coupon", 22)]
    assert {a.kind for a in insights.actions} == {"target_missed", "skipped_segment", "late_segment"}


@pytest.fixture(scope="module")
def sample_out(sample_process_out: Path) -> Path:
    """The sample with targets and run of show through ``mediaops process`` (the session's shared run)."""
    return sample_process_out


@pytest.mark.slow
def test_sample_pipeline_publishes_insights_and_report_sections(sample_out: Path) -> None:
    doc = read_timeline(sample_out)
    insights = timeline_from_dict(doc).insights
    assert insights is not None and "insights" not in doc["extras"]
    assert [t.key for t in insights.targets][:2] == ["peak_online_viewers", "avg_online_viewers"]
    statuses = {s.title: s.status for s in insights.script}
    assert statuses["Lucky draw"] == "skipped" and statuses["Glow Serum"] == "late"
    assert {q.category for q in insights.questions} == {"price", "how_to_buy", "coupon"}
    assert insights.pace and insights.pace_unit == "words"
    assert all(d.loudness_dbfs is not None for d in insights.dead_air)
    md = (sample_out / "report.md").read_text("utf-8")
    for heading in ("## 目标达成", "## 观众声音", "## 主播表现", "## 脚本执行", "## 下次改进"):
        assert heading in md
    assert "| GMV | 5,000 | 4,325 | 86% | ✗ 未达标 |" in md
    assert "| Lucky draw | 0:03:20 | — | 未讲 | 0/2 |" in md
    html = (sample_out / "report.html").read_text("utf-8")
    assert 'id="insight-actions"' in html and "4,325" in html and "「Lucky draw」" in html
