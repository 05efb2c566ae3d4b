"""Pure signal helpers: robust baselines, peak finding and even-grid resampling.

Memory stays linear in the series length (rolling medians use :func:`scipy.ndimage.median_filter`, not
window matrices), so a 6-hour stream at 1 s resolution costs a few hundred kilobytes per signal.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np

#: MAD to standard deviation for normally distributed noise.
_MAD_TO_SIGMA = 1.4826


def robust_z(values: np.ndarray, window: int, floor: float | None = None) -> np.ndarray:
    """Each value's distance from its rolling median in units of the rolling MAD (robust z-score).

    ``window`` is the number of samples in the centred baseline window (edges repeat the end values). NaNs
    count as the median, so gaps score zero. The scale never drops below the whole series' MAD, nor below
    ``floor`` (default: one event per interval for count-like series whose values exceed 1), so that
    near-empty stretches do not produce huge scores.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return x
    filled = np.where(np.isnan(x), np.nanmedian(x) if np.isfinite(x).any() else 0.0, x)
    size = 2 * max(1, window // 2) + 1
    median = centred_median(filled, size)
    mad = centred_median(np.abs(filled - median), size)
    global_mad = float(np.median(np.abs(filled - np.median(filled))))
    scale = _MAD_TO_SIGMA * np.maximum(mad, max(global_mad, 1e-9))
    if floor is None:
        floor = 1.0 if filled.max(initial=0) > 1 else 1e-6
    scale = np.maximum(scale, floor)
    return (filled - median) / scale


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling median over ``window`` samples (NaNs count as the series' median; see
    :func:`centred_median` for the edges)."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return x
    filled = np.where(np.isnan(x), np.nanmedian(x) if np.isfinite(x).any() else 0.0, x)
    return centred_median(filled, 2 * max(1, window // 2) + 1)


def centred_median(values: np.ndarray, size: int) -> np.ndarray:
    """The median of the ``size`` values centred on each value (``size`` odd; no NaNs). Near the ends the window
    holds only the values there are: the last value's baseline is the values before it, not copies of itself
    (repeating the end value, as an image filter does, would make a surge in the last rows its own baseline:
    a stream's closing push, and every moment a live session has just been sent, would score nothing)."""
    from scipy.ndimage import median_filter  # scipy loads on first use: the CLI starts fast
    half = size // 2
    n = values.size
    out = median_filter(values, size=size, mode="nearest")
    for i in itertools.chain(range(min(half, n)), range(max(half, n - half), n)):
        out[i] = np.median(values[max(0, i - half) : i + half + 1])
    return out


def rolling_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling sum over ``window`` samples (NaNs count as zero)."""
    from scipy.ndimage import uniform_filter1d  # scipy loads on first use: the CLI starts fast
    x = np.nan_to_num(np.asarray(values, dtype=float))
    if x.size == 0 or window <= 1:
        return x
    return uniform_filter1d(x, size=window, mode="nearest") * window


def peak_indices(score: np.ndarray, height: float, prominence: float, distance: int = 1) -> np.ndarray:
    """Indices of peaks in ``score`` at least ``height`` high and ``prominence`` prominent."""
    from scipy.signal import find_peaks
    if score.size < 3:
        return np.array([], dtype=int)
    padded = np.concatenate(([-np.inf], score, [-np.inf]))
    found, _ = find_peaks(padded, height=height, prominence=prominence, distance=max(1, distance))
    return found - 1


def resample_counts(t_s: np.ndarray, counts: np.ndarray, grid_start_s: float, step_s: float, n: int) -> np.ndarray:
    """Per-interval counts at times ``t_s`` redistributed onto an even grid (same total, rate-preserving)."""
    out = np.zeros(n)
    if t_s.size == 0:
        return out
    step_in = float(np.median(np.diff(t_s))) if t_s.size > 1 else step_s
    for t, c in zip(t_s, counts, strict=False):
        if not np.isfinite(c):
            continue
        first = (t - grid_start_s) / step_s
        last = (t + step_in - grid_start_s) / step_s
        lo, hi = int(np.floor(first)), int(np.ceil(last))
        for k in range(max(lo, 0), min(hi, n)):
            overlap = min(last, k + 1) - max(first, k)
            if overlap > 0:
                out[k] += c * overlap / (last - first)
    return out


def merge_spans(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """``(start_s, end_s)`` spans sorted, with overlapping or touching ones merged and empty ones dropped."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        elif end > start:
            merged.append((start, end))
    return merged
