"""Highlight choice on synthetic signals (pure: no media)."""

import itertools
import random

import pytest

from mediaops.analysis.highlights import HighlightOptions, choose_highlights, find_peaks_in_engagement
from mediaops.types import Metrics, MetricSeries, Scene, Segment, Transcript


def _metrics(moments: list[float], decoys: list[float], duration_s: float = 900, step: float = 10) -> Metrics:
    rng = random.Random(7)
    times = [i * step for i in range(int(duration_s / step))]
    comments, likes = [], []
    for t in times:
        c = rng.gauss(10, 2)
        like = rng.gauss(30, 5)
        for m in moments:
            if 10 <= t - m < 40:
                c += 40
                like += 120
        for d in decoys:
            if 0 <= t - d < 10:
                like += 150
        comments.append(max(0.0, c))
        likes.append(max(0.0, like))
    return Metrics((MetricSeries("comments", tuple(times), tuple(comments), step),
                    MetricSeries("likes", tuple(times), tuple(likes), step)), step)


def test_planted_moments_start_at_their_scene_cut() -> None:
    moments = [120.0, 400.0, 700.0]
    cuts = [50.0, 120.0, 260.0, 400.0, 560.0, 700.0, 820.0]
    scenes = [Scene(a, b) for a, b in zip([0.0, *cuts], [*cuts, 900.0], strict=True)]
    transcript = Transcript("en", tuple(Segment(t, t + 4.5, "sentence") for t in range(0, 900, 5)), 900.0)
    metrics = _metrics(moments, decoys=[300.0])
    peaks = find_peaks_in_engagement(metrics)
    chosen = choose_highlights(peaks, scenes, transcript, 900.0, options=HighlightOptions(max_clips=3))
    assert [h.start_s for h in chosen] == moments
    for h in chosen:
        assert 15 <= h.end_s - h.start_s <= 60
        assert h.sentence_end_s == h.end_s
        assert any("scene cut" in r for r in h.reasons)
        assert any("comments" in r or "likes" in r for r in h.reasons)


def test_no_overlap_and_bounds() -> None:
    scenes = [Scene(0.0, 900.0)]
    chosen = choose_highlights(find_peaks_in_engagement(_metrics([100, 130, 500], [])), scenes, None, 900.0)
    spans = sorted((h.start_s, h.end_s) for h in chosen)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert all(s >= 0 and e <= 900 for s, e in spans)


def test_reasons_explain_signals_cut_sentence_and_product() -> None:
    from mediaops.types import PitchSegment

    scenes = [Scene(0.0, 120.0), Scene(120.0, 900.0)]
    transcript = Transcript("en", (Segment(140.0, 146.5, "This blender crushes ice."),), 900.0)
    pitch = PitchSegment("SKU-1", "Turbo Blender", 118.0, 200.0)
    peaks = find_peaks_in_engagement(_metrics([120.0], []))
    (chosen,) = choose_highlights(peaks, scenes, transcript, 900.0, [pitch], HighlightOptions(max_clips=1))
    assert chosen.start_s == 120.0 and chosen.end_s == 146.5
    assert chosen.product_sku == "SKU-1" and chosen.title == "Turbo Blender"
    assert chosen.rises["comments"] > 3 and chosen.rises["likes"] > 3
    text = " | ".join(chosen.reasons)
    assert "comments ×" in text and "likes ×" in text
    assert "scene cut at 0:02:00.00" in text
    assert "“This blender crushes ice.”" in text
    assert "Turbo Blender (SKU-1)" in text
    assert chosen.onset_s is not None and 125 <= chosen.onset_s <= 135


def test_weights_choose_the_signals() -> None:
    only_likes = HighlightOptions(weights={"likes": 1.0})
    peaks = find_peaks_in_engagement(_metrics([120.0], [300.0]), options=only_likes)
    assert peaks and all(set(p.signals) == {"likes"} for p in peaks)
    # with likes alone the like-storm decoy at 300 s is a peak as strong as the real moment...
    decoy = next(p for p in peaks if 290 <= p.t_s <= 320)
    real = next(p for p in peaks if 120 <= p.t_s <= 170)
    assert decoy.score > 0.8 * real.score
    # ...with the default weights it is much weaker than the moment, where comments rose too
    peaks = find_peaks_in_engagement(_metrics([120.0], [300.0]))
    real = next(p for p in peaks if 120 <= p.t_s <= 170)
    assert {"comments", "likes"} <= set(real.signals)
    assert all(p.score < 0.6 * real.score for p in peaks if 290 <= p.t_s <= 320)


def test_coarse_onset_is_refined_inside_the_interval() -> None:
    # a surge that starts 40 s into a 60 s row and holds: rows get 1/3 of it, then all of it
    times = tuple(float(t) for t in range(0, 1800, 60))
    values = [20.0 + (k % 3) for k in range(len(times))]
    start = times.index(600.0)
    values[start] += 60.0 * 20 / 60
    for k in range(start + 1, start + 3):
        values[k] += 60.0
    metrics = Metrics((MetricSeries("comments", times, tuple(values), 60.0),), 60.0)
    (peak,) = find_peaks_in_engagement(metrics)
    assert peak.onset_s == pytest.approx(640.0, abs=6.0)
    assert peak.onset_precision_s == 60.0


def test_scene_windows_cover_the_reaction_window_and_merge() -> None:
    from mediaops.analysis.highlights import scene_windows
    from mediaops.types import Peak

    peaks = [Peak(100.0, 5.0, onset_s=90.0, onset_precision_s=1.0),
             Peak(150.0, 4.0, onset_s=140.0, onset_precision_s=1.0),
             Peak(700.0, 4.0, onset_s=690.0, onset_precision_s=10.0)]
    windows = scene_windows(peaks, 720.0, HighlightOptions(reaction_window_s=60.0))
    assert windows == [(25.0, 147.0), (625.0, 705.0)]
