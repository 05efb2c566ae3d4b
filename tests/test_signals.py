"""Direct tests of the robust signal core (``mediaops.analysis.signals``) every highlight and spike rests on.

Wrong implementations these reject: a global median as the baseline (a slow drift then scores as a surge);
a mean/standard-deviation z-score (one outlier inflates the scale and hides the next); NaN gaps read as zeros
(a missing row scores as a collapse); a plain ``find_peaks`` without end padding (a surge in the first or last
sample is never found); resampling that loses counts; merging that keeps overlapping spans apart.
"""

from __future__ import annotations

import numpy as np
import pytest

from mediaops.analysis.signals import (
    merge_spans,
    peak_indices,
    resample_counts,
    robust_z,
    rolling_median,
    rolling_sum,
)


def test_the_baseline_follows_a_slow_drift() -> None:
    drift = np.linspace(10, 100, 600) + np.tile([0.0, 1.0, -1.0], 200)
    baseline = rolling_median(drift, 61)
    assert baseline[100] == pytest.approx(drift[100], abs=2) and baseline[500] == pytest.approx(drift[500], abs=2)
    assert np.max(np.abs(robust_z(drift, window=60))) < 3  # a drift alone is no surge
    flat = np.tile([10.0, 11.0, 9.0], 200)
    flat[300] += 30
    assert robust_z(flat, window=60)[300] > 6


def test_one_outlier_does_not_hide_the_next() -> None:
    x = np.tile([10.0, 11.0, 9.0, 10.0], 50)
    x[50] = 500.0
    x[120] = 40.0
    z = robust_z(x, window=41)
    assert z[120] > 6  # a standard deviation inflated by the 500 would score this one low


def test_gaps_score_zero_not_a_collapse() -> None:
    x = np.tile([20.0, 22.0, 18.0, 21.0], 25)
    x[40:45] = np.nan
    z = robust_z(x, window=21)
    assert np.all(np.abs(z[40:45]) < 1e-9)
    assert rolling_median(x, 21)[42] == pytest.approx(20.5, abs=1.5)


def test_rolling_sum_is_centred_and_treats_gaps_as_zero() -> None:
    x = np.array([0, 0, 1, 1, 1, 0, 0, np.nan, 0], dtype=float)
    assert rolling_sum(x, 3)[3] == pytest.approx(3.0)
    assert rolling_sum(x, 3)[7] == pytest.approx(0.0)
    assert rolling_sum(x, 1).tolist()[:5] == [0, 0, 1, 1, 1]


def test_a_surge_in_the_last_rows_is_not_its_own_baseline() -> None:
    """The rows a live session has just been sent end in the surge it must clip now, and a stream's closing push
    ends the export. Wrong implementations rejected: the window repeats the end value (an image filter's
    "nearest" edge: the last row's baseline is copies of itself, so it scores zero); a trailing window everywhere
    (inside the series the baseline is the window centred on each value)."""
    quiet = np.tile([10.0, 12.0, 9.0, 11.0], 10)
    last = np.append(quiet, 40.0)
    assert robust_z(last, window=21)[-1] > 6
    two = np.append(quiet, [40.0, 42.0])
    assert np.min(robust_z(two, window=21)[-2:]) > 6
    assert rolling_median(two, 21)[-1] == pytest.approx(11.0, abs=1.5)
    # and at the start: a stream that opens with a surge
    assert robust_z(np.append([40.0, 42.0], quiet), window=21)[0] > 6
    # inside the series nothing changes: the median of the window around each value
    x = np.random.default_rng(3).poisson(20, 200).astype(float)
    centred = [np.median(x[i - 10 : i + 11]) for i in range(10, 190)]
    assert rolling_median(x, 21)[10:190].tolist() == centred


def test_peaks_at_the_edges_are_found() -> None:
    score = np.array([5.0, 1, 0, 0, 1, 0, 0, 6.0])
    assert peak_indices(score, height=3, prominence=2).tolist() == [0, 7]
    assert peak_indices(np.array([1.0, 2.0]), height=0, prominence=0).tolist() == []


def test_resampling_keeps_the_total() -> None:
    t = np.arange(0, 600, 60.0)
    counts = np.arange(10, dtype=float) * 3
    fine = resample_counts(t, counts, 0.0, 10.0, 60)
    assert fine.sum() == pytest.approx(counts.sum())
    assert fine[:6].sum() == pytest.approx(counts[0]) and fine[6:12].sum() == pytest.approx(counts[1])


def test_merge_spans_joins_overlaps_and_drops_empty_ones() -> None:
    assert merge_spans([(10, 20), (0, 5), (5, 8), (15, 30), (40, 40)]) == [(0, 8), (10, 30)]
    assert merge_spans([]) == []
