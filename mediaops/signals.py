"""Pure signal helpers: robust baselines and peak finding over evenly spaced series."""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks


def robust_z(values: np.ndarray, window: int) -> np.ndarray:
    """Each value's distance from its rolling median in units of the rolling MAD (robust z-score).

    ``window`` is the number of samples in the centred baseline window. NaNs count as the median.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return x
    filled = np.where(np.isnan(x), np.nanmedian(x) if np.isfinite(x).any() else 0.0, x)
    half = max(1, window // 2)
    padded = np.pad(filled, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    median = np.median(windows, axis=1)
    mad = np.median(np.abs(windows - median[:, None]), axis=1)
    global_mad = float(np.median(np.abs(filled - np.median(filled))))
    scale = 1.4826 * np.maximum(mad, max(global_mad, 1e-9))
    # a floor of one event per interval keeps near-empty series from producing huge scores
    scale = np.maximum(scale, 1.0 if filled.max(initial=0) > 1 else 1e-6)
    return (filled - median) / scale


def peak_indices(score: np.ndarray, height: float, prominence: float, distance: int = 1) -> np.ndarray:
    """Indices of peaks in ``score`` at least ``height`` high and ``prominence`` prominent."""
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
