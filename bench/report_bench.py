"""Benchmark of the retrospective: spike attribution and every report format on a synthetic long stream.

    python bench/report_bench.py [--hours 6] [--step 10] [--out /tmp/report-bench]

Prints the time of each step, the size of each report and the peak memory of the process. The stream is made
up (metrics rows every ``--step`` seconds, a transcript segment every 4 s, a pitch every ~9 minutes, 30 clips),
so the figures measure the report code, not media decoding.
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mediaops.analysis.attribution import find_sales_spikes
from mediaops.report import ReportOptions, write_reports
from mediaops.serialize import write_json_atomic
from mediaops.timeline import write_timeline
from mediaops.types import (
    Clip,
    MediaInfo,
    Metrics,
    MetricSeries,
    PitchSegment,
    Scene,
    Segment,
    Timeline,
    Transcript,
)


def synthetic(hours: float, step_s: float) -> tuple[Timeline, Transcript]:
    rng = random.Random(5)
    duration_s = hours * 3600
    times = tuple(i * step_s for i in range(int(duration_s / step_s)))
    pitches = []
    t = 60.0
    while t < duration_s - 600:
        length = rng.uniform(180, 420)
        pitches.append(PitchSegment(f"SKU-{len(pitches):03d}", f"商品 {len(pitches)}", t, t + length, 4))
        t += length + rng.uniform(30, 200)
    peaks = [p.start_s + rng.uniform(0.4, 0.9) * (p.end_s - p.start_s) for p in pitches if rng.random() < 0.7]
    orders = []
    for t in times:
        o = rng.choice((0, 1, 1, 2, 3))
        o += sum(round(15 * math.exp(-0.5 * ((t - peak) / 20) ** 2)) for peak in peaks if abs(t - peak) < 80)
        orders.append(float(o))
    series = (
        MetricSeries("online_viewers", times, tuple(2000 + 500 * math.sin(t / 900) for t in times), step_s, "level"),
        MetricSeries("comments", times, tuple(float(rng.randint(20, 60)) for _ in times), step_s),
        MetricSeries("likes", times, tuple(float(rng.randint(100, 400)) for _ in times), step_s),
        MetricSeries("viewers_entered", times, tuple(float(rng.randint(50, 90)) for _ in times), step_s),
        MetricSeries("orders", times, tuple(orders), step_s),
        MetricSeries("gmv", times, tuple(o * 49.0 for o in orders), step_s),
    )
    metrics = Metrics(series, step_s)
    clips = tuple(Clip(f"clip-{i:02d}", p.start_s, p.start_s + 40, 5.0 - i / 10, f"clips/clip-{i:02d}.mp4",
                       ("comments +4σ",), product_sku=p.sku, title=p.name)
                  for i, p in enumerate(pitches[:30], start=1))
    cuts = [p.start_s for p in pitches]
    scenes = tuple(Scene(a, b) for a, b in zip([0.0, *cuts], [*cuts, duration_s], strict=True))
    segments = tuple(Segment(float(s), float(s) + 3.5, f"第 {i} 句：这款商品现在下单有优惠") for i, s in
                     enumerate(range(0, int(duration_s), 4)))
    info = MediaInfo("/streams/long.mp4", duration_s, 1, "mp4", True, True, 1920, 1080)
    start = time.perf_counter()
    spikes = find_sales_spikes(metrics, clips, pitches)
    print(f"spike detection + attribution: {time.perf_counter() - start:.3f} s ({len(spikes)} spikes, "
          f"{len(times)} rows per series)")
    timeline = Timeline(info, clips, tuple(spikes), scenes, pitches=tuple(pitches), metrics=metrics,
                        created_at="2026-11-27T00:00:00+00:00")
    return timeline, Transcript("zh", segments, duration_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--step", type=float, default=10.0, help="seconds per metrics row")
    parser.add_argument("--out", type=Path, default=Path("/tmp/report-bench"))
    args = parser.parse_args()
    timeline, transcript = synthetic(args.hours, args.step)
    args.out.mkdir(parents=True, exist_ok=True)
    doc = write_timeline(timeline, args.out / "timeline.json")
    write_json_atomic(args.out / "transcript.json", transcript)
    for formats in (("html",), ("md",), ("csv",), ("pdf",)):
        start = time.perf_counter()
        paths = write_reports(doc, args.out, ReportOptions(lang="zh", formats=formats))
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in paths)
        print(f"{formats[0]:>4}: {time.perf_counter() - start:.2f} s  ({sizes})")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.hours:g} h stream, {len(timeline.sales_spikes)} spikes, {len(timeline.clips)} clips, "
          f"{len(timeline.pitches)} pitches, {len(transcript.segments)} transcript segments; peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
