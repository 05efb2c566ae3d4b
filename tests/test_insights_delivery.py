"""Host delivery: planted silences become dead air, slow stretches show in the pace, time per product vs plan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mediaops.media.ffmpeg_tools import run_ffmpeg
from mediaops.retrospective.insights.delivery import (
    find_dead_air,
    loudness_dbfs,
    measure_dead_air,
    product_time,
    speaking_pace,
    speech_intervals,
)
from mediaops.retrospective.insights.options import InsightOptions
from mediaops.retrospective.insights.types import DeadAir, PlanSegment
from mediaops.types import PitchSegment, Segment, Transcript, Word
from tests.insights_synthetic import DURATION_S, build_metrics, build_pitches, build_plan, build_transcript


def test_planted_silences_are_dead_air_with_viewer_change() -> None:
    gaps = find_dead_air(build_transcript(), DURATION_S, build_metrics(), InsightOptions(dead_air_gap_s=10.0))
    assert [(g.start_s, g.end_s, g.duration_s) for g in gaps] == [(298.0, 342.0, 44.0), (796.0, 816.0, 20.0)]
    first, second = gaps
    assert (first.viewers_before, first.viewers_after, first.viewer_change_pct) == (200.0, 150.0, -25.0)
    assert second.viewer_change_pct == 0.0


def test_dead_air_gap_is_configurable() -> None:
    transcript = build_transcript()
    assert len(find_dead_air(transcript, DURATION_S, None, InsightOptions(dead_air_gap_s=30.0))) == 1
    # the ordinary 2 s pauses between sentences are no dead air until the gap is that short
    assert find_dead_air(transcript, DURATION_S, None, InsightOptions(dead_air_gap_s=2.5))[0].start_s == 298.0
    assert len(find_dead_air(transcript, DURATION_S, None, InsightOptions(dead_air_gap_s=2.0))) > 100


def test_silence_at_the_start_and_end_counts_and_metrics_are_optional() -> None:
    transcript = Transcript("en", (Segment(20.0, 30.0, "hello there"),), 60.0)
    gaps = find_dead_air(transcript, 60.0)
    assert [(g.start_s, g.end_s) for g in gaps] == [(0.0, 20.0), (30.0, 60.0)]
    assert gaps[0].viewer_change_pct is None


def test_word_timings_find_silences_inside_a_long_sentence() -> None:
    words = (Word(0.0, 1.0, "hello"), Word(1.0, 2.0, "everyone"), Word(20.0, 21.0, "welcome"))
    transcript = Transcript("en", (Segment(0.0, 21.0, "hello everyone welcome", words),), 21.0)
    assert speech_intervals(transcript) == [(0.0, 2.0), (20.0, 21.0)]
    (gap,) = find_dead_air(transcript, 21.0)
    assert (gap.start_s, gap.end_s) == (2.0, 20.0)


def test_empty_sentences_are_not_speech() -> None:
    transcript = Transcript("en", (Segment(0.0, 5.0, "hi"), Segment(5.0, 40.0, "  ")), 40.0)
    assert speech_intervals(transcript) == [(0.0, 5.0)]


def test_pace_in_words_per_minute_and_the_slow_stretch() -> None:
    points, unit = speaking_pace(build_transcript(), DURATION_S, build_metrics())
    assert unit == "words" and len(points) == 20
    normal = points[4]  # 240–300 s: ten 12-word sentences
    assert (normal.rate_per_min, normal.speaking_s, normal.slow) == (120.0, 40.0, False)
    slow = points[10]  # 600–660 s: ten "okay so"
    assert (slow.start_s, slow.rate_per_min, slow.slow, slow.viewer_change_pct) == (600.0, 20.0, True, -20.0)
    assert points[5].slow  # 300–360 s holds the first silence
    assert [p.start_s for p in points if p.slow] == [300.0, 600.0]


def test_chinese_pace_counts_characters() -> None:
    transcript = Transcript("zh", (Segment(0.0, 10.0, "欢迎来到直播间 Turbo 搅拌机"),), 60.0)
    (point,), unit = speaking_pace(transcript, 60.0)
    assert unit == "chars"
    assert point.rate_per_min == pytest.approx(7 + 1 + 3)


def test_time_per_product_against_the_plan() -> None:
    times = product_time(build_pitches(), build_plan(), DURATION_S, build_metrics())
    assert [(t.sku, t.actual_s, t.planned_s, t.over_s) for t in times] == [
        ("SKU-A", 240.0, 240.0, 0.0), ("SKU-B", 520.0, 740.0, -220.0)]
    assert times[1].viewer_change_pct == -20.0


def test_product_over_plan_and_a_planned_product_never_pitched() -> None:
    pitches = [PitchSegment("B202", "Fan", 100.0, 400.0), PitchSegment("B202", "Fan", 500.0, 560.0)]
    plan = [PlanSegment("Fan", 100.0, "B202", planned_duration_s=120.0), PlanSegment("Lamp", 600.0, "C303")]
    fan, lamp = product_time(pitches, plan, 900.0)
    assert (fan.actual_s, fan.planned_s, fan.over_s) == (360.0, 120.0, 240.0)
    assert (lamp.sku, lamp.name, lamp.actual_s, lamp.planned_s, lamp.over_s) == ("C303", "Lamp", 0.0, 300.0, -300.0)
    (alone,) = product_time(pitches[:1], (), 900.0)
    assert (alone.planned_s, alone.over_s) == (None, None)


def _tone_silence_tone(path: Path) -> Path:
    """5 s of a 440 Hz tone, 10 s of digital silence, 5 s of tone (16 kHz mono WAV)."""
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000:duration=5",
                "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=16000:duration=5", "-filter_complex",
                "[1:a]atrim=duration=10[s];[0:a][s][2:a]concat=n=3:v=0:a=1[a]", "-map", "[a]", str(path)])
    return path


def test_measured_dead_air_tells_silence_from_sound(tmp_path: Path) -> None:
    recording = _tone_silence_tone(tmp_path / "audio.wav")
    gaps = [DeadAir(5.2, 14.8, 9.6), DeadAir(0.0, 4.8, 4.8)]
    silent, loud = measure_dead_air(recording, gaps)
    assert silent.quiet is True and silent.loudness_dbfs == -120.0
    # a full-scale sine is -3 dBFS; ffmpeg's sine source plays at 1/8 amplitude: about -21 dBFS
    assert loud.quiet is False and loud.loudness_dbfs == pytest.approx(-21.1, abs=1.0)
    assert (silent.start_s, silent.end_s) == (5.2, 14.8)


def test_build_insights_measures_dead_air_in_the_recording(tmp_path: Path) -> None:
    from mediaops.retrospective.insights import build_insights

    recording = _tone_silence_tone(tmp_path / "audio.wav")
    transcript = Transcript("en", (Segment(0.0, 5.0, "hello there"), Segment(15.0, 20.0, "welcome back")), 20.0)
    insights = build_insights(transcript, None, duration_s=20.0, options=InsightOptions(dead_air_gap_s=8.0),
                              recording=recording)
    (gap,) = insights.dead_air
    assert (gap.start_s, gap.end_s, gap.quiet) == (5.0, 15.0, True)


def test_loudness_of_nothing() -> None:
    assert loudness_dbfs(np.zeros(0, dtype=np.float32)) == -120.0
    assert loudness_dbfs(np.full(1600, 0.5, dtype=np.float32)) == pytest.approx(-6.02, abs=0.01)
