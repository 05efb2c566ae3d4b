"""A deterministic stream for report tests: 20 minutes of metrics with three pitched products, planted order
responses, clips, scene cuts and a transcript. Everything is known by construction; no media is needed unless
``with_clip_files`` asks for real (tiny) clip files."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path

from mediaops.analysis import reasons as why
from mediaops.analysis.attribution import find_sales_spikes
from mediaops.analysis.reasons import describe_reasons
from mediaops.serialize import write_json_atomic
from mediaops.timeline import write_timeline
from mediaops.types import (
    Clip,
    MediaInfo,
    Metrics,
    MetricSeries,
    PitchSegment,
    Reason,
    Scene,
    Segment,
    Timeline,
    Transcript,
)

DURATION_S = 1200.0
STEP_S = 10.0
#: (sku, name, start_s, end_s, order response peak time or None for a pitch that sold nothing)
PITCHES = (
    ("SKU-A", "破壁料理机", 120.0, 300.0, 200.0),
    ("SKU-B", "Cozy Blanket", 420.0, 600.0, 510.0),
    ("SKU-C", "精华液", 700.0, 760.0, None),
    ("SKU-D", "Glow Serum", 840.0, 1020.0, 930.0),
)
PRICES = {"SKU-A": 39.0, "SKU-B": 25.0, "SKU-C": 59.0, "SKU-D": 19.0}
SCENE_CUTS = (120.0, 420.0, 700.0, 840.0, 1100.0)


def build_metrics(extra_columns: bool = False) -> Metrics:
    """Viewers, comments, likes, orders and GMV; orders rise after each selling pitch starts."""
    rng = random.Random(11)
    times = tuple(i * STEP_S for i in range(int(DURATION_S / STEP_S)))
    viewers, comments, likes, orders, gmv, entered, follows = [], [], [], [], [], [], []
    for t in times:
        v = 200 + 0.1 * t + 40 * math.sin(t / 150)
        c = 8 + rng.randint(0, 3)
        lk = 30 + rng.randint(0, 10)
        o = rng.choice((0, 0, 1, 1, 2))
        price = 30.0
        for sku, _name, start, _end, peak in PITCHES:
            if 0 <= t - start < 40:
                c += 25
                lk += 120
            if peak is not None and abs(t - peak) < 25:
                o += 14 - round(abs(t - peak) / 3)
                price = PRICES[sku]
        viewers.append(round(v))
        comments.append(float(c))
        likes.append(float(lk))
        orders.append(float(o))
        gmv.append(round(o * price, 2))
        entered.append(float(20 + rng.randint(0, 5)))
        follows.append(float(rng.randint(0, 2)))
    series = [
        MetricSeries("online_viewers", times, tuple(float(v) for v in viewers), STEP_S, "level", "online_viewers"),
        MetricSeries("comments", times, tuple(comments), STEP_S, "count", "comments"),
        MetricSeries("likes", times, tuple(likes), STEP_S, "count", "likes"),
        MetricSeries("orders", times, tuple(orders), STEP_S, "count", "orders"),
        MetricSeries("gmv", times, tuple(gmv), STEP_S, "count", "gmv"),
    ]
    if extra_columns:
        series += [MetricSeries("viewers_entered", times, tuple(entered), STEP_S, "count", "viewers_entered"),
                   MetricSeries("new_followers", times, tuple(follows), STEP_S, "count", "new_followers")]
    return Metrics(tuple(series), STEP_S, 12.0, "metrics.csv",
                   alignment="offset times (seconds from the start of the stream)")


def build_transcript() -> Transcript:
    segments = []
    for index, t in enumerate(range(0, int(DURATION_S), 12)):
        pitch = next((p for p in PITCHES if p[2] <= t < p[3]), None)
        text = f"Now look at the {pitch[1]}, line {index}." if pitch else f"Thanks for watching, line {index}."
        segments.append(Segment(float(t), float(t) + 9.5, text))
    return Transcript("en", tuple(segments), DURATION_S, model="base")


def clip_reasons(start_s: float, sku: str | None, name: str) -> tuple[Reason, ...]:
    """Why a clip of the test stream was chosen, as the analysis records it: the comments and likes rose, the
    picture changed 6 s before the reaction, and the product on air where there is one."""
    records = [why.engagement_surge("comments", 4.0, 6.2), why.engagement_surge("likes", 3.1, 2.4),
               why.scene_cut_before(start_s, start_s + 6.0), why.only_cut()]
    return (*records, why.product_pitch(sku, name)) if sku else tuple(records)


def build_timeline(extra_columns: bool = False) -> Timeline:
    metrics = build_metrics(extra_columns)
    pitches = tuple(PitchSegment(sku, name, start, end, 3) for sku, name, start, end, _peak in PITCHES)
    clips = tuple(
        Clip(id=f"clip-{i:02d}", start_s=start, end_s=start + 30.0, score=score, file=f"clips/clip-{i:02d}.mp4",
             reasons=describe_reasons(clip_reasons(start, sku, title)), product_sku=sku, title=title,
             reason_records=clip_reasons(start, sku, title))
        for i, (start, score, sku, title) in enumerate(
            ((120.0, 5.5, "SKU-A", "破壁料理机"), (420.0, 4.2, "SKU-B", "Cozy Blanket"),
             (840.0, 3.1, "SKU-D", "Glow Serum"), (1100.0, 1.2, None, "")), start=1)
    )
    edges = (0.0, *SCENE_CUTS, DURATION_S)
    scenes = tuple(Scene(a, b) for a, b in itertools.pairwise(edges))
    info = MediaInfo(path="/streams/2026-11-20 晚场.mp4", duration_s=DURATION_S, size_bytes=1, container="mp4",
                     has_video=True, has_audio=True, width=640, height=360)
    return Timeline(recording=info, clips=clips, sales_spikes=tuple(find_sales_spikes(metrics, clips, pitches)),
                    scenes=scenes, pitches=pitches, metrics=metrics, language="en",
                    created_at="2026-11-20T14:00:00+00:00", tool_version="0.1.0")


def write_output_folder(out_dir: Path, extra_columns: bool = False, with_clip_files: bool = False) -> Path:
    """An output folder as ``mediaops process`` leaves it (timeline.json, transcript.json, optional clips)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    timeline = build_timeline(extra_columns)
    write_timeline(timeline, out_dir / "timeline.json")
    write_json_atomic(out_dir / "transcript.json", build_transcript())
    if with_clip_files:
        from tests.media import colour_scenes

        (out_dir / "clips").mkdir(exist_ok=True)
        first = colour_scenes(out_dir / "clips" / "clip-01.mp4", [1.0, 1.0], size="160x90")
        for clip in timeline.clips[1:]:
            (out_dir / clip.file).write_bytes(first.read_bytes())
    return out_dir


def timeline_doc(out_dir: Path) -> dict:
    return json.loads((out_dir / "timeline.json").read_text("utf-8"))
