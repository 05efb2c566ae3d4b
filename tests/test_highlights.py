"""Highlight choice on synthetic signals (pure: no media)."""

import itertools
import random

from mediaops.highlights import HighlightOptions, choose_highlights, find_peaks_in_engagement
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
