"""Synthetic livestreams with planted moments, for testing highlight detection without media.

A planted moment is a scene change (a product reveal) at a known time, followed after a short lag by a
surge of comments, likes and viewer inflow, and later by a surge of orders. Around them: background camera
switches (scene changes with no audience reaction), noise with a slow drift, decoy spikes with no scene
change before them, and a planted fall in online viewers. Every random choice comes from one seeded
generator, so a stream is reproducible from its seed.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from mediaops.types import Comment, Scene, Segment, Transcript

HEADERS = {
    "en": ("time", "online_viewers", "viewers_entered", "comments", "likes", "orders", "gmv"),
    "zh": ("时间", "实时在线人数", "进入直播间人数", "评论次数", "点赞次数", "成交订单数", "成交金额"),
}
_CHAT = ("hello", "主播好", "❤️", "多少钱", "好的", "来了", "nice", "what size?", "发货快吗")
_HYPE = ("666", "哈哈哈", "太好看了", "wow", "上链接", "link please")
_BOUGHT = ("买了", "已拍", "bought 2", "已买")


@dataclass(frozen=True)
class SyntheticStream:
    """Per-second truth of one synthetic stream."""

    duration_s: int
    moments: tuple[float, ...]
    decoys: tuple[float, ...]
    cuts: tuple[float, ...]
    lowlight_s: float
    per_second: dict[str, np.ndarray]
    comments: tuple[Comment, ...]
    transcript: Transcript

    @property
    def scenes(self) -> tuple[Scene, ...]:
        edges = [0.0, *self.cuts, float(self.duration_s)]
        return tuple(Scene(a, b) for a, b in itertools.pairwise(edges))


def _surge(n: int, start: float, plateau_s: float, decay_s: float) -> np.ndarray:
    """A surge shape on a 1 s grid: 0 before ``start``, 1 for ``plateau_s``, then an exponential decay."""
    t = np.arange(n, dtype=float) + 0.5
    shape = np.where((t >= start) & (t < start + plateau_s), 1.0, 0.0)
    tail = t >= start + plateau_s
    shape[tail] = np.exp(-(t[tail] - start - plateau_s) / decay_s)
    return shape


def _spaced(rng: random.Random, count: int, low: float, high: float, gap: float, avoid: list[float],
            avoid_s: float) -> list[float]:
    chosen: list[float] = []
    while len(chosen) < count:
        t = round(rng.uniform(low, high), 2)
        if all(abs(t - c) >= gap for c in chosen) and all(abs(t - a) >= avoid_s for a in avoid):
            chosen.append(t)
    return sorted(chosen)


def make_stream(seed: int, duration_s: int = 3600, moments: int = 8, decoys: int = 4) -> SyntheticStream:
    """A stream with ``moments`` planted moments and ``decoys`` decoy spikes."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    planted = _spaced(rng, moments, 150, duration_s - 200, 300, [], 0)
    fakes = _spaced(rng, decoys, 150, duration_s - 150, 200, planted, 180)
    lowlight = _spaced(rng, 1, 300, duration_s - 300, 0, [*planted, *fakes], 150)[0]
    # background camera switches: none within a minute of a planted moment, none just before a decoy
    cuts = list(planted)
    t = rng.uniform(30, 120)
    while t < duration_s - 10:
        if all(abs(t - m) >= 60 for m in planted) and all(not -80 <= t - d <= 15 for d in fakes):
            cuts.append(round(t, 2))
        t += rng.uniform(60, 240)
    n = duration_s
    clock = np.arange(n, dtype=float)
    drift = 1 + 0.3 * np.sin(2 * np.pi * clock / 1500 + rng.uniform(0, 6)) + 0.15 * clock / n
    rates = {"comments": 0.8 * drift, "likes": 3.0 * drift, "viewers_entered": 0.6 * drift, "orders": 0.04 * drift}
    hype = np.zeros(n)
    bought = np.zeros(n)
    for m in planted:
        lag = rng.uniform(3, 12)
        plateau = rng.uniform(40, 90)
        strength = rng.uniform(3, 6)
        shape = _surge(n, m + lag, plateau, 20)
        rates["comments"] = rates["comments"] + 0.8 * strength * shape
        rates["likes"] = rates["likes"] + 3.0 * strength * _surge(n, m + lag + rng.uniform(0, 3), plateau, 20)
        rates["viewers_entered"] = rates["viewers_entered"] + 0.6 * rng.uniform(1.5, 3) * _surge(
            n, m + lag + 5, plateau, 30)
        order_shape = _surge(n, m + rng.uniform(40, 90), 60, 30)
        rates["orders"] = rates["orders"] + 0.04 * rng.uniform(6, 12) * order_shape
        hype += shape
        bought += order_shape
    for index, d in enumerate(fakes):
        if index % 2 == 0:  # a like storm: one signal, short
            rates["likes"] = rates["likes"] + 3.0 * rng.uniform(4, 6) * _surge(n, d, 15, 5)
        else:  # a chatty minute with no scene change: comments and likes, moderately
            rates["comments"] = rates["comments"] + 0.8 * 1.5 * _surge(n, d, 30, 10)
            rates["likes"] = rates["likes"] + 3.0 * 1.5 * _surge(n, d, 30, 10)
    counts = {name: nrng.poisson(np.maximum(rate, 0)).astype(float) for name, rate in rates.items()}
    # online viewers: arrivals minus a steady leaving rate, a slow wave, and a planted walk-out
    leaving = np.convolve(counts["viewers_entered"], np.ones(120) / 120, mode="same")
    online = 1500 + np.cumsum(counts["viewers_entered"] - leaving) + 150 * np.sin(2 * np.pi * clock / 2400)
    online -= 400 * np.clip((clock - lowlight) / 60, 0, 1)
    online = np.round(online + nrng.normal(0, 5, n))
    counts["online_viewers"] = online
    counts["gmv"] = counts["orders"] * 59.0
    comments: list[Comment] = []
    for second in range(n):
        for _ in range(int(counts["comments"][second])):
            if rng.random() < 0.5 * hype[second] / max(hype[second] + 0.3, 1e-9):
                text = rng.choice(_HYPE)
            elif rng.random() < bought[second] * 0.5:
                text = rng.choice(_BOUGHT)
            else:
                text = rng.choice(_CHAT)
            comments.append(Comment(round(second + rng.random(), 3), f"u{rng.randrange(5000)}", text))
    segments = []
    t = 0.5
    while t < n - 6:
        length = rng.uniform(2, 6)
        segments.append(Segment(round(t, 2), round(t + length, 2), f"sentence at {t:.0f}"))
        t += length + rng.uniform(0.3, 1.5)
    return SyntheticStream(
        duration_s, tuple(planted), tuple(fakes), tuple(sorted(cuts)), lowlight, counts, tuple(comments),
        Transcript("zh", tuple(segments), float(n)),
    )


