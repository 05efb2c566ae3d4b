"""Quality gate of highlight detection on synthetic streams with planted moments (pure: no media).

Each stream has 8 planted moments (a scene change, then comment/like/inflow surges after a 3–12 s lag and
order surges 40–90 s later), background camera switches, drifting Poisson noise, 4 decoy spikes with no
scene change before them and a walk-out. The export goes through the real parser in the case's format.
Required: recall >= 0.9, precision >= 0.8, and clip start within 0.5 s of the planted scene change for at
least 90% of hits, with room for more clips than there are moments (so precision is really tested).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mediaops.analysis.highlights import HighlightOptions, choose_highlights, find_lowlights, find_peaks_in_engagement
from mediaops.inputs.comments import comment_series
from mediaops.inputs.metrics import load_metrics
from mediaops.types import Metrics, MetricSeries
from tests.synthetic_stream import make_stream, score_highlights, write_metrics

START = datetime(2026, 11, 27, 20, 0, 0, tzinfo=timezone(timedelta(hours=8)))
SEEDS = (11, 12, 13)

CASES = [
    pytest.param(10, "en", ".csv", False, False, True, id="10s-en-csv-offset-per-interval-with-comment-log"),
    pytest.param(10, "zh", ".csv", True, True, False, id="10s-zh-csv-absolute-cumulative"),
    pytest.param(30, "zh", ".xlsx", False, True, True, id="30s-zh-xlsx-offset-cumulative-with-comment-log"),
    pytest.param(30, "en", ".json", True, False, False, id="30s-en-json-absolute-per-interval"),
    pytest.param(60, "en", ".csv", True, False, True, id="60s-en-csv-absolute-per-interval-with-comment-log"),
    pytest.param(60, "zh", ".csv", False, True, False, id="60s-zh-csv-offset-cumulative"),
]


@pytest.mark.parametrize(("interval_s", "language", "suffix", "absolute", "cumulative", "comment_log"), CASES)
def test_planted_moments_are_found_and_start_at_their_cut(
    tmp_path: Path, interval_s: int, language: str, suffix: str, absolute: bool, cumulative: bool, comment_log: bool
) -> None:
    options = HighlightOptions(max_clips=12)
    moments = spans = 0
    hits = precise = 0
    for seed in SEEDS:
        stream = make_stream(seed)
        export = write_metrics(stream, tmp_path / f"metrics-{seed}{suffix}", interval_s, language,
                               START if absolute else None, cumulative)
        metrics = load_metrics(export, start_time=START)
        assert metrics.interval_s == interval_s
        assert any("running total" in w for w in metrics.warnings) == cumulative
        extra = comment_series(stream.comments, stream.duration_s) if comment_log else ()
        peaks = find_peaks_in_engagement(metrics, extra, options, stream.duration_s)
        chosen = choose_highlights(peaks, stream.scenes, stream.transcript, stream.duration_s, options=options)
        score = score_highlights(stream.moments, [(h.start_s, h.end_s, h.onset_s) for h in chosen])
        moments += len(stream.moments)
        spans += len(chosen)
        hits += score.hits
        precise += round(score.start_accuracy * score.hits)
        for h in chosen:
            assert options.min_duration_s <= h.end_s - h.start_s <= options.max_duration_s
    assert hits / moments >= 0.9, f"recall {hits}/{moments}"
    assert hits / spans >= 0.8, f"precision {hits}/{spans}"
    assert precise / hits >= 0.9, f"start within 0.5 s of the cut for {precise}/{hits}"


def test_decoys_alone_make_no_highlights() -> None:
    stream = make_stream(21, moments=0, decoys=6)
    starts = range(0, stream.duration_s, 10)
    series = tuple(
        MetricSeries(name, tuple(map(float, starts)),
                     tuple(float(stream.per_second[name][k : k + 10].sum()) for k in starts), 10.0)
        for name in ("comments", "likes", "viewers_entered")
    )
    peaks = find_peaks_in_engagement(Metrics(series, 10.0), comment_series(stream.comments, stream.duration_s),
                                     duration_s=stream.duration_s)
    chosen = choose_highlights(peaks, stream.scenes, stream.transcript, stream.duration_s,
                               options=HighlightOptions(max_clips=10))
    assert chosen == []


def test_lowlight_is_the_planted_walk_out(tmp_path: Path) -> None:
    stream = make_stream(5)
    metrics = load_metrics(write_metrics(stream, tmp_path / "m.csv", 10))
    lows = find_lowlights(metrics)
    assert lows and lows[0].score < 0
    assert stream.lowlight_s - 30 <= lows[0].t_s <= stream.lowlight_s + 60
    assert lows[0].signals["online_viewers_change"] < -100
    assert [p.score for p in lows] == sorted(p.score for p in lows)