def write_metrics(
    stream: SyntheticStream,
    path: Path,
    interval_s: int = 10,
    language: str = "en",
    start_time: datetime | None = None,
    cumulative: bool = False,
) -> Path:
    """Write the stream's metrics export as CSV (``.csv``), XLSX (``.xlsx``) or JSON (``.json``).

    Rows cover ``[time, time + interval_s)``. With ``start_time`` times are absolute date-times, otherwise
    ``HH:MM:SS`` offsets. With ``cumulative`` every counter is a running total.
    """
    headers = HEADERS[language]
    names = ("online_viewers", "viewers_entered", "comments", "likes", "orders", "gmv")
    rows = []
    running = dict.fromkeys(names, 0.0)
    for start in range(0, stream.duration_s - interval_s + 1, interval_s):
        span = slice(start, start + interval_s)
        if start_time is not None:
            when = (start_time + timedelta(seconds=start)).strftime("%Y-%m-%d %H:%M:%S")
        else:
            when = f"{start // 3600:02d}:{start // 60 % 60:02d}:{start % 60:02d}"
        row: list[object] = [when]
        for name in names:
            if name == "online_viewers":
                row.append(float(stream.per_second[name][start]))
                continue
            value = float(stream.per_second[name][span].sum())
            running[name] += value
            row.append(round(running[name] if cumulative else value, 2))
        rows.append(row)
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(list(headers))
        for row in rows:
            sheet.append(row)
        book.save(path)
    elif path.suffix == ".json":
        path.write_text(json.dumps([dict(zip(headers, row, strict=True)) for row in rows], ensure_ascii=False),
                        encoding="utf-8")
    else:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(rows)
    return path


@dataclass(frozen=True)
class Score:
    recall: float
    precision: float
    start_accuracy: float
    hits: int
    misses: tuple[float, ...]
    false_positives: tuple[tuple[float, float], ...]


def score_highlights(moments: tuple[float, ...], spans: list[tuple[float, float, float | None]],
                     tolerance_s: float = 0.5) -> Score:
    """Recall and precision of highlight spans ``(start_s, end_s, onset_s)`` against planted moments, and
    the share of hits whose start lies within ``tolerance_s`` of the planted scene change.

    A highlight matches a moment when its clip shows the moment (``start - 1 <= m < end``) or the audience
    reaction it was built on began within 90 s after it; each moment is matched at most once.
    """
    unmatched = list(moments)
    hits: list[tuple[float, float]] = []
    false_positives = []
    for start, end, onset in sorted(spans):
        match = next((m for m in unmatched if start - 1 <= m < end or (onset is not None and 0 <= onset - m <= 90)),
                     None)
        if match is None:
            false_positives.append((start, end))
        else:
            unmatched.remove(match)
            hits.append((match, start))
    precise = sum(1 for m, start in hits if abs(start - m) <= tolerance_s)
    return Score(
        recall=len(hits) / len(moments) if moments else 1.0,
        precision=len(hits) / len(spans) if spans else 0.0,
        start_accuracy=precise / len(hits) if hits else 0.0,
        hits=len(hits),
        misses=tuple(unmatched),
        false_positives=tuple(false_positives),
    )
